/// What every case type's procedure has in common, so one workflow kernel can run them
/// all (issue 13): stages and actions with stable names, the roles that take each
/// action, and a judgement that says where an action leads or lists why not.
///
/// The kernel reads the stored record, asks the machine, writes, and audits; the machine
/// never reads storage, so an auditor can read a procedure's rules in one file.
public protocol StateMachine: Sendable {
    associatedtype Stage: RawRepresentable & Sendable & Equatable where Stage.RawValue == String
    associatedtype Action: RawRepresentable & Sendable & Equatable where Action.RawValue == String
    associatedtype Facts: Sendable
    associatedtype Failure: Refusal

    /// Who may take `action` at all; the kernel refuses anyone else before reading facts.
    static func roles(for action: Action) -> Set<Role>
    /// The stage `action` leads to from `stage`, or the first rule it breaks.
    static func apply(_ action: Action, at stage: Stage, by role: Role, facts: Facts, policy: Policy) -> Result<Stage, Failure>
    /// Every precondition `facts` do not meet, so a page lists all that is missing at once.
    static func unmet(_ action: Action, facts: Facts, policy: Policy) -> [Failure]
}

extension CaseMachine: StateMachine {
    public static func unmet(_ action: CaseAction, facts: CaseFacts, policy: Policy) -> [CaseRefusal] {
        unmetPreconditions(of: action, facts: facts, policy: policy)
    }
}
