import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

@Suite("Application workflow, intake to enrollment (二.二, 二.三)")
struct WorkflowTests {
    @Test("One application walks every stage, each step by its role; refusals on the way name their rule")
    func fullWalk() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let hid = try await d.household(seed: 50)
            var c = try await d.file(hid)
            #expect(c.stage == "submitted")
            #expect(try ReceiptNumber(c.receipt).township.value == "150102001000")
            #expect(c.declarations.allSatisfy { $0.signer == "测试户主" })

            // Acceptance starts the county clock: 30 working days from 2026-03-02.
            c = try #require(try await d.step("xc_township", c.id, .accept))
            #expect(c.stage == "underInvestigation")
            #expect(c.deadline == WorkingDayCalendar.official.adding(workingDays: 30, to: CivilDate(iso: "2026-03-02")!).iso)
            #expect(c.workingDaysLeft == 30)

            // One investigator is not enough (二.二.2).
            var lone = StepInput.investigation
            lone.investigators = "王调查"
            let refused = try await d.call("xc_township", .POST, "/api/v1/cases/\(c.id)/steps/completeInvestigation", lone)
            #expect(refused.status == .unprocessableEntity)
            #expect(d.problems(refused).contains { $0.hasPrefix("case.") })
            c = try #require(try await d.step("xc_township", c.id, .completeInvestigation, .investigation))
            // 906 × 2 members − (800 wages + 200 owed support) = 812.
            #expect(c.computedAmount == "¥812.00")
            #expect(c.breakdown.count >= 3)

            // A panel under 5 % of the village's 1000 residents is refused.
            var small = StepInput.evaluation
            small.panelSize = 20; small.votesFor = 20; small.votesAgainst = 0; small.votesAbstain = 0
            try await d.step("xc_township", c.id, .recordEvaluation, small, expect: .unprocessableEntity)
            c = try #require(try await d.step("xc_township", c.id, .recordEvaluation, .evaluation))

            // Only the township head signs the township's opinion.
            try await d.step("xc_township", c.id, .townshipApprove, StepInput(opinion: "同意"), expect: .forbidden)
            c = try #require(try await d.step("xc_head", c.id, .townshipApprove, StepInput(opinion: "同意")))
            #expect(c.proposedAmount == "812.00")
            c = try #require(try await d.step("xc_township", c.id, .postFirstNotice))
            #expect(c.notices.map(\.kind) == ["first"])

            // The notice hangs seven days before the case may go up.
            try await d.step("xc_township", c.id, .submitToCounty, expect: .unprocessableEntity)
            clock.advance(days: 7)
            c = try #require(try await d.step("xc_township", c.id, .submitToCounty))
            #expect(c.stage == "awaitingApproval")

