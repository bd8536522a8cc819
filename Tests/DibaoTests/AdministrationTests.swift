import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 15's "Done when", on the running system: a loaded policy version changes the
/// procedure of the cases accepted from its day on; a calendar loaded into a running server
/// moves open deadlines; a standard changes decisions from its month; bad files are refused
/// whole. Each runs on SQLite and, with `DATABASE_URL`, on PostgreSQL.
@Suite("Administration: policy versions, calendars, standards, division codes", .serialized)
struct AdministrationTests {
    static func file(_ path: String) throws -> String {
        try String(contentsOfFile: TestDatabase.packageRoot + "/" + path, encoding: .utf8)
    }

    @Test("The 2021 rules activated from D: a case accepted before D keeps the 2013 procedure; one after needs no draw and no evaluation unless its notice draws an objection, and the county has 10 working days from arrival")
    func procedureByAcceptanceDay() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let admin = app.context(try await actor(app, "admin"))
            let loaded = try await PolicyVersions.load(text: try Self.file("policies/MCA-2021-57.toml"), effectiveFrom: CivilDate(iso: "2026-03-09"), ctx: admin)
            #expect(loaded.status == "draft")
            #expect(loaded.differences.contains { $0.item == "procedure.evaluation" && $0.inForce == "always" && $0.loaded == "on_objection" })
            // A draft changes nothing until it is activated; it cannot reach back before today.
            #expect(app.dibao.policy(on: CivilDate(iso: "2026-03-10")!).version == "IM-2013-07")
            await #expect(throws: FieldRefusal.self) {
                _ = try await PolicyVersions.activate(version: "MCA-2021-57", effectiveFrom: CivilDate(iso: "2026-03-01"), ctx: admin)
            }
            _ = try await PolicyVersions.activate(version: "MCA-2021-57", effectiveFrom: CivilDate(iso: "2026-03-09"), ctx: admin)
            #expect(app.dibao.policy(on: CivilDate(iso: "2026-03-08")!).version == "IM-2013-07")
            #expect(app.dibao.policy(on: CivilDate(iso: "2026-03-09")!).version == "MCA-2021-57")

            let before = try await d.file(try await d.household(seed: 61))
            let after = try await d.file(try await d.household(seed: 62))
            let objected = try await d.file(try await d.household(seed: 63))

            // Accepted on 2 March, before D: the 2013 procedure to its end.
            var a = try #require(try await d.step("xc_township", before.id, .accept))
            #expect(a.policyVersion == "IM-2013-07")
            try await d.step("xc_township", before.id, .completeInvestigation, .investigation)
            try await d.step("xc_head", before.id, .townshipApprove, StepInput(opinion: "同意"), expect: .unprocessableEntity)
            try await d.step("xc_township", before.id, .recordEvaluation, .evaluation)
            a = try #require(try await d.step("xc_head", before.id, .townshipApprove, StepInput(opinion: "同意")))
            try await d.step("xc_township", before.id, .postFirstNotice)

            // Accepted on 9 March, D itself: the 2021 procedure.
            clock.advance(days: 7)
            try await d.step("xc_township", before.id, .submitToCounty)
            var b = try #require(try await d.step("xc_township", after.id, .accept))
            #expect(b.policyVersion == "MCA-2021-57")
            try await d.step("xc_township", after.id, .completeInvestigation, .investigation)
            // No objection: no evaluation to hold, and the township reviews straight away.
            try await d.step("xc_township", after.id, .recordEvaluation, .evaluation, expect: .unprocessableEntity)
            b = try #require(try await d.step("xc_head", after.id, .townshipApprove, StepInput(opinion: "同意")))
            try await d.step("xc_township", after.id, .postFirstNotice)

            try await d.step("xc_township", objected.id, .accept)
            try await d.step("xc_township", objected.id, .completeInvestigation, .investigation)
            try await d.step("xc_head", objected.id, .townshipApprove, StepInput(opinion: "同意"))
            try await d.step("xc_township", objected.id, .postFirstNotice)
            let raised = try await d.call("nobody", .POST, "/api/v1/public/objections", Objections.RaiseInput(receipt: objected.receipt, name: nil, text: "该户有经营收入"))
            #expect(raised.status == .created)
            let objection = try #require(try await d.call("xc_township", .GET, "/api/v1/cases/\(objected.id)").decode(CaseView.self).objections.first)
            try await d.call("xc_township", .POST, "/api/v1/cases/\(objected.id)/objections/\(objection.id)/answer", Objections.AnswerInput(answer: "已核实，收入未超标准"))

            clock.advance(days: 7)   // 16 March
            b = try #require(try await d.step("xc_township", after.id, .submitToCounty))
            #expect(b.stage == "awaitingApproval")
            #expect(b.deadline == app.dibao.calendar.adding(workingDays: 10, to: CivilDate(iso: "2026-03-16")!).iso)
            #expect(b.deadline == "2026-03-30")

            // The objection calls for the evaluation before the case may go up.
            let blocked = try await d.call("xc_township", .POST, "/api/v1/cases/\(objected.id)/steps/submitToCounty", StepInput())
            #expect(d.problems(blocked) == ["case.evaluation_on_objection"])
            let evaluated = try #require(try await d.step("xc_township", objected.id, .recordEvaluation, .evaluation))
            #expect(evaluated.stage == "firstNotice")
            try await d.step("xc_township", objected.id, .submitToCounty)

            // The 2013 case still waits for its batch to be drawn; the 2021 case is approved
            // without one and enrolled without a second notice.
            let amountA = try #require(a.proposedAmount)
            let amountB = try #require(b.proposedAmount)
            let refused = try await d.call("xc_approver", .POST, "/api/v1/cases/\(before.id)/steps/approve",
                                           StepInput(amount: amountA, firstMonth: "2026-04"))
            #expect(d.problems(refused) == ["spot_check.batch_not_drawn"])
            b = try #require(try await d.step("xc_approver", after.id, .approve, StepInput(amount: amountB, firstMonth: "2026-04")))
            #expect(b.stage == "approved")
            try await d.step("xc_county", after.id, .postSecondNotice, expect: .unprocessableEntity)
            b = try #require(try await d.step("xc_county", after.id, .enroll))
            #expect(b.stage == "enrolled")
            #expect(b.policyVersion == "MCA-2021-57")
        }
    }

    static let calendar2027 = """
    year = 2027
    source = "测试用 2027 年节假日安排"

    [[holiday]]
    name = "元旦"
    from = 2027-01-01
    through = 2027-01-03
    """

    @Test("A 2027 calendar loaded into the running server moves an open case's deadline and lifts the November warning")
    func calendarLoadedLive() async throws {
        let clock = TestClock("2026-11-20")
        try await withDibao(households: 0, clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 71))
            var v = try #require(try await d.step("xc_township", c.id, .accept))
            // 30 working days from Friday 20 November reach 1 January 2027, counted as plain weekdays.
            #expect(v.deadline == "2027-01-01")
            #expect(v.provisional)

            let health = try await d.call("nobody", .GET, "/healthz")
            #expect(try health.decode(Health.Body.self).warnings == ["calendar.missing:2027"])
            let county = try await Client.signedIn(app, as: "xc_county")
            #expect(try await county.get("/").body.string.contains("calendar-warning"))

            // A bad file is refused whole and the server's calendar stays as it was.
            let admin = app.context(try await actor(app, "admin"))
            await #expect(throws: PolicyRefusal.self) {
                _ = try await HolidayCalendars.load(text: Self.calendar2027 + "\nworking_weekends = [2027-01-05]\n", ctx: admin)
            }
            #expect(!app.dibao.calendar.knows(year: 2027))

            let outcome = try await HolidayCalendars.load(text: Self.calendar2027, ctx: admin)
            #expect(outcome.deadlinesMoved == 1)
            #expect(try await ApplicationCase.find(c.id, on: app.db)?.deadline == "2027-01-04")
            v = try await d.call("xc_township", .GET, "/api/v1/cases/\(c.id)").decode(CaseView.self)
            #expect(v.deadline == "2027-01-04")
            #expect(!v.provisional)
            #expect(try await d.call("nobody", .GET, "/healthz").decode(Health.Body.self).warnings.isEmpty)
            #expect(!(try await county.get("/").body.string.contains("calendar-warning")))
        }
    }

    @Test("A standard entered by one and approved by another changes decisions from its month and none before")
    func standardFromItsMonth() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(households: 0, clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let entering = app.context(try await actor(app, "xc_county"))
            let approving = app.context(try await actor(app, "xc_approver"))

            var past = Standards.Input(area: "150102000000", kind: "urban", monthly: "1000", effectiveMonth: "2026-02", document: "测试")
            await #expect(throws: FieldRefusal.self) { try await Standards.enter(past, ctx: entering) }
            past.effectiveMonth = "2026-04"
            let s = try await Standards.enter(past, ctx: entering)
            do {
                try await Standards.decide(s.id, approve: true, ctx: entering)
                Issue.record("the person who entered the standard approved it")
            } catch let r as FieldRefusal { #expect(r.rule == "standard.four_eyes") }
            // Pending: not used.
            #expect(try await Standard.inForce(for: try AreaCode("150102001001"), kind: .urban, on: CivilDate(iso: "2026-04-01")!, db: app.db)?.monthlyFen == 90_600)
            try await Standards.decide(s.id, approve: true, ctx: approving)

            let march = try await d.file(try await d.household(seed: 81))
            try await d.step("xc_township", march.id, .accept)
            let m = try #require(try await d.step("xc_township", march.id, .completeInvestigation, .investigation))
            #expect(m.standard == "¥906.00")

            clock.advance(days: 30)   // 1 April
            let april = try await d.file(try await d.household(seed: 82))
            try await d.step("xc_township", april.id, .accept)
            let a = try #require(try await d.step("xc_township", april.id, .completeInvestigation, .investigation))
            #expect(a.standard == "¥1,000.00")
            // The March decision keeps the standard it was made under.
            #expect(try await d.call("xc_township", .GET, "/api/v1/cases/\(march.id)").decode(CaseView.self).standard == "¥906.00")
        }
    }

    @Test("A policy file with a missing item, a negative share or an unknown key is refused whole, naming the line and the rule")
    func badPolicyFiles() async throws {
        try await withDibao(households: 0) { app in
            let admin = app.context(try await actor(app, "admin"))
            let good = try Self.file("policies/MCA-2021-57.toml").replacingOccurrences(of: "version = \"MCA-2021-57\"", with: "version = \"TEST-1\"")
            let lines = good.components(separatedBy: "\n")
            let shareLine = try #require(lines.firstIndex { $0.hasPrefix("spot_check_min_percent") }) + 1
            let cases: [(String, String, Int?)] = [
                (good.replacingOccurrences(of: "spot_check_min_percent = 0", with: "spot_check_min_percent = -5"), "policy.percent_range", shareLine),
                (good.replacingOccurrences(of: "spot_check_min_percent = 0", with: "spot_check_min_percnt = 0"), "policy.unknown_item", shareLine),
                (good.replacingOccurrences(of: "spot_check_min_percent = 0\n", with: ""), "policy.missing_item", nil),
            ]
            for (text, rule, line) in cases {
                do {
                    _ = try await PolicyVersions.load(text: text, effectiveFrom: nil, ctx: admin)
                    Issue.record("accepted a file that breaks \(rule)")
                } catch let r as PolicyRefusal {
                    #expect(r.rule == rule)
                    if let line { #expect(r.line == line, "\(rule)") }
                }
            }
            #expect(try await PolicyVersion.find("TEST-1", on: app.db) == nil, "nothing half-loaded")
        }
    }

    @Test("A division-code CSV with a duplicate or an orphan code is refused whole; the areas stay as they were")
    func badDivisionFiles() async throws {
        try await withDibao(households: 0) { app in
            let admin = app.context(try await actor(app, "admin"))
            let count = try await Area.query(on: app.db).count()
            let header = "code,name,urban_rural_code\n"
            let duplicate = header + "150300000000,乌海市,\n150302000000,海勃湾区,\n150300000000,乌海市,\n"
            let orphan = header + "150300000000,乌海市,\n150402000000,红山区,\n"
            for (text, rule, line) in [(duplicate, "division.duplicate", 4), (orphan, "division.orphan", 3)] {
                do {
                    _ = try await DivisionImport.run(text: text, ctx: admin)
                    Issue.record("accepted a file that breaks \(rule)")
                } catch let r as DivisionRefusal {
                    #expect(r.rule == rule)
                    #expect(r.line == line)
                }
                #expect(try await Area.query(on: app.db).count() == count, "nothing half-loaded")
            }
            let ok = try await DivisionImport.run(text: header + "150300000000,乌海市,\n150302000000,海勃湾区,\n150302001000,凤凰岭街道,\n150302001001,新星社区,111\n", ctx: admin)
            #expect(ok.created == 4)
            #expect(try await Area.find("150302001001", on: app.db)?.kind == .urban)
        }
    }

    @Test("A league's division list, far larger than a form's default body, loads through the page (the form sends its token in the address)")
    func largeDivisionFileThroughThePage() async throws {
        try await withDibao(households: 0) { app in
            var csv = "code,name,urban_rural_code,resident_population\n150300000000,乌海市,,\n150302000000,海勃湾区,,\n150302001000,新华街道,,\n"
            for v in 1...600 { csv += "150302001\(String(format: "%03d", v)),新华第\(v)社区居民委员会,111,1000\n" }
            let admin = try await Client.signedIn(app, as: "admin")
            let page = try await admin.get("/admin/areas").body.string
            #expect(page.contains("action=\"/admin/areas?_csrf="))
            let res = try await admin.postForm("/admin/areas?_csrf=\(admin.csrf ?? "")", ["fileText": csv])
            #expect(res.status == .ok, "\(res.status)")
            #expect(try await Area.query(on: app.db).filter(\.$parentCode == "150302001000").count() == 600)
        }
    }
}
