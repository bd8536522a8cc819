import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// The account `username` of the demo fixture, as the payment services see it.
func paymentOperator(_ app: Application, _ username: String) async throws -> PaymentOperator {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    let bank = try await BankStaff.query(on: app.db).filter(\.$userID == user.id!).first()?.bankCode
    return PaymentOperator(username: user.username, role: user.role, area: try #require(user.area),
                           audit: AuditActor(id: user.id!.uuidString, name: user.username, role: user.role.rawValue), bank: bank)
}

/// The account `username` of the demo fixture as the actor of a service context.
func staffActor(_ app: Application, _ username: String) async throws -> StaffActor {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    return try #require(StaffActor(user, viaToken: false))
}

let urbanCounty = try! AreaCode(DemoData.urbanCounty.0)
let ruralCounty = try! AreaCode(DemoData.ruralCounty.0)

@Suite("Payment: payroll steps, bank files, quarterly amounts")
struct PaymentTests {
    /// Draft as the county caseworker, release as finance, export: the usual path.
    func exported(_ app: Application, period: String = "2026-03") async throws -> Payroll {
        let drafted = try await Payrolls.draft(county: urbanCounty, period: period, by: try await paymentOperator(app, "xc_county"), app: app).payroll
        _ = try await Payrolls.release(drafted.id, by: try await paymentOperator(app, "xc_finance"), app: app)
        _ = try await Payrolls.export(drafted.id, by: try await paymentOperator(app, "xc_finance"), app: app)
        return try #require(try await Payroll.find(drafted.id, on: app.db))
    }

