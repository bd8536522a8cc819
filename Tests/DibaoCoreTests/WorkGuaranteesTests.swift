import Testing
import DibaoCore

/// 三.二, 三.五: staffing as recorded, and what counts as within a limit.
@Suite("Work guarantees: staffing and limits (三.二, 三.五)")
struct WorkGuaranteesTests {
    @Test("Staffing: filled never above posts, full-time never above filled; numbers bounded; blanks are zero")
    func staffing() throws {
        let s = try StaffingRules.check(StaffingDraft(posts: "4", filled: "3", fullTime: "2", purchased: "5"))
        #expect(s.workers == 8)
        #expect(try StaffingRules.check(StaffingDraft()) == Staffing(posts: 0, filled: 0, fullTime: 0, purchased: 0))
        func rules(_ d: StaffingDraft) -> [String] {
            do { _ = try StaffingRules.check(d); return [] } catch { return error.problems.map(\.rule) }
        }
        #expect(rules(StaffingDraft(posts: "2", filled: "3")) == ["staffing.filled_over_posts"])
        #expect(rules(StaffingDraft(posts: "3", filled: "3", fullTime: "4")) == ["staffing.full_time_over_filled"])
        #expect(rules(StaffingDraft(posts: "-1", filled: "x", fullTime: "10001", purchased: "９")) == ["staffing.posts", "staffing.filled", "staffing.full_time", "staffing.purchased"])
    }

    @Test("Households per worker, rounded half up; none without workers")
    func caseload() {
        let s = Staffing(posts: 3, filled: 3, fullTime: 3, purchased: 1)
        #expect(StaffingRules.householdsPerWorker(households: 1_002, staffing: s) == 251)
        #expect(StaffingRules.householdsPerWorker(households: 1_001, staffing: s) == 250)
        #expect(StaffingRules.householdsPerWorker(households: 10, staffing: Staffing(posts: 1, filled: 0, fullTime: 0, purchased: 0)) == nil)
        #expect(StaffingRules.householdsPerWorker(households: 10, staffing: nil) == nil)
    }

    @Test("A decision on its last day is in time, a day later is not; a review in its due month is in time, the next month is not")
    func limits() {
        let deadline = CivilDate(year: 2026, month: 4, day: 13)!
        #expect(Performance.decisionOnTime(decidedOn: deadline, deadline: deadline))
        #expect(!Performance.decisionOnTime(decidedOn: deadline.adding(days: 1), deadline: deadline))
        let due = CivilDate(year: 2026, month: 5, day: 1)!
        #expect(Performance.reviewOnTime(dueMonth: due, decidedOn: CivilDate(year: 2026, month: 5, day: 31)!))
        #expect(Performance.reviewOnTime(dueMonth: due, decidedOn: CivilDate(year: 2026, month: 4, day: 20)!))
        #expect(!Performance.reviewOnTime(dueMonth: due, decidedOn: CivilDate(year: 2026, month: 6, day: 1)!))
        var c = OnTimeCount()
        #expect(c.perMille == nil)
        c.add(onTime: true); c.add(onTime: true); c.add(onTime: false)
        #expect(c.concluded == 3 && c.onTime == 2 && c.perMille == 666)
    }
}
