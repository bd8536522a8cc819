import Testing
@testable import DibaoCore

/// Facts under which every review precondition holds, so that only stage and role decide.
enum ReviewFixtures {
    static let policy = Policy.default2013
    static let today = CivilDate(iso: "2026-03-16")!
    static let satisfied = ReviewFacts(today: today, reason: "家庭收入增加", visitors: 2, visitKind: .home,
                                       computedAmount: Money(yuan: 400), currentAmount: Money(yuan: 650),
                                       outcome: .lower, proposedAmount: Money(yuan: 400))
}

@Suite("Review machine (二.六 复核)")
struct ReviewMachineTests {
    let policy = ReviewFixtures.policy
    typealias Row = (from: ReviewStage, action: ReviewAction, to: ReviewStage, roles: Set<Role>)

    /// The table as specified in issue 13, written out independently of the code: the
    /// township visits and proposes, the county approver decides or returns, county staff cancel.
    static let table: [Row] = [
        (.opened, .recordVisit, .visited, [.townshipCaseworker]),
        (.visited, .recordVisit, .visited, [.townshipCaseworker]),
        (.visited, .propose, .proposed, [.townshipHead]),
        (.proposed, .decide, .decided, [.countyApprover]),
        (.proposed, .returnToTownship, .visited, [.countyApprover]),
        (.opened, .cancel, .cancelled, [.countyCaseworker, .countyApprover]),
        (.visited, .cancel, .cancelled, [.countyCaseworker, .countyApprover]),
        (.proposed, .cancel, .cancelled, [.countyCaseworker, .countyApprover]),
    ]

    @Test("every action at every stage by every role: exactly the table succeeds")
    func everyCell() {
        var successes = 0
        for stage in ReviewStage.allCases {
            for action in ReviewAction.allCases where action != .open {
                for role in Role.allCases {
                    let result = ReviewMachine.apply(action, at: stage, by: role, facts: ReviewFixtures.satisfied, policy: policy)
                    let row = Self.table.first { $0.from == stage && $0.action == action }
                    if let row, row.roles.contains(role) {
                        #expect(result == .success(row.to), "\(action) at \(stage) by \(role)")
                        successes += 1
                    } else if row == nil {
                        #expect(result == .failure(ReviewRefusal(action: action, reason: .notAllowedInStage(stage))))
                    } else {
                        #expect(result == .failure(ReviewRefusal(action: action, reason: .roleMayNot(role))))
                    }
                }
            }
        }
        #expect(successes == Self.table.reduce(0) { $0 + $1.roles.count })
    }

    @Test("opening: township and county staff, never a village assistant, bank or public")
    func opening() {
        for role in Role.allCases {
            let r = ReviewMachine.apply(.open, at: .opened, by: role, facts: ReviewFixtures.satisfied, policy: policy)
            let allowed: Set<Role> = [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover]
            #expect((r == .success(.opened)) == allowed.contains(role), "\(role)")
        }
    }

    @Test("one review at a time, and none once the household has left")
    func openingFacts() {
        #expect(refused(.open, at: .opened, by: .countyApprover) { $0.reviewOpen = true } == .reviewOpen)
        #expect(refused(.open, at: .opened, by: .townshipHead) { $0.householdExited = true } == .householdExited)
    }

    func refused(_ action: ReviewAction, at stage: ReviewStage, by role: Role, _ change: (inout ReviewFacts) -> Void) -> ReviewRefusal.Reason? {
        var f = ReviewFixtures.satisfied
        change(&f)
        if case .failure(let r) = ReviewMachine.apply(action, at: stage, by: role, facts: f, policy: policy) { return r.reason }
        return nil
    }

