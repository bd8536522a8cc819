import Foundation
import Testing
@testable import DibaoCore

@Suite("Clock")
struct ClockTests {
    @Test("a fixed date is noon in Shanghai")
    func fixedDate() {
        let clock = FixedClock(iso: "2025-09-26")
        #expect(clock.today() == CivilDate(iso: "2025-09-26"))
        // Noon UTC+8 is 04:00 UTC.
        let expected = CivilDate(iso: "2025-09-26")!.dayNumber * 86_400 + 4 * 3600
        #expect(clock.now().timeIntervalSince1970 == TimeInterval(expected))
        #expect(clock.now() == clock.now())
    }

    @Test("a fixed timestamp is taken as that instant")
    func fixedTimestamp() {
        #expect(FixedClock(iso: "2025-09-25T23:30:00+08:00").today() == CivilDate(iso: "2025-09-25"))
        #expect(FixedClock(iso: "2025-09-25T16:30:00Z").today() == CivilDate(iso: "2025-09-26"))
        #expect(FixedClock(iso: "2025-09-25T15:59:59.500Z").today() == CivilDate(iso: "2025-09-25"))
        let date = Date(timeIntervalSince1970: 1_758_844_800)
        #expect(FixedClock(date).now() == date)
    }

    @Test("the system clock tells the current Shanghai date")
    func systemClock() {
        let before = CivilDate.today(now: Date())
        let today = SystemClock().today()
        let after = CivilDate.today(now: Date())
        #expect(before <= today && today <= after)
    }

    @Test("clocks are usable as an existential across tasks")
    func existential() async {
        let clock: any DibaoClock = FixedClock(iso: "2026-02-14")
        let day = await Task { clock.today() }.value
        #expect(day == CivilDate(iso: "2026-02-14"))
    }
}
