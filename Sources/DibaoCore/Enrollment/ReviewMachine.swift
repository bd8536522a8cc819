/// 复核 — the review of an enrolled household (二.六 "分类复核"): the township visits
/// (入户调查、邻里访问) and re-verifies incomes and assets, its head proposes an outcome,
/// and the county, which decides benefits (二.二.4), decides it.
public enum ReviewStage: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "review_stage.\(self)" }

    /// Opened (due by the class table, reported change, early review, periodic check); the township visits.
    case opened
    /// Visit and re-verified incomes recorded; the benefit recalculated.
    case visited
    /// The township head proposes keep / raise / lower / suspend / end.
    case proposed
    /// The county decided; the decision is in the household's benefit decisions.
    case decided
    /// Closed without a decision (the household left by another decision first).
    case cancelled

    public var isTerminal: Bool { self == .decided || self == .cancelled }
}

public enum ReviewAction: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "review_action.\(self)" }

    case open, recordVisit, propose, returnToTownship, decide, cancel

    /// A return or a cancellation is otherwise unexplained in the household's history.
    public var needsReason: Bool { self == .returnToTownship || self == .cancel }
}

/// What started a review; shown on the review and kept with its decision.
public enum ReviewTrigger: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "review_trigger.\(self)" }

    /// Due by the household's class and date (二.六 分类复核).
    case schedule
    /// The household's written report of a change (书面报告).
    case changeReport = "change_report"
    /// The township asked the county for an early review and the county accepted (报请旗县复核).
    case earlyReview = "early_review"
    /// The county's periodic verification found a contradiction (定期核对).
    case verification
    /// Opened by hand by township or county staff, with the reason they gave.
    case manual
    /// A complaint about the household (二.八); the review's decision answers it.
    case complaint
    /// The focused check (重点核查) of a registered relative's household found it not eligible (二.七).
    case focusedCheck = "focused_check"
}

/// 入户调查 or 邻里访问 (二.六 "通过入户调查、邻里访问等多种形式").
public enum VisitKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "visit_kind.\(self)" }

    case home, neighbours

}

/// 有进有出、补助水平有升有降 — what a review can decide.
public enum ReviewOutcome: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "review_outcome.\(self)" }

    case keep, raise, lower, suspend, end
}

/// Why a household leaves the allowance; every exit records one (二.六 "有进有出").
public enum ExitReason: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "exit_reason.\(self)" }

    case incomeAboveStandard = "income_above_standard"
    case movedAway = "moved_away"
    case death
    case refusedReview = "refused_review"
    case foundIneligible = "found_ineligible"
    case householdRequest = "household_request"
}

/// What the review rules look at, filled by the application from the stored review.
public struct ReviewFacts: Sendable, Equatable {
    public var today: CivilDate
    public var reason: String
    /// Distinct people who made the visit.
    public var visitors: Int
    public var visitKind: VisitKind?
    /// The recalculated monthly amount (nil before the visit).
    public var computedAmount: Money?
    /// The amount in force now for the household.
    public var currentAmount: Money
    public var householdSuspended: Bool
    public var outcome: ReviewOutcome?
    public var proposedAmount: Money?
    public var exitReason: ExitReason?
    /// For opening: the household has left, or already has a review under way.
    public var householdExited: Bool
    public var reviewOpen: Bool
    /// A member is a registered close relative (二.七) and this review has no focused check yet.
    public var focusedCheckMissing: Bool = false

    public init(today: CivilDate, reason: String = "", visitors: Int = 0, visitKind: VisitKind? = nil, computedAmount: Money? = nil,
                currentAmount: Money = .zero, householdSuspended: Bool = false, outcome: ReviewOutcome? = nil,
                proposedAmount: Money? = nil, exitReason: ExitReason? = nil, householdExited: Bool = false, reviewOpen: Bool = false) {
        self.householdExited = householdExited
        self.reviewOpen = reviewOpen
        self.today = today
        self.reason = reason
        self.visitors = visitors
        self.visitKind = visitKind
        self.computedAmount = computedAmount
        self.currentAmount = currentAmount
        self.householdSuspended = householdSuspended
        self.outcome = outcome
        self.proposedAmount = proposedAmount
        self.exitReason = exitReason
    }
}

