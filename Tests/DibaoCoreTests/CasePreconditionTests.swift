import Testing
@testable import DibaoCore

@Suite("CaseMachine preconditions")
struct CasePreconditionTests {
    let policy = CaseFixtures.policy
    let good = CaseFixtures.satisfied

    /// Applies `action` from its first legal stage by its first permitted role.
    func apply(_ action: CaseAction, _ change: (inout CaseFacts) -> Void = { _ in }) -> Result<CaseStage, CaseRefusal> {
        var facts = good
        change(&facts)
        let stage = CaseStage.allCases.first { CaseMachine.from(action, policy: policy).contains($0) }!
        let role = Role.allCases.first { CaseMachine.roles(for: action).contains($0) }!
        return CaseMachine.apply(action, at: stage, by: role, facts: facts, policy: policy)
    }

    func refused(_ action: CaseAction, _ change: (inout CaseFacts) -> Void) -> CaseRefusal.Reason? {
        if case .failure(let refusal) = apply(action, change) { return refusal.reason }
        return nil
    }

    func succeeds(_ action: CaseAction, _ change: (inout CaseFacts) -> Void = { _ in }) -> Bool {
        if case .success = apply(action, change) { return true }
        return false
    }

    @Test("accept needs the three declarations (二.二.1)")
    func acceptDeclarations() {
        #expect(refused(.accept) { $0.declarationsSigned = 0 } == .declarationsMissing(signed: 0))
        #expect(refused(.accept) { $0.declarationsSigned = 2 } == .declarationsMissing(signed: 2))
        #expect(succeeds(.accept) { $0.declarationsSigned = 3 })
        #expect(CaseMachine.requiredDeclarations == ["家庭收入和财产状况声明", "授权核对委托书", "诚信承诺书"])
    }

    @Test("closing or sending back a case needs a reason", arguments:
          [CaseAction.refuseIntake, .townshipRefuse, .refuse, .returnForReview, .withdraw])
    func reasonRequired(action: CaseAction) {
        #expect(action.needsReason)
        #expect(refused(action) { $0.reason = "" } == .reasonRequired)
        #expect(refused(action) { $0.reason = " \n　" } == .reasonRequired)
        #expect(succeeds(action) { $0.reason = "家庭人均收入高于当地保障标准" })
    }

    @Test("no other action asks for a reason")
    func noReasonElsewhere() {
        for action in CaseAction.allCases where !action.needsReason {
            #expect(succeeds(action) { $0.reason = "" }, "\(action)")
        }
    }

    @Test("the investigation needs two investigators (二.二.2)")
    func investigators() {
        #expect(Policy.default2013.minimumInvestigators == 2)
        #expect(refused(.completeInvestigation) { $0.investigators = 1 } == .tooFewInvestigators(1, minimum: 2))
        #expect(succeeds(.completeInvestigation) { $0.investigators = 2 })
        #expect(succeeds(.completeInvestigation) { $0.investigators = 3 })
    }

    @Test("the investigation judges every declaration (二.二.2)")
    func declarationsJudged() {
        #expect(refused(.completeInvestigation) { $0.declarationsJudged = false } == .declarationsNotJudged)
        #expect(succeeds(.completeInvestigation) { $0.declarationsJudged = true })
    }

    @Test("the applicant signs the investigation (二.二.2)")
    func applicantSignature() {
        #expect(refused(.completeInvestigation) { $0.investigationSignedByApplicant = false } == .applicantSignatureMissing)
        #expect(succeeds(.completeInvestigation) { $0.investigationSignedByApplicant = true })
    }

