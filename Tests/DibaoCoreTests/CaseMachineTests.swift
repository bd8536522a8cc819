import Testing
@testable import DibaoCore

/// Facts under which every precondition of every action holds, so that only the
/// stage and the role decide.
enum CaseFixtures {
    static let policy = Policy.default2013
    static let today = CivilDate(iso: "2026-03-16")!

    static let satisfied = CaseFacts(
        today: today, reason: "申请人家庭收入高于保障标准", declarationsSigned: 3, investigators: 2,
        declarationsJudged: true, investigationSignedByApplicant: true,
        panelSize: 12, residentPopulation: 200, votesFor: 9, votesAgainst: 2, votesAbstain: 1,
        evaluationSigned: true, proposedAmount: Money(yuan: 650),
        firstNoticePostedOn: CivilDate(iso: "2026-03-02")!, openObjections: 0,
        spotCheckDrawn: true, spotCheckVisited: true, firstMonth: CivilDate(iso: "2026-04-01")!,
        inDrawnBatch: true)
}

@Suite("CaseMachine transitions")
struct CaseMachineTests {
    typealias Row = (from: CaseStage, action: CaseAction, to: CaseStage, roles: Set<Role>)
    static let township: Set<Role> = [.townshipCaseworker, .townshipHead]
    static let county: Set<Role> = [.countyCaseworker, .countyApprover]

    /// The transition table as specified, written out independently of the code.
    static let table: [Row] = {
        var rows: [Row] = [
            (.submitted, .accept, .underInvestigation, township),
            (.submitted, .refuseIntake, .refusedAtIntake, township),
            (.underInvestigation, .completeInvestigation, .investigated, [.townshipCaseworker]),
            (.investigated, .recordEvaluation, .evaluated, [.townshipCaseworker]),
            (.evaluated, .townshipApprove, .townshipReviewed, [.townshipHead]),
            (.evaluated, .townshipRefuse, .refused, [.townshipHead]),
            (.townshipReviewed, .postFirstNotice, .firstNotice, township),
            (.firstNotice, .submitToCounty, .awaitingApproval, township),
            (.awaitingApproval, .drawSpotCheck, .spotCheck, county),
            (.spotCheck, .recordSpotCheckVisit, .awaitingApproval, county),
            (.awaitingApproval, .approve, .approved, [.countyApprover]),
            (.awaitingApproval, .refuse, .refused, [.countyApprover]),
            (.awaitingApproval, .returnForReview, .returned, [.countyApprover]),
            (.spotCheck, .returnForReview, .returned, [.countyApprover]),
            (.returned, .reinvestigate, .underInvestigation, township),
            (.approved, .postSecondNotice, .secondNotice, county),
            (.secondNotice, .enroll, .enrolled, county),
        ]
        let withdrawable: [CaseStage] = [.submitted, .underInvestigation, .investigated, .evaluated,
                                         .townshipReviewed, .firstNotice, .awaitingApproval, .spotCheck, .returned]
        rows += withdrawable.map { ($0, .withdraw, .withdrawn, township) }
        return rows
    }()

    @Test("every action in every stage by every role: exactly the table succeeds")
    func everyCombination() {
        var successes = 0
        for stage in CaseStage.allCases {
            for action in CaseAction.allCases {
                let row = Self.table.first { $0.from == stage && $0.action == action }
                for role in Role.allCases {
                    let result = CaseMachine.apply(action, at: stage, by: role,
                                                   facts: CaseFixtures.satisfied, policy: CaseFixtures.policy)
                    switch (row, result) {
                    case (let row?, .success(let next)) where row.roles.contains(role):
                        #expect(next == row.to, "\(stage) \(action) \(role)")
                        successes += 1
                    case (let row?, .failure(let refusal)) where !row.roles.contains(role):
                        #expect(refusal.reason == .roleMayNot(role, action), "\(stage) \(action) \(role)")
                        #expect(refusal.rule == "case.role")
                    case (nil, .failure(let refusal)):
                        #expect(refusal.reason == .notAllowedInStage(stage, action), "\(stage) \(action) \(role)")
                        #expect(refusal.rule == "case.stage")
                    default:
                        Issue.record("unexpected \(result) for \(stage) \(action) \(role)")
                    }
                }
            }
        }
        #expect(successes == Self.table.reduce(0) { $0 + $1.roles.count })
        #expect(successes == 44)
    }