    @Test("a visit: its kind and at least the policy's number of visitors")
    func visit() {
        #expect(refused(.recordVisit, at: .opened, by: .townshipCaseworker) { $0.visitKind = nil } == .visitKindMissing)
        #expect(refused(.recordVisit, at: .opened, by: .townshipCaseworker) { $0.visitors = 1 }
                == .tooFewVisitors(1, minimum: 2))
        #expect(refused(.recordVisit, at: .opened, by: .townshipCaseworker) { $0.visitKind = .neighbours } == nil)
    }

    @Test("an outcome agrees with its amount: raise above, lower below and above zero, keep the same")
    func outcomeAmount() {
        let cur = Money(yuan: 650)
        #expect(refused(.propose, at: .visited, by: .townshipHead) { $0.outcome = nil } == .outcomeMissing)
        #expect(refused(.propose, at: .visited, by: .townshipHead) { $0.outcome = .raise; $0.proposedAmount = cur } == .notAbove(current: cur))
        #expect(refused(.propose, at: .visited, by: .townshipHead) { $0.outcome = .raise; $0.proposedAmount = Money(yuan: 700) } == nil)
        #expect(refused(.propose, at: .visited, by: .townshipHead) { $0.outcome = .lower; $0.proposedAmount = cur } == .notBelow(current: cur))
        #expect(refused(.propose, at: .visited, by: .townshipHead) { $0.outcome = .lower; $0.proposedAmount = .zero } == .amountMissing)
        #expect(refused(.decide, at: .proposed, by: .countyApprover) { $0.outcome = .keep; $0.proposedAmount = Money(yuan: 600) } == .notSame(current: cur))
        #expect(refused(.decide, at: .proposed, by: .countyApprover) { $0.outcome = .keep; $0.proposedAmount = cur } == nil)
        #expect(refused(.decide, at: .proposed, by: .countyApprover) { $0.outcome = .end; $0.exitReason = nil } == .exitReasonMissing)
        #expect(refused(.decide, at: .proposed, by: .countyApprover) { $0.outcome = .end; $0.exitReason = .death } == nil)
        #expect(refused(.decide, at: .proposed, by: .countyApprover) { $0.outcome = .suspend; $0.reason = "" } == .reasonRequired)
        #expect(refused(.decide, at: .proposed, by: .countyApprover) { $0.outcome = .suspend; $0.householdSuspended = true } == .alreadySuspended)
        // A suspended household resumes at any positive amount.
        #expect(refused(.decide, at: .proposed, by: .countyApprover) {
            $0.householdSuspended = true; $0.outcome = .keep; $0.proposedAmount = Money(yuan: 100) } == nil)
    }

    @Test("a return and a cancellation say why")
    func reasons() {
        #expect(refused(.returnToTownship, at: .proposed, by: .countyApprover) { $0.reason = "  " } == .reasonRequired)
        #expect(refused(.cancel, at: .opened, by: .countyCaseworker) { $0.reason = "" } == .reasonRequired)
    }

    @Test("the decision each outcome makes, and the status after it")
    func outcomeDecision() {
        let m = CivilDate(iso: "2026-04-01")!
        #expect(ReviewOutcome.lower.decision(amount: Money(yuan: 400), from: m, suspended: false)
                == (BenefitDecision(kind: .changed, from: m, monthly: Money(yuan: 400)), .enrolled))
        #expect(ReviewOutcome.keep.decision(amount: Money(yuan: 650), from: m, suspended: false).0.kind == .kept)
        #expect(ReviewOutcome.keep.decision(amount: Money(yuan: 650), from: m, suspended: true)
                == (BenefitDecision(kind: .resumed, from: m, monthly: Money(yuan: 650)), .enrolled))
        #expect(ReviewOutcome.suspend.decision(amount: Money(yuan: 650), from: m, suspended: false)
                == (BenefitDecision(kind: .suspended, from: m, monthly: .zero), .suspended))
        #expect(ReviewOutcome.end.decision(amount: nil, from: m, suspended: false)
                == (BenefitDecision(kind: .exited, from: m, monthly: .zero), .exited))
    }
}

