import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// The enrolled household over time (二.六, issue 13): reviews through the kernel, decisions
/// as rows the payroll reads, change reports, early reviews, the due list.
@Suite("Enrolled households and reviews", .serialized)
struct EnrollmentFlowTests {
    /// An enrolled household of 海拉尔东路街道 (xc_township's area) from the demo.
    func enrolledInTownship(_ app: Application, offset: Int = 0) async throws -> EnrolledHousehold {
        let all = try await EnrolledHousehold.query(on: app.db).filter(\.$townshipCode == "150102001000").filter(\.$status == .enrolled)
            .sort(\.$id).all()
        return try #require(all.count > offset ? all[offset] : nil)
    }

    func ctx(_ app: Application, _ user: String) async throws -> ServiceContext {
        app.context(try await staffActor(app, user))
    }

    /// The household's amount for `month` as the payroll reads it: the schedule folded from its decisions.
    func payrollAmount(_ app: Application, _ e: EnrolledHousehold, _ month: String) async throws -> Money {
        let s = try #require(try await BenefitScheduleRecord.find(e.id, on: app.db)?.schedule)
        return s.monthly(in: CivilDate(iso: month)!)
    }

    @Test("Under the 2021 version, an exit for income above the standard keeps the amount for the gradual-exit months; a move away ends at once")
    func gradualExit() async throws {
        let clock = TestClock("2026-03-16")
        try await withDibao(clock: clock) { app in
            let admin = try await ctx(app, "admin")
            _ = try await PolicyVersions.load(text: try AdministrationTests.file("policies/MCA-2021-57.toml"), effectiveFrom: CivilDate(iso: "2026-03-16"), ctx: admin)
            _ = try await PolicyVersions.activate(version: "MCA-2021-57", effectiveFrom: CivilDate(iso: "2026-03-16"), ctx: admin)
            let township = try await ctx(app, "xc_township"), head = try await ctx(app, "xc_head"), approver = try await ctx(app, "xc_approver")
            func end(_ e: EnrolledHousehold, _ reason: String) async throws -> BenefitDecisionRecord {
                let r = try await ReviewWorkflow.open(enrolled: e.id, reason: "收入增加", ctx: township)
                try await ReviewWorkflow.perform(.recordVisit, review: r.id, input: ReviewInput(visitKind: "home", visitors: "王复核、李复核"), ctx: township)
                try await ReviewWorkflow.perform(.propose, review: r.id, input: ReviewInput(outcome: "end", exitReason: reason), ctx: head)
                let decided = try await ReviewWorkflow.perform(.decide, review: r.id, input: ReviewInput(), ctx: approver)
                return try #require(try await BenefitDecisionRecord.find(try #require(decided.decisionID), on: app.db))
            }
            let e = try await enrolledInTownship(app)
            let before = Money(fen: e.monthlyFen)
            let ended = try await end(e, "income_above_standard")
            // Decided 16 March: effective April, six months of gradual exit, ended from October.
            #expect(ended.kind == .exited && ended.fromMonth == "2026-10-01" && ended.policyVersion == "MCA-2021-57")
            for month in ["2026-04-01", "2026-06-01", "2026-09-01"] { #expect(try await payrollAmount(app, e, month) == before, "\(month)") }
            #expect(try await payrollAmount(app, e, "2026-10-01") == .zero)
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "review.gradual_exit").filter(\.$entityID == e.householdID.uuidString).first())
            #expect(event.detail.contains("\"months\":\"6\"") && event.detail.contains("\"paid_until\":\"2026-09-01\""))

            let other = try await enrolledInTownship(app, offset: 1)
            let moved = try await end(other, "moved_away")
            #expect(moved.fromMonth == "2026-04-01")
            #expect(try await payrollAmount(app, other, "2026-04-01") == .zero)
        }
    }

    @Test("a review lowers the amount, a second one ends it: each step as its role, the payroll pays what the decisions say")
    func lowerThenEnd() async throws {
        let clock = TestClock("2026-03-16")
        try await withDibao(clock: clock) { app in
            let e = try await enrolledInTownship(app)
            let before = Money(fen: e.monthlyFen)
            #expect(before.isPositive)
            let township = try await ctx(app, "xc_township"), head = try await ctx(app, "xc_head"), approver = try await ctx(app, "xc_approver")

            // The county opens it by hand; the township visits, recalculates, proposes.
            let opened = try await ReviewWorkflow.open(enrolled: e.id, reason: "收入情况变化", ctx: try await ctx(app, "xc_county"))
            #expect(opened.stage == .opened)
            let members = try await Member.query(on: app.db).filter(\.$household.$id == e.householdID).all()
            var visit = ReviewInput(visitKind: "home", visitors: "王复核、李复核", notes: "入户核实")
            // A wage that leaves a smaller gap to the standard than before.
            let standard = try #require(try await Standard.inForce(for: try AreaCode(e.villageCode), kind: e.kind, on: clock.today(), db: app.db))
            let wage = Money(fen: standard.monthlyFen * Int64(members.count)) - before + Money(yuan: 50)
            visit.incomes = [members[0].id!.uuidString + ".wages": wage.plain]
            // A village assistant may not record it, nor the head.
            await #expect(throws: Abort.self) { try await ReviewWorkflow.perform(.recordVisit, review: opened.id, input: visit, ctx: try await ctx(app, "xc_village")) }
            await #expect(throws: Abort.self) { try await ReviewWorkflow.perform(.recordVisit, review: opened.id, input: visit, ctx: head) }
            let visited = try await ReviewWorkflow.perform(.recordVisit, review: opened.id, input: visit, ctx: township)
            #expect(visited.stage == .visited)
            let computed = Money(fen: try #require(visited.computedFen))
            #expect(computed < before)
            #expect(visited.benefitResult != nil)
            // Proposing "raise" with a lower amount is refused by the machine, naming the field.
            do {
                try await ReviewWorkflow.perform(.propose, review: opened.id, input: ReviewInput(outcome: "raise"), ctx: head)
                Issue.record("a raise below the amount in force was accepted")
            } catch let r as ReviewRefusal {
                #expect(r.field == "amount")
                #expect(r.rule == "review.raise_not_above")
            }
            let proposed = try await ReviewWorkflow.perform(.propose, review: opened.id, input: ReviewInput(outcome: "lower"), ctx: head)
            #expect(proposed.stage == .proposed)
            #expect(proposed.proposedFen == computed.fen)
            // Another county's approver does not see it (404, audited); the township may not decide.
            await #expect(throws: Abort.self) { try await ReviewWorkflow.perform(.decide, review: opened.id, input: ReviewInput(), ctx: try await ctx(app, "tk_approver")) }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$entityType == "review").count() >= 1)
            await #expect(throws: Abort.self) { try await ReviewWorkflow.perform(.decide, review: opened.id, input: ReviewInput(), ctx: head) }
            let decided = try await ReviewWorkflow.perform(.decide, review: opened.id, input: ReviewInput(), ctx: approver)
            #expect(decided.stage == .decided)

            // Decided on 16 March: the lowered amount from 1 April; March stays as it was.
            let after = try #require(try await EnrolledHousehold.find(e.id, on: app.db))
            #expect(after.monthlyFen == computed.fen)
            #expect(try await payrollAmount(app, after, "2026-03-01") == before)
            #expect(try await payrollAmount(app, after, "2026-04-01") == computed)
            let decision = try #require(try await BenefitDecisionRecord.find(try #require(decided.decisionID), on: app.db))
            #expect(decision.kind == .changed && decision.source == .review && decision.fromMonth == "2026-04-01")
            #expect(decision.decidedBy == "xc_approver" && !decision.inputs.isEmpty && decision.policyVersion == Policy.default2013.version)
            // The class the review found sets the next review, counted from April.
            let months = Policy.default2013.reviewMonths(for: after.reviewClass, in: after.kind)
            #expect(after.nextReviewOn == CivilDate(iso: "2026-04-01")!.adding(months: months).iso)

            // A second review ends the allowance: the exit needs its reason.
            clock.advance(days: 3)
            let second = try await ReviewWorkflow.open(enrolled: e.id, reason: "", ctx: township)
            try await ReviewWorkflow.perform(.recordVisit, review: second.id, input: ReviewInput(visitKind: "neighbours", visitors: "王复核、李复核"), ctx: township)
            await #expect(throws: ReviewRefusal.self) { try await ReviewWorkflow.perform(.propose, review: second.id, input: ReviewInput(outcome: "end"), ctx: head) }
            try await ReviewWorkflow.perform(.propose, review: second.id, input: ReviewInput(outcome: "end", exitReason: "income_above_standard"), ctx: head)
            try await ReviewWorkflow.perform(.decide, review: second.id, input: ReviewInput(), ctx: approver)
            let exited = try #require(try await EnrolledHousehold.find(e.id, on: app.db))
            #expect(exited.status == .exited && exited.exitReason == .incomeAboveStandard && exited.nextReviewOn == nil)
            #expect(try await payrollAmount(app, exited, "2026-03-01") == before)
            #expect(try await payrollAmount(app, exited, "2026-04-01") == .zero)
            #expect(try await Household.find(e.householdID, on: app.db)?.status == "exited")
            if let caseID = e.caseID {
                #expect(try await Notice.query(on: app.db).filter(\.$caseID == caseID).filter(\.$kind == .second).filter(\.$active == true).count() == 0)
            }
            // No review for a household that has left.
            await #expect(throws: ReviewRefusal.self) { _ = try await ReviewWorkflow.open(enrolled: e.id, reason: "", ctx: township) }

            // The two decisions' letters: a change from April, then the end with its reason and the household's remedies.
            let lowered = try #require(try await BenefitDecisionRecord.query(on: app.db).filter(\.$enrolledID == e.id!).filter(\.$kind == .changed).first())
            let ended = try #require(try await BenefitDecisionRecord.query(on: app.db).filter(\.$enrolledID == e.id!).filter(\.$kind == .exited).first())
            let letters = try await Client.signedIn(app, as: "xc_township")
            let change = try await letters.get("/enrolled/\(e.householdID.uuidString)/decisions/\(lowered.id!)/letter").body.string
            #expect(change.contains("最低生活保障金变更通知书") && change.contains("2026年4月") && change.contains(computed.formatted))
            let end = try await letters.get("/api/v1/enrolled/\(e.householdID.uuidString)/decisions/\(ended.id!)/letter").decode(DecisionLetter.self)
            #expect(end.title == "停止最低生活保障通知书" && end.reason.contains(ExitReason.incomeAboveStandard.zh))
            #expect(end.remedy.contains("60日内") && end.remedy.contains("6个月内") && end.remedy.contains("12349") && end.issuer.hasSuffix("民政局"))
            // The household's history, newest first: the end, its review, the lowering, its review, the enrollment.
            let history = try await letters.get("/api/v1/enrolled/\(e.householdID.uuidString)").decode(EnrolledView.self).timeline
            #expect(history.first?.kind == "decision" && history.first?.text.contains(BenefitDecision.Kind.exited.zh) == true)
            #expect(history.filter { $0.kind == "decision" }.count == 3 && history.filter { $0.kind == "review_decided" }.count == 2)
            #expect(zip(history, history.dropFirst()).allSatisfy { $0.on >= $1.on })
            // Another township's caseworker sees no letter of it.
            let other = try await Client.signedIn(app, as: "tk_township")
            #expect(try await other.get("/enrolled/\(e.householdID.uuidString)/decisions/\(ended.id!)/letter").status == .notFound)

            // April's payroll, drafted by the county, pays nothing to it.
            let county = try await paymentOperator(app, "xc_county")
            _ = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: county, app: app)
            let march = try #require(try await Payroll.query(on: app.db).filter(\.$period == "2026-03").first())
            let marchLine = try await PayrollLine.query(on: app.db).filter(\.$payrollID == march.id!).filter(\.$householdID == e.householdID).first()
            #expect(marchLine.map { Money(fen: $0.amountFen) } == before)
        }
    }

    @Test("the monthly due list opens one review per household due, none twice; the plain version opens the same ones")
    func dueList() async throws {
        try await withDibao(households: 60, now: "2026-03-16") { app in
            let county = try AreaCode("150102000000")
            let month = CivilDate(iso: "2027-01-01")!
            let due = try await EnrolledHousehold.query(on: app.db).within(county).filter(\.$status != .exited)
                .filter(\.$nextReviewOn < "2027-02-01").all()
            #expect(!due.isEmpty)
            let run = try await DueList.run(month: month, area: county, app: app)
            #expect(run.opened == due.count)
            let opened = try await ReviewCase.query(on: app.db).filter(\.$triggerID == run.id).all()
            #expect(Set(opened.map(\.enrolledID)) == Set(due.compactMap(\.id)))
            #expect(opened.allSatisfy { $0.stage == .opened && $0.trigger == .schedule && $0.dueMonth == "2027-01-01" })
            // Its audit event names the run and the count.
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "review.due_list").first())
            #expect(event.entityID == run.id && event.detailObject["opened"] == String(due.count) && event.actorRole == "system")
            // Again: nothing new.
            #expect(try await DueList.run(month: month, area: county, app: app).opened == 0)
            // The plain reference version on the other county gives what the fast one gives there.
            let rural = try AreaCode("150122000000")
            let plain = try await DueList.runPlain(month: month, area: rural, app: app)
            let plainSet = Set(try await ReviewCase.query(on: app.db).filter(\.$countyCode == rural.value).all().map(\.enrolledID))
            try await ReviewCase.query(on: app.db).filter(\.$countyCode == rural.value).delete()
            let fast = try await DueList.run(month: month, area: rural, app: app)
            let fastSet = Set(try await ReviewCase.query(on: app.db).filter(\.$countyCode == rural.value).all().map(\.enrolledID))
            #expect(plain == fast.opened && plainSet == fastSet && !fastSet.isEmpty)
        }
    }

    @Test("a reported change opens a review in the township's queue; no change only restarts the period; a missed report is listed")
    func changeReports() async throws {
        try await withDibao(now: "2026-03-16") { app in
            let e = try await enrolledInTownship(app)
            let village = try await ctx(app, "xc_village"), township = try await ctx(app, "xc_township")
            // A bad kind is refused, naming the field.
            do {
                _ = try await ChangeReports.record(enrolled: e.id, input: ChangeReportInput(kinds: ["lottery"], text: "x"), ctx: township)
                Issue.record("an unknown change kind was accepted")
            } catch let r as FieldRefusal { #expect(r.field == "kinds") }
            let quiet = try await ChangeReports.record(enrolled: e.id, input: ChangeReportInput(kinds: []), ctx: township)
            #expect(quiet.reviewID == nil)
            #expect(try await EnrolledHousehold.find(e.id, on: app.db)?.lastReportOn == "2026-03-16")
            let report = try await ChangeReports.record(enrolled: e.id, input: ChangeReportInput(kinds: ["income"], text: "儿子外出务工"), ctx: village)
            let review = try #require(try await ReviewCase.find(try #require(report.reviewID), on: app.db))
            #expect(review.trigger == .changeReport && review.triggerID == String(report.id!) && review.finding.contains("儿子外出务工"))
            let queue = try await ReviewQueries.queue(ctx: township)
            #expect(queue.contains { $0.id == review.id })

            // Missed reports: a household whose last report is older than the period.
            let other = try await enrolledInTownship(app, offset: 1)
            other.lastReportOn = "2025-11-01"
            try await other.save(on: app.db)
            let missed = try await ChangeReports.missed(ctx: township)
            #expect(missed.contains { $0.enrolledID == other.id!.uuidString && $0.dueOn == "2026-02-01" })
            #expect(!missed.contains { $0.enrolledID == e.id!.uuidString })
            // Masked for a role that does not see personal data, whole for the caseworker.
            let row = try #require(missed.first { $0.enrolledID == other.id!.uuidString })
            let name = try #require(try await Household.find(other.householdID, on: app.db)?.headName)
            #expect(row.head == name)
        }
    }

    @Test("an early review asked by the township and accepted by the county appears in the township's queue")
    func earlyReview() async throws {
        try await withDibao(now: "2026-03-16") { app in
            let e = try await enrolledInTownship(app, offset: 2)
            let township = try await ctx(app, "xc_township"), county = try await ctx(app, "xc_county")
            await #expect(throws: EarlyReviewRefusal.self) { _ = try await EarlyReviews.request(enrolled: e.id, reason: " ", ctx: township) }
            await #expect(throws: Abort.self) { _ = try await EarlyReviews.request(enrolled: e.id, reason: "x", ctx: try await ctx(app, "xc_village")) }
            let asked = try await EarlyReviews.request(enrolled: e.id, reason: "连续两期未报告，疑似有务工收入", ctx: township)
            #expect(asked.stage == .requested)
            #expect(try await ReviewQueries.earlyRequests(ctx: county).contains { $0.id == asked.id })
            // The township cannot answer its own request; another county cannot see it.
            await #expect(throws: Abort.self) { _ = try await EarlyReviews.answer(.accept, request: asked.id, reason: "", ctx: township) }
            await #expect(throws: Abort.self) { _ = try await EarlyReviews.answer(.accept, request: asked.id, reason: "", ctx: try await ctx(app, "tk_county")) }
            let accepted = try await EarlyReviews.answer(.accept, request: asked.id, reason: "同意", ctx: county)
            #expect(accepted.stage == .accepted)
            let review = try #require(try await ReviewCase.find(try #require(accepted.reviewID), on: app.db))
            #expect(review.trigger == .earlyReview && review.stage == .opened)
            #expect(try await ReviewQueries.queue(ctx: township).contains { $0.id == review.id })
            // A second request while the review is under way is refused by the machine.
            await #expect(throws: EarlyReviewRefusal.self) { _ = try await EarlyReviews.request(enrolled: e.id, reason: "again", ctx: township) }
            // Declining needs its reason.
            let other = try await enrolledInTownship(app, offset: 3)
            let asked2 = try await EarlyReviews.request(enrolled: other.id, reason: "邻居反映", ctx: township)
            await #expect(throws: EarlyReviewRefusal.self) { _ = try await EarlyReviews.answer(.decline, request: asked2.id, reason: "", ctx: county) }
            #expect(try await EarlyReviews.answer(.decline, request: asked2.id, reason: "证据不足", ctx: county).stage == .declined)
        }
    }

    @Test("every stored change has its audit event: reviews, decisions, reports, requests")
    func auditCompleteness() async throws {
        try await withDibao(now: "2026-03-16") { app in
            let township = try await ctx(app, "xc_township"), head = try await ctx(app, "xc_head")
            let approver = try await ctx(app, "xc_approver"), county = try await ctx(app, "xc_county")
            let a = try await enrolledInTownship(app), b = try await enrolledInTownship(app, offset: 1)
            let r = try await ReviewWorkflow.open(enrolled: a.id, reason: "", ctx: county)
            try await ReviewWorkflow.perform(.recordVisit, review: r.id, input: ReviewInput(visitKind: "home", visitors: "甲、乙"), ctx: township)
            try await ReviewWorkflow.perform(.propose, review: r.id, input: ReviewInput(reason: "外出联系不上", outcome: "suspend"), ctx: head)
            try await ReviewWorkflow.perform(.decide, review: r.id, input: ReviewInput(), ctx: approver)
            _ = try await ChangeReports.record(enrolled: b.id, input: ChangeReportInput(kinds: ["members"], text: "新生儿"), ctx: township)
            let q = try await EarlyReviews.request(enrolled: try await enrolledInTownship(app, offset: 2).id, reason: "疑点", ctx: township)
            _ = try await EarlyReviews.answer(.accept, request: q.id, reason: "", ctx: county)
            _ = try await DueList.run(month: CivilDate(iso: "2027-06-01")!, area: try AreaCode("150102000000"), app: app)

            let events = try await AuditEvent.query(on: app.db).all()
            func has(_ action: String, _ type: String, _ id: String) -> Bool {
                events.contains { $0.action == action && $0.entityType == type && $0.entityID == id }
            }
            for review in try await ReviewCase.query(on: app.db).all() {
                let id = String(review.id!)
                let opened = review.trigger == .schedule && review.openedBy == "system:due-list"
                    ? has("review.due_list", "due_list", review.triggerID) : has("review.open", "review", id)
                #expect(opened, "review \(id) has no opening event")
                if review.visitedOn != nil { #expect(has("review.recordVisit", "review", id)) }
                if review.stage == .decided { #expect(has("review.decide", "review", id)) }
            }
            for d in try await BenefitDecisionRecord.query(on: app.db).filter(\.$source != .migration).all() {
                #expect(events.contains { $0.action == "benefit.\(d.kind.rawValue)" && $0.detailObject["decision"] == String(d.id!) },
                        "decision \(d.id!) has no event")
            }
            for c in try await ChangeReport.query(on: app.db).all() { #expect(has("change_report.recorded", "change_report", String(c.id!))) }
            for x in try await EarlyReviewRequest.query(on: app.db).all() {
                #expect(has("early_review.request", "early_review", String(x.id!)))
                if x.stage != .requested { #expect(has("early_review.\(x.stage == .accepted ? "accept" : "decline")", "early_review", String(x.id!))) }
            }
            // The suspension stops payment from April and is the household's status.
            let suspended = try #require(try await EnrolledHousehold.find(a.id, on: app.db))
            #expect(suspended.status == .suspended)
            #expect(try await payrollAmount(app, suspended, "2026-04-01") == .zero)
        }
    }

    @Test("a database made before decisions were rows migrates forward: every household's next payroll amount is unchanged")
    func migratesForward() async throws {
        try await withDibao(households: 80, now: "2026-03-16") { app in
            let sql = app.db as! any SQLDatabase
            // Some schedules with changes, as an earlier main's payment page made them.
            let some = try await BenefitScheduleRecord.query(on: app.db).sort(\.$id).limit(6).all()
            for (i, r) in some.enumerated() {
                var s = try #require(r.schedule)
                switch i % 3 {
                case 0: try s.change(to: Money(yuan: 321), decidedOn: CivilDate(iso: "2026-02-10")!, effectMonths: 1)
                case 1: try s.exit(decidedOn: CivilDate(iso: "2026-03-05")!, effectMonths: 1)
                default: try s.suspend(from: CivilDate(iso: "2026-04-01")!)
                }
                r.steps = s.stored
                try await r.save(on: app.db)
            }
            // The next payroll (March) as the earlier main drafts it, then put away.
            let county = try await paymentOperator(app, "xc_county")
            func draftMarch() async throws -> [UUID: Int64] {
                let p = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: county, app: app).payroll
                let lines = try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).all()
                try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).delete()
                try await Payroll.query(on: app.db).filter(\.$id == p.id!).delete()
                return Dictionary(uniqueKeysWithValues: lines.map { ($0.householdID, $0.amountFen) })
            }
            let before = try await draftMarch()
            #expect(!before.isEmpty)
            // The changed schedules are in it: the new amount from March; the exit and the suspension only from April.
            #expect(before[some[0].householdID] == 32_100 && before[some[3].householdID] == 32_100)
            #expect(before[some[1].householdID].map { $0 > 0 } ?? false)
            let schedulesBefore = Dictionary(uniqueKeysWithValues: try await BenefitScheduleRecord.query(on: app.db).all().map { ($0.id!, $0.steps) })
            // Back to the earlier main: the two migrations undone and forgotten (with the later
            // one that adds a column to the enrolled households), then migrated forward.
            try await AddSinglePersonEnrollment().revert(on: app.db)
            try await MoveSchedulesToDecisions().revert(on: app.db)
            try await CreateEnrollmentTables().revert(on: app.db)
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name LIKE '%CreateEnrollmentTables%' OR name LIKE '%MoveSchedulesToDecisions%' OR name LIKE '%AddSinglePersonEnrollment%'").run()
            try await app.autoMigrate()
            let enrolled = try await EnrolledHousehold.query(on: app.db).all()
            #expect(enrolled.count == schedulesBefore.count)
            for e in enrolled {
                let decisions = try await BenefitDecisionRecord.query(on: app.db).filter(\.$enrolledID == e.id!).sort(\.$id).all().compactMap(\.decision)
                let folded = try #require(try BenefitDecision.schedule(decisions))
                // The decisions rebuild the very schedule the earlier main stored.
                #expect(folded.stored == schedulesBefore[e.id!], "household \(e.householdID)")
                let last = folded.steps.last?.reason
                #expect(e.status == (last == .exited ? .exited : last == .suspended ? .suspended : .enrolled))
            }
            // And the next payroll drafted on the migrated database pays exactly what it paid.
            #expect(try await draftMarch() == before)
            // The month after, from the migrated decisions: nothing to the exited and the suspended.
            for (i, r) in some.enumerated() {
                let e = try #require(try await EnrolledHousehold.find(r.id, on: app.db))
                #expect(e.status == (i % 3 == 1 ? .exited : i % 3 == 2 ? .suspended : .enrolled))
                let april = try await payrollAmount(app, e, "2026-04-01")
                #expect(i % 3 == 0 ? april == Money(yuan: 321) : april == .zero)
            }
        }
    }

    @Test("the county's periodic verification opens a review for each flagged enrolled household, and the review shows what it found")
    func periodicVerification() async throws {
        try await withDibao(now: "2026-03-16") { app in
            try await VerificationCheckFlowTests.loadAssetPolicy(app)
            let flagged = try await enrolledInTownship(app), busy = try await enrolledInTownship(app, offset: 1)
            // One of the two is already under review: it is not given a second one.
            let earlier = try await ReviewWorkflow.open(enrolled: busy.id, reason: "乡镇发起", ctx: try await ctx(app, "xc_county"))
            #expect(earlier.trigger == .manual)
            var lines = ["id_number,plate,vehicle_type,registered_on,value_yuan"]
            for (n, e) in [flagged, busy].enumerated() {
                let m = try #require(try await Member.query(on: app.db).filter(\.$household.$id == e.householdID).sort(\.$position).first())
                lines.append("\(m.idNumber),蒙A·D12\(n)4,小型轿车,2022-03-01,68000")
            }
            _ = try await DepartmentImport.importFile(at: try departmentFile(lines), source: .vehicle, period: "2026-02", by: .system(), app: app)

            let driver = try await CaseDriver.make(app, users: ["xc_county", "xc_verify", "xc_township"])
            let res = try await driver.call("xc_county", .POST, "/api/v1/verification/requests", VerificationAPI.RequestInput(scope: "enrolled", note: "一季度定期核对"))
            let request = try res.decode(VerificationRequestView.self)
            #expect(request.purpose == PeriodicVerification.purpose)
            let done = try await driver.call("xc_verify", .POST, "/api/v1/verification/requests/\(request.id)/run").decode(VerificationRequestView.self)
            #expect(done.status == "done" && done.contradictionHouseholds >= 2)

            // Every flagged report of an enrolled household is the trigger of a review, or its household was already under review.
            let reports = try await VerificationReportRecord.query(on: app.db).filter(\.$requestID == request.id).filter(\.$contradictions > 0).all()
            let reviews = try await ReviewCase.query(on: app.db).filter(\.$trigger == .verification).all()
            #expect(Set(reviews.map(\.triggerID)).isSubset(of: Set(reports.map { $0.id!.uuidString })))
            let mine = try #require(reviews.first { $0.enrolledID == flagged.id })
            #expect(mine.stage == .opened && mine.townshipCode == flagged.townshipCode && mine.openedBy == "system:periodic-verification")
            #expect(!reviews.contains { $0.enrolledID == busy.id })
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "review.periodic_verification").first())
            let already = try #require(Int(event.detailObject["already_under_review"] ?? ""))
            #expect(event.detailObject["opened"] == String(reviews.count) && already >= 1)
            // Every flagged report of a household still enrolled or suspended: a review, or counted as already under review.
            var live = 0
            for report in reports where try await EnrolledHousehold.query(on: app.db).filter(\.$householdID == report.householdID).filter(\.$status != .exited).count() > 0 { live += 1 }
            #expect(reviews.count + already == live)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "review.open").filter(\.$entityID == String(mine.id!)).count() == 1)

            // The review page names the contradiction and links the report; the request counts the reviews.
            let township = try await Client.signedIn(app, as: "xc_township")
            let page = try await township.get("/reviews/\(mine.id!)").body.string
            #expect(page.contains("id=\"contradictions\"") && page.contains("/verification/reports/\(mine.triggerID)"))
            #expect(page.contains("class=\"contradiction\""))
            let requestPage = try await (try await Client.signedIn(app, as: "xc_county")).get("/verification/requests/\(request.id)").body.string
            #expect(requestPage.contains("id=\"reviews-opened\">\(reviews.count)<"))

            // Again: nothing opens twice.
            let again = try await PeriodicVerification.openReviews(request: request.id, app: app)
            #expect(again.opened == 0)
            #expect(try await ReviewCase.query(on: app.db).filter(\.$trigger == .verification).count() == reviews.count)
        }
    }

    @Test("pages and API: the township's queue, a review page with its steps, a form refused beside its field, roles and areas")
    func pagesAndAPI() async throws {
        try await withDibao(now: "2026-03-16") { app in
            let e = try await enrolledInTownship(app)
            let township = try await Client.signedIn(app, as: "xc_township")
            // The household's enrolled page, reached from the household page.
            let page = try await township.get("/enrolled/\(e.householdID.uuidString)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("decision-row") && page.body.string.contains("open-review"))
            // Opening from the page leads to the review, which is in the township's queue.
            let opened = try await township.postForm("/enrolled/\(e.householdID.uuidString)/reviews", ["reason": "例行复核"])
            #expect(opened.status == .seeOther)
            let review = try #require(try await ReviewCase.query(on: app.db).filter(\.$enrolledID == e.id!).first())
            let queue = try await township.get("/reviews")
            #expect(queue.status == .ok && queue.body.string.contains("/reviews/\(review.id!)"))
            // Pages of the queue: a page past the end is empty, a bad page number is the first page.
            #expect(try await township.get("/reviews?page=2").body.string.contains("queue-empty"))
            for bad in ["-5", "abc", "99999999999999999999"] {
                let res = try await township.get("/reviews?page=\(bad)")
                #expect(res.status == .ok && res.body.string.contains("/reviews/\(review.id!)"), "page=\(bad)")
            }
            let reviewPage = try await township.get("/reviews/\(review.id!)")
            #expect(reviewPage.body.string.contains("step-recordVisit") && !reviewPage.body.string.contains("step-decide"))
            // One visitor is refused beside the visitors field, in the reader's language.
            let refused = try await township.postForm("/reviews/\(review.id!)/steps/recordVisit", ["visitKind": "home", "visitors": "王复核"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("data-field=\"visitors\""))
            let ok = try await township.postForm("/reviews/\(review.id!)/steps/recordVisit", ["visitKind": "home", "visitors": "王复核、李复核"])
            #expect(ok.status == .seeOther)
            #expect(try await ReviewCase.find(review.id, on: app.db)?.stage == .visited)

            // A village assistant may not take a review step (403, audited); another township sees nothing (404).
            let village = try await Client.signedIn(app, as: "xc_village")
            let denied = try await village.postForm("/reviews/\(review.id!)/steps/propose", ["outcome": "keep"])
            #expect(denied.status == .forbidden)
            let other = try await Client.signedIn(app, as: "tk_township")
            #expect(try await other.get("/reviews/\(review.id!)").status == .notFound)
            #expect(try await other.get("/api/v1/enrolled/\(e.householdID.uuidString)").status == .notFound)
            // The API gives the same queue.
            let api = try await township.get("/api/v1/reviews?all=1")
            let rows = try api.decode([ReviewQueries.Row].self)
            #expect(rows.contains { $0.id == review.id && $0.stage == "visited" })
            // The county runs the due list from its page; a township may not.
            let county = try await Client.signedIn(app, as: "xc_county")
            #expect(try await county.postForm("/reviews/due-list", ["month": "2027-01"]).status == .seeOther)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "review.due_list").count() >= 1)
            #expect(try await township.postForm("/reviews/due-list", ["month": "2027-01"]).status == .forbidden)
            #expect(try await county.postForm("/reviews/due-list", ["month": "soon"]).status == .unprocessableEntity)
        }
    }

    @Test("the demo's caseload: reviews at every stage, some overdue, exits with reasons, payrolls that pay what the decisions say")
    func demoCaseload() async throws {
        try await withDibao(households: 0, now: "2026-06-15") { app in
            // The demo command's own seed: this year's payrolls replayed after the reviews.
            _ = try await DemoData.seed(app: app, households: 300, password: fixturePassword, payrollHistory: true) { _ in }
            let reviews = try await ReviewCase.query(on: app.db).all()
            for stage in ReviewStage.allCases { #expect(reviews.contains { $0.stage == stage }, "no review at \(stage)") }
            #expect(reviews.contains { !$0.stage.isTerminal && $0.dueMonth < "2026-06-01" }, "no overdue review")
            #expect(Set(reviews.map(\.trigger)).isSuperset(of: [.schedule, .changeReport, .earlyReview]))
            let exited = try await EnrolledHousehold.query(on: app.db).filter(\.$status == .exited).all()
            #expect(Set(exited.compactMap(\.exitReason)).isSuperset(of: [.death, .movedAway]))
            #expect(try await EarlyReviewRequest.query(on: app.db).filter(\.$stage == .requested).count() >= 1)
            let township = try await ctx(app, "xc_township")
            #expect(try await ChangeReports.missed(ctx: township).count >= 2)
            // Decided on 12 March: from April the payrolls pay the new amounts, and nothing after an exit.
            let april = try await Payroll.query(on: app.db).filter(\.$period == "2026-04").all().compactMap(\.id)
            #expect(!april.isEmpty)
            for d in try await BenefitDecisionRecord.query(on: app.db).filter(\.$source == .review).all() where d.kind != .kept {
                #expect(d.fromMonth == "2026-04-01" && d.decidedOn == "2026-03-12")
                let line = try await PayrollLine.query(on: app.db).filter(\.$payrollID ~~ april).filter(\.$householdID == d.householdID).first()
                if d.monthlyFen == 0 { #expect(line == nil || line?.amountFen == 0) } else {
                    #expect(line?.amountFen == d.monthlyFen)
                }
            }
        }
    }
}