    @Test("from, roles and target agree with the table")
    func tableFunctions() {
        for action in CaseAction.allCases {
            let rows = Self.table.filter { $0.action == action }
            #expect(CaseMachine.from(action, policy: CaseFixtures.policy) == Set(rows.map(\.from)), "\(action)")
            for row in rows {
                #expect(CaseMachine.roles(for: action) == row.roles, "\(action)")
                #expect(CaseMachine.target(of: action, at: row.from) == row.to, "\(action)")
            }
        }
    }

    @Test("the village assistant and the non-case roles take no action anywhere")
    func rolesWithoutActions() {
        let idle: [Role] = [.villageAssistant, .financeOfficer, .bankOperator, .verificationOfficer,
                            .supervisor, .administrator]
        for role in idle {
            for stage in CaseStage.allCases {
                #expect(CaseMachine.actions(at: stage, for: role, policy: CaseFixtures.policy).isEmpty, "\(role) \(stage)")
            }
        }
    }

    @Test("work-queue offers")
    func offers() {
        #expect(CaseMachine.actions(at: .awaitingApproval, for: .countyApprover, policy: CaseFixtures.policy)
                == [.drawSpotCheck, .approve, .refuse, .returnForReview])
        #expect(CaseMachine.actions(at: .awaitingApproval, for: .countyCaseworker, policy: CaseFixtures.policy) == [.drawSpotCheck])
        #expect(CaseMachine.actions(at: .awaitingApproval, for: .townshipCaseworker, policy: CaseFixtures.policy) == [.withdraw])
        #expect(CaseMachine.actions(at: .submitted, for: .townshipHead, policy: CaseFixtures.policy) == [.accept, .refuseIntake, .withdraw])
        #expect(CaseMachine.actions(at: .evaluated, for: .townshipCaseworker, policy: CaseFixtures.policy) == [.withdraw])
        #expect(CaseMachine.actions(at: .evaluated, for: .townshipHead, policy: CaseFixtures.policy) == [.townshipApprove, .townshipRefuse, .withdraw])
        #expect(CaseMachine.actions(at: .spotCheck, for: .countyApprover, policy: CaseFixtures.policy) == [.recordSpotCheckVisit, .returnForReview])
        for stage in CaseStage.allCases {
            for role in Role.allCases {
                let expected = CaseAction.allCases.filter { action in
                    Self.table.contains { $0.from == stage && $0.action == action && $0.roles.contains(role) }
                }
                #expect(CaseMachine.actions(at: stage, for: role, policy: CaseFixtures.policy) == expected, "\(stage) \(role)")
            }
        }
    }

    @Test("terminal stages are exactly those no action leaves")
    func terminal() {
        for stage in CaseStage.allCases {
            let leaves = CaseAction.allCases.contains { CaseMachine.from($0, policy: CaseFixtures.policy).contains(stage) }
            #expect(stage.isTerminal == !leaves, "\(stage)")
        }
        #expect(CaseStage.allCases.filter(\.isTerminal) == [.refusedAtIntake, .refused, .enrolled, .withdrawn])
    }

    @Test("the county clock runs from acceptance to decision, and a return starts it again")
    func clockStages() {
        #expect(CaseStage.allCases.filter(\.countyClockRuns)
                == [.underInvestigation, .investigated, .evaluated, .townshipReviewed, .firstNotice,
                    .awaitingApproval, .spotCheck, .returned])
        #expect(CaseAction.allCases.filter(\.startsCountyClock) == [.accept, .returnForReview])
        for action in CaseAction.allCases where action.startsCountyClock {
            #expect(CaseMachine.target(of: action, at: .awaitingApproval).countyClockRuns)
        }
        for action: CaseAction in [.approve, .refuse, .townshipRefuse, .withdraw, .refuseIntake] {
            #expect(!CaseMachine.target(of: action, at: .awaitingApproval).countyClockRuns, "\(action)")
        }
    }

    /// Stages reachable from `submitted` through `apply`, by any role, under facts
    /// that satisfy every precondition, never taking `excluded`.
    func reachable(excluding excluded: Set<CaseAction>) -> Set<CaseStage> {
        var seen: Set<CaseStage> = [.submitted]
        var queue: [CaseStage] = [.submitted]
        while let stage = queue.popLast() {
            for action in CaseAction.allCases where !excluded.contains(action) {
                for role in Role.allCases {
                    if case .success(let next) = CaseMachine.apply(action, at: stage, by: role,
                                                                   facts: CaseFixtures.satisfied,
                                                                   policy: CaseFixtures.policy),
                       seen.insert(next).inserted {
                        queue.append(next)
                    }
                }
            }
        }
        return seen
    }

    @Test("approval is unreachable without completing an investigation (二.二.4)")
    func noApprovalWithoutInvestigation() {
        #expect(reachable(excluding: []) == Set(CaseStage.allCases))
        let withoutInvestigation = reachable(excluding: [.completeInvestigation])
        #expect(!withoutInvestigation.contains(.approved))
        #expect(!withoutInvestigation.contains(.awaitingApproval))
        #expect(!withoutInvestigation.contains(.enrolled))
        #expect(withoutInvestigation == [.submitted, .refusedAtIntake, .underInvestigation, .withdrawn])
    }

    @Test("refusals name the action, field and rule in both languages")
    func messages() {
        let reasons: [CaseRefusal.Reason] = [
            .notAllowedInStage(.submitted, .approve), .roleMayNot(.supervisor, .approve), .reasonRequired,
            .declarationsMissing(signed: 1), .tooFewInvestigators(1, minimum: 2), .declarationsNotJudged,
            .applicantSignatureMissing, .panelTooSmall(3, minimum: 10), .panelTooLarge(30, maximum: 20),
            .ballotsDoNotAddUp(cast: 11, panel: 12), .evaluationNotSigned, .amountRequired, .noticeNotPosted,
            .noticePeriodRunning(until: CivilDate(iso: "2026-03-08")!), .objectionOpen(2), .notDrawnForSpotCheck,
            .spotCheckVisitMissing, .firstMonthInvalid,
        ]
        var rules: Set<String> = []
        for reason in reasons {
            let refusal = CaseRefusal(action: .approve, reason: reason)
            #expect(refusal.rule.hasPrefix("case."))
            #expect(!refusal.field.isEmpty)
            #expect(refusal.zh.hasPrefix("“审批同意”："))
            #expect(refusal.en.hasPrefix("“Approve”: "))
            #expect(refusal.message(.zh) == refusal.zh)
            rules.insert(refusal.rule)
        }
        #expect(rules.count == reasons.count)
        #expect(CaseRefusal(action: .approve, reason: .noticePeriodRunning(until: CivilDate(iso: "2026-03-08")!))
            .zh.contains("2026-03-08"))
        #expect(CaseRefusal(action: .approve, reason: .roleMayNot(.countyCaseworker, .approve)).zh
                == "“审批同意”：旗县民政局经办人无权进行此操作")
    }

    @Test("stages and actions have names and stable raw values")
    func names() {
        #expect(Set(CaseStage.allCases.map(\.zh)).count == CaseStage.allCases.count)
        #expect(Set(CaseStage.allCases.map(\.en)).count == CaseStage.allCases.count)
        #expect(Set(CaseAction.allCases.map(\.zh)).count == CaseAction.allCases.count)
        #expect(Set(CaseAction.allCases.map(\.en)).count == CaseAction.allCases.count)
        #expect(CaseStage.firstNotice.name(.zh) == "第一榜公示中")
        #expect(CaseStage(rawValue: "awaitingApproval") == .awaitingApproval)
        #expect(CaseAction(rawValue: "returnForReview") == .returnForReview)
    }
}