            // No approval before the batch is drawn for spot checks.
            try await d.step("xc_approver", c.id, .approve, StepInput(amount: "812", firstMonth: "2026-04"), expect: .unprocessableEntity)
            let draw = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "42"))
            #expect(draw.status == .created)
            c = try await CaseView.load(try #require(try await ApplicationCase.find(c.id, on: app.db)), for: try actor(app, "xc_approver"), on: Request(application: app, on: app.eventLoopGroup.any()))
            #expect(c.stage == "spotCheck", "a batch of one is drawn whole")
            try await d.step("xc_approver", c.id, .approve, StepInput(amount: "812", firstMonth: "2026-04"), expect: .unprocessableEntity)
            var visit = StepInput()
            visit.findings = "与调查一致"
            c = try #require(try await d.step("xc_county", c.id, .recordSpotCheckVisit, visit))
            #expect(c.stage == "awaitingApproval")

            // Approval is the approver's alone.
            try await d.step("xc_county", c.id, .approve, StepInput(amount: "812", firstMonth: "2026-04"), expect: .forbidden)
            c = try #require(try await d.step("xc_approver", c.id, .approve, StepInput(amount: "812", firstMonth: "2026-04")))
            #expect(c.stage == "approved")
            #expect(c.approvedAmount == "¥812.00")
            #expect(c.firstMonth == "2026-04")

            c = try #require(try await d.step("xc_county", c.id, .postSecondNotice))
            c = try #require(try await d.step("xc_county", c.id, .enroll))
            #expect(c.stage == "enrolled")
            // A member with a grade-2 disability and stable income: reviewed yearly, from April 2026.
            #expect(c.reviewClass == ReviewClass.severeStable.zh)
            #expect(c.nextReviewOn == "2027-04-01")
            #expect(try await Household.find(hid, on: app.db)?.status == "enrolled")

            // The public finds it by receipt and on the notice page, masked.
            let lookup = try await d.call("nobody", .GET, "/api/v1/public/cases/\(c.receipt)")
            #expect(try lookup.decode(PublicPages.Lookup.self).stage == "enrolled")
            let notices = try await d.call("nobody", .GET, "/api/v1/public/notices?area=150102001000")
            let list = try notices.decode(PublicPages.NoticeList.self)
            #expect(list.second.contains { $0.head == Masking.name("测试户主50") && $0.amount == "¥812.00" })

            let history = try await d.call("xc_county", .GET, "/api/v1/cases/\(c.id)/history")
            #expect(try history.decode([HistoryRow].self).count >= 12)
            #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: try await AuditEvent.query(on: app.db).count()))
        }
    }

    @Test("An objection during the first notice blocks going up to the county until it is answered; the objector reads the answer")
    func objectionBlocks() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 51))
            try await d.step("xc_township", c.id, .accept)
            try await d.step("xc_township", c.id, .completeInvestigation, .investigation)
            try await d.step("xc_township", c.id, .recordEvaluation, .evaluation)
            try await d.step("xc_head", c.id, .townshipApprove, StepInput(opinion: "同意"))
            try await d.step("xc_township", c.id, .postFirstNotice)

            let raised = try await d.call("nobody", .POST, "/api/v1/public/objections", Objections.RaiseInput(receipt: c.receipt, name: nil, text: "该户有一辆新车"))
            #expect(raised.status == .created)
            let reference = try raised.decode(Objections.Raised.self).reference
            clock.advance(days: 8)
            let blocked = try await d.call("xc_township", .POST, "/api/v1/cases/\(c.id)/steps/submitToCounty", StepInput())
            #expect(blocked.status == .unprocessableEntity)
            #expect(d.problems(blocked) == ["case.objection_open"])

            let view = try await d.call("xc_township", .GET, "/api/v1/cases/\(c.id)")
            let objection = try #require(try view.decode(CaseView.self).objections.first)
            try await d.call("xc_bank", .POST, "/api/v1/cases/\(c.id)/objections/\(objection.id)/answer", Objections.AnswerInput(answer: "x"))
            let answered = try await d.call("xc_township", .POST, "/api/v1/cases/\(c.id)/objections/\(objection.id)/answer", Objections.AnswerInput(answer: "经核查，车辆登记在其兄名下"))
            #expect(answered.status == .ok)
            try await d.step("xc_township", c.id, .submitToCounty)

            let publicView = try await d.call("nobody", .GET, "/api/v1/public/objections/\(reference)")
            let o = try publicView.decode(PublicPages.ObjectionView.self)
            #expect(o.status == "answered")
            #expect(o.answer == "经核查，车辆登记在其兄名下")
        }
    }

    @Test("An open objection blocks approval until answered")
    func objectionBlocksApproval() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 52))
            try await d.toCounty(c.id, clock: clock)
            _ = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "7"))
            var visit = StepInput(); visit.findings = "属实"
            try await d.step("xc_county", c.id, .recordSpotCheckVisit, visit)
            // A letter reaches the county during approval.
            let recorded = try await d.call("xc_county", .POST, "/api/v1/cases/\(c.id)/objections", CaseAPI.ObjectionBody(name: "来信", text: "申请人在外地务工"))
            #expect(recorded.status == .created)
            let blocked = try await d.call("xc_approver", .POST, "/api/v1/cases/\(c.id)/steps/approve", StepInput(amount: "812", firstMonth: "2026-04"))
            #expect(blocked.status == .unprocessableEntity)
            #expect(d.problems(blocked) == ["case.objection_open"])
            let view = try await d.call("xc_county", .GET, "/api/v1/cases/\(c.id)")
            let objection = try #require(try view.decode(CaseView.self).objections.first)
            try await d.call("xc_county", .POST, "/api/v1/cases/\(c.id)/objections/\(objection.id)/answer", Objections.AnswerInput(answer: "经核实，务工收入已计入"))
            try await d.step("xc_approver", c.id, .approve, StepInput(amount: "812", firstMonth: "2026-04"))
        }
    }

    @Test("Returning a case for re-review restarts the 30-working-day clock")
    func returnRestartsClock() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 53))
            try await d.toCounty(c.id, clock: clock)
            let before = try #require(try await ApplicationCase.find(c.id, on: app.db))
            #expect(before.clockStartedOn == "2026-03-02")
            clock.advance(days: 14)   // 2026-03-23
            try await d.step("xc_approver", c.id, .returnForReview, StepInput(), expect: .unprocessableEntity)   // a reason is required
            let returned = try #require(try await d.step("xc_approver", c.id, .returnForReview, StepInput(reason: "收入核查不充分，重新调查")))
            #expect(returned.stage == "returned")
            let publicView = try await d.call("nobody", .GET, "/api/v1/public/cases/\(c.receipt)").decode(PublicPages.Lookup.self)
            #expect(publicView.stage == "returned")
            #expect(publicView.reason == nil, "the county's instruction to the township is not published")
            let after = try #require(try await ApplicationCase.find(c.id, on: app.db))
            #expect(after.clockStartedOn == "2026-03-23")
            #expect(after.deadline == WorkingDayCalendar.official.adding(workingDays: 30, to: CivilDate(iso: "2026-03-23")!).iso)
            #expect(returned.workingDaysLeft == 30)
            #expect(after.acceptedOn == "2026-03-02", "acceptance itself is not rewritten")
            let again = try #require(try await d.step("xc_township", c.id, .reinvestigate))
            #expect(again.stage == "underInvestigation")
            let lookup = try await d.call("nobody", .GET, "/api/v1/public/cases/\(c.receipt)")
            #expect(try lookup.decode(PublicPages.Lookup.self).reason == nil, "an in-progress case shows no reason publicly")
        }
    }

    @Test("A refusal is explained to the applicant on the public lookup")
    func refusalReasonIsPublic() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 55))
            try await d.toCounty(c.id, clock: clock)
            try await d.step("xc_approver", c.id, .refuse, StepInput(), expect: .unprocessableEntity)   // no reason, no refusal
            let refused = try #require(try await d.step("xc_approver", c.id, .refuse, StepInput(reason: "家庭人均收入高于当地低保标准")))
            #expect(refused.stage == "refused")
            let bare = try await d.call("nobody", .GET, "/api/v1/public/cases/\(c.receipt)").decode(PublicPages.Lookup.self)
            #expect(bare.reason == nil && bare.head == nil && bare.village == nil, "without the phone's last digits only the stage shows (issue 12)")
            let wrong = try await d.call("nobody", .GET, "/api/v1/public/cases/\(c.receipt)?phone=0000").decode(PublicPages.Lookup.self)
            #expect(wrong.reason == nil)
            let lookup = try await d.call("nobody", .GET, "/api/v1/public/cases/\(c.receipt)?phone=5678").decode(PublicPages.Lookup.self)
            #expect(lookup.reason == "家庭人均收入高于当地低保标准")
            #expect(lookup.stageName == CaseStage.refused.zh)
        }
    }

    @Test("Spot-check draws take at least 30 % of the batch, rounded up, and an auditor's redraw gives the same cases")
    func spotCheckDraws() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app, users: ["xc_township", "xc_village", "xc_head", "xc_approver", "tk_approver", "supervisor"])
            var ids: [UUID] = []
            for seed in 60..<67 {
                let c = try await d.file(try await d.household(seed: seed))
                ids.append(c.id)
            }
            for id in ids { try await d.toCounty(id, clock: clock); clock.advance(days: -7) }
            // The batch: these seven and any demo case of the county already awaiting the county.
            let undrawn = try await CountyApproval.undrawnBatch(county: "150102000000", on: app.db)
            #expect(undrawn.count >= 7)
            let res = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "20260302"))
            let outcome = try res.decode(CountyApproval.DrawOutcome.self)
            #expect(outcome.population == undrawn.count)
            #expect(outcome.picked.count == (undrawn.count * 30 + 99) / 100, "ceil(batch × 30 %)")
            let inSpotCheck = try await ApplicationCase.query(on: app.db).filter(\.$stage == .spotCheck).all().map(\.receipt)
            #expect(Set(inSpotCheck) == Set(outcome.picked))
            // Every case of the batch has its event from the kernel, drawn or not (issue 13).
            let drawnEvents = try await AuditEvent.query(on: app.db).filter(\.$action == "case.drawSpotCheck").all()
            let notPicked = try await AuditEvent.query(on: app.db).filter(\.$action == "case.spotCheckNotPicked").all()
            #expect(drawnEvents.count == outcome.picked.count)
            #expect(notPicked.count == outcome.population - outcome.picked.count)
            #expect(Set((drawnEvents + notPicked).map(\.entityID)) == Set(undrawn.map { $0.id!.uuidString }))
            let record = try await d.call("supervisor", .GET, "/api/v1/spot-checks/\(outcome.drawID)")
            #expect(try record.decode(CaseAPI.DrawView.self).redrawMatches)
            // Another county's approver cannot draw this county's batch or read the draw.
            let other = try await d.call("tk_approver", .GET, "/api/v1/spot-checks/\(outcome.drawID)")
            #expect(other.status == .notFound)
            // Nothing is left undrawn; a second draw has nothing to take.
            let again = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "1"))
            #expect(again.status == .unprocessableEntity)
            // Tampering with the recorded picks is caught by the redraw.
            let draw = try #require(try await SpotCheckDrawRecord.find(outcome.drawID, on: app.db))
            let batch = try JSONDecoder().decode([String].self, from: Data(draw.batch.utf8))
            let recorded = try JSONDecoder().decode([String].self, from: Data(draw.picked.utf8))
            let forged = batch.filter { !recorded.contains($0) }.prefix(3)
            draw.picked = String(decoding: try JSONEncoder().encode(Array(forged)), as: UTF8.self)
            try await draw.save(on: app.db)
            #expect(try CountyApproval.redraw(draw).same == false)
        }
    }

    @Test("The public pages of a demo area carry no full ID number, phone, street address or health/disability detail")
    func publicPagesLeakNothing() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            var receipts: [String] = []
            for seed in 70..<73 {
                let c = try await d.file(try await d.household(seed: seed))
                try await d.toCounty(c.id, clock: clock)
                clock.advance(days: -7)
                receipts.append(c.receipt)
            }
            _ = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "3"))
            for c in try await ApplicationCase.query(on: app.db).filter(\.$receipt ~~ receipts).all() {
                if c.stage == .spotCheck {
                    var v = StepInput(); v.findings = "属实"
                    try await d.step("xc_county", c.id!, .recordSpotCheckVisit, v)
                }
                if c.receipt == receipts[2] { continue }   // left awaiting the county's decision
                try await d.step("xc_approver", c.id!, .approve, StepInput(amount: "812", firstMonth: "2026-04"))
                try await d.step("xc_county", c.id!, .postSecondNotice)
            }
            // One more case currently on its first notice.
            let fresh = try await d.file(try await d.household(seed: 74))
            try await d.step("xc_township", fresh.id, .accept)
            try await d.step("xc_township", fresh.id, .completeInvestigation, .investigation)
            try await d.step("xc_township", fresh.id, .recordEvaluation, .evaluation)
            try await d.step("xc_head", fresh.id, .townshipApprove, StepInput(opinion: "同意"))
            try await d.step("xc_township", fresh.id, .postFirstNotice)

            var pages: [String] = []
            for path in ["/public/notices?area=150102001000", "/public/notices?area=150102001001", "/public/notices?area=150102000000",
                         "/api/v1/public/notices?area=150102001000"] + (receipts + [fresh.receipt]).flatMap { ["/public/lookup?receipt=\($0)", "/api/v1/public/cases/\($0)"] } {
                let res = try await d.call("nobody", .GET, path)
                #expect(res.status == .ok, "\(path)")
                pages.append(res.body.string)
            }
            let html = pages.joined(separator: "\n")
            #expect(html.contains(Masking.name("测试户主70")), "the notice shows the masked head")
            #expect(html.contains("测试户主74") == false)
            let members = try await Member.query(on: app.db).all()
            let households = try await Household.query(on: app.db).all()
            for m in members {
                #expect(!html.contains(m.idNumber), "full ID number on a public page")
                if m.name.count >= 2 { #expect(!html.contains(m.name), "unmasked name \(m.name) on a public page") }
                if !m.illnessNote.isEmpty { #expect(!html.contains(m.illnessNote), "health detail on a public page") }
            }
            for h in households {
                if !h.phone.isEmpty { #expect(!html.contains(h.phone), "phone on a public page") }
                #expect(!html.contains(h.address), "street address on a public page")
            }
            // Any 18-character ID-shaped number, any 11-digit mobile number, disability grades.
            #expect(html.range(of: #"\d{17}[\dX]"#, options: .regularExpression) == nil)
            let phone = html.range(of: #"(?<![\d-])1[3-9]\d{9}(?!\d)"#, options: .regularExpression)
            var context = ""
            if let phone { context = String(html[phone]) }
            #expect(phone == nil, "phone-shaped number: \(context)")
            for word in ["残疾", "一级", "二级", "重病", "尿毒症", "disab"] { #expect(!html.contains(word), "\(word) on a public page") }
        }
    }
}

func actor(_ app: Application, _ username: String) async throws -> StaffActor {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    return try #require(StaffActor(user, viaToken: true))
}

@Suite("Cached pages")
struct CachedPageTests {
    @Test("The cached public notice page and work queue show a change at once")
    func invalidatedByWrites() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 80))
            try await d.step("xc_township", c.id, .accept)
            try await d.step("xc_township", c.id, .completeInvestigation, .investigation)
            try await d.step("xc_township", c.id, .recordEvaluation, .evaluation)
            try await d.step("xc_head", c.id, .townshipApprove, StepInput(opinion: "同意"))
            let path = "/api/v1/public/notices?area=150102001001"
            let before = try await d.call("nobody", .GET, path).decode(PublicPages.NoticeList.self)
            #expect(try await d.call("nobody", .GET, path).decode(PublicPages.NoticeList.self).first.count == before.first.count, "read twice, served from the cache")
            try await d.step("xc_township", c.id, .postFirstNotice)
            let after = try await d.call("nobody", .GET, path).decode(PublicPages.NoticeList.self)
            #expect(after.first.count == before.first.count + 1, "a posted notice shows at once")
            #expect(after.first.contains { $0.receipt == c.receipt })

            let queue1 = try await d.call("xc_township", .GET, "/api/v1/cases").decode([CaseRow].self)
            #expect(queue1.contains { $0.receipt == c.receipt && $0.stage == "firstNotice" })
            clock.advance(days: 7)
            try await d.step("xc_township", c.id, .submitToCounty)
            let queue2 = try await d.call("xc_township", .GET, "/api/v1/cases").decode([CaseRow].self)
            #expect(!queue2.contains { $0.receipt == c.receipt }, "the township's queue no longer holds a case gone up to the county")
            let county = try await d.call("xc_approver", .GET, "/api/v1/cases").decode([CaseRow].self)
            #expect(county.contains { $0.receipt == c.receipt })
        }
    }
}

