import Foundation
import Testing
@testable import DibaoCore

@Suite("WorkingDays")
struct WorkingDaysTests {
    let calendar = WorkingDayCalendar.official
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    @Test("30 working days from 2025-09-26 is 2025-11-13")
    func thirtyWorkingDays() {
        // Crosses the National Day / Mid-Autumn holiday (Oct 1–8 off) with Sunday
        // Sep 28 and Saturday Oct 11 worked.
        #expect(calendar.adding(workingDays: 30, to: d("2025-09-26")) == d("2025-11-13"))
        #expect(calendar.workingDays(from: d("2025-09-26"), through: d("2025-11-13")) == 30)
        #expect(calendar.workingDays(from: d("2025-09-26"), through: d("2025-11-12")) == 29)
    }

    @Test("specific days of 2025")
    func specificDays2025() {
        #expect(calendar.isWorkingDay(d("2025-09-28")))       // Sunday, worked
        #expect(!calendar.isWorkingDay(d("2025-10-08")))      // holiday
        #expect(calendar.isWorkingDay(d("2025-10-11")))       // Saturday, worked
        #expect(!calendar.isWorkingDay(d("2025-10-01")))
        #expect(calendar.isWorkingDay(d("2025-10-09")))
        #expect(!calendar.isWorkingDay(d("2025-10-12")))      // ordinary Sunday
        #expect(!calendar.isWorkingDay(d("2025-01-01")))
        #expect(calendar.isWorkingDay(d("2025-01-26")))
        #expect(!calendar.isWorkingDay(d("2025-01-28")))
        #expect(!calendar.isWorkingDay(d("2025-02-04")))
        #expect(calendar.isWorkingDay(d("2025-02-05")))
        #expect(calendar.isWorkingDay(d("2025-02-08")))
        #expect(calendar.isWorkingDay(d("2025-04-27")))
        #expect(!calendar.isWorkingDay(d("2025-05-05")))
        #expect(!calendar.isWorkingDay(d("2025-06-02")))
        #expect(calendar.isWorkingDay(d("2025-06-03")))
    }

    @Test("specific days of 2026")
    func specificDays2026() {
        #expect(!calendar.isWorkingDay(d("2026-01-02")))
        #expect(calendar.isWorkingDay(d("2026-01-04")))
        #expect(calendar.adding(workingDays: 1, to: d("2026-02-13")) == d("2026-02-14"))
        #expect(calendar.adding(workingDays: 1, to: d("2026-02-14")) == d("2026-02-24"))
        #expect(calendar.isWorkingDay(d("2026-02-28")))
        #expect(calendar.isWorkingDay(d("2026-05-09")))
        #expect(!calendar.isWorkingDay(d("2026-06-19")))
        #expect(!calendar.isWorkingDay(d("2026-09-25")))
        #expect(calendar.isWorkingDay(d("2026-09-20")))
        #expect(!calendar.isWorkingDay(d("2026-10-07")))
        #expect(calendar.isWorkingDay(d("2026-10-10")))
    }

    @Test("the published data is consistent")
    func dataConsistency() {
        for year in [HolidayYear.official2025, .official2026] {
            #expect(year.holidays.allSatisfy { $0.year == year.year })
            #expect(year.workingWeekends.allSatisfy { $0.year == year.year && $0.isWeekend })
            #expect(Set(year.holidays).isDisjoint(with: year.workingWeekends))
            #expect(Set(year.holidays).count == year.holidays.count)
        }
        #expect(HolidayYear.official2025.holidays.count == 28)
        #expect(HolidayYear.official2025.workingWeekends.count == 5)
        #expect(HolidayYear.official2026.holidays.count == 33)
        #expect(HolidayYear.official2026.workingWeekends.count == 6)
        // 261 weekdays each year, minus weekday holidays (18; 19), plus worked weekends (5; 6).
        let count2025 = calendar.workingDays(from: d("2024-12-31"), through: d("2025-12-31"))
        let count2026 = calendar.workingDays(from: d("2025-12-31"), through: d("2026-12-31"))
        #expect(count2025 == 248)
        #expect(count2026 == 248)
    }

    @Test("workingDays(from:through:) is the inverse of adding")
    func inverse() {
        var start = d("2024-12-01")
        while start <= d("2026-12-31") {
            for n in [0, 1, 2, 5, 7, 30, 45] {
                let end = calendar.adding(workingDays: n, to: start)
                #expect(calendar.workingDays(from: start, through: end) == n)
                if n > 0 {
                    #expect(calendar.isWorkingDay(end))
                    #expect(calendar.workingDays(from: start, through: end.adding(days: -1)) == n - 1)
                }
            }
            start = start.adding(days: 5)
        }
    }

    @Test("edges")
    func edges() {
        let day = d("2025-09-26")
        #expect(calendar.adding(workingDays: 0, to: day) == day)
        #expect(calendar.workingDays(from: day, through: day) == 0)
        #expect(calendar.workingDays(from: day, through: day.adding(days: -10)) == 0)
        // Counting back crosses the same holiday.
        #expect(calendar.adding(workingDays: -30, to: d("2025-11-13")) == d("2025-09-26"))
        #expect(calendar.adding(workingDays: -1, to: d("2025-10-09")) == d("2025-09-30"))
        // Starting on a holiday: the first working day after it.
        #expect(calendar.adding(workingDays: 1, to: d("2025-10-03")) == d("2025-10-09"))
    }

    @Test("a year not loaded is plain Monday to Friday")
    func unknownYear() {
        #expect(!calendar.knows(year: 2024))
        #expect(calendar.isWorkingDay(d("2024-10-01")))   // a real holiday, but 2024 is not loaded
        #expect(!calendar.isWorkingDay(d("2024-10-05")))
        let plain = WorkingDayCalendar(years: [])
        #expect(plain.isWorkingDay(d("2025-10-01")))
        #expect(plain.adding(workingDays: 5, to: d("2025-09-26")) == d("2025-10-03"))
        #expect(plain.workingDays(from: d("2025-09-26"), through: d("2025-10-03")) == 5)
    }

    @Test("a calendar can be loaded from data, later entries replacing earlier")
    func loadedFromData() throws {
        let data = try JSONEncoder().encode([HolidayYear.official2025])
        let years = try JSONDecoder().decode([HolidayYear].self, from: data)
        #expect(years == [.official2025])
        let replaced = WorkingDayCalendar(years: [.official2025, HolidayYear(year: 2025, holidays: [], workingWeekends: [])])
        #expect(replaced.isWorkingDay(d("2025-10-01")))
        #expect(!replaced.isWorkingDay(d("2025-09-28")))
    }
}