public struct ReviewRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case notAllowedInStage(ReviewStage)
        case roleMayNot(Role)
        case reasonRequired
        case tooFewVisitors(Int, minimum: Int)
        case visitKindMissing
        case outcomeMissing
        case amountMissing
        case notAbove(current: Money)
        case notBelow(current: Money)
        case notSame(current: Money)
        case exitReasonMissing
        case alreadySuspended
        case householdExited
        case reviewOpen
        case focusedCheckMissing
    }

    public let action: ReviewAction
    public let reason: Reason
    public let field: String
    public let rule: String

    public init(action: ReviewAction, reason: Reason) {
        self.action = action
        self.reason = reason
        switch reason {
        case .notAllowedInStage: (field, rule) = ("stage", "review.stage")
        case .roleMayNot: (field, rule) = ("role", "review.role")
        case .reasonRequired: (field, rule) = ("reason", "review.reason_required")
        case .tooFewVisitors: (field, rule) = ("visitors", "review.visitors")
        case .visitKindMissing: (field, rule) = ("visit_kind", "review.visit_kind")
        case .outcomeMissing: (field, rule) = ("outcome", "review.outcome")
        case .amountMissing: (field, rule) = ("amount", "review.amount")
        case .notAbove: (field, rule) = ("amount", "review.raise_not_above")
        case .notBelow: (field, rule) = ("amount", "review.lower_not_below")
        case .notSame: (field, rule) = ("amount", "review.keep_not_same")
        case .exitReasonMissing: (field, rule) = ("exit_reason", "review.exit_reason")
        case .alreadySuspended: (field, rule) = ("outcome", "review.already_suspended")
        case .householdExited: (field, rule) = ("household", "review.household_exited")
        case .reviewOpen: (field, rule) = ("household", "review.already_open")
        case .focusedCheckMissing: (field, rule) = ("focused_check", "review.focused_check")
        }
    }

    /// The sentence names the refused action first (`{1}`), then why, each in the reader's language.
    public var phrase: Phrase {
        let act = action.namePhrase
        switch reason {
        case .notAllowedInStage(let s): return Phrase("review.refusal_stage", act, s.namePhrase)
        case .roleMayNot(let r): return Phrase("review.refusal_role", act, Self.roleName(r))
        case .reasonRequired: return Phrase("review.refusal_reason_required", act)
        case .tooFewVisitors(let n, let m): return Phrase("review.refusal_visitors", act, m, n)
        case .visitKindMissing: return Phrase("review.refusal_visit_kind", act)
        case .outcomeMissing: return Phrase("review.refusal_outcome", act)
        case .amountMissing: return Phrase("review.refusal_amount", act)
        case .notAbove(let c): return Phrase("review.refusal_raise_not_above", act, c.formatted)
        case .notBelow(let c): return Phrase("review.refusal_lower_not_below", act, c.formatted)
        case .notSame(let c): return Phrase("review.refusal_keep_not_same", act, c.formatted)
        case .exitReasonMissing: return Phrase("review.refusal_exit_reason", act)
        case .alreadySuspended: return Phrase("review.refusal_already_suspended", act)
        case .householdExited: return Phrase("review.refusal_household_exited", act)
        case .reviewOpen: return Phrase("review.refusal_already_open", act)
        case .focusedCheckMissing: return Phrase("review.refusal_focused_check", act)
        }
    }

    /// A role named inside a refusal's sentence. English writes it in lower case after "a"
    /// ("a township caseworker may not do this"), which the role's own name, a title, is not;
    /// so the sentence has its own key per role.
    static func roleName(_ role: Role) -> Phrase { Phrase("review.refusal_role_name.\(role.rawValue)") }
}

