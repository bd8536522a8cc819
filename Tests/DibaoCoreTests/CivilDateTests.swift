import Foundation
import Testing
@testable import DibaoCore

@Suite("CivilDate")
struct CivilDateTests {
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    @Test("only real dates exist")
    func validity() {
        #expect(CivilDate(year: 1999, month: 2, day: 30) == nil)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2025, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2025, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2025, month: 4, day: 31) == nil)
        #expect(CivilDate(year: 2025, month: 1, day: 0) == nil)
        #expect(CivilDate(year: 0, month: 1, day: 1) == nil)
    }

    @Test("ISO text")
    func iso() {
        let date = d("2025-09-26")
        #expect(date.year == 2025 && date.month == 9 && date.day == 26)
        #expect(date.iso == "2025-09-26")
        #expect(date.description == "2025-09-26")
        #expect(date.compact == "20250926")
        #expect(CivilDate(year: 987, month: 1, day: 2)!.iso == "0987-01-02")
        for bad in ["2025-9-26", "2025-09-26T00:00", "20250926", "2025/09/26", "", "2025-02-30", "abcd-ef-gh", " 2025-09-26"] {
            #expect(CivilDate(iso: bad) == nil)
        }
        #expect(CivilDate(compact: "19491231") == CivilDate(year: 1949, month: 12, day: 31))
        #expect(CivilDate(compact: "19990230") == nil)
    }

    @Test("day numbers agree with Foundation's Gregorian calendar")
    func dayNumbersMatchFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        var dayNumber = CivilDate(year: 1890, month: 1, day: 1)!.dayNumber
        let last = CivilDate(year: 2110, month: 12, day: 31)!.dayNumber
        while dayNumber <= last {
            let date = CivilDate(dayNumber: dayNumber)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday],
                                                from: Date(timeIntervalSince1970: TimeInterval(dayNumber * 86_400)))
            #expect(parts.year == date.year && parts.month == date.month && parts.day == date.day)
            // Foundation counts Sunday as 1; ISO counts Monday as 1.
            #expect((parts.weekday! + 5) % 7 + 1 == date.weekday)
            #expect(date.dayNumber == dayNumber)
            dayNumber += 13
        }
        #expect(CivilDate(dayNumber: 0) == d("1970-01-01"))
        #expect(CivilDate(dayNumber: -1) == d("1969-12-31"))
    }

    @Test("weekday is ISO: Monday 1 … Sunday 7")
    func weekday() {
        #expect(d("2025-09-26").weekday == 5)
        #expect(d("2025-09-28").weekday == 7)
        #expect(d("2025-09-29").weekday == 1)
        #expect(d("1970-01-01").weekday == 4)
        #expect(d("2000-01-01").weekday == 6)
        #expect(d("1949-10-01").weekday == 6)
        #expect(d("2025-09-27").isWeekend && !d("2025-09-26").isWeekend)
    }

    @Test("adding days and measuring between")
    func addingDays() {
        #expect(d("2025-12-31").adding(days: 1) == d("2026-01-01"))
        #expect(d("2024-02-28").adding(days: 1) == d("2024-02-29"))
        #expect(d("2025-02-28").adding(days: 1) == d("2025-03-01"))
        #expect(d("2025-03-01").adding(days: -1) == d("2025-02-28"))
        #expect(d("2025-09-26").adding(days: 0) == d("2025-09-26"))
        #expect(d("2025-09-26").days(until: d("2025-11-13")) == 48)
        #expect(d("2025-11-13").days(until: d("2025-09-26")) == -48)
        #expect(d("2024-01-01").days(until: d("2025-01-01")) == 366)
    }

    @Test("adding months clamps to the month's end", arguments: [
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2025-11-15", 3, "2026-02-15"),
        ("2025-01-15", -13, "2023-12-15"),
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-09-26", 12, "2026-09-26"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2025-09-26", 0, "2025-09-26"),
    ])
    func addingMonths(start: String, months: Int, expected: String) {
        #expect(d(start).adding(months: months) == d(expected))
    }

    @Test("today is the Shanghai calendar date")
    func todayInShanghai() {
        // Midnight in Shanghai is 16:00 UTC the day before.
        let midnight = Date(timeIntervalSince1970: TimeInterval(d("2025-09-25").dayNumber * 86_400 + 16 * 3600))
        #expect(CivilDate.today(now: midnight) == d("2025-09-26"))
        #expect(CivilDate.today(now: midnight.addingTimeInterval(-1)) == d("2025-09-25"))
        #expect(CivilDate.today(now: midnight.addingTimeInterval(-0.5)) == d("2025-09-25"))
        #expect(d("2025-09-26").startInShanghai == midnight)
        #expect(CivilDate.today(now: Date(timeIntervalSince1970: 0)) == d("1970-01-01"))
    }

    @Test("today agrees with Foundation's Asia/Shanghai time zone")
    func todayMatchesTimeZoneData() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var t = d("1992-01-01").startInShanghai.timeIntervalSince1970
        let end = d("2040-01-01").startInShanghai.timeIntervalSince1970
        while t < end {
            let instant = Date(timeIntervalSince1970: t)
            let parts = calendar.dateComponents([.year, .month, .day], from: instant)
            let today = CivilDate.today(now: instant)
            #expect(parts.year == today.year && parts.month == today.month && parts.day == today.day)
            t += 86_400 * 3 + 3_607
        }
    }

    @Test("age in full years", arguments: [
        ("1960-05-01", "2025-09-26", 65),
        ("1965-09-26", "2025-09-26", 60),
        ("1965-09-27", "2025-09-26", 59),
        ("2007-09-26", "2025-09-26", 18),
        ("2007-09-27", "2025-09-26", 17),
        ("2000-02-29", "2018-02-28", 17),
        ("2000-02-29", "2018-03-01", 18),
        ("2000-02-29", "2020-02-29", 20),
        ("2025-09-26", "2025-09-26", 0),
        ("2025-09-27", "2025-09-26", -1),
    ])
    func age(birth: String, on: String, expected: Int) {
        #expect(d(birth).age(on: d(on)) == expected)
    }

    @Test("first and last of month")
    func monthEnds() {
        #expect(d("2025-09-26").firstOfMonth == d("2025-09-01"))
        #expect(d("2024-02-10").lastOfMonth == d("2024-02-29"))
        #expect(d("2025-12-01").lastOfMonth == d("2025-12-31"))
    }

    @Test("order and Codable as the ISO string")
    func orderAndCodable() throws {
        #expect(d("2025-09-26") < d("2025-09-27"))
        #expect(d("2024-12-31") < d("2025-01-01"))
        #expect(d("2025-02-01") > d("2025-01-31"))
        #expect([d("2025-03-01"), d("2024-05-05"), d("2025-01-09")].sorted().map(\.iso)
                == ["2024-05-05", "2025-01-09", "2025-03-01"])
        let data = try JSONEncoder().encode(d("2025-09-26"))
        #expect(String(decoding: data, as: UTF8.self) == "\"2025-09-26\"")
        #expect(try JSONDecoder().decode(CivilDate.self, from: data) == d("2025-09-26"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CivilDate.self, from: Data("\"2025-02-30\"".utf8))
        }
    }
}
