import Foundation
import Testing
@testable import DibaoCore

@Suite("Oversight: complaint time limits, the complaint machine, repeats, inspection draws")
struct OversightTests {
    let cal = WorkingDayCalendar.official
    func d(_ y: Int, _ m: Int, _ day: Int) -> CivilDate { CivilDate(unchecked: y, m, day) }

    @Test("A 60-day limit ending in the National Day holiday ends on the first working day after it (民法典 第二百零三条)")
    func holidayRollover() {
        let limits = ComplaintLimits.petition2022
        let clock = ComplaintClock.of(receivedOn: d(2026, 7, 30), acceptedOn: d(2026, 8, 2), extended: false, pauses: [], limits: limits)
        #expect(clock.days == 60)
        // 2 August + 60 days = 1 October, a holiday until the 7th.
        #expect(clock.deadline(calendar: cal) == d(2026, 10, 8))
        #expect(clock.state(on: d(2026, 9, 25), atRiskDays: limits.atRiskDays, calendar: cal) == .onTrack)
        #expect(clock.daysLeft(on: d(2026, 10, 3), calendar: cal) == 5)
        #expect(clock.state(on: d(2026, 10, 3), atRiskDays: limits.atRiskDays, calendar: cal) == .atRisk)
        #expect(clock.state(on: d(2026, 10, 8), atRiskDays: limits.atRiskDays, calendar: cal) == .atRisk)
        #expect(clock.state(on: d(2026, 10, 9), atRiskDays: limits.atRiskDays, calendar: cal) == .breached)
        #expect(clock.state(on: d(2026, 10, 20), concludedOn: d(2026, 10, 8), atRiskDays: 5, calendar: cal) == .met)
        #expect(clock.state(on: d(2026, 10, 20), concludedOn: d(2026, 10, 9), atRiskDays: 5, calendar: cal) == .late)
        let extended = ComplaintClock.of(receivedOn: d(2026, 7, 30), acceptedOn: d(2026, 8, 2), extended: true, pauses: [], limits: limits)
        #expect(extended.deadline(calendar: cal) == d(2026, 10, 31).adding(days: 2), "90 days from 2 August is Saturday 31 October; it ends on Monday 2 November")
    }

    @Test("The wait for listed materials stops the acceptance clock; it runs on from the day they came")
    func materialsWait() {
        let limits = ComplaintLimits.petition2022
        let received = d(2026, 9, 1)
        let waiting = ComplaintClock.of(receivedOn: received, acceptedOn: nil, extended: false, pauses: [ClockPause(from: d(2026, 9, 3), until: nil)], limits: limits)
        #expect(waiting.deadline(calendar: cal) == nil)
        #expect(waiting.state(on: d(2026, 9, 20), atRiskDays: 5, calendar: cal) == .paused, "not breached while the complainant has the turn")
        let plain = ComplaintClock.of(receivedOn: received, acceptedOn: nil, extended: false, pauses: [], limits: limits)
        #expect(plain.deadline(calendar: cal) == d(2026, 9, 16))
        let resumed = ComplaintClock.of(receivedOn: received, acceptedOn: nil, extended: false,
                                        pauses: [ClockPause(from: d(2026, 9, 3), until: d(2026, 9, 13))], limits: limits)
        // 15 days + the 10 days waited = 26 September, in the Mid-Autumn holiday → Monday 28th.
        #expect(resumed.deadline(calendar: cal) == d(2026, 9, 28))
        #expect(resumed.state(on: d(2026, 9, 17), atRiskDays: 5, calendar: cal) == .onTrack, "past the plain deadline, yet in time")
        #expect(resumed.state(on: d(2026, 9, 24), atRiskDays: 5, calendar: cal) == .atRisk)
        #expect(resumed.state(on: d(2026, 9, 29), atRiskDays: 5, calendar: cal) == .breached)
    }

    @Test("Counting working days skips weekends and holidays and counts the swapped Saturday, as the county clock does")
    func workingCounting() {
        let limits = ComplaintLimits(handlingDays: 10, counting: .working)
        let clock = ComplaintClock.of(receivedOn: d(2026, 9, 18), acceptedOn: d(2026, 9, 21), extended: false, pauses: [], limits: limits)
        #expect(clock.deadline(calendar: cal) == d(2026, 10, 12))
        #expect(clock.deadline(calendar: cal) == cal.adding(workingDays: 10, to: d(2026, 9, 21)))
        #expect(clock.daysLeft(on: d(2026, 10, 1), calendar: cal) == 4, "8, 9, 10 (worked Saturday) and 12 October")
        var bad = limits
        bad.acceptanceDays = 0
        #expect(bad.problem?.0 == "complaint_limits.acceptance_days")
        var p = Policy.default2013
        p.complaintLimits = bad
        #expect(throws: PolicyRefusal.self) { try p.validate() }
    }