/// The review procedure. Opening is done by the township, the county, or the system's
/// monthly due list acting for the county; the visit by the township's caseworkers; the
/// proposal by its head; the decision by the county approver, who decides benefits.
public enum ReviewMachine: StateMachine {
    public static func roles(for action: ReviewAction) -> Set<Role> {
        switch action {
        case .open: return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover]
        case .recordVisit: return [.townshipCaseworker]
        case .propose: return [.townshipHead]
        case .returnToTownship, .decide: return [.countyApprover]
        case .cancel: return [.countyCaseworker, .countyApprover]
        }
    }

    public static func from(_ action: ReviewAction) -> Set<ReviewStage> {
        switch action {
        case .open: return []
        // A visit may be recorded again (a second visit, corrected figures) until the head proposes.
        case .recordVisit: return [.opened, .visited]
        case .propose: return [.visited]
        case .returnToTownship, .decide: return [.proposed]
        case .cancel: return [.opened, .visited, .proposed]
        }
    }

    public static func target(of action: ReviewAction) -> ReviewStage {
        switch action {
        case .open: return .opened
        case .recordVisit: return .visited
        case .propose: return .proposed
        case .returnToTownship: return .visited
        case .decide: return .decided
        case .cancel: return .cancelled
        }
    }

    public static func actions(at stage: ReviewStage, for role: Role) -> [ReviewAction] {
        ReviewAction.allCases.filter { from($0).contains(stage) && roles(for: $0).contains(role) }
    }

    public static func apply(_ action: ReviewAction, at stage: ReviewStage, by role: Role, facts: ReviewFacts,
                             policy: Policy) -> Result<ReviewStage, ReviewRefusal> {
        guard action == .open || from(action).contains(stage) else {
            return .failure(ReviewRefusal(action: action, reason: .notAllowedInStage(stage)))
        }
        guard roles(for: action).contains(role) else { return .failure(ReviewRefusal(action: action, reason: .roleMayNot(role))) }
        if let first = unmet(action, facts: facts, policy: policy).first { return .failure(first) }
        return .success(target(of: action))
    }

    public static func unmet(_ action: ReviewAction, facts: ReviewFacts, policy: Policy) -> [ReviewRefusal] {
        var reasons: [ReviewRefusal.Reason] = []
        if action.needsReason && facts.reason.trimmingWhitespace().isEmpty { reasons.append(.reasonRequired) }
        switch action {
        case .recordVisit:
            if facts.visitKind == nil { reasons.append(.visitKindMissing) }
            if facts.visitors < policy.minimumInvestigators {
                reasons.append(.tooFewVisitors(facts.visitors, minimum: policy.minimumInvestigators))
            }
        case .propose, .decide:
            reasons += outcomeProblems(facts)
            // 二.七: every review of a registered relative's household includes a focused check.
            if facts.focusedCheckMissing { reasons.append(.focusedCheckMissing) }
        case .open:
            // One review at a time, and none for a household that has left (二.六).
            if facts.householdExited { reasons.append(.householdExited) }
            if facts.reviewOpen { reasons.append(.reviewOpen) }
        case .returnToTownship, .cancel:
            break
        }
        return reasons.map { ReviewRefusal(action: action, reason: $0) }
    }

    /// An outcome must agree with its amount: a raise is above the amount in force, a
    /// lowering below it and above zero (zero is an exit, with its reason), keeping is the
    /// same amount. A suspended household's keep, raise or lower resumes payment at the
    /// amount, so for it only "above zero" is asked.
    static func outcomeProblems(_ f: ReviewFacts) -> [ReviewRefusal.Reason] {
        guard let outcome = f.outcome else { return [.outcomeMissing] }
        switch outcome {
        case .keep, .raise, .lower:
            guard let amount = f.proposedAmount, amount.isPositive else { return [.amountMissing] }
            if f.householdSuspended { return [] }
            if outcome == .raise && amount <= f.currentAmount { return [.notAbove(current: f.currentAmount)] }
            if outcome == .lower && amount >= f.currentAmount { return [.notBelow(current: f.currentAmount)] }
            if outcome == .keep && amount != f.currentAmount { return [.notSame(current: f.currentAmount)] }
            return []
        case .suspend:
            var r: [ReviewRefusal.Reason] = []
            if f.householdSuspended { r.append(.alreadySuspended) }
            if f.reason.trimmingWhitespace().isEmpty { r.append(.reasonRequired) }
            return r
        case .end:
            return f.exitReason == nil ? [.exitReasonMissing] : []
        }
    }
}

extension ExitReason: Labelled {}

extension ReviewAction: Labelled {}

extension ReviewOutcome: Labelled {}

extension ReviewStage: Labelled {}

extension ReviewTrigger: Labelled {}

extension VisitKind: Labelled {}