    @Test("all unmet preconditions are listed in order")
    func allUnmet() {
        let unmet = CaseMachine.unmetPreconditions(of: .completeInvestigation,
                                                   facts: CaseFacts(today: CaseFixtures.today), policy: policy)
        #expect(unmet.map(\.reason) == [.tooFewInvestigators(0, minimum: 2), .declarationsNotJudged,
                                        .applicantSignatureMissing])
        #expect(unmet.map(\.field) == ["investigators", "declarations_judged", "investigation_signed_by_applicant"])
        #expect(CaseMachine.unmetPreconditions(of: .completeInvestigation, facts: good, policy: policy).isEmpty)
    }

    @Test("the panel is 5 % to 10 % of the resident population (二.二.3)")
    func panelSize() {
        // 200 residents: at least 10, at most 20.
        func panel(_ n: Int) -> (inout CaseFacts) -> Void {
            { $0.panelSize = n; $0.votesFor = n; $0.votesAgainst = 0; $0.votesAbstain = 0 }
        }
        #expect(refused(.recordEvaluation, panel(9)) == .panelTooSmall(9, minimum: 10))
        #expect(succeeds(.recordEvaluation, panel(10)))
        #expect(succeeds(.recordEvaluation, panel(20)))
        #expect(refused(.recordEvaluation, panel(21)) == .panelTooLarge(21, maximum: 20))
        // 50 residents: 2.5 rounds up to 3; the most is 5.
        #expect(refused(.recordEvaluation) { panel(2)(&$0); $0.residentPopulation = 50 } == .panelTooSmall(2, minimum: 3))
        #expect(succeeds(.recordEvaluation) { panel(3)(&$0); $0.residentPopulation = 50 })
        // A village without a recorded population still needs a panel.
        #expect(refused(.recordEvaluation) { panel(0)(&$0); $0.residentPopulation = 0 } == .panelTooSmall(0, minimum: 1))
    }

    @Test("the panel follows the policy in force")
    func panelFromPolicy() {
        var strict = policy
        strict.evaluationPanelMinPercent = 8
        let facts = good
        let result = CaseMachine.apply(.recordEvaluation, at: .investigated, by: .townshipCaseworker,
                                       facts: facts, policy: strict)
        #expect(result == .failure(CaseRefusal(action: .recordEvaluation, reason: .panelTooSmall(12, minimum: 16))))
    }

    @Test("the ballots add up to the panel (二.二.3)")
    func ballots() {
        #expect(refused(.recordEvaluation) { $0.votesAbstain = 0 } == .ballotsDoNotAddUp(cast: 11, panel: 12))
        #expect(refused(.recordEvaluation) { $0.votesFor = 12; $0.votesAgainst = 1; $0.votesAbstain = -1 }
                == .ballotsDoNotAddUp(cast: 12, panel: 12))
        #expect(succeeds(.recordEvaluation) { $0.votesFor = 4; $0.votesAgainst = 7; $0.votesAbstain = 1 })
    }

    @Test("panel and applicant sign the evaluation (二.二.3)")
    func evaluationSigned() {
        #expect(refused(.recordEvaluation) { $0.evaluationSigned = false } == .evaluationNotSigned)
        #expect(succeeds(.recordEvaluation) { $0.evaluationSigned = true })
    }

    @Test("the township proposes an amount that is not negative")
    func townshipAmount() {
        #expect(refused(.townshipApprove) { $0.proposedAmount = nil } == .amountRequired)
        #expect(refused(.townshipApprove) { $0.proposedAmount = Money(fen: -1) } == .amountRequired)
        #expect(succeeds(.townshipApprove) { $0.proposedAmount = .zero })
        #expect(succeeds(.townshipApprove) { $0.proposedAmount = Money(yuan: 320) })
    }

    @Test("submission waits for the first notice to be posted and to run its days (二.三)")
    func noticePeriod() {
        #expect(refused(.submitToCounty) { $0.firstNoticePostedOn = nil } == .noticeNotPosted)
        // Posted 2026-03-10 for 7 days: 03-10 … 03-16; submitted from 03-17.
        let posted = CivilDate(iso: "2026-03-10")!
        #expect(refused(.submitToCounty) { $0.firstNoticePostedOn = posted }
                == .noticePeriodRunning(until: CivilDate(iso: "2026-03-16")!))
        #expect(succeeds(.submitToCounty) { $0.firstNoticePostedOn = posted; $0.today = CivilDate(iso: "2026-03-17")! })
        #expect(succeeds(.submitToCounty) { $0.firstNoticePostedOn = CivilDate(iso: "2026-03-09")! })
    }

    @Test("an open objection stops submission and approval (二.三)", arguments: [CaseAction.submitToCounty, .approve])
    func objections(action: CaseAction) {
        #expect(refused(action) { $0.openObjections = 2 } == .objectionOpen(2))
        #expect(succeeds(action) { $0.openObjections = 0 })
    }

    @Test("only a drawn case goes to, and records, a spot-check visit (二.二.4)",
          arguments: [CaseAction.drawSpotCheck, .recordSpotCheckVisit])
    func drawn(action: CaseAction) {
        #expect(refused(action) { $0.spotCheckDrawn = false } == .notDrawnForSpotCheck)
        #expect(succeeds(action) { $0.spotCheckDrawn = true })
    }

    @Test("a drawn case is visited before approval (二.二.4)")
    func visitBeforeApproval() {
        #expect(refused(.approve) { $0.spotCheckVisited = false } == .spotCheckVisitMissing)
        #expect(succeeds(.approve) { $0.spotCheckVisited = true })
        #expect(succeeds(.approve) { $0.spotCheckDrawn = false; $0.spotCheckVisited = false })
    }

    @Test("a case is approved only from a batch already drawn (二.二.4), and the machine says so")
    func batchDrawnBeforeApproval() {
        #expect(refused(.approve) { $0.inDrawnBatch = false } == .batchNotDrawn(minimumPercent: policy.spotCheckMinPercent))
        #expect(CaseMachine.unmetPreconditions(of: .approve, facts: { var f = good; f.inDrawnBatch = false; return f }(), policy: policy)
                    .map(\.rule) == ["spot_check.batch_not_drawn"])
        #expect(succeeds(.approve) { $0.inDrawnBatch = true })
    }

    @Test("approval needs an amount above zero")
    func approvalAmount() {
        #expect(refused(.approve) { $0.proposedAmount = nil } == .amountRequired)
        #expect(refused(.approve) { $0.proposedAmount = .zero } == .amountRequired)
        #expect(succeeds(.approve) { $0.proposedAmount = Money(fen: 1) })
    }

    @Test("approval names a first month: a 1st, not before this month")
    func firstMonth() {
        #expect(refused(.approve) { $0.firstMonth = nil } == .firstMonthInvalid)
        #expect(refused(.approve) { $0.firstMonth = CivilDate(iso: "2026-04-15")! } == .firstMonthInvalid)
        #expect(refused(.approve) { $0.firstMonth = CivilDate(iso: "2026-02-01")! } == .firstMonthInvalid)
        #expect(succeeds(.approve) { $0.firstMonth = CivilDate(iso: "2026-03-01")! })
        #expect(succeeds(.approve) { $0.firstMonth = CivilDate(iso: "2026-04-01")! })
    }

    @Test("stage is checked before role, role before preconditions")
    func order() {
        let empty = CaseFacts(today: CaseFixtures.today)
        #expect(CaseMachine.apply(.approve, at: .submitted, by: .villageAssistant, facts: empty, policy: policy)
                == .failure(CaseRefusal(action: .approve, reason: .notAllowedInStage(.submitted, .approve))))
        #expect(CaseMachine.apply(.approve, at: .awaitingApproval, by: .countyCaseworker, facts: empty, policy: policy)
                == .failure(CaseRefusal(action: .approve, reason: .roleMayNot(.countyCaseworker, .approve))))
        #expect(CaseMachine.apply(.approve, at: .awaitingApproval, by: .countyApprover, facts: empty, policy: policy)
                == .failure(CaseRefusal(action: .approve, reason: .amountRequired)))
    }

    @Test("a whole application, step by step")
    func walkthrough() {
        let steps: [(CaseAction, Role, CaseStage)] = [
            (.accept, .townshipCaseworker, .underInvestigation),
            (.completeInvestigation, .townshipCaseworker, .investigated),
            (.recordEvaluation, .townshipCaseworker, .evaluated),
            (.townshipApprove, .townshipHead, .townshipReviewed),
            (.postFirstNotice, .townshipCaseworker, .firstNotice),
            (.submitToCounty, .townshipHead, .awaitingApproval),
            (.drawSpotCheck, .countyCaseworker, .spotCheck),
            (.returnForReview, .countyApprover, .returned),
            (.reinvestigate, .townshipCaseworker, .underInvestigation),
            (.completeInvestigation, .townshipCaseworker, .investigated),
            (.recordEvaluation, .townshipCaseworker, .evaluated),
            (.townshipApprove, .townshipHead, .townshipReviewed),
            (.postFirstNotice, .townshipCaseworker, .firstNotice),
            (.submitToCounty, .townshipCaseworker, .awaitingApproval),
            (.drawSpotCheck, .countyApprover, .spotCheck),
            (.recordSpotCheckVisit, .countyCaseworker, .awaitingApproval),
            (.approve, .countyApprover, .approved),
            (.postSecondNotice, .countyCaseworker, .secondNotice),
            (.enroll, .countyCaseworker, .enrolled),
        ]
        var stage = CaseStage.submitted
        for (action, role, expected) in steps {
            let result = CaseMachine.apply(action, at: stage, by: role, facts: good, policy: policy)
            #expect(result == .success(expected), "\(action)")
            if case .success(let next) = result { stage = next }
        }
        #expect(stage == .enrolled && stage.isTerminal)
    }
}