    @Test("First inquiry: only the owner acts; missing materials are listed once; a repeat needs the concluded original")
    func machine() throws {
        let policy = Policy.default2013
        func apply(_ a: ComplaintAction, _ s: ComplaintStage, _ f: ComplaintFacts, role: Role = .countyCaseworker) -> Result<ComplaintStage, ComplaintRefusal> {
            ComplaintMachine.apply(a, at: s, by: role, facts: f, policy: policy)
        }
        #expect(try apply(.take, .received, ComplaintFacts()).get() == .registered)
        #expect(throws: ComplaintRefusal.self) { try apply(.accept, .registered, ComplaintFacts(actorIsOwner: false)).get() }
        if case .failure(let r) = apply(.accept, .registered, ComplaintFacts()) { #expect(r.rule == "complaint.first_inquiry_owner") }
        #expect(try apply(.requestMaterials, .registered, ComplaintFacts(actorIsOwner: true, missingItems: ["户口簿复印件"])).get() == .awaitingMaterials)
        if case .failure(let r) = apply(.requestMaterials, .registered, ComplaintFacts(actorIsOwner: true, missingItems: ["x"], materialsAlreadyRequested: true)) {
            #expect(r.rule == "complaint.one_notice")
        } else { Issue.record("a second notice of missing materials was allowed") }
        #expect(throws: ComplaintRefusal.self) { try apply(.requestMaterials, .registered, ComplaintFacts(actorIsOwner: true, missingItems: [" "])).get() }
        #expect(try apply(.completeMaterials, .awaitingMaterials, ComplaintFacts(actorIsOwner: true)).get() == .registered)
        #expect(throws: ComplaintRefusal.self) { try apply(.declineRepeat, .registered, ComplaintFacts(actorIsOwner: true)).get() }
        #expect(try apply(.declineRepeat, .registered, ComplaintFacts(actorIsOwner: true, repeatOfConcluded: true)).get() == .notAccepted)
        #expect(throws: ComplaintRefusal.self) { try apply(.openReview, .accepted, ComplaintFacts(actorIsOwner: true)).get() }
        #expect(try apply(.openReview, .accepted, ComplaintFacts(actorIsOwner: true, subjectEnrolled: true)).get() == .underReview)
        #expect(try apply(.handOver, .accepted, ComplaintFacts(actorIsOwner: true, reason: "休假", handOverTargetValid: true)).get() == .accepted)
        #expect(throws: ComplaintRefusal.self) { try apply(.refer, .accepted, ComplaintFacts(actorIsOwner: true, reason: "重大"), role: .townshipHead).get() }
        #expect(throws: ComplaintRefusal.self) { try apply(.answer, .received, ComplaintFacts(actorIsOwner: true, answer: "x")).get() }
        #expect(throws: ComplaintRefusal.self) { try apply(.take, .received, ComplaintFacts(), role: .financeOfficer).get() }
        #expect(ComplaintMachine.actions(at: .received, for: .townshipCaseworker) == [.take])
        #expect(try apply(.extend, .accepted, ComplaintFacts(actorIsOwner: true, reason: "需核实")).get() == .accepted)
        if case .failure(let r) = apply(.extend, .accepted, { var f = ComplaintFacts(actorIsOwner: true, reason: "再延"); f.alreadyExtended = true; return f }()) {
            #expect(r.rule == "complaint.extended_once")
        } else { Issue.record("a second extension was allowed") }
    }

    @Test("Repeats: the same facts retold read alike; another matter does not")
    func repeats() {
        let first = "反映光明社区王某家有两辆轿车，还在享受低保，请核查。"
        let again = "我再次反映：光明社区王某家有两辆轿车，仍在享受低保！请核查"
        let other = "申请低保三个月了还没有答复，请问进度。"
        #expect(RepeatComplaints.isLikelyRepeat(first, again))
        #expect(!RepeatComplaints.isLikelyRepeat(first, other))
        #expect(RepeatComplaints.similarity("", first) == 0)
    }

    @Test("An inspection draw covers at least the plan's share at both levels and is redone from its seed")
    func inspectionDraw() {
        var tree: [String: [String]] = [:]
        for t in 1...10 { tree["150102\(String(format: "%03d", t))"] = (1...5).map { "150102\(String(format: "%03d", t))\(String(format: "%03d", $0))" } }
        let seed: UInt64 = 0xD1BA0_2026
        let a = InspectionDraw.draw(villagesByTownship: tree, sharePercent: 30, seed: seed)
        #expect(a.townships.count == 3)
        #expect(a.villages.count == 5, "30 % of the 15 villages of the 3 drawn townships, rounded up")
        #expect(a.villages.allSatisfy { v in a.townships.contains { v.hasPrefix($0) } })
        // Another order of the same tree, the same seed: the same draw.
        let shuffled = Dictionary(uniqueKeysWithValues: tree.map { ($0.key, Array($0.value.reversed())) })
        #expect(InspectionDraw.draw(villagesByTownship: shuffled, sharePercent: 30, seed: seed) == a)
        #expect(Sampling.verify(a.townshipRecord, items: tree.keys.sorted()))
        #expect(InspectionDraw.draw(villagesByTownship: tree, sharePercent: 30, seed: seed + 7) != a)
        let all = InspectionDraw.draw(villagesByTownship: tree, sharePercent: 100, seed: seed)
        #expect(all.villages.count == 50)
    }
}