@Suite("Work queues")
struct QueueTests {
    @Test("Each role's home lists the cases waiting for it, oldest deadline first")
    func homeQueue() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let first = try await d.file(try await d.household(seed: 90))
            try await d.step("xc_township", first.id, .accept)
            clock.advance(days: 3)
            let second = try await d.file(try await d.household(seed: 91))
            try await d.step("xc_township", second.id, .accept)
            let third = try await d.file(try await d.household(seed: 92))   // not accepted yet: no clock

            let rows = try await d.call("xc_township", .GET, "/api/v1/cases").decode([CaseRow].self)
            let ours = rows.filter { [first.receipt, second.receipt, third.receipt].contains($0.receipt) }.map(\.receipt)
            #expect(ours == [first.receipt, second.receipt, third.receipt], "earliest deadline first, unstarted clocks last")
            let deadlines = rows.compactMap(\.deadline)
            #expect(deadlines == deadlines.sorted())

            let home = try await Client.signedIn(app, as: "xc_township").get("/")
            let html = home.body.string
            #expect(html.contains("id=\"home-queue\""))
            let a = try #require(html.range(of: first.receipt)), b = try #require(html.range(of: second.receipt))
            #expect(a.lowerBound < b.lowerBound)
            // The approver has nothing of these waiting: they are still at the township.
            let approver = try await d.call("xc_approver", .GET, "/api/v1/cases").decode([CaseRow].self)
            #expect(!approver.contains { $0.receipt == first.receipt })
        }
    }
}

