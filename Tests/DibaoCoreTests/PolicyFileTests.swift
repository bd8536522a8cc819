import Foundation
import Testing
@testable import DibaoCore

/// The repository's shipped files, read the way `dibao policy load` reads them.
enum ShippedFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func policy(_ name: String) throws -> Policy { try PolicyFile.parse(try text("policies/\(name).toml")) }
}

@Suite("Policy files (issue 15)")
struct PolicyFileTests {
    @Test("the shipped 2013 file is exactly the built-in default, with its citations")
    func shipped2013() throws {
        var p = try ShippedFiles.policy("IM-2013-07")
        #expect(p.citations["county_decision_working_days"]?.hasPrefix("二.二.4") == true)
        #expect(p.citations["procedure.evaluation"] != nil)
        p.citations = [:]
        #expect(p == Policy.default2013)
    }

    @Test("the shipped 2021 file: 10 working days from arrival, 30/45 overall, one notice, evaluation on objection, no fixed share")
    func shipped2021() throws {
        let p = try ShippedFiles.policy("MCA-2021-57")
        #expect(p.version == "MCA-2021-57")
        #expect(p.effectiveFrom == CivilDate(iso: "2021-07-01"))
        #expect(p.countyDecisionWorkingDays == 10)
        #expect(p.spotCheckMinPercent == 0)
        #expect(p.procedure == Procedure(evaluation: .onObjection, countyClockFrom: .submission, secondNotice: false,
                                         wholeProcedureWorkingDays: 30, extendedProcedureWorkingDays: 45, gradualExitMonths: 6,
                                         singlePersonCategories: [.severelyDisabled, .severelyIll, .dependentAdult]))
        #expect(p.reviewMonths(for: .stable, in: .rural) == 12)
        #expect(p.reviewMonths(for: .unstable, in: .urban) == 6)
        #expect(p.reviewMonths(for: .unstable, in: .rural) == 6)
        // Every procedure choice cites its article.
        for item in ["county_decision_working_days", "procedure.evaluation", "procedure.county_clock_from", "procedure.second_notice",
                     "procedure.whole_procedure_working_days", "procedure.extended_procedure_working_days", "procedure.gradual_exit_months"] {
            #expect(p.citations[item]?.hasPrefix("第") == true, "\(item)")
        }
    }

    /// The 2013 file with one line replaced (or removed, for nil), to break one thing at a time.
    func variant(replacing prefix: String, with line: String?) throws -> (text: String, line: Int) {
        var lines = try ShippedFiles.text("policies/IM-2013-07.toml").components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix(prefix) })
        if let line { lines[index] = line } else { lines.remove(at: index) }
        return (lines.joined(separator: "\n"), index + 1)
    }

    func refusal(_ text: String) -> PolicyRefusal? {
        do { _ = try PolicyFile.parse(text); return nil } catch { return error }
    }

    @Test("a missing item is refused whole, naming the item and the rule")
    func missingItem() throws {
        let (text, _) = try variant(replacing: "first_notice_days", with: nil)
        let r = try #require(refusal(text))
        #expect(r.rule == "policy.missing_item")
        #expect(r.field == "first_notice_days")
        #expect(r.zh.contains("第一榜公示天数") && r.zh.contains("缺少"))
    }

    @Test("a missing procedure choice names the table's item")
    func missingProcedureItem() throws {
        let (text, _) = try variant(replacing: "evaluation = ", with: nil)
        let r = try #require(refusal(text))
        #expect(r.rule == "policy.missing_item")
        #expect(r.field == "procedure.evaluation")
        #expect(r.line != nil)
    }

    @Test("a negative share is refused, naming its line and the rule")
    func negativeShare() throws {
        let (text, line) = try variant(replacing: "spot_check_min_percent", with: "spot_check_min_percent = -5")
        let r = try #require(refusal(text))
        #expect(r.rule == "policy.percent_range")
        #expect(r.field == "spot_check_min_percent")
        #expect(r.line == line)
        #expect(r.zh.hasPrefix("第 \(line) 行"))
        #expect(r.en.hasPrefix("line \(line):"))
    }

    @Test("an unknown key is refused as unknown, with its line, before anything else")
    func unknownKey() throws {
        let (text, line) = try variant(replacing: "first_notice_days", with: "first_notise_days = 7")
        let r = try #require(refusal(text))
        #expect(r.rule == "policy.unknown_item")
        #expect(r.field == "first_notise_days")
        #expect(r.line == line)
        let (inTable, tableLine) = try variant(replacing: "second_notice", with: "second_notices = true")
        let t = try #require(refusal(inTable))
        #expect(t.rule == "policy.unknown_item" && t.field == "procedure.second_notices" && t.line == tableLine)
    }

    @Test("wrong kinds, unknown choices, a gradual exit above six months and broken TOML are refused with their lines")
    func otherRefusals() throws {
        let (typed, typedLine) = try variant(replacing: "county_decision_working_days", with: "county_decision_working_days = \"thirty\"")
        #expect(refusal(typed).map { "\($0.rule)@\($0.line ?? 0)" } == "policy.wrong_type@\(typedLine)")
        let (choice, _) = try variant(replacing: "evaluation = ", with: "evaluation = \"sometimes\"")
        #expect(refusal(choice)?.rule == "policy.not_a_choice")
        let (exit, exitLine) = try variant(replacing: "gradual_exit_months", with: "gradual_exit_months = 7")
        #expect(refusal(exit).map { "\($0.rule) \($0.field)@\($0.line ?? 0)" } == "policy.min_above_max procedure.gradual_exit_months@\(exitLine)")
        let (broken, brokenLine) = try variant(replacing: "child_age", with: "child_age = = 18")
        #expect(refusal(broken).map { "\($0.rule)@\($0.line ?? 0)" } == "policy.syntax@\(brokenLine)")
        let (citation, citationLine) = try variant(replacing: "first_notice_days = \"", with: "first_notise_days = \"二.三\"")
        #expect(refusal(citation).map { "\($0.rule) \($0.field)@\($0.line ?? 0)" } == "policy.unknown_item citations.first_notise_days@\(citationLine)")
    }
}

