/// When an enrolled household is reviewed and when it must report (二.六).
public enum ReviewCalendar {
    /// A household whose next review falls in `month` (or before it, not yet reviewed)
    /// is on that month's due list.
    public static func isDue(nextReviewOn next: CivilDate, in month: CivilDate) -> Bool {
        next.firstOfMonth <= month.firstOfMonth
    }

    /// Past its month without a review.
    public static func isOverdue(nextReviewOn next: CivilDate, today: CivilDate) -> Bool {
        next.firstOfMonth < today.firstOfMonth
    }

    /// The next review after a decision taking effect from `effective`, for the class the
    /// review found: the table's months counted from the month the decision applies.
    public static func nextReview(after effective: CivilDate, class reviewClass: ReviewClass, kind: AreaKind, policy: Policy) -> CivilDate {
        Enrollment.nextReviewDate(enrolledFrom: effective, class: reviewClass, kind: kind, policy: policy)
    }

    /// The last day by which a household that last reported (or was enrolled) on `since`
    /// must report again: `reportingPeriodMonths` later.
    public static func reportDue(since: CivilDate, policy: Policy) -> CivilDate {
        since.adding(months: policy.reportingPeriodMonths)
    }

    public static func missedReport(since: CivilDate, today: CivilDate, policy: Policy) -> Bool {
        reportDue(since: since, policy: policy) < today
    }

    /// How many of `nextReviews` fall in each of the 12 months from `month` (the
    /// township's review calendar); overdue ones count in the first month.
    public static func counts(_ nextReviews: [CivilDate], from month: CivilDate, months: Int = 12) -> [(month: CivilDate, due: Int)] {
        let first = month.firstOfMonth
        var counts = Array(repeating: 0, count: months)
        for d in nextReviews {
            let m = d.firstOfMonth
            let offset = max(0, (m.year - first.year) * 12 + m.month - first.month)
            if offset < months { counts[offset] += 1 }
        }
        return (0..<months).map { (first.adding(months: $0), counts[$0]) }
    }
}

/// What a household reports in writing (书面报告): changes in members, income, assets or work.
public enum ChangeKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "change_kind.\(self)" }

    case members, income, assets, employment
}

/// 报请旗县复核 — the township asks the county for an early review of a household's income
/// (after a missed report, say); the county accepts, which opens a review, or declines with a reason.
public enum EarlyReviewStage: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "early_review_stage.\(self)" }

    case requested, accepted, declined
}

public enum EarlyReviewAction: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/refusals_enrollment.toml`).
    public var textKey: String { "early_review_action.\(self)" }

    case request, accept, decline
}

public struct EarlyReviewFacts: Sendable, Equatable {
    public var reason: String
    public var householdExited: Bool
    public var reviewOpen: Bool
    public init(reason: String, householdExited: Bool = false, reviewOpen: Bool = false) {
        self.reason = reason
        self.householdExited = householdExited
        self.reviewOpen = reviewOpen
    }
}

public struct EarlyReviewRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable { case stage(EarlyReviewStage), role(Role), reasonRequired, exited, reviewOpen }
    public let action: EarlyReviewAction
    public let reason: Reason
    public var field: String {
        switch reason {
        case .stage: return "stage"
        case .role: return "role"
        case .reasonRequired: return "reason"
        case .exited, .reviewOpen: return "household"
        }
    }
    public var rule: String {
        switch reason {
        case .stage: return "early_review.stage"
        case .role: return "early_review.role"
        case .reasonRequired: return "early_review.reason_required"
        case .exited: return "early_review.exited"
        case .reviewOpen: return "early_review.review_open"
        }
    }
    /// As a review's refusal: the refused action first (`{1}`), then why. Only the stage
    /// sentence is the request's own; the others say the same as a review's.
    public var phrase: Phrase {
        let act = action.namePhrase
        switch reason {
        case .stage(let s): return Phrase("early_review.refusal_stage", act, s.namePhrase)
        case .role(let r): return Phrase("review.refusal_role", act, ReviewRefusal.roleName(r))
        case .reasonRequired: return Phrase("review.refusal_reason_required", act)
        case .exited: return Phrase("review.refusal_household_exited", act)
        case .reviewOpen: return Phrase("review.refusal_already_open", act)
        }
    }
}

public enum EarlyReviewMachine: StateMachine {
    public static func roles(for action: EarlyReviewAction) -> Set<Role> {
        action == .request ? [.townshipCaseworker, .townshipHead] : [.countyCaseworker, .countyApprover]
    }

    public static func apply(_ action: EarlyReviewAction, at stage: EarlyReviewStage, by role: Role, facts: EarlyReviewFacts,
                             policy: Policy) -> Result<EarlyReviewStage, EarlyReviewRefusal> {
        // A request is created at `requested`; only an answer moves it.
        if action != .request && stage != .requested { return .failure(.init(action: action, reason: .stage(stage))) }
        guard roles(for: action).contains(role) else { return .failure(.init(action: action, reason: .role(role))) }
        if let first = unmet(action, facts: facts, policy: policy).first { return .failure(first) }
        switch action {
        case .request: return .success(.requested)
        case .accept: return .success(.accepted)
        case .decline: return .success(.declined)
        }
    }

    /// Asking and declining both say why (the county's answer goes back to the township);
    /// an accepted request opens a review, so the household must still be enrolled without
    /// one under way.
    public static func unmet(_ action: EarlyReviewAction, facts: EarlyReviewFacts, policy: Policy) -> [EarlyReviewRefusal] {
        var r: [EarlyReviewRefusal.Reason] = []
        if action != .accept && facts.reason.trimmingWhitespace().isEmpty { r.append(.reasonRequired) }
        if action != .decline && facts.householdExited { r.append(.exited) }
        if action != .decline && facts.reviewOpen { r.append(.reviewOpen) }
        return r.map { .init(action: action, reason: $0) }
    }
}

extension ChangeKind: Labelled {}

extension EarlyReviewAction: Labelled {}

extension EarlyReviewStage: Labelled {}
