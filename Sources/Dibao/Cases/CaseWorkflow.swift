import Fluent
import Vapor
import DibaoCore

/// The application's steps on the shared `Kernel`: `CaseMachine` judges, and the county
/// clock is set by the steps that start it.
enum CaseWorkflow {
    static func visible(_ id: UUID?, to actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        try await Kernel.visible(ApplicationCase.self, id, ctx: req.context(actor), notFound: "error.case_not_found")
    }

    /// Performs `action` on the case `id` as `actor`, through the kernel. `record` writes what
    /// the step records (on the case object and in other tables) before the rules judge the result.
    @discardableResult
    static func perform(
        _ action: CaseAction, caseID id: UUID?, by actor: StaffActor, reason: String = "", detail: [String: String] = [:],
        on req: Request,
        record: @escaping @Sendable (ApplicationCase, any Database) async throws -> Void = { _, _ in },
        effects: @escaping @Sendable (ApplicationCase, any Database) async throws -> [AuditEntry] = { _, _ in [] }
    ) async throws -> ApplicationCase {
        try await perform(action, caseID: id, ctx: req.context(actor), reason: reason, detail: detail, record: record, effects: effects)
    }

    @discardableResult
    static func perform(
        _ action: CaseAction, caseID id: UUID?, ctx: ServiceContext, reason: String = "", detail: [String: String] = [:],
        record: @escaping @Sendable (ApplicationCase, any Database) async throws -> Void = { _, _ in },
        effects: @escaping @Sendable (ApplicationCase, any Database) async throws -> [AuditEntry] = { _, _ in [] }
    ) async throws -> ApplicationCase {
        let today = ctx.today
        let policy = ctx.policy(on: today)
        let calendar = ctx.calendar
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await Kernel.perform(action, on: ApplicationCase.self, id: id, ctx: ctx, notFound: "error.case_not_found",
                                        reason: reason, detail: detail, record: record,
                                        facts: { c, tx in try await facts(for: c, reason: reason, today: today, on: tx) },
                                        effects: { c, tx in
            if action.startsCountyClock {
                // 二.二.4: the county decides within 30 working days of acceptance; a
                // return for re-review starts the count again.
                let clock = CountyClock(startedOn: today, policy: policy, calendar: calendar)
                if action == .accept { c.acceptedOn = today.iso }
                c.clockStartedOn = clock.startedOn.iso
                c.deadline = clock.deadline.iso
            }
            if action.needsReason { c.reason = reason }
            return try await effects(c, tx)
        })
    }

    /// What `CaseMachine` looks at, read from the stored records.
    static func facts(for c: ApplicationCase, reason: String, today: CivilDate, on db: any Database) async throws -> CaseFacts {
        let id = try c.requireID()
        let declarations = try await CaseDeclaration.query(on: db).filter(\.$caseID == id).all()
        let open = try await Objection.query(on: db).filter(\.$caseID == id).filter(\.$status == "open").count()
        let amount = c.approvedAmountFen ?? c.proposedAmountFen
        let flagged = try await RelativeFlag.query(on: db).filter(\.$householdID == c.householdID).count() > 0
        let checked = flagged ? try await FocusedCheck.query(on: db).filter(\.$caseID == id).count() > 0 : false
        var facts = CaseFacts(
            today: today, reason: reason,
            declarationsSigned: Set(declarations.map(\.kind)).count,
            investigators: Investigators.names(c.investigators).count,
            declarationsJudged: declarations.count == DeclarationKind.allCases.count && declarations.allSatisfy { $0.heldTrue != nil },
            investigationSignedByApplicant: c.applicantSigned,
            panelSize: c.panelSize, residentPopulation: c.residentPopulation,
            votesFor: c.votesFor, votesAgainst: c.votesAgainst, votesAbstain: c.votesAbstain,
            evaluationSigned: c.evaluationSigned,
            proposedAmount: amount.map { Money(fen: $0) },
            firstNoticePostedOn: c.firstNoticePostedOn.flatMap { CivilDate(iso: $0) },
            openObjections: open,
            spotCheckDrawn: c.spotCheckDrawID != nil, spotCheckVisited: c.spotCheckVisitedOn != nil,
            firstMonth: c.firstMonth.flatMap { CivilDate(iso: $0) },
            inDrawnBatch: c.spotCheckBatchID != nil
        )
        facts.relativeFlagged = flagged
        facts.focusedCheckRecorded = checked
        return facts
    }

    /// The county clock of a case still waiting for the county's decision, judged by the
    /// policy in force when it started.
    static func clock(of c: ApplicationCase, env: AppEnvironment) -> (clock: CountyClock, daysLeft: Int)? {
        guard c.stage.countyClockRuns, let start = c.clockStartedOn.flatMap({ CivilDate(iso: $0) }) else { return nil }
        let clock = CountyClock(startedOn: start, policy: env.policy(on: start), calendar: env.calendar)
        return (clock, clock.workingDaysLeft(on: env.clock.today(), calendar: env.calendar))
    }
}

/// Investigators are recorded as the names they sign with, separated by 、 or commas.
enum Investigators {
    static func names(_ text: String) -> [String] {
        let parts = text.split(whereSeparator: { "、,，;；\n".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var seen = Set<String>()
        return parts.filter { seen.insert($0).inserted }
    }
}

extension ApplicationCase: WorkflowRecord {
    typealias Machine = CaseMachine
    static var entityType: String { "case" }
}
