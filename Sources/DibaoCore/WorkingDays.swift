/// One year of the official holiday calendar as published by the General Office
/// of the State Council: the days off beyond ordinary weekends and the weekend
/// days worked in exchange (调休). Kept as data — a file per year under `calendars/`,
/// read by `CalendarFile` — because it changes every year and the county's limit
/// (二.二.4) is counted on it.
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

    /// Whether the calendar for `year` is loaded.
    public func knows(year: Int) -> Bool { years[year] != nil }

    /// A deadline counted into a year whose calendar is not loaded is provisional: it
    /// counts plain weekdays there and moves once the year's notice is loaded.
    public func isProvisional(from start: CivilDate, through end: CivilDate) -> Bool {
        let (a, b) = start <= end ? (start.year, end.year) : (end.year, start.year)
        return (a...b).contains { !knows(year: $0) }
    }

    /// The calendar with `year` added or replaced.
    public func replacing(_ year: HolidayYear) -> WorkingDayCalendar {
        WorkingDayCalendar(years: Array(years.values) + [year])
    }

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