@Suite("The 2021 procedure in the case machine (issue 15)")
struct Procedure2021Tests {
    let p2013 = Policy.default2013
    let p2021: Policy

    init() throws { p2021 = try ShippedFiles.policy("MCA-2021-57") }

    var facts: CaseFacts {
        var f = CaseFixtures.satisfied
        f.inDrawnBatch = false
        f.spotCheckDrawn = false
        f.spotCheckVisited = false
        return f
    }

    @Test("without an objection: investigated → township review → one notice → county → approved → enrolled, no evaluation, no draw")
    func withoutObjection() {
        let steps: [(CaseAction, Role, CaseStage)] = [
            (.accept, .townshipCaseworker, .underInvestigation),
            (.completeInvestigation, .townshipCaseworker, .investigated),
            (.townshipApprove, .townshipHead, .townshipReviewed),
            (.postFirstNotice, .townshipCaseworker, .firstNotice),
            (.submitToCounty, .townshipHead, .awaitingApproval),
            (.approve, .countyApprover, .approved),
            (.enroll, .countyCaseworker, .enrolled),
        ]
        var stage = CaseStage.submitted
        for (action, role, expected) in steps {
            let result = CaseMachine.apply(action, at: stage, by: role, facts: facts, policy: p2021)
            #expect(result == .success(expected), "\(action)")
            if case .success(let next) = result { stage = next }
        }
        #expect(stage == .enrolled)
        // No second notice under the 2021 measures.
        #expect(CaseMachine.from(.postSecondNotice, policy: p2021).isEmpty)
    }

