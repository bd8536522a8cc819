/// 保障决定 — one decision about an enrolled household's benefit, as a row: the month
/// from which it applies, the amount, why, and where it came from (二.六 "有进有出、补助
/// 水平有升有降", each for a recorded reason). A household's decisions, in order, are
/// the whole of what it is owed; the payroll's schedule is folded from them.
public struct BenefitDecision: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
        public var textKey: String { "decision_kind.\(self)" }

        case enrolled, changed, kept, suspended, resumed, exited
    }

    /// Where a decision came from. Complaints and supervision (二.七, 二.八) end in decisions too.
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
        public var textKey: String { "decision_source.\(self)" }

        case application, review, changeReport = "change_report", complaint, supervision
        case paymentFailure = "payment_failure"
        /// Carried over from the benefit schedule a database had before decisions were rows.
        case migration
    }

    public var kind: Kind
    /// The first of the month from which the decision applies.
    public var from: CivilDate
    /// The monthly amount from `from` (zero for a suspension or exit).
    public var monthly: Money

    public init(kind: Kind, from: CivilDate, monthly: Money) {
        self.kind = kind
        self.from = from.firstOfMonth
        self.monthly = kind == .suspended || kind == .exited ? .zero : monthly
    }

    /// The month a decision taken on `decidedOn` applies from: a whole month, the policy's
    /// months after the month of the decision (`changeTakesEffectMonthsAfterDecision`,
    /// 1 by default: whatever is decided in March, on the 1st or the 31st, applies from
    /// 1 April, so a payroll already computed never changes under its month).
    public static func effectiveMonth(decidedOn: CivilDate, policy: Policy) -> CivilDate {
        policy.changeEffectiveFrom(decidedOn: decidedOn)
    }

    /// The payroll's schedule from a household's decisions in the order they were taken.
    /// A kept decision adds no step (the amount goes on); every other kind is the schedule
    /// step of the same name, so the schedule refuses what it always refused (a change after
    /// an exit, a resumption without a suspension).
    public static func schedule(_ decisions: [BenefitDecision]) throws(ScheduleRefusal) -> BenefitSchedule? {
        var schedule: BenefitSchedule?
        for d in decisions {
            if d.kind == .enrolled {
                schedule = try BenefitSchedule.enrolled(firstMonth: d.from, monthly: d.monthly)
                continue
            }
            guard var s = schedule else { continue }
            switch d.kind {
            case .enrolled, .kept: break
            case .changed: try s.change(to: d.monthly, decidedOn: d.from, effectMonths: 0)
            case .suspended: try s.suspend(from: d.from)
            case .resumed: try s.resume(from: d.from, monthly: d.monthly)
            case .exited: try s.exit(decidedOn: d.from, effectMonths: 0)
            }
            schedule = s
        }
        return schedule
    }

    /// The decisions that rebuild `schedule` step for step: how a schedule stored before
    /// decisions were rows becomes rows with the same amounts.
    public static func decisions(rebuilding schedule: BenefitSchedule) -> [BenefitDecision] {
        schedule.steps.map { step in
            let kind: Kind
            switch step.reason {
            case .enrolled: kind = .enrolled
            case .amountChanged: kind = .changed
            case .suspended: kind = .suspended
            case .resumed: kind = .resumed
            case .exited: kind = .exited
            }
            return BenefitDecision(kind: kind, from: step.from, monthly: step.monthly)
        }
    }
}

/// 保障对象状态 — where an enrolled household stands.
public enum EnrolledStatus: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "enrolled_status.\(self)" }

    case enrolled, suspended, exited
}

/// The decision a review outcome makes, and the household's status after it.
public extension ReviewOutcome {
    func decision(amount: Money?, from month: CivilDate, suspended: Bool) -> (BenefitDecision, EnrolledStatus) {
        switch self {
        case .keep, .raise, .lower:
            let m = amount ?? .zero
            if suspended { return (BenefitDecision(kind: .resumed, from: month, monthly: m), .enrolled) }
            return (BenefitDecision(kind: self == .keep ? .kept : .changed, from: month, monthly: m), .enrolled)
        case .suspend: return (BenefitDecision(kind: .suspended, from: month, monthly: .zero), .suspended)
        case .end: return (BenefitDecision(kind: .exited, from: month, monthly: .zero), .exited)
        }
    }
}

extension EnrolledStatus: Labelled {}

extension BenefitDecision.Kind: Labelled {}

extension BenefitDecision.Source: Labelled {}
