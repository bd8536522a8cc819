/// One year of the official holiday calendar as published by the General Office
/// of the State Council: the days off beyond ordinary weekends and the weekend
/// days worked in exchange (调休). Kept as data because it changes every year
/// and the county's 30-working-day limit (二.二.4) is counted on it.
public struct HolidayYear: Sendable, Codable, Equatable {
    public var year: Int
    /// Days off, including the weekend days that fall inside a holiday.
    public var holidays: [CivilDate]
    /// Saturdays and Sundays that are working days (调休上班).
    public var workingWeekends: [CivilDate]

    public init(year: Int, holidays: [CivilDate], workingWeekends: [CivilDate]) {
        self.year = year
        self.holidays = holidays
        self.workingWeekends = workingWeekends
    }

    /// 国务院办公厅关于2025年部分节假日安排的通知（2024年11月）.
    public static let official2025 = HolidayYear(
        year: 2025,
        holidays: days(2025, [
            (1, 1, 1),      // 元旦
            (1, 28, 31),    // 春节 1月28日至2月4日
            (2, 1, 4),
            (4, 4, 6),      // 清明节
            (5, 1, 5),      // 劳动节
            (5, 31, 31),    // 端午节 5月31日至6月2日
            (6, 1, 2),
            (10, 1, 8),     // 国庆节、中秋节
        ]),
        workingWeekends: days(2025, [
            (1, 26, 26), (2, 8, 8),     // 春节
            (4, 27, 27),                // 劳动节
            (9, 28, 28), (10, 11, 11),  // 国庆节、中秋节
        ])
    )

    /// 国务院办公厅关于2026年部分节假日安排的通知（2025年11月）.
    public static let official2026 = HolidayYear(
        year: 2026,
        holidays: days(2026, [
            (1, 1, 3),      // 元旦
            (2, 15, 23),    // 春节
            (4, 4, 6),      // 清明节
            (5, 1, 5),      // 劳动节
            (6, 19, 21),    // 端午节
            (9, 25, 27),    // 中秋节
            (10, 1, 7),     // 国庆节
        ]),
        workingWeekends: days(2026, [
            (1, 4, 4),                  // 元旦
            (2, 14, 14), (2, 28, 28),   // 春节
            (5, 9, 9),                  // 劳动节
            (9, 20, 20), (10, 10, 10),  // 国庆节
        ])
    )

    /// Expands (month, first day, last day) runs within one month.
    private static func days(_ year: Int, _ runs: [(Int, Int, Int)]) -> [CivilDate] {
        runs.flatMap { run in (run.1...run.2).map { CivilDate(unchecked: year, run.0, $0) } }
    }
}

/// Counts working days on the official calendar (SPEC "Policy is data":
/// weekends, public holidays and the swapped working weekends of each year).
public struct WorkingDayCalendar: Sendable {
    public let years: [Int: HolidayYear]
    private let holidays: Set<CivilDate>
    private let workingWeekends: Set<CivilDate>

    /// A later entry for the same year replaces an earlier one.
    public init(years: [HolidayYear]) {
        var byYear: [Int: HolidayYear] = [:]
        for y in years { byYear[y.year] = y }
        self.years = byYear
        self.holidays = Set(byYear.values.flatMap(\.holidays))
        self.workingWeekends = Set(byYear.values.flatMap(\.workingWeekends))
    }

    /// The State Council calendars for 2025 and 2026.
    public static let official = WorkingDayCalendar(years: [.official2025, .official2026])

    /// Whether the calendar for `year` is loaded.
    public func knows(year: Int) -> Bool { years[year] != nil }

    /// A worked weekend day counts even if it were also listed as a holiday,
    /// because the notice names it precisely to be worked. For a year not loaded
    /// the answer is plain Monday–Friday; load the year's notice to be exact.
    public func isWorkingDay(_ d: CivilDate) -> Bool {
        if workingWeekends.contains(d) { return true }
        if holidays.contains(d) { return false }
        return !d.isWeekend
    }

    /// The `n`-th working day after `d`, `d` itself not counted; `d` for n = 0,
    /// and the `|n|`-th working day before `d` for negative n.
    public func adding(workingDays n: Int, to d: CivilDate) -> CivilDate {
        let step = n < 0 ? -1 : 1
        var remaining = abs(n)
        var day = d
        while remaining > 0 {
            day = day.adding(days: step)
            if isWorkingDay(day) { remaining -= 1 }
        }
        return day
    }

    /// Working days in (start, end]: the day of acceptance is not counted, the
    /// day of the deadline is. Zero if `end` is not after `start`. So
    /// `workingDays(from: d, through: adding(workingDays: n, to: d)) == n`.
    public func workingDays(from start: CivilDate, through end: CivilDate) -> Int {
        guard end > start else { return 0 }
        var count = 0
        var day = start.adding(days: 1)
        while day <= end {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}
