/// A household's decided monthly benefit over time: what each month is owed.
///
/// The benefit is a monthly amount paid "按月（季）" (二.二.5), so the schedule is a
/// list of steps, each in force from the first of a month until the next step. A
/// decision takes effect from a whole month, never pro rata by days: a payroll
/// covers whole months, and a month already computed must not change under it.
/// Which month a decision reaches is policy data — the source sets no date — so
/// the builders take it as `effectMonths` (the county's
/// `changeTakesEffectMonthsAfterDecision`, 1 by default: anything decided in
/// March applies from 1 April).
///
/// Invariants: the first step is the enrollment; steps are in strictly
/// increasing months; an exit, if any, is the last step; suspended and exited
/// months carry zero.
public struct BenefitSchedule: Sendable, Equatable, Codable {
    public enum StepReason: String, Sendable, Codable {
        /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
        public var textKey: String { "step_reason.\(self)" }

        case enrolled, amountChanged = "amount_changed", suspended, resumed, exited
    }

    public struct Step: Sendable, Equatable, Codable {
        /// Always a first of month.
        public var from: CivilDate
        /// Paid for every month from `from` until the next step; zero while
        /// suspended or after exit.
        public var monthly: Money
        public var reason: StepReason
    }

    public private(set) var steps: [Step]

    /// The first month paid.
    public var firstMonth: CivilDate { steps[0].from }

    /// The first month no longer paid because the household left, if it has.
    public var exitMonth: CivilDate? {
        steps.last.flatMap { $0.reason == .exited ? $0.from : nil }
    }

    // MARK: Decisions

    /// A household approved from `firstMonth` (normalised to the first of its
    /// month: approval, like any decision, counts from a whole month).
    public static func enrolled(firstMonth: CivilDate, monthly: Money) throws(ScheduleRefusal) -> BenefitSchedule {
        try refuseNegative(monthly)
        return BenefitSchedule(steps: [Step(from: firstMonth.firstOfMonth, monthly: monthly, reason: .enrolled)])
    }

    /// A new monthly amount decided on `decidedOn` (e.g. after a review, 二.六).
    ///
    /// When two decisions reach the same month the later one wins. A change
    /// reaching the first month revises the enrolled amount, since nothing has
    /// been paid yet. Refused before enrollment, from an exit on, or while the
    /// payment is suspended (the amount is given again on resumption).
    public mutating func change(to monthly: Money, decidedOn: CivilDate, effectMonths: Int) throws(ScheduleRefusal) {
        try Self.refuseNegative(monthly)
        let from = try Self.effective(decidedOn, effectMonths)
        if from == firstMonth {
            steps[0].monthly = monthly
            return
        }
        guard try predecessor(of: from).reason != .suspended else { throw .suspended(effective: from) }
        put(Step(from: from, monthly: monthly, reason: .amountChanged))
    }

    /// The household leaves the allowance by a decision of `decidedOn`. Nothing
    /// can follow an exit, so steps planned for later months (e.g. a suspension
    /// entered in advance) lose their effect.
    public mutating func exit(decidedOn: CivilDate, effectMonths: Int) throws(ScheduleRefusal) {
        let from = try Self.effective(decidedOn, effectMonths)
        _ = try predecessor(of: from)
        steps.removeAll { $0.from >= from }
        steps.append(Step(from: from, monthly: .zero, reason: .exited))
    }

    /// Payment stops from the whole month containing `month`; the household stays
    /// enrolled.
    public mutating func suspend(from month: CivilDate) throws(ScheduleRefusal) {
        let from = month.firstOfMonth
        guard try predecessor(of: from).reason != .suspended else { throw .suspended(effective: from) }
        put(Step(from: from, monthly: .zero, reason: .suspended))
    }

    /// Payment restarts, at `monthly`, from the whole month containing `month`.
    public mutating func resume(from month: CivilDate, monthly: Money) throws(ScheduleRefusal) {
        try Self.refuseNegative(monthly)
        let from = month.firstOfMonth
        guard try predecessor(of: from).reason == .suspended else { throw .notSuspended(effective: from) }
        put(Step(from: from, monthly: monthly, reason: .resumed))
    }

    // MARK: Amounts

    /// The amount in force on the first day of `month`'s month: zero before
    /// enrollment, while suspended and from the exit on.
    public func monthly(in month: CivilDate) -> Money {
        let first = month.firstOfMonth
        return steps.last { $0.from <= first }?.monthly ?? .zero
    }

