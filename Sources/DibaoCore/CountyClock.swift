/// 旗县审批时限 — the county's 30-working-day clock on one case (二.二.4
/// "旗县（市、区）民政部门要在30个工作日内完成审核调查和最终审批等工作事项").
///
/// Shown on every pending case and used to list the overdue ones (SPEC module 6).
/// The deadline follows the policy version that judges the case (kept from its
/// acceptance day, so a new version does not move it) and the holiday calendar as
/// loaded: a year's official notice loaded later corrects a deadline that had
/// counted plain weekdays in that year (issue 15).
public struct CountyClock: Sendable, Equatable, Codable {
    /// Acceptance, or the latest return for re-review: 二.二.4 "需要重新进行审核的，
    /// 工作时限也要重新计算" — a return starts a fresh clock rather than adding to
    /// the old one.
    public var startedOn: CivilDate
    /// The last day on which the county may still decide in time.
    public var deadline: CivilDate

    public init(startedOn: CivilDate, policy: Policy, calendar: WorkingDayCalendar) {
        self.startedOn = startedOn
        self.deadline = policy.decisionDeadline(acceptedOn: startedOn, calendar: calendar)
    }

    /// A clock whose deadline the version's procedure computed (`Policy.caseDeadline`).
    public init(startedOn: CivilDate, deadline: CivilDate) {
        self.startedOn = startedOn
        self.deadline = deadline
    }

    /// The clock restarted on `day`, for a case returned for re-review.
    public func restarted(on day: CivilDate, policy: Policy, calendar: WorkingDayCalendar) -> CountyClock {
        CountyClock(startedOn: day, policy: policy, calendar: calendar)
    }

    /// Working days from `today` to the deadline, `today` not counted: 0 on the
    /// deadline itself (decide today), and negative — the working days already
    /// past the deadline — when overdue, so a list can sort the worst first.
    public func workingDaysLeft(on today: CivilDate, calendar: WorkingDayCalendar) -> Int {
        today <= deadline
            ? calendar.workingDays(from: today, through: deadline)
            : -calendar.workingDays(from: deadline, through: today)
    }

    /// Overdue from the day after the deadline, whether or not that day is worked:
    /// a decision on the deadline is in time, any later one is not.
    public func isOverdue(on today: CivilDate) -> Bool { today > deadline }
}
