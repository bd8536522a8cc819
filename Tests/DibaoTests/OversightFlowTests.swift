import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

@Suite("Oversight: complaints, the relatives registry, inspections, fund oversight")
struct OversightFlowTests {
    func ctx(_ app: Application, _ user: String) async throws -> ServiceContext {
        app.context(try await staffActor(app, user))
    }

    func enrolled(_ app: Application) async throws -> EnrolledHousehold {
        try #require(try await EnrolledHousehold.query(on: app.db).filter(\.$townshipCode == "150102001000").filter(\.$status == .enrolled).sort(\.$id).first())
    }

    @Test("a public complaint: first-inquiry owner, one notice of missing materials (the clock waits), a review answers it; a repeat is answered, not accepted")
    func complaintThroughReview() async throws {
        let clock = TestClock("2026-09-01")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let e = try await enrolled(app)
            let home = try #require(try await Household.find(e.householdID, on: app.db))
            let text = "反映该户家中有轿车且子女在外务工收入较高，仍在享受低保，请核查。"
            let body = ComplaintInput(complainantName: "张某", complainantPhone: "13900001111", subject: "household", subjectText: home.headName,
                                      area: e.villageCode, text: text)
            let submitted = try await d.call("nobody", .POST, "/api/v1/public/complaints", body)
            #expect(submitted.status == .created, "\(submitted.body.string)")
            let reference = try submitted.decode(ComplaintPublicPages.Submitted.self).reference
            #expect(reference.count == 14)
            let c = try #require(try await Complaint.query(on: app.db).filter(\.$reference == reference).first())
            #expect(c.stage == .received && c.ownerUsername == nil)
            let id = try #require(c.id)
            func step(_ user: String, _ action: ComplaintAction, _ input: ComplaintInput = ComplaintInput(), _ status: HTTPResponseStatus = .ok) async throws -> ComplaintView? {
                let res = try await d.call(user, .POST, "/api/v1/complaints/\(id)/steps/\(action.rawValue)", input)
                #expect(res.status == status, "\(user) \(action.rawValue): \(res.body.string)")
                return res.status == .ok ? try res.decode(ComplaintView.self) : nil
            }
            // Another county's staff do not see it; finance may not take it.
            #expect(try await d.call("tk_county", .POST, "/api/v1/complaints/\(id)/steps/take", ComplaintInput()).status == .notFound)
            #expect(try await d.call("xc_finance", .POST, "/api/v1/complaints/\(id)/steps/take", ComplaintInput()).status == .forbidden)
            // 首问: the township caseworker who opens it first owns it; the county caseworker may not act on it.
            let taken = try #require(try await step("xc_township", .take))
            #expect(taken.owner == "xc_township" && taken.stage == "registered")
            #expect(d.problems(try await d.call("xc_county", .POST, "/api/v1/complaints/\(id)/steps/accept", ComplaintInput())) == ["complaint.first_inquiry_owner"])
            // One notice listing everything missing; the acceptance clock waits for the complainant.
            let waiting = try #require(try await step("xc_township", .requestMaterials, ComplaintInput(missingItems: "车辆照片或车牌号\n子女务工单位名称")))
            #expect(waiting.missingItems == ["车辆照片或车牌号", "子女务工单位名称"])
            let status1 = try await d.call("nobody", .GET, "/api/v1/public/complaints/\(reference)")
            #expect(try status1.decode(PublicComplaintView.self).missingItems.count == 2)
            clock.advance(days: 20)
            let paused = try #require(try await d.call("xc_township", .GET, "/api/v1/complaints/\(id)").decode(ComplaintView.self))
            #expect(paused.timeState == "paused", "twenty days waiting for materials is not a breach")
            #expect(try await step("xc_township", .completeMaterials)?.stage == "registered")
            #expect(d.problems(try await d.call("xc_township", .POST, "/api/v1/complaints/\(id)/steps/request_materials", ComplaintInput(missingItems: "再补一项"))) == ["complaint.one_notice"])
            // Received 1 September, 15 days, 20 waited: due 6 October, a holiday — so 8 October.
            let resumed = try #require(try await d.call("xc_township", .GET, "/api/v1/complaints/\(id)").decode(ComplaintView.self))
            #expect(resumed.deadline == "2026-10-08")
            #expect(resumed.timeState == "on_track")
            let accepted = try #require(try await step("xc_township", .accept, ComplaintInput(subjectHousehold: e.householdID.uuidString)))
            #expect(accepted.subjectHouseholdID == e.householdID.uuidString)
            #expect(accepted.deadline == "2026-11-20", "60 days from acceptance on 21 September")
            // Extended once by 30 days (第三十二条): 20 December is a Sunday, so the 21st.
            #expect(try await step("xc_township", .extend, ComplaintInput(), .unprocessableEntity) == nil, "an extension needs its reason")
            let extended = try #require(try await step("xc_township", .extend, ComplaintInput(reason: "需公安核实车辆登记")))
            #expect(extended.deadline == "2026-12-21")
            #expect(d.problems(try await d.call("xc_township", .POST, "/api/v1/complaints/\(id)/steps/extend", ComplaintInput(reason: "再延"))) == ["complaint.extended_once"])
            let reviewing = try #require(try await step("xc_township", .openReview, ComplaintInput(reason: "投诉反映有车辆")))
            let rid = try #require(reviewing.reviewID)
            let review = try #require(try await ReviewCase.find(rid, on: app.db))
            #expect(review.trigger == .complaint && review.triggerID == reference)

            // The review runs its course; its decision answers the complaint.
            _ = try await ReviewWorkflow.perform(.recordVisit, review: rid, input: ReviewInput(visitKind: "home", visitors: "王复核、李复核", notes: "入户核实"), ctx: try await ctx(app, "xc_township"))
            _ = try await ReviewWorkflow.perform(.propose, review: rid, input: ReviewInput(reason: "经核实无车辆", outcome: "suspend"), ctx: try await ctx(app, "xc_head"))
            _ = try await ReviewWorkflow.perform(.decide, review: rid, input: ReviewInput(reason: "待核清车辆登记前暂停发放", outcome: "suspend"), ctx: try await ctx(app, "xc_approver"))
            let answered = try #require(try await Complaint.find(id, on: app.db))
            #expect(answered.stage == .answered)
            #expect(answered.answerOutcome == "suspend")
            let publicView = try await d.call("nobody", .GET, "/api/v1/public/complaints/\(reference)").decode(PublicComplaintView.self)
            #expect(publicView.answer?.contains(ReviewOutcome.suspend.zh) == true)

            // The same facts again from the same phone: proposed as a repeat, answered with the earlier decision.
            let again = try await d.call("nobody", .POST, "/api/v1/public/complaints", ComplaintInput(complainantPhone: "13900001111", subject: "household",
                                                                                                        subjectText: home.headName, area: e.villageCode, text: "再次" + text))
            let ref2 = try again.decode(ComplaintPublicPages.Submitted.self).reference
            let id2 = try #require(try await Complaint.query(on: app.db).filter(\.$reference == ref2).first()?.id)
            _ = try await d.call("xc_township", .POST, "/api/v1/complaints/\(id2)/steps/take", ComplaintInput())
            let view2 = try await d.call("xc_township", .GET, "/api/v1/complaints/\(id2)").decode(ComplaintView.self)
            #expect(view2.candidates.map(\.id) == [id])
            let declined = try await d.call("xc_township", .POST, "/api/v1/complaints/\(id2)/steps/decline_repeat", ComplaintInput(repeatOf: String(id)))
            #expect(try declined.decode(ComplaintView.self).stage == "not_accepted")
            let public2 = try await d.call("nobody", .GET, "/api/v1/public/complaints/\(ref2)").decode(PublicComplaintView.self)
            #expect(public2.earlierAnswer == publicView.answer)
            #expect(public2.notAcceptedNote != nil)

            // The public pages show no ID number, phone or address: the household's or the complainant's.
            let members = try await Member.query(on: app.db).filter(\.$household.$id == e.householdID).all()
            for path in ["/public/complaints/\(reference)", "/public/complaints/\(ref2)", "/public/complaints/new?area=\(e.villageCode)",
                         "/public/complaints/results?area=150102000000", "/api/v1/public/complaints/\(reference)"] {
                let page = try await d.call("nobody", .GET, path)
                #expect(page.status == .ok, "\(path)")
                let html = page.body.string
                for m in members { #expect(!html.contains(m.idNumber), "\(path) shows an ID number") }
                #expect(!html.contains("13900001111"), "\(path) shows the complainant's phone")
                if !home.phone.isEmpty { #expect(!html.contains(home.phone), "\(path) shows the household's phone") }
                #expect(!html.contains(home.address), "\(path) shows the address")
                #expect(!html.contains(home.headName) || path.contains("new"), "\(path) shows the head's whole name")
            }
            // Every step is an audit event of the complaint.
            let actions = try await AuditEvent.query(on: app.db).filter(\.$entityType == "complaint").filter(\.$entityID == String(id)).sort(\.$id).all().map(\.action)
            #expect(actions.filter { $0 == "access.denied" }.count == 1, "the other county's attempt")
            #expect(actions.filter { $0 != "access.denied" } == ["complaint.submit_online", "complaint.take", "complaint.request_materials", "complaint.complete_materials",
                                "complaint.accept", "complaint.extend", "complaint.open_review", "complaint.answer"])
        }
    }

    @Test("a flood of anonymous complaints from one client is limited like objections, with the reason in the person's language")
    func complaintFlood() async throws {
        try await withDibao { app in
            let d = try await CaseDriver.make(app, users: [])
            var statuses: [HTTPResponseStatus] = []
            for i in 0..<12 {
                let res = try await d.call("nobody", .POST, "/api/v1/public/complaints",
                                           ComplaintInput(subject: "none", area: "150102001001", text: "第\(i)次反映同一问题，内容各不相同\(i)"))
                statuses.append(res.status)
            }
            #expect(statuses.filter { $0 == .created }.count == app.dibao.settings.complaintsPerClientPerHour)
            #expect(statuses.suffix(12 - app.dibao.settings.complaintsPerClientPerHour).allSatisfy { $0 == .tooManyRequests })
            #expect(try await Complaint.query(on: app.db).count() == app.dibao.settings.complaintsPerClientPerHour)
            // Bad input names the field, and never a 500.
            let bad = try await d.call("nobody", .POST, "/api/v1/public/complaints", ComplaintInput(area: "x", text: "y"))
            #expect(bad.status == .unprocessableEntity, "checked before it is counted")
            #expect(d.problems(bad) == ["complaint.area"])
        }
    }

    @Test("registering a cadre's relative who is enrolled flags the household at once; a registered relative's application waits for its focused check")
    func relatives() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let e = try await enrolled(app)
            let member = try #require(try await Member.query(on: app.db).filter(\.$household.$id == e.householdID).first())
            let body = RelativesRegistry.RegisterInput(registrantName: "李支书", registrantKind: "village_cadre", registrantPost: "党支部书记",
                                                       area: e.villageCode, relation: "sibling", relativeName: member.name, relativeIdNumber: member.idNumber)
            // Finance and another county may not register.
            #expect(try await d.call("xc_finance", .POST, "/api/v1/supervision/relatives", body).status == .forbidden)
            #expect(try await d.call("tk_county", .POST, "/api/v1/supervision/relatives", body).status == .unprocessableEntity)
            let res = try await d.call("xc_county", .POST, "/api/v1/supervision/relatives", body)
            #expect(res.status == .created, "\(res.body.string)")
            #expect(try res.decode(SupervisionAPI.Registered.self).flagged == 1)
            #expect(try await RelativeFlag.query(on: app.db).filter(\.$householdID == e.householdID).count() == 1)
            let flags = try await d.call("xc_township", .GET, "/api/v1/supervision/relatives").decode([SupervisionQueries.FlagRow].self)
            #expect(flags.map(\.householdID) == [e.householdID.uuidString])
            #expect(flags[0].relativeIDNumber == member.idNumber, "the township sees personal data")
            let masked = try await d.call("supervisor", .GET, "/api/v1/supervision/relatives").decode([SupervisionQueries.FlagRow].self)
            #expect(masked[0].relativeIDNumber == Masking.idNumber(member.idNumber))
            #expect(try await d.call("tk_county", .GET, "/api/v1/supervision/relatives").decode([SupervisionQueries.FlagRow].self).isEmpty)

            // A relative registered before the household applies: flagged when the application is filed.
            let hid = try await d.household(seed: 77)
            let applicant = try #require(try await Member.query(on: app.db).filter(\.$household.$id == hid).first())
            var second = body
            second.relativeName = applicant.name
            second.relativeIdNumber = applicant.idNumber
            #expect(try await d.call("xc_township", .POST, "/api/v1/supervision/relatives", second).decode(SupervisionAPI.Registered.self).flagged == 0,
                    "a household that neither applies nor is enrolled is not flagged")
            let c = try await d.file(hid)
            #expect(try await RelativeFlag.query(on: app.db).filter(\.$householdID == hid).first()?.source == "application")
            try await d.toCounty(c.id, clock: clock)
            _ = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "42"))
            if try await ApplicationCase.find(c.id, on: app.db)?.stage == .spotCheck {
                var visit = StepInput()
                visit.findings = "与调查一致"
                try await d.step("xc_county", c.id, .recordSpotCheckVisit, visit)
            }
            let proposed = try #require(try await ApplicationCase.find(c.id, on: app.db)?.proposedAmountFen)
            let amount = Money(fen: proposed).plain
            let refused = try await d.call("xc_approver", .POST, "/api/v1/cases/\(c.id)/steps/approve", StepInput(amount: amount, firstMonth: "2026-04"))
            #expect(refused.status == .unprocessableEntity)
            #expect(d.problems(refused).contains("case.focused_check"))
            let check = RelativesRegistry.CheckInput(household: hid.uuidString, caseId: c.id.uuidString, finding: "eligible", note: "入户核查，收入财产属实")
            #expect(try await d.call("xc_township", .POST, "/api/v1/supervision/relatives/checks", check).status == .created)
            let approved = try await d.call("xc_approver", .POST, "/api/v1/cases/\(c.id)/steps/approve", StepInput(amount: amount, firstMonth: "2026-04"))
            #expect(approved.status == .ok, "\(approved.body.string)")

            // The set-based match flags exactly what the plain join finds, and running it again adds nothing.
            let flagged = Set(try await RelativeFlag.query(on: app.db).all().map { "\($0.relativeID.uuidString)|\($0.householdID.uuidString)" })
            #expect(try await RelativesRegistry.plainMatches(on: app.db) == flagged)
            #expect(try await RelativesRegistry.match(source: "again", on: clock.today(), tx: app.db) == 0)

            // A focused check finding the enrolled household not eligible opens its clearing-out review.
            let out = RelativesRegistry.CheckInput(household: e.householdID.uuidString, finding: "ineligible", note: "其兄为村支书，隐瞒经营收入")
            let opened = try await d.call("xc_township", .POST, "/api/v1/supervision/relatives/checks", out)
            let reviewID = try #require(try opened.decode(SupervisionAPI.Checked.self).reviewOpened)
            #expect(try await ReviewCase.find(reviewID, on: app.db)?.trigger == .focusedCheck)
        }
    }

    @Test("an inspection plan's draw covers its share, is recorded with its seed, and an auditor's redraw matches")
    func inspectionDraw() async throws {
        try await withDibao { app in
            let d = try await CaseDriver.make(app)
            let plan = Inspections.PlanInput(year: "2026", kind: "yearly", title: "2026年低保工作年度检查", area: DemoData.league.0, sharePercent: "30")
            #expect(try await d.call("xc_county", .POST, "/api/v1/supervision/plans", plan).status == .forbidden)
            let made = try await d.call("supervisor", .POST, "/api/v1/supervision/plans", plan)
            #expect(made.status == .created, "\(made.body.string)")
            let id = try made.decode(SupervisionPages.PlanView.self).id
            let drawn = try await d.call("supervisor", .POST, "/api/v1/supervision/plans/\(id)/draw").decode(SupervisionPages.PlanView.self)
            let p = try #require(try await InspectionPlan.find(id, on: app.db))
            #expect(drawn.townships.count == Sampling.sampleSize(population: p.townshipPopulation, minPercent: 30))
            #expect(drawn.villages.count == Sampling.sampleSize(population: p.villagePopulation, minPercent: 30))
            #expect(p.townshipPopulation == 10, "the demo league has ten townships")
            #expect(try await d.call("supervisor", .POST, "/api/v1/supervision/plans/\(id)/draw").status == .unprocessableEntity, "drawn once")
            let redraw = try await d.call("supervisor", .GET, "/api/v1/supervision/plans/\(id)/redraw").decode(Inspections.Redraw.self)
            #expect(redraw.matches)
            // The same seed over the same lists, computed apart from the application: the same draw.
            let tree = try await Inspections.tree(of: p, db: app.db)
            let again = InspectionDraw.draw(villagesByTownship: tree, sharePercent: 30, seed: try #require(UInt64(p.seed ?? "")))
            #expect(again.villages.joined(separator: ",") == p.villages)
            // A county approver reads the league's plan; another league's would not be shown.
            #expect(try await d.call("xc_approver", .GET, "/api/v1/supervision/plans/\(id)").status == .ok)
        }
    }

    @Test("fund oversight lists exactly the three planted anomalies: one account for two households, a payment after the exit, an amount above members × standard")
    func fundAnomalies() async throws {
        try await withDibao { app in
            let payroll = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: try await paymentOperator(app, "xc_county"), app: app).payroll
            let d = try await CaseDriver.make(app)
            let clean = try await d.call("xc_finance", .GET, "/api/v1/supervision/funds?from=2026-01&through=2026-12").decode(SupervisionPages.FundsPage.self)
            #expect(clean.anomalies.isEmpty, "\(clean.anomalies.map(\.kind))")
            #expect(clean.totals.first?.lines ?? 0 > 3)
            let lines = try await PayrollLine.query(on: app.db).filter(\.$payrollID == payroll.id!).filter(\.$amountFen > 0).filter(\.$accountNumber != "").sort(\.$id).all()
            try #require(lines.count >= 4)
            // 1: the second line's money goes to the first line's account.
            lines[1].bankCode = lines[0].bankCode
            lines[1].accountNumber = lines[0].accountNumber
            try await lines[1].save(on: app.db)
            // 2: the third household left in February.
            let e = try #require(try await EnrolledHousehold.query(on: app.db).filter(\.$householdID == lines[2].householdID).first())
            let exit = BenefitDecisionRecord()
            exit.enrolledID = e.id!; exit.householdID = e.householdID
            exit.regionCode = e.regionCode; exit.leagueCode = e.leagueCode; exit.countyCode = e.countyCode; exit.townshipCode = e.townshipCode; exit.villageCode = e.villageCode
            exit.kind = .exited; exit.fromMonth = "2026-02-01"; exit.monthlyFen = 0; exit.reason = "test"; exit.exitReason = .movedAway; exit.inputs = ""
            exit.policyVersion = "IM-2013-07"; exit.decidedOn = "2026-01-20"; exit.decidedBy = "test"; exit.source = .review; exit.sourceID = "0"
            try await exit.create(on: app.db)
            // 3: the fourth line pays above its members × the standard.
            let household = try #require(try await Household.find(lines[3].householdID, on: app.db))
            let standard = try #require(try await Standard.inForce(for: try AreaCode(household.villageCode), kind: household.kind, on: CivilDate(iso: "2026-03-01")!, db: app.db))
            lines[3].periodFen = standard.monthlyFen * Int64(lines[3].memberCount) + 100
            try await lines[3].save(on: app.db)

            let found = try await d.call("xc_finance", .GET, "/api/v1/supervision/funds?from=2026-01&through=2026-12").decode(SupervisionPages.FundsPage.self)
            #expect(found.anomalies.map(\.kind).sorted() == ["above_standard", "paid_after_exit", "shared_account"])
            #expect(found.anomalies.first { $0.kind == "shared_account" }?.lines == [lines[0].id!, lines[1].id!])
            #expect(found.anomalies.first { $0.kind == "paid_after_exit" }?.lines == [lines[2].id!])
            #expect(found.anomalies.first { $0.kind == "above_standard" }?.lines == [lines[3].id!])
            // Read-only roles of oversight see it; a bank operator and a township do not.
            #expect(try await d.call("xc_discipline", .GET, "/api/v1/supervision/funds").status == .ok)
            #expect(try await d.call("xc_bank", .GET, "/api/v1/supervision/funds").status == .forbidden)
            #expect(try await d.call("xc_township", .GET, "/api/v1/supervision/funds").status == .forbidden)
        }
    }

    @Test("every oversight page and API route as every account: the roles and areas allowed get it, others 403 or 404, and each refusal is audited",
          arguments: DemoData.accounts.map(\.username))
    func routeRoleArea(username: String) async throws {
        try await withDibao { app in
            let role = try #require(DemoData.accounts.first { $0.username == username }?.role)
            let account = try #require(DemoData.accounts.first { $0.username == username })
            let d = try await CaseDriver.make(app, users: ["xc_county", "supervisor", username])
            let complaint = try await d.call("xc_county", .POST, "/api/v1/complaints", ComplaintInput(channel: "hotline", subject: "none", area: "150102001001", text: "来电反映低保评议不公开"))
            let cid = try complaint.decode(ComplaintView.self).id
            let plan = try await d.call("supervisor", .POST, "/api/v1/supervision/plans",
                                        Inspections.PlanInput(year: "2026", kind: "special", title: "专项检查", area: DemoData.league.0, sharePercent: "20"))
            let pid = try plan.decode(SupervisionPages.PlanView.self).id
            #expect(try await d.call("supervisor", .POST, "/api/v1/supervision/plans/\(pid)/draw").status == .ok)
            let client = try await Client.signedIn(app, as: username)
            let area = try AreaCode(account.area)
            let inXinCheng = area.contains(try AreaCode("150102001001"))
            func denials() async throws -> Int { try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == username).count() }
            var expectedDenials = 0
            func check(_ path: String, _ allowed: Bool, hidden: Bool = false) async throws {
                for viaAPI in [false, true] where path.hasPrefix("/api/") == viaAPI {
                    let res = viaAPI ? try await d.call(username, .GET, path) : try await client.get(path)
                    if allowed && !hidden { #expect(res.status == .ok, "\(username) GET \(path): \(res.status) \(res.status == .ok ? "" : String(res.body.string.prefix(600)))") }
                    else if allowed && hidden { #expect(res.status == .notFound, "\(username) GET \(path): expected 404, got \(res.status)") }
                    else { #expect(res.status == .forbidden, "\(username) GET \(path): expected 403, got \(res.status)"); expectedDenials += 1 }
                    if !allowed || hidden { #expect(!res.body.string.contains("来电反映低保评议不公开"), "\(username) \(path) leaks the complaint") }
                }
            }
            let readsComplaints = role.may(.readComplaints)
            try await check("/complaints", readsComplaints)
            try await check("/api/v1/complaints", readsComplaints)
            // Discipline inspection sees a complaint only once it is referred; another county never.
            let seesThis = inXinCheng && role != .disciplineInspector
            try await check("/complaints/\(cid)", readsComplaints, hidden: !seesThis)
            try await check("/api/v1/complaints/\(cid)", readsComplaints, hidden: !seesThis)
            if readsComplaints && !seesThis { expectedDenials += 2 }
            let anySupervision = role.may(.readRelatives) || role.may(.inspect) || role.may(.readFundOversight)
            try await check("/supervision", anySupervision)
            try await check("/api/v1/supervision/relatives", role.may(.readRelatives))
            try await check("/supervision/funds", role.may(.readFundOversight))
            try await check("/api/v1/supervision/funds", role.may(.readFundOversight))
            // The league's plan: its own people and those of the counties under it; the region's admin above.
            try await check("/api/v1/supervision/plans/\(pid)", anySupervision)
            try await check("/supervision/plans/\(pid)", anySupervision)
            try await check("/complaints/export.csv", readsComplaints)
            try await check("/complaints/new", role.may(.handleComplaints))
            try await check("/supervision/funds.csv", role.may(.readFundOversight))
            try await check("/supervision/plans/\(pid)/redraw", anySupervision)
            try await check("/api/v1/supervision/plans/\(pid)/redraw", anySupervision)
            try await check("/accountability", role.may(.readAccountability))
            try await check("/api/v1/accountability", role.may(.readAccountability))
            try await check("/accountability/credit-export.csv", role.may(.recordFraud))
            #expect(try await denials() == expectedDenials, "\(username): every refusal is an audit event")
        }
    }

    @Test("a fraud case blacklists the applicant so a new application shows the hit; recoveries stop at what is owed; issuers export for the credit system; actions are read by supervisors")
    func fraudAndAccountability() async throws {
        try await withDibao { app in
            let d = try await CaseDriver.make(app)
            let e = try await enrolled(app)
            let head = try #require(try await Member.query(on: app.db).filter(\.$household.$id == e.householdID).sort(\.$position).first())
            let input = Accountability.FraudInput(household: e.householdID.uuidString, finding: "隐瞒经营饭店收入", obtained: "3600", decision: "停发并追回")
            #expect(try await d.call("xc_township", .POST, "/api/v1/accountability/fraud", input).status == .forbidden)
            #expect(try await d.call("tk_county", .POST, "/api/v1/accountability/fraud", input).status == .unprocessableEntity)
            let bad = try await d.call("xc_county", .POST, "/api/v1/accountability/fraud", Accountability.FraudInput(household: e.householdID.uuidString, finding: "x", obtained: "-5", decision: "y"))
            #expect(bad.status == .unprocessableEntity)
            let made = try await d.call("xc_county", .POST, "/api/v1/accountability/fraud", input)
            #expect(made.status == .created, "\(made.body.string)")
            let fid = try made.decode(AccountabilityAPI.Created.self).id
            #expect(try await BlacklistEntry.query(on: app.db).filter(\.$idNumber == head.idNumber).filter(\.$active == true).count() == 1)
            // The blacklist is what intake checks: a household found out before it applies shows the hit when it files.
            let newcomer = try await d.household(seed: 91)
            let before = try await d.file(try await d.household(seed: 92))
            #expect(!before.blacklistHit)
            #expect(try await d.call("xc_county", .POST, "/api/v1/accountability/fraud",
                                     Accountability.FraudInput(household: newcomer.uuidString, finding: "伪造务工证明", obtained: "1200", decision: "不予受理并列入黑名单")).status == .created)
            #expect(try await d.file(newcomer).blacklistHit)
            // Recoveries: 1000, then 2600 closes the debt; one fen more is refused.
            #expect(try await d.call("xc_county", .POST, "/api/v1/accountability/fraud/\(fid)/recoveries", Accountability.RecoveryInput(amount: "1000")).status == .ok)
            let over = try await d.call("xc_county", .POST, "/api/v1/accountability/fraud/\(fid)/recoveries", Accountability.RecoveryInput(amount: "2600.01"))
            #expect(d.problems(over) == ["fraud.recovery_above_owed"])
            #expect(try await d.call("xc_county", .POST, "/api/v1/accountability/fraud/\(fid)/recoveries", Accountability.RecoveryInput(amount: "2600", close: "true")).status == .ok)
            let f = try #require(try await FraudCase.find(fid, on: app.db))
            #expect(f.recoveredFen == 360_000 && f.status == .closed)
            // A false-certificate issuer, exported in full for the credit system; masked for the supervisor.
            let issuer = Accountability.IssuerInput(kind: "person", name: "孙某", identifier: head.idNumber, certificate: "出具虚假务工收入证明", area: e.villageCode, fraudCase: String(fid))
            #expect(try await d.call("xc_county", .POST, "/api/v1/accountability/issuers", issuer).status == .created)
            let unit = Accountability.IssuerInput(kind: "unit", name: "某某商贸有限公司", identifier: "91150102MA0N123456", certificate: "虚假工资证明", area: e.villageCode)
            #expect(try await d.call("xc_county", .POST, "/api/v1/accountability/issuers", unit).status == .created)
            let client = try await Client.signedIn(app, as: "xc_county")
            let csv = try await client.get("/accountability/credit-export.csv")
            #expect(csv.status == .ok)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.count == 3 && lines[0].hasSuffix("record_id,issuer_kind,issuer_name,identifier,certificate,county_code,recorded_on,fraud_case_id"))
            #expect(lines[1].contains(head.idNumber) && lines[2].contains("91150102MA0N123456"))
            let seen = try await d.call("supervisor", .GET, "/api/v1/accountability").decode(Accountability.Overview.self)
            #expect(seen.issuers.first { $0.kind == IssuerKind.person.zh }?.identifier == Masking.idNumber(head.idNumber))
            #expect(seen.fraud.first { $0.householdID == e.householdID.uuidString }?.personIDNumber == Masking.idNumber(head.idNumber))
            #expect(try await d.call("supervisor", .GET, "/accountability/credit-export.csv").status == .forbidden)
            // Accountability: the county's head records it; supervisors and discipline inspection read it; a township may not.
            let action = Accountability.ActionInput(staffName: "钱某", post: "社区协理员", kind: "warning", reason: "为亲属违规办理低保", decidedBy: "新城区纪委监委",
                                                    decidedOn: "2026-03-01", area: e.villageCode)
            #expect(try await d.call("xc_county", .POST, "/api/v1/accountability/actions", action).status == .forbidden)
            #expect(try await d.call("xc_approver", .POST, "/api/v1/accountability/actions", action).status == .created)
            #expect(try await d.call("xc_discipline", .GET, "/api/v1/accountability").decode(Accountability.Overview.self).actions.map(\.kind) == ["warning"])
            #expect(try await d.call("tk_approver", .GET, "/api/v1/accountability").decode(Accountability.Overview.self).actions.isEmpty)
            #expect(try await d.call("xc_township", .GET, "/api/v1/accountability").status == .forbidden)
            let page = try await client.get("/accountability")
            #expect(page.status == .ok && page.body.string.contains("隐瞒经营饭店收入"))
            for action in ["fraud.recorded", "fraud.recovered", "fraud.closed", "issuer.recorded", "issuer.exported", "accountability.recorded"] {
                #expect(try await AuditEvent.query(on: app.db).filter(\.$action == action).count() >= 1, "\(action) is audited")
            }
        }
    }
}