    /// Each month of `period` with its amount.
    public func breakdown(for period: PayrollPeriod) -> [(month: CivilDate, amount: Money)] {
        period.months.map { ($0, monthly(in: $0)) }
    }

    /// What `period` pays: the sum of its months, each at its own amount.
    public func amount(for period: PayrollPeriod) -> Money {
        var total: Int64 = 0
        var month = period.first
        for _ in 0..<period.frequency.months {
            total += monthly(in: month).fen
            month = month.adding(months: 1)
        }
        return Money(fen: total)
    }

    /// Everything owed from enrollment up to and including `period`, i.e. the
    /// sum of `amount(for:)` over every period of its frequency up to it.
    public func owed(through period: PayrollPeriod) -> Money {
        owed(before: period.next.first)
    }

    /// Everything owed for the months before `end` (a first of month), summed
    /// step by step rather than month by month.
    func owed(before end: CivilDate) -> Money {
        var total: Int64 = 0
        for i in steps.indices {
            let next = i + 1 < steps.count ? steps[i + 1].from : end
            total += steps[i].monthly.fen * Int64(Swift.max(0, Self.months(from: steps[i].from, to: Swift.min(next, end))))
        }
        return Money(fen: total)
    }

    // MARK: Codable — checked on the way in, so a stored schedule keeps the invariants.

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let steps = try container.decode([Step].self, forKey: .steps)
        guard Self.isWellFormed(steps) else {
            throw DecodingError.dataCorruptedError(forKey: .steps, in: container,
                                                   debugDescription: "benefit schedule steps out of order or inconsistent")
        }
        self.steps = steps
    }

    // MARK: Internals

    fileprivate init(steps: [Step]) { self.steps = steps }

    /// The first of the month a decision of `decided` reaches.
    private static func effective(_ decided: CivilDate, _ effectMonths: Int) throws(ScheduleRefusal) -> CivilDate {
        guard effectMonths >= 0 else { throw .negativeEffectMonths(effectMonths) }
        return decided.firstOfMonth.adding(months: effectMonths)
    }

    private static func refuseNegative(_ monthly: Money) throws(ScheduleRefusal) {
        if monthly.isNegative { throw .negativeAmount(monthly) }
    }

    /// The step in force the month before `from`, once a new step at `from` is
    /// known to be allowed: strictly after the first month (a step there would
    /// replace the enrollment itself) and before any exit.
    private func predecessor(of from: CivilDate) throws(ScheduleRefusal) -> Step {
        if let exit = exitMonth, from >= exit { throw .afterExit(effective: from, exit: exit) }
        guard let step = steps.last(where: { $0.from < from }) else {
            throw .beforeEnrollment(effective: from, firstMonth: firstMonth)
        }
        return step
    }

    /// Inserts in order; a step already at the same month is replaced.
    private mutating func put(_ step: Step) {
        guard let i = steps.firstIndex(where: { $0.from >= step.from }) else { return steps.append(step) }
        if steps[i].from == step.from { steps[i] = step } else { steps.insert(step, at: i) }
    }

    private static func months(from a: CivilDate, to b: CivilDate) -> Int {
        (b.year - a.year) * 12 + b.month - a.month
    }

    fileprivate static func isWellFormed(_ steps: [Step]) -> Bool {
        guard let first = steps.first, first.reason == .enrolled else { return false }
        for (i, step) in steps.enumerated() {
            guard step.from.day == 1, !step.monthly.isNegative,
                  (step.reason == .enrolled) == (i == 0),
                  step.reason != .exited || i == steps.count - 1,
                  step.monthly == .zero || ![.suspended, .exited].contains(step.reason),
                  i == 0 || steps[i - 1].from < step.from else { return false }
        }
        return true
    }
}

/// A decision that cannot be entered in a household's benefit schedule.
public enum ScheduleRefusal: Refusal, Equatable {
    /// Takes effect before the first month paid (or, for a suspension,
    /// resumption or exit, in that month itself).
    case beforeEnrollment(effective: CivilDate, firstMonth: CivilDate)
    /// Takes effect on or after the month the household left.
    case afterExit(effective: CivilDate, exit: CivilDate)
    /// A change or a second suspension while payment is suspended.
    case suspended(effective: CivilDate)
    /// A resumption while payment is not suspended.
    case notSuspended(effective: CivilDate)
    case negativeAmount(Money)
    case negativeEffectMonths(Int)