@Suite("Review class after a review, effect month, decisions as the schedule (二.六)")
struct ReviewRulesTests {
    let policy = Policy.default2013
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }
    func member(ill: Bool = false) -> MemberSituation {
        MemberSituation(label: "成员", birthDate: d("1970-05-01"), disability: .none, severeIllness: ill)
    }

    /// One row per line of the class table: (situation found by the review, area kind, months to the next review).
    static let rows: [(ill: Bool, stable: Bool, able: Bool, kind: AreaKind, months: Int)] = [
        (true, true, false, .urban, 12), (true, true, false, .rural, 12),
        (false, true, true, .urban, 6), (false, true, true, .rural, 6),
        (false, false, true, .urban, 1), (false, false, true, .rural, 3),
    ]

    @Test("the class a review finds sets the next review: severe+stable 12, stable 6, unstable+able 1 urban / 3 rural",
          arguments: rows.indices)
    func classAfterReview(i: Int) {
        let row = Self.rows[i]
        let cls = ReviewClass.classify(members: [member(ill: row.ill)], incomeStable: row.stable, ableToWork: row.able)
        let effective = BenefitDecision.effectiveMonth(decidedOn: d("2026-03-16"), policy: policy)
        #expect(ReviewCalendar.nextReview(after: effective, class: cls, kind: row.kind, policy: policy)
                == effective.adding(months: row.months))
    }

    @Test("a later policy version's table is the one used")
    func laterVersion() {
        var p = policy
        p.reviewMonthsStable = 12
        #expect(ReviewCalendar.nextReview(after: d("2026-04-01"), class: .stable, kind: .urban, policy: p) == d("2027-04-01"))
    }

    @Test("a decision on the 1st, the 15th or the last day applies from the 1st of the next month", arguments: ["2026-03-01", "2026-03-15", "2026-03-31"])
    func effectMonth(day: String) {
        #expect(BenefitDecision.effectiveMonth(decidedOn: d(day), policy: policy) == d("2026-04-01"))
    }

    @Test("a policy of two months moves it accordingly; February's last day too")
    func effectMonthPolicy() {
        var p = policy
        p.changeTakesEffectMonthsAfterDecision = 2
        #expect(BenefitDecision.effectiveMonth(decidedOn: d("2026-02-28"), policy: p) == d("2026-04-01"))
        #expect(BenefitDecision.effectiveMonth(decidedOn: d("2026-12-31"), policy: policy) == d("2027-01-01"))
    }

    @Test("decisions fold into the payroll's schedule; a kept decision adds no step")
    func fold() throws {
        let decisions = [
            BenefitDecision(kind: .enrolled, from: d("2026-01-01"), monthly: Money(yuan: 650)),
            BenefitDecision(kind: .kept, from: d("2026-03-01"), monthly: Money(yuan: 650)),
            BenefitDecision(kind: .changed, from: d("2026-04-01"), monthly: Money(yuan: 400)),
            BenefitDecision(kind: .exited, from: d("2026-06-01"), monthly: .zero),
        ]
        let s = try #require(try BenefitDecision.schedule(decisions))
        #expect(s.steps.count == 3)
        #expect(s.monthly(in: d("2026-03-01")) == Money(yuan: 650))
        #expect(s.monthly(in: d("2026-05-01")) == Money(yuan: 400))
        #expect(s.monthly(in: d("2026-06-01")) == .zero)
        #expect(try BenefitDecision.schedule(BenefitDecision.decisions(rebuilding: s)) == s)
    }

    @Test("the schedule's own refusals hold: no change after an exit, no resumption without a suspension")
    func foldRefusals() {
        let enrolled = BenefitDecision(kind: .enrolled, from: d("2026-01-01"), monthly: Money(yuan: 650))
        #expect(throws: ScheduleRefusal.self) {
            try BenefitDecision.schedule([enrolled, .init(kind: .exited, from: d("2026-03-01"), monthly: .zero),
                                          .init(kind: .changed, from: d("2026-04-01"), monthly: Money(yuan: 10))])
        }
        #expect(throws: ScheduleRefusal.self) {
            try BenefitDecision.schedule([enrolled, .init(kind: .resumed, from: d("2026-03-01"), monthly: Money(yuan: 10))])
        }
    }
}

