import Foundation
import Testing
@testable import DibaoCore

@Suite("CountyClock")
struct CountyClockTests {
    let calendar = WorkingDayCalendar.official
    let policy = Policy.default2013
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    @Test("accepted 2025-09-26: decision due 2025-11-13 (二.二.4)")
    func deadline() {
        let clock = CountyClock(startedOn: d("2025-09-26"), policy: policy, calendar: calendar)
        #expect(clock.startedOn == d("2025-09-26"))
        #expect(clock.deadline == d("2025-11-13"))
    }

    @Test("working days left count down on working days only")
    func countdown() {
        let clock = CountyClock(startedOn: d("2025-09-26"), policy: policy, calendar: calendar)
        #expect(clock.workingDaysLeft(on: d("2025-09-26"), calendar: calendar) == 30)
        #expect(clock.workingDaysLeft(on: d("2025-09-27"), calendar: calendar) == 30)   // Saturday
        #expect(clock.workingDaysLeft(on: d("2025-09-28"), calendar: calendar) == 29)   // Sunday, worked (调休)
        #expect(clock.workingDaysLeft(on: d("2025-09-30"), calendar: calendar) == 27)
        #expect(clock.workingDaysLeft(on: d("2025-10-05"), calendar: calendar) == 27)   // National Day holiday
        #expect(clock.workingDaysLeft(on: d("2025-10-09"), calendar: calendar) == 26)
        #expect(clock.workingDaysLeft(on: d("2025-11-12"), calendar: calendar) == 1)
        #expect(clock.workingDaysLeft(on: d("2025-11-13"), calendar: calendar) == 0)
        #expect(clock.workingDaysLeft(on: d("2025-11-14"), calendar: calendar) == -1)
        #expect(clock.workingDaysLeft(on: d("2025-11-16"), calendar: calendar) == -1)   // Sunday
        #expect(clock.workingDaysLeft(on: d("2025-11-17"), calendar: calendar) == -2)
        var previous = Int.max
        var day = d("2025-09-26")
        while day <= d("2025-12-31") {
            let left = clock.workingDaysLeft(on: day, calendar: calendar)
            #expect(left <= previous)
            #expect(left == previous || left == previous - 1 || previous == Int.max)
            previous = left
            day = day.adding(days: 1)
        }
    }

    @Test("overdue from the day after the deadline")
    func overdue() {
        let clock = CountyClock(startedOn: d("2025-09-26"), policy: policy, calendar: calendar)
        #expect(!clock.isOverdue(on: d("2025-09-26")))
        #expect(!clock.isOverdue(on: d("2025-11-13")))
        #expect(clock.isOverdue(on: d("2025-11-14")))
        #expect(clock.isOverdue(on: d("2026-01-05")))
    }

    @Test("a return for re-review restarts the clock (二.二.4 工作时限重新计算)")
    func restart() {
        let clock = CountyClock(startedOn: d("2025-09-26"), policy: policy, calendar: calendar)
        let returned = clock.restarted(on: d("2025-11-03"), policy: policy, calendar: calendar)
        #expect(returned.startedOn == d("2025-11-03"))
        #expect(returned.deadline == d("2025-12-15"))
        #expect(returned == CountyClock(startedOn: d("2025-11-03"), policy: policy, calendar: calendar))
        #expect(clock.isOverdue(on: d("2025-11-20")))
        #expect(!returned.isOverdue(on: d("2025-11-20")))
        #expect(returned.workingDaysLeft(on: d("2025-11-03"), calendar: calendar) == 30)
    }

    @Test("across the Spring Festival of 2026")
    func springFestival() {
        let clock = CountyClock(startedOn: d("2026-02-02"), policy: policy, calendar: calendar)
        // Feb 3–13 (9), Sat Feb 14 worked (10), Feb 15–23 off, Feb 24–27 (14), Sat Feb 28 (15),
        // Mar 2–6 (20), 9–13 (25), 16–20 (30).
        #expect(clock.deadline == d("2026-03-20"))
    }

    @Test("the deadline follows the policy's number of days")
    func policyDays() {
        var shorter = policy
        shorter.countyDecisionWorkingDays = 20
        #expect(CountyClock(startedOn: d("2025-09-26"), policy: shorter, calendar: calendar).deadline
                == calendar.adding(workingDays: 20, to: d("2025-09-26")))
    }

    @Test("Codable round trip")
    func codable() throws {
        let clock = CountyClock(startedOn: d("2025-09-26"), policy: policy, calendar: calendar)
        let data = try JSONEncoder().encode(clock)
        #expect(try JSONDecoder().decode(CountyClock.self, from: data) == clock)
    }
}