    @Test("The drafter can never release: refused by role, and by person after a change of role; finance releases")
    func fourEyes() async throws {
        try await withDibao { app in
            let county = try await paymentOperator(app, "xc_county")
            let drafted = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: county, app: app).payroll
            #expect(drafted.stage == .drafted)
            #expect(drafted.lineCount > 0)

            await #expect(throws: PayrollRefusal.role(.release, .countyCaseworker)) {
                _ = try await Payrolls.release(drafted.id, by: county, app: app)
            }
            // The same person moved to finance is still the drafter.
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "xc_county").first())
            user.role = .financeOfficer
            try await user.save(on: app.db)
            let moved = try await paymentOperator(app, "xc_county")
            await #expect(throws: PayrollRefusal.drafterReleases) {
                _ = try await Payrolls.release(drafted.id, by: moved, app: app)
            }
            #expect(try await Payroll.find(drafted.id, on: app.db)?.stage == .drafted)

            // Through the page: the drafter's click is a denied access, recorded.
            user.role = .countyCaseworker
            try await user.save(on: app.db)
            let page = try await Client.signedIn(app, as: "xc_county")
            _ = try await page.get("/payments/payrolls/\(drafted.id!.uuidString)")
            let res = try await page.postForm("/payments/payrolls/\(drafted.id!.uuidString)/release", [:])
            #expect(res.status == .forbidden)
            let denials = try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$reason == "payroll.release").count()
            #expect(denials == 1)

            let released = try await Payrolls.release(drafted.id, by: try await paymentOperator(app, "xc_finance"), app: app)
            #expect(released.stage == .released)
            #expect(released.releasedBy == "xc_finance")
            // Released means frozen: no second release, no discard.
            await #expect(throws: PayrollRefusal.stage(.discard, .released)) {
                try await Payrolls.discard(drafted.id, by: county, app: app)
            }
        }
    }

    @Test("A result file with a wrong total, a missing line or an unknown account is refused whole; a true one books paid and failed")
    func bankResults() async throws {
        try await withDibao { app in
            let p = try await exported(app)
            #expect(p.stage == .exported)
            let bank = DemoData.banks[0].code
            let payments = try await Payrolls.payments(p, bank: bank, on: app.db)
            #expect(payments.count == p.lineCount)
            #expect(payments.map(\.amount).sum().fen == p.totalFen)
            let header = BankFile.Header(payroll: p.number, county: p.countyCode, period: p.period, bank: bank)
            let bankOp = try await paymentOperator(app, "xc_bank")
            #expect(bankOp.bank == bank)

            func refused(_ text: String, rule: String) async throws {
                do {
                    _ = try await Payrolls.importResult(p.id, bank: bank, text: text, by: bankOp, app: app)
                    Issue.record("a bad result file was imported (\(rule))")
                } catch let r as BankFileRefusal {
                    #expect(r.rule == rule)
                }
                // Nothing booked.
                let pending = try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$status == .pending).count()
                #expect(pending == p.lineCount)
                #expect(try await Payroll.find(p.id, on: app.db)?.stage == .exported)
                #expect(try await PayrollBankFile.query(on: app.db).filter(\.$payrollID == p.id!).first()?.resultOn == nil)
            }

            // The trailer's total off by one fen.
            let good = BankFile.resultFile(header, payments: payments)
            var lines = good.split(separator: "\n").map(String.init)
            var trailer = lines[lines.count - 1].split(separator: "|").map(String.init)
            trailer[2] = Money(fen: p.totalFen + 1).plain
            lines[lines.count - 1] = trailer.joined(separator: "|")
            try await refused(lines.joined(separator: "\n") + "\n", rule: "bank_file.trailer_differs")

            // One line left out, trailer made consistent with what remains: the total no longer matches the payroll.
            let short = BankFile.resultFile(header, payments: Array(payments.dropLast()))
            try await refused(short, rule: "bank_file.total_mismatch")

            // An account the payment file never had.
            var other = payments
            other[0].account = "6217000000000000001"
            try await refused(BankFile.resultFile(header, payments: other), rule: "bank_file.unknown_account")

            // Another bank's operator cannot import this bank's result.
            let tkBank = try await paymentOperator(app, "tk_bank")
            await #expect(throws: Abort.self) { _ = try await Payrolls.importResult(p.id, bank: bank, text: good, by: tkBank, app: app) }

            // The true file: the first payment failed.
            let failing = payments[0]
            let text = BankFile.resultFile(header, payments: payments) { $0.reference == failing.reference ? (.failed, "账户已销户") : (.paid, "") }
            let outcome = try await Payrolls.importResult(p.id, bank: bank, text: text, by: bankOp, app: app)
            #expect(outcome.failed == 1)
            #expect(outcome.paid == payments.count - 1)
            let after = try #require(try await Payroll.find(p.id, on: app.db))
            #expect(after.stage == .resultsIn)
            #expect(after.paidFen == p.totalFen - failing.amount.fen)
            #expect(after.failedFen == failing.amount.fen)
            // A second import of the same file is refused: the result is in.
            await #expect(throws: PayrollRefusal.stage(.importResult, .resultsIn)) { _ = try await Payrolls.importResult(p.id, bank: bank, text: text, by: bankOp, app: app) }

            // Cannot close with the failure open; repaid to a corrected account, it is paid again next month.
            let county = try await paymentOperator(app, "xc_county")
            await #expect(throws: PayrollRefusal.unresolvedFailures(1)) { _ = try await Payrolls.close(p.id, by: county, app: app) }
            let line = try #require(try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$status == .failed).first())
            _ = try await Payrolls.resolve(line: line.id, .repay(bank: bank, account: "6217999988887777666", holder: line.holderName),
                                           note: "户主到银行更换新卡", by: county, app: app)
            #expect(try await Payrolls.close(p.id, by: county, app: app).stage == .closed)
            let april = try await Payrolls.draft(county: urbanCounty, period: "2026-04", by: county, app: app).payroll
            let next = try #require(try await PayrollLine.query(on: app.db).filter(\.$payrollID == april.id!).filter(\.$householdID == line.householdID).first())
            #expect(next.adjustmentFen == line.amountFen)
            #expect(next.amountFen == next.periodFen + line.amountFen)
            #expect(next.accountNumber == "6217999988887777666")
            // Everyone else paid in March is paid April's amount only; those held in March for want
            // of an account are owed March too.
            let paidInMarch = Set(try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$status == .paid).all().map(\.householdID))
            let aprilLines = try await PayrollLine.query(on: app.db).filter(\.$payrollID == april.id!).all()
            let others = aprilLines.filter { $0.householdID != line.householdID && paidInMarch.contains($0.householdID) }
            #expect(others.count == paidInMarch.count)
            let heldInMarch = try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$status == .held).all()
            for held in heldInMarch {
                let again = aprilLines.first { $0.householdID == held.householdID }
                #expect(again?.adjustmentFen == held.amountFen)
            }
            #expect(others.allSatisfy { $0.adjustmentFen == 0 && $0.amountFen == $0.periodFen })
        }
    }

    @Test("Payrolls go in period order, one per period, at the county's frequency")
    func periods() async throws {
        try await withDibao { app in
            let county = try await paymentOperator(app, "xc_county")
            await #expect(throws: PayrollRefusal.badPeriod("2026-13")) { _ = try await Payrolls.draft(county: urbanCounty, period: "2026-13", by: county, app: app) }
            await #expect(throws: PayrollRefusal.wrongFrequency(period: "2026Q1", expected: .monthly)) {
                _ = try await Payrolls.draft(county: urbanCounty, period: "2026Q1", by: county, app: app)
            }
            let march = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: county, app: app).payroll
            await #expect(throws: PayrollRefusal.periodExists("2026-03")) { _ = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: county, app: app) }
            // April waits until March is released (else March's money would be owed twice).
            await #expect(throws: PayrollRefusal.stage(.draft, .drafted)) { _ = try await Payrolls.draft(county: urbanCounty, period: "2026-04", by: county, app: app) }
            _ = try await Payrolls.release(march.id, by: try await paymentOperator(app, "xc_finance"), app: app)
            await #expect(throws: PayrollRefusal.notAfterLatest(period: "2026-02", latest: "2026-03")) {
                _ = try await Payrolls.draft(county: urbanCounty, period: "2026-02", by: county, app: app)
            }
            // Another county's caseworker cannot draft here.
            await #expect(throws: Abort.self) { _ = try await Payrolls.draft(county: urbanCounty, period: "2026-04", by: try await paymentOperator(app, "tk_county"), app: app) }
        }
    }

    @Test("Quarterly county: enrolled in the quarter's second month, exit decided in its first, amount changed in its second — paid what the policy says")
    func quarterly() async throws {
        try await withDibao(now: "2026-03-20") { app in
            let county = try await paymentOperator(app, "tk_county")
            let setting = CountyPaymentSetting()
            setting.id = ruralCounty.value
            setting.frequency = .quarterly
            setting.decidedOn = "2025-12-01"
            setting.decidedBy = "tk_county"
            try await setting.create(on: app.db)

            let households = try await Household.query(on: app.db).filter(\.$countyCode == ruralCounty.value).sort(\.$id).limit(3).all()
            #expect(households.count == 3)
            // Only these three are paid in this county, so each line is theirs alone.
            try await BenefitScheduleRecord.query(on: app.db).filter(\.$countyCode == ruralCounty.value).delete()
            try await EnrolledHousehold.query(on: app.db).filter(\.$countyCode == ruralCounty.value).delete()
            try await BenefitDecisionRecord.query(on: app.db).filter(\.$countyCode == ruralCounty.value).delete()
            func open(_ h: Household, first: String, monthly: Int64, settled: Int64) async throws {
                let r = BenefitScheduleRecord()
                r.householdID = h.id!; r.regionCode = h.regionCode; r.leagueCode = h.leagueCode; r.countyCode = h.countyCode
                r.townshipCode = h.townshipCode; r.villageCode = h.villageCode
                r.steps = try BenefitSchedule.enrolled(firstMonth: CivilDate(iso: first)!, monthly: Money(fen: monthly)).stored
                r.settledFen = settled; r.active = true
                try await r.create(on: app.db)
                try await MoveSchedulesToDecisions.backfill(app.db)
                try await PaymentAccounts.set(household: h.id!, bank: DemoData.banks[1].code, account: "62170000000000\(String(format: "%05d", monthly / 100))",
                                              holder: h.headName, by: county, app: app)
            }
            // A decision on the enrolled household, as a review's decision makes it (二.六).
            func decide(_ h: Household, _ d: BenefitDecision, reason: String) async throws {
                let actor = try await staffActor(app, "tk_approver")
                let ctx = app.context(actor)
                try await app.audit.write(on: app.db) { tx in
                    let e = try #require(try await EnrolledHousehold.query(on: tx).filter(\.$householdID == h.id!).first())
                    let (_, event) = try await EnrollmentWorkflow.decide(d, for: e, basis: .init(reason: reason, source: .review, sourceID: "test"), ctx: ctx, tx: tx)
                    return ((), [event])
                }
            }
            // A: enrolled from February (the quarter's second month) at ¥500.
            try await open(households[0], first: "2026-02-01", monthly: 50_000, settled: 0)
            // B: enrolled 2025-10 at ¥600, 2025Q4 paid; exit decided 15 January: it leaves from 1 February.
            try await open(households[1], first: "2025-10-01", monthly: 60_000, settled: 180_000)
            try await decide(households[1], BenefitDecision(kind: .exited, from: BenefitDecision.effectiveMonth(decidedOn: CivilDate(iso: "2026-01-15")!, policy: .default2013), monthly: .zero), reason: "收入超过标准")
            // C: enrolled 2025-10 at ¥400, 2025Q4 paid; changed to ¥300 on 10 February: ¥300 from 1 March.
            try await open(households[2], first: "2025-10-01", monthly: 40_000, settled: 120_000)
            try await decide(households[2], BenefitDecision(kind: .changed, from: BenefitDecision.effectiveMonth(decidedOn: CivilDate(iso: "2026-02-10")!, policy: .default2013), monthly: Money(fen: 30_000)), reason: "复核后收入增加")

            await #expect(throws: PayrollRefusal.wrongFrequency(period: "2026-03", expected: .quarterly)) {
                _ = try await Payrolls.draft(county: ruralCounty, period: "2026-03", by: county, app: app)
            }
            let q1 = try await Payrolls.draft(county: ruralCounty, period: "2026Q1", by: county, app: app).payroll
            let lines = try await PayrollLine.query(on: app.db).filter(\.$payrollID == q1.id!).all()
            let paid = Dictionary(uniqueKeysWithValues: lines.map { ($0.householdID, $0.amountFen) })
            #expect(paid[households[0].id!] == 100_000)   // February and March at ¥500
            #expect(paid[households[1].id!] == 60_000)    // January only
            #expect(paid[households[2].id!] == 110_000)   // ¥400 + ¥400 + ¥300
            #expect(q1.totalFen == 270_000)
            #expect(q1.lineCount == 3)
            // The decisions are on the record, with who and why.
            let decided = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["benefit.exited", "benefit.changed"]).count()
            #expect(decided == 2)
        }
    }

    @Test("Jurisdiction and banks: another county sees nothing, a bank only its own files, a supervisor reads")
    func access() async throws {
        try await withDibao { app in
            let p = try await exported(app)
            let id = p.id!.uuidString
            let bank = DemoData.banks[0].code
            for (user, path, status) in [
                ("tk_county", "/payments/payrolls/\(id)", HTTPResponseStatus.notFound),
                ("tk_finance", "/payments/payrolls/\(id)", .notFound),
                ("tk_bank", "/payments/payrolls/\(id)/files/\(bank)", .notFound),
                ("xc_bank", "/payments/payrolls/\(id)/files/\(bank)", .ok),
                ("xc_county", "/payments/payrolls/\(id)/files/\(bank)", .ok),
                ("supervisor", "/payments/payrolls/\(id)", .ok),
                ("supervisor", "/payments/payrolls/\(id)/files/\(bank)", .forbidden),
                ("xc_village", "/payments/payrolls/\(id)", .forbidden),
                ("xc_bank", "/payments/payrolls/\(id)/list?township=150102001000", .notFound),
            ] {
                let c = try await Client.signedIn(app, as: user)
                let res = try await c.get(path)
                #expect(res.status == status, "\(user) GET \(path)")
            }
            // The bank's file is the exported one, byte for byte, with header and trailer.
            let c = try await Client.signedIn(app, as: "xc_bank")
            let file = try await c.get("/payments/payrolls/\(id)/files/\(bank)").body.string
            let stored = try #require(try await PayrollBankFile.query(on: app.db).filter(\.$payrollID == p.id!).first())
            #expect(Payrolls.sha256(file) == stored.sha256)
            #expect(file.hasPrefix("H|DIBAO-PAY|1|\(p.number)|"))
            #expect(file.hasSuffix("T|\(p.lineCount)|\(Money(fen: p.totalFen).plain)\n"))
            // Through the API: the bank's token lists this payroll and fetches its file; the other
            // county's caseworker lists none of this county's payrolls.
            let bankHeaders = try await tokenHeaders(app, for: "xc_bank")
            try await app.testing().test(.GET, "/api/v1/payrolls", headers: bankHeaders) { res in
                #expect(res.status == .ok)
                let list = try res.decode([PaymentAPI.PayrollDTO].self)
                #expect(list.map(\.id) == [p.id!])
            }
            try await app.testing().test(.GET, "/api/v1/payrolls/\(id)/files/\(bank)", headers: bankHeaders) { res in
                #expect(res.status == .ok)
                #expect(Payrolls.sha256(res.body.string) == stored.sha256)
            }
            try await app.testing().test(.GET, "/api/v1/payrolls", headers: try await tokenHeaders(app, for: "tk_county")) { res in
                let list = try res.decode([PaymentAPI.PayrollDTO].self)
                #expect(list.isEmpty)
            }
            try await app.testing().test(.POST, "/api/v1/payrolls/\(id)/release", headers: try await tokenHeaders(app, for: "xc_county")) { res in
                #expect(res.status == .forbidden)
            }
            // A supervisor's view shows no buttons that change anything.
            let sup = try await Client.signedIn(app, as: "supervisor")
            let page = try await sup.get("/payments/payrolls/\(id)").body.string
            #expect(!page.contains("do-release") && !page.contains("do-export") && !page.contains("do-close"))
        }
    }

    @Test("Payment list: per village and township totals equal the payroll's; CSV carries the total; a township sees its own")
    func paymentList() async throws {
        try await withDibao { app in
            let p = try await exported(app)
            let townshipRows = try await BulkSQL.rows(app.db, """
                SELECT township_code, CAST(SUM(amount_fen) AS BIGINT), COUNT(*) FROM payroll_lines WHERE payroll_id = \(bind: p.id!) AND status <> 'held' GROUP BY township_code
                """)
            #expect(townshipRows.map { $0.int(1) }.reduce(0, +) == p.totalFen)
            let own = "150102001000"
            let ownTotal = try #require(townshipRows.first { $0.text(0) == own })
            let c = try await Client.signedIn(app, as: "xc_township")
            let page = try await c.get("/payments/payrolls/\(p.id!.uuidString)/list?township=\(own)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("id=\"list-total\">\(Money(fen: ownTotal.int(1)).formatted)<"))
            let csv = try await c.get("/payments/payrolls/\(p.id!.uuidString)/list?township=\(own)&format=csv")
            #expect(csv.status == .ok)
            let text = csv.body.string
            // Accounts in full for the township caseworker, who pays with them; the last four only
            // for a supervisor, who reads the list without needing the numbers.
            let accounts = try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$townshipCode == own)
                .filter(\.$status != .held).all().map(\.accountNumber)
            #expect(!accounts.isEmpty && accounts.allSatisfy { text.contains($0) })
            // The page is the list printed and signed on paper: masked for every reader (issue 16).
            #expect(accounts.allSatisfy { !page.body.string.contains($0) && page.body.string.contains(Masking.account($0)) })
            #expect(page.body.string.contains("id=\"list-signatures\""))
            let supervised = try await Client.signedIn(app, as: "supervisor").get("/payments/payrolls/\(p.id!.uuidString)/list?township=\(own)&format=csv").body.string
            #expect(accounts.allSatisfy { !supervised.contains($0) && supervised.contains(Masking.account($0)) })
            #expect(text.contains(Money(fen: ownTotal.int(1)).plain))
            #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == Int(ownTotal.int(2)) + 2)   // header, lines, total
            // Another township's list is not for this account.
            let other = try await c.get("/payments/payrolls/\(p.id!.uuidString)/list?township=150102002000")
            #expect(other.status == .unprocessableEntity)
            // The county page's township totals add up to the payroll's total.
            let county = try await Client.signedIn(app, as: "xc_county")
            let detail = try await county.get("/payments/payrolls/\(p.id!.uuidString)").body.string
            #expect(detail.contains("id=\"level-total\">\(Money(fen: p.totalFen).formatted)<"))
        }
    }

    @Test("Budget execution: spending by source adds up, quarters come from released payrolls, carry-over above the policy share is flagged")
    func budget() async throws {
        try await withDibao { app in
            let finance = try await paymentOperator(app, "xc_finance")
            await #expect(throws: FieldRefusal.self) {
                try await Budgets.set(county: urbanCounty, year: 2026, amounts: [.central: Money(fen: -1)], by: finance, app: app)
            }
            try await Budgets.set(county: urbanCounty, year: 2026, amounts: [.central: Money(yuan: 600_000), .region: Money(yuan: 200_000),
                                                                             .league: Money(yuan: 100_000), .county: Money(yuan: 100_000)], by: finance, app: app)
            let p = try await exported(app)
            let rows = try await Budgets.execution(area: urbanCounty, year: 2026, on: app.db)
            let e = try #require(rows.first { $0.county == urbanCounty.value }?.execution)
            #expect(e.totalBudget == Money(yuan: 1_000_000))
            #expect(e.monthly[2].fen == p.totalFen)
            #expect(e.quarter(1).fen == p.totalFen)
            #expect(e.spentBySource.values.map(\.fen).reduce(0, +) == p.totalFen)
            // Spent a fraction of a large budget: the year-end carry-over is above 10 % of spending.
            #expect(e.carryOverFlagged(policy: .default2013))
            let page = try await Client.signedIn(app, as: "xc_finance")
            let html = try await page.get("/payments/budget?year=2026").body.string
            #expect(html.contains("<svg") && html.contains("data-value=\"\(p.totalFen)\""))
            // The league's supervisor sees every county and the league judged as one.
            let league = try await Client.signedIn(app, as: "supervisor").get("/payments/budget?year=2026").body.string
            #expect(league.contains("data-county=\"\(urbanCounty.value)\"") && league.contains("data-county=\"\(ruralCounty.value)\""))
            #expect(league.contains("id=\"area-evenness\""))
            #expect(!league.contains("id=\"set-budget\""))
            // The county caseworker reads it; a bank does not.
            #expect(try await Client.signedIn(app, as: "xc_county").get("/payments/budget").status == .ok)
            #expect(try await Client.signedIn(app, as: "xc_bank").get("/payments/budget").status == .forbidden)
        }
    }
}