    @Test("the same facts under 2013: the evaluation comes first, and the county cannot decide an undrawn batch")
    func sameFactsUnder2013() {
        #expect(CaseMachine.apply(.townshipApprove, at: .investigated, by: .townshipHead, facts: facts, policy: p2013)
                == .failure(CaseRefusal(action: .townshipApprove, reason: .notAllowedInStage(.investigated, .townshipApprove))))
        guard case .failure(let r) = CaseMachine.apply(.approve, at: .awaitingApproval, by: .countyApprover, facts: facts, policy: p2013) else {
            Issue.record("2013 approves an undrawn batch"); return
        }
        #expect(r.reason == .batchNotDrawn(minimumPercent: 30))
        #expect(CaseMachine.apply(.enroll, at: .approved, by: .countyCaseworker, facts: facts, policy: p2013)
                == .failure(CaseRefusal(action: .enroll, reason: .notAllowedInStage(.approved, .enroll))))
    }

    @Test("an objection to the notice makes the evaluation due before submission; it is held while the notice stands")
    func objection() {
        var f = facts
        f.objectionsRaised = 1
        #expect(CaseMachine.apply(.submitToCounty, at: .firstNotice, by: .townshipHead, facts: f, policy: p2021)
                == .failure(CaseRefusal(action: .submitToCounty, reason: .evaluationRequired(objections: 1))))
        #expect(CaseMachine.apply(.recordEvaluation, at: .firstNotice, by: .townshipCaseworker, facts: f, policy: p2021) == .success(.firstNotice))
        f.evaluationRecorded = true
        #expect(CaseMachine.apply(.submitToCounty, at: .firstNotice, by: .townshipHead, facts: f, policy: p2021) == .success(.awaitingApproval))
        // Without an objection there is nothing to evaluate.
        var quiet = facts
        quiet.objectionsRaised = 0
        #expect(CaseMachine.apply(.recordEvaluation, at: .firstNotice, by: .townshipCaseworker, facts: quiet, policy: p2021)
                == .failure(CaseRefusal(action: .recordEvaluation, reason: .noObjectionToEvaluate)))
    }

    @Test("a drawn case is still visited under 2021")
    func drawnStillVisited() {
        var f = facts
        f.spotCheckDrawn = true
        guard case .failure(let r) = CaseMachine.apply(.approve, at: .awaitingApproval, by: .countyApprover, facts: f, policy: p2021) else {
            Issue.record("approved without the visit"); return
        }
        #expect(r.reason == .spotCheckVisitMissing)
    }

    @Test("the county's 10 working days count from arrival; before it, 30 from acceptance, 45 once extended")
    func deadlines() {
        let cal = WorkingDayCalendar(years: [])
        let accepted = CivilDate(iso: "2026-03-02")!   // a Monday
        #expect(p2021.caseDeadline(clockStartedOn: accepted, countyReceivedOn: nil, extended: false, calendar: cal) == cal.adding(workingDays: 30, to: accepted))
        #expect(p2021.caseDeadline(clockStartedOn: accepted, countyReceivedOn: nil, extended: true, calendar: cal) == cal.adding(workingDays: 45, to: accepted))
        let arrived = CivilDate(iso: "2026-03-20")!
        #expect(p2021.caseDeadline(clockStartedOn: accepted, countyReceivedOn: arrived, extended: false, calendar: cal) == CivilDate(iso: "2026-04-03"))
        // 2013: 30 from acceptance whatever the arrival.
        #expect(p2013.caseDeadline(clockStartedOn: accepted, countyReceivedOn: arrived, extended: false, calendar: cal) == cal.adding(workingDays: 30, to: accepted))
    }

    @Test("the one extension needs a reason, only where the version allows it, and only once")
    func extension_() {
        var f = facts
        f.reason = ""
        #expect(CaseMachine.apply(.extendTimeLimit, at: .underInvestigation, by: .townshipHead, facts: f, policy: p2021)
                == .failure(CaseRefusal(action: .extendTimeLimit, reason: .reasonRequired)))
        f.reason = "申请人长期外出务工，需异地调查"
        #expect(CaseMachine.apply(.extendTimeLimit, at: .underInvestigation, by: .townshipHead, facts: f, policy: p2021) == .success(.underInvestigation))
        f.timeLimitExtended = true
        #expect(CaseMachine.apply(.extendTimeLimit, at: .underInvestigation, by: .townshipHead, facts: f, policy: p2021)
                == .failure(CaseRefusal(action: .extendTimeLimit, reason: .alreadyExtended)))
        #expect(CaseMachine.apply(.extendTimeLimit, at: .underInvestigation, by: .townshipHead, facts: facts, policy: p2013)
                == .failure(CaseRefusal(action: .extendTimeLimit, reason: .notAllowedInStage(.underInvestigation, .extendTimeLimit))))
    }
}

// The shipped calendars, for the tests that count on the official calendar.
extension HolidayYear {
    static let official2025 = try! CalendarFile.parse(try! ShippedFiles.text("calendars/2025.toml")).year
    static let official2026 = try! CalendarFile.parse(try! ShippedFiles.text("calendars/2026.toml")).year
}

extension WorkingDayCalendar {
    static let official = WorkingDayCalendar(years: [.official2025, .official2026])
}