@Suite("Review calendar, reports and early reviews (二.六)")
struct ReviewCalendarTests {
    let policy = Policy.default2013
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    @Test("due in its month or before; overdue once its month has passed")
    func due() {
        #expect(ReviewCalendar.isDue(nextReviewOn: d("2026-03-01"), in: d("2026-03-20")))
        #expect(ReviewCalendar.isDue(nextReviewOn: d("2026-01-01"), in: d("2026-03-01")))
        #expect(!ReviewCalendar.isDue(nextReviewOn: d("2026-04-01"), in: d("2026-03-31")))
        #expect(!ReviewCalendar.isOverdue(nextReviewOn: d("2026-03-01"), today: d("2026-03-31")))
        #expect(ReviewCalendar.isOverdue(nextReviewOn: d("2026-03-01"), today: d("2026-04-01")))
    }

    @Test("a report is missed the day after its period ends")
    func report() {
        #expect(ReviewCalendar.reportDue(since: d("2026-01-15"), policy: policy) == d("2026-04-15"))
        #expect(!ReviewCalendar.missedReport(since: d("2026-01-15"), today: d("2026-04-15"), policy: policy))
        #expect(ReviewCalendar.missedReport(since: d("2026-01-15"), today: d("2026-04-16"), policy: policy))
    }

    @Test("the twelve-month calendar counts overdue reviews in the first month")
    func counts() {
        let c = ReviewCalendar.counts([d("2026-01-01"), d("2026-03-10"), d("2026-05-01"), d("2027-03-01")], from: d("2026-03-05"))
        #expect(c.count == 12)
        #expect(c[0] == (d("2026-03-01"), 2))
        #expect(c[2].due == 1)
        #expect(c.reduce(0) { $0 + $1.due } == 3)
    }

    @Test("early review: the township asks with a reason, the county answers; not for an exited household or one under review")
    func early() {
        let ok = EarlyReviewFacts(reason: "连续两期未报告")
        #expect(EarlyReviewMachine.apply(.request, at: .requested, by: .townshipCaseworker, facts: ok, policy: policy) == .success(.requested))
        #expect(EarlyReviewMachine.apply(.request, at: .requested, by: .villageAssistant, facts: ok, policy: policy)
                == .failure(.init(action: .request, reason: .role(.villageAssistant))))
        #expect(EarlyReviewMachine.apply(.accept, at: .requested, by: .countyCaseworker, facts: ok, policy: policy) == .success(.accepted))
        #expect(EarlyReviewMachine.apply(.accept, at: .requested, by: .townshipHead, facts: ok, policy: policy)
                == .failure(.init(action: .accept, reason: .role(.townshipHead))))
        #expect(EarlyReviewMachine.apply(.accept, at: .declined, by: .countyApprover, facts: ok, policy: policy)
                == .failure(.init(action: .accept, reason: .stage(.declined))))
        #expect(EarlyReviewMachine.apply(.decline, at: .requested, by: .countyApprover, facts: .init(reason: ""), policy: policy)
                == .failure(.init(action: .decline, reason: .reasonRequired)))
        #expect(EarlyReviewMachine.apply(.accept, at: .requested, by: .countyApprover, facts: .init(reason: "", reviewOpen: true), policy: policy)
                == .failure(.init(action: .accept, reason: .reviewOpen)))
        #expect(EarlyReviewMachine.apply(.request, at: .requested, by: .townshipHead, facts: .init(reason: "x", householdExited: true), policy: policy)
                == .failure(.init(action: .request, reason: .exited)))
    }
}
