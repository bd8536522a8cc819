/// Corrections to what was paid, carried by a later payroll.
///
/// A released payroll is what the bank was told to pay and never changes
/// afterwards; a payment that failed, or one that paid too much, is put right in
/// the next payroll instead. The correction is worked out from the whole history
/// every time — everything owed minus everything paid — rather than by chaining
/// one period's correction into the next, so a missed or repeated correction
/// cannot drift from the truth.
public enum Adjustment {
    /// What the periods before `period` still owe: the schedule's amounts for
    /// every month before `period` minus what `paid` records for the periods
    /// ending before it. A period missing from `paid` counts as paid nothing (a
    /// bank payment that failed). Negative when too much was paid: the surplus is
    /// deducted from later payments.
    ///
    /// Only paid periods that end before `period` and overlap the schedule (end on
    /// or after its first month) count, so a history from an earlier enrollment of
    /// the same household is ignored. Periods of either frequency count, so the
    /// sum stays right if the county changed frequency at a period boundary.
    public static func due(schedule: BenefitSchedule, paid: [PayrollPeriod: Money], before period: PayrollPeriod) -> Money {
        let settled = paid.filter { p, _ in p.last < period.first && p.last >= schedule.firstMonth }.values.sum()
        return schedule.owed(before: period.first) - settled
    }

    /// The line for `period` in its payroll: the period's own amount plus what is
    /// due from earlier periods. A payment is never negative, so a surplus larger
    /// than the period's amount leaves `pay` zero and the rest in `carriedOver`
    /// (zero or negative).
    ///
    /// `carriedOver` is for the notice to the household; do not deduct it again.
    /// Record `pay` as what was paid for `period`, and the next call to `due`
    /// finds the remaining surplus in the history by itself.
    public static func lineAmount(schedule: BenefitSchedule, paid: [PayrollPeriod: Money],
                                  period: PayrollPeriod) -> (pay: Money, carriedOver: Money) {
        let total = schedule.amount(for: period) + due(schedule: schedule, paid: paid, before: period)
        return total.isNegative ? (.zero, total) : (total, .zero)
    }
}

extension Adjustment {
    /// `lineAmount` for a history kept as one running total per schedule: `settled` is
    /// everything recorded as paid under `schedule` for the periods before `period`
    /// (lines of released payrolls, less those the bank returned as failed). A county's
    /// payrolls are made in period order, so the total is exactly the `paid` sum that
    /// `due` would take, without reading every past line of every household.
    public static func lineAmount(schedule: BenefitSchedule, settled: Money, period: PayrollPeriod) -> (pay: Money, carriedOver: Money) {
        let total = schedule.amount(for: period) + schedule.owed(before: period.first) - settled
        return total.isNegative ? (.zero, total) : (total, .zero)
    }
}