@Suite("Evidence and the integrity blacklist (二.二.1)")
struct EvidenceTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 64)

    func upload(_ app: Application, _ headers: HTTPHeaders, caseID: UUID, kind: String, filename: String, data: Data) async throws -> TestingHTTPResponse {
        let boundary = "dibao-test-boundary"
        var body = Data()
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += data + Data("\r\n--\(boundary)--\r\n".utf8)
        var h = headers
        h.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        var captured: TestingHTTPResponse?
        try await app.testing().test(.POST, "/api/v1/cases/\(caseID)/evidence", headers: h, body: ByteBuffer(data: body)) { captured = $0 }
        return captured!
    }

    @Test("Only PDF, JPEG and PNG up to the size limit are kept, and only roles that see full records may open them")
    func evidence() async throws {
        try await withDibao { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 95))
            let headers = try await tokenHeaders(app, for: "xc_township")
            let ok = try await upload(app, headers, caseID: c.id, kind: "income", filename: "../../etc/收入证明.png", data: Self.png)
            #expect(ok.status == .created)
            let text = try await upload(app, headers, caseID: c.id, kind: "income", filename: "note.png", data: Data("not an image".utf8))
            #expect(text.status == .unprocessableEntity)
            #expect(d.problems(text) == ["evidence.type"])
            let big = try await upload(app, headers, caseID: c.id, kind: "income", filename: "big.png",
                                       data: Self.png + Data(count: app.dibao.settings.maxEvidenceBytes))
            #expect(big.status == .unprocessableEntity)
            #expect(d.problems(big) == ["evidence.size"])
            let files = try await EvidenceFile.query(on: app.db).filter(\.$caseID == c.id).all()
            #expect(files.count == 1, "refused files leave nothing behind")
            let file = try #require(files.first)
            #expect(file.filename == "收入证明.png", "the uploaded name is kept only as a label, without its path")
            #expect(file.contentType == "image/png")
            let stored = try #require(FileManager.default.contents(atPath: app.dibao.settings.storageDirectory + "/" + file.storedName))
            #expect(stored == Self.png)

            let path = "/cases/\(c.id)/evidence/\(try file.requireID())"
            let township = try await Client.signedIn(app, as: "xc_township").get(path)
            #expect(township.status == .ok)
            #expect(Data(township.body.readableBytesView) == Self.png)
            #expect(township.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(try await Client.signedIn(app, as: "supervisor").get(path).status == .forbidden)
            #expect(try await Client.signedIn(app, as: "tk_township").get(path).status == .notFound)
        }
    }

    @Test("An untrue declaration can put the applicant on the blacklist, which the next application shows")
    func blacklist() async throws {
        try await withDibao { app in
            let d = try await CaseDriver.make(app)
            let hid = try await d.household(seed: 96)
            let c = try await d.file(hid)
            #expect(c.blacklistHit == false)
            try await d.step("xc_township", c.id, .accept)
            var untrue = StepInput.investigation
            untrue.truth?[DeclarationKind.incomeAndAssets.rawValue] = "false"
            untrue.blacklist = "on"
            // Listing needs a reason.
            try await d.step("xc_township", c.id, .completeInvestigation, untrue, expect: .unprocessableEntity)
            untrue.blacklistReason = "隐瞒经营性收入"
            let investigated = try #require(try await d.step("xc_township", c.id, .completeInvestigation, untrue))
            #expect(investigated.declarations.first { $0.kind == DeclarationKind.incomeAndAssets.rawValue }?.heldTrue == false)
            try await d.step("xc_township", c.id, .withdraw, StepInput(reason: "申请人撤回"))
            let again = try await d.file(hid)
            #expect(again.blacklistHit)
            #expect(again.blacklistNote.contains("隐瞒经营性收入"))
            let entry = try #require(try await BlacklistEntry.query(on: app.db).first())
            #expect(entry.decidedBy == "xc_township")
        }
    }
}