    public var field: String {
        switch self {
        case .negativeAmount: return "amount"
        case .negativeEffectMonths: return "change_takes_effect_months_after_decision"
        default: return "effective_from"
        }
    }

    public var rule: String {
        switch self {
        case .beforeEnrollment: return "schedule.before_enrollment"
        case .afterExit: return "schedule.after_exit"
        case .suspended: return "schedule.suspended"
        case .notSuspended: return "schedule.not_suspended"
        case .negativeAmount: return "schedule.negative_amount"
        case .negativeEffectMonths: return "schedule.negative_effect_months"
        }
    }

    public var phrase: Phrase {
        switch self {
        case let .beforeEnrollment(e, f) where e == f:
            return Phrase("schedule.refusal_first_month", Self.month(f))
        case let .beforeEnrollment(e, f):
            return Phrase("schedule.refusal_before_enrollment", Self.month(e), Self.month(f))
        case let .afterExit(e, x):
            return Phrase("schedule.refusal_after_exit", Self.month(x), Self.month(e))
        case let .suspended(e):
            return Phrase("schedule.refusal_suspended", Self.month(e))
        case let .notSuspended(e):
            return Phrase("schedule.refusal_not_suspended", Self.month(e))
        case let .negativeAmount(m):
            return Phrase("schedule.refusal_negative_amount", m.formatted)
        case let .negativeEffectMonths(n):
            return Phrase("schedule.refusal_negative_effect_months", n)
        }
    }

    private static func month(_ date: CivilDate) -> String {
        PayrollPeriod.containing(date, frequency: .monthly).label
    }
}

// MARK: Stored form

extension BenefitSchedule {
    /// The schedule as one short line, e.g. `2026-04-01 50000 enrolled;2026-09-01 0 exited`:
    /// a payroll reads a county's schedules by the hundred thousand, and a hand-read
    /// line costs a fraction of a JSON document per household.
    public var stored: String {
        steps.map { "\($0.from.iso) \($0.monthly.fen) \($0.reason.rawValue)" }.joined(separator: ";")
    }

    /// Reads `stored` back, with the same checks as decoding; nil for anything else.
    /// Read byte by byte: a province's payroll reads one and a half million of these.
    public init?(stored text: String) {
        var steps: [Step] = []
        var bytes = text
        let parsed: Bool = bytes.withUTF8 { b in
            var i = 0
            func number(_ count: Int) -> Int? {
                guard i + count <= b.count else { return nil }
                var v = 0
                for k in i..<(i + count) {
                    let c = b[k]
                    guard c >= 48, c <= 57 else { return nil }
                    v = v * 10 + Int(c - 48)
                }
                i += count
                return v
            }
            func expect(_ c: UInt8) -> Bool {
                guard i < b.count, b[i] == c else { return false }
                i += 1
                return true
            }
            while i < b.count {
                guard let y = number(4), expect(45), let m = number(2), expect(45), let d = number(2), expect(32),
                      let from = CivilDate(year: y, month: m, day: d) else { return false }
                var fen: Int64 = 0
                let start = i
                while i < b.count, b[i] >= 48, b[i] <= 57 { fen = fen &* 10 &+ Int64(b[i] - 48); i += 1 }
                guard i > start, i - start <= 17, expect(32) else { return false }
                let wordStart = i
                while i < b.count, b[i] != 59 { i += 1 }
                guard let reason = StepReason(bytes: UnsafeBufferPointer(rebasing: b[wordStart..<i])) else { return false }
                steps.append(Step(from: from, monthly: Money(fen: fen), reason: reason))
                if i < b.count { i += 1; guard i < b.count else { return false } }
            }
            return true
        }
        guard parsed, Self.isWellFormed(steps) else { return nil }
        self.init(steps: steps)
    }

    /// The schedule of a household enrolled from `firstMonth` at `monthly` and never
    /// changed, as `stored` would write it: what most households have, made without a value.
    public static func storedEnrollment(firstMonth: CivilDate, monthly: Money) -> String {
        "\(firstMonth.firstOfMonth.iso) \(monthly.fen) \(StepReason.enrolled.rawValue)"
    }
}

extension BenefitSchedule.StepReason {
    /// The reason whose raw value is exactly these bytes.
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        for reason in [Self.enrolled, .amountChanged, .suspended, .resumed, .exited] {
            let raw = reason.rawValue.utf8
            if raw.count == bytes.count && raw.elementsEqual(bytes) { self = reason; return }
        }
        return nil
    }
}

extension BenefitSchedule.StepReason: Labelled {}
