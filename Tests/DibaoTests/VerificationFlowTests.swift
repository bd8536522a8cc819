import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Writes a department file and returns its path.
func departmentFile(_ lines: [String], gb18030: Bool = false, bom: Bool = false) throws -> String {
    let path = NSTemporaryDirectory() + "dibao-dept-" + UUID().uuidString + ".csv"
    let text = lines.joined(separator: "\r\n") + "\r\n"
    var data = gb18030 ? text.data(using: .gb18030)! : Data(text.utf8)
    if bom { data = Data([0xEF, 0xBB, 0xBF]) + data }
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

/// Stored department records, without the batch that last delivered them.
func storedRecords(_ app: Application) async throws -> [String] {
    try await (app.db as! any SQLDatabase).raw("SELECT id_number, source, reference, on_date, label, amount_fen, quantity, status FROM department_records ORDER BY id_number, source, reference, on_date").all().map { row in
        try ["id_number", "source", "reference", "on_date", "label", "status"].map { try row.decode(column: $0, as: String.self) }.joined(separator: "|")
            + "|" + String(try row.decode(column: "amount_fen", as: Int64.self)) + "|" + String(try row.decode(column: "quantity", as: Int64.self))
    }
}

func auditCount(_ app: Application) async throws -> Int { try await AuditEvent.query(on: app.db).count() }

@Suite(.serialized) struct DepartmentImportTests {
    /// A valid ID number for row `i` (distinct people, checked numbers).
    static func person(_ i: Int) -> String {
        ResidentID.make(regionCode: "150102", birthDate: CivilDate(year: 1950 + i % 50, month: 1 + i % 12, day: 1 + i % 28)!, sequence: (i / 2_100) % 999, sex: i % 2 == 0 ? .male : .female).value
    }

    @Test func badRowsAreReportedByLineTheRestKeptAndASecondImportChangesNothing() async throws {
        try await withDibao(households: 0) { app in
            var lines = ["id_number,institution,account,balance_yuan,as_of"]
            let n = 6_000
            for i in 0..<n { lines.append("\(Self.person(i)),工商银行,6222\(i),\(i % 9000).\(i % 100),2026-10-31") }
            // Three bad rows, at file lines 101, 2002 and 5003 (the header is line 1).
            lines[100] = "110105194912310021,工商银行,6222x,10.00,2026-10-31"
            lines[2001] = "\(Self.person(2000)),工商银行,6222y,10.00,2026-02-30"
            lines[5002] = "\(Self.person(5001)),工商银行,6222z,-5,2026-10-31"
            let path = try departmentFile(lines)
            let outcome = try await DepartmentImport.importFile(at: path, source: .deposit, period: "2026-10", by: .system(), app: app)
            #expect(!outcome.duplicate)
            #expect(outcome.batch.rowsTotal == n && outcome.batch.rowsAccepted == n - 3 && outcome.batch.rowsRejected == 3)
            let errors = try await DepartmentBatchError.query(on: app.db).filter(\.$batchID == outcome.batch.id!).sort(\.$line).all()
            #expect(errors.map(\.line) == [101, 2002, 5003])
            #expect(errors.map(\.rule) == ["id.check_character", "import.date", "import.negative"])
            // The report keeps the phrase, not a sentence, and is written in each reader's language.
            #expect(!errors.contains { $0.message.unicodeScalars.contains { (0x3400...0x9FFF).contains($0.value) } }, "\(errors.map(\.message))")
            let dated = RowProblem.stored(line: errors[1].line, field: errors[1].field, rule: errors[1].rule, message: errors[1].message)
            #expect(dated.zh == "第 2002 行“余额日期”：“2026-02-30”不是有效日期（如 2026-03-31）")
            #expect(dated.en == "line 2002 as_of: “2026-02-30” is not a valid date (e.g. 2026-03-31)")
            #expect(dated.message(.mn).contains("2002") && dated.message(.mn).unicodeScalars.contains { (0x1800...0x18AF).contains($0.value) })
            let stored = try await storedRecords(app)
            #expect(stored.count == n - 3)
            #expect(stored.contains("\(Self.person(7))|deposit|62227|2026-10-31|工商银行||770|0"))

            let events = try await auditCount(app)
            let again = try await DepartmentImport.importFile(at: path, source: .deposit, period: "2026-10", by: .system(), app: app)
            #expect(again.duplicate && again.batch.id == outcome.batch.id)
            #expect(try await storedRecords(app) == stored)
            #expect(try await DepartmentBatch.query(on: app.db).count() == 1)
            #expect(try await auditCount(app) == events)
        }
    }

    @Test func theGB18030TwinOfAUTF8FileImportsToIdenticalRecords() async throws {
        try await withDibao(households: 0) { app in
            let lines = ["身份证号码,号牌号码,车辆类型,初次登记日期,评估价值（元）,机动车状态",
                         "\(Self.person(1)),蒙A·12345,小型轿车,2019-05-01,\"45,000.00\",正常",
                         "\(Self.person(2)),蒙K·88888,三轮摩托车,2021-07-15,3000,正常",
                         "\(Self.person(3)),蒙A·00001,中型货车,2015-01-20,,已注销/转让"]
            let utf8 = try await DepartmentImport.importFile(at: try departmentFile(lines, bom: true), source: .vehicle, period: "2026-10", by: .system(), app: app)
            let first = try await storedRecords(app)
            #expect(first.count == 3 && utf8.batch.encoding == "utf-8")
            #expect(first[0] == "\(Self.person(1))|vehicle|蒙A·12345|2019-05-01|小型轿车|held|4500000|0")
            let gb = try await DepartmentImport.importFile(at: try departmentFile(lines, gb18030: true), source: .vehicle, period: "2026-10", by: .system(), app: app)
            #expect(gb.batch.encoding == "gb18030" && gb.batch.rowsAccepted == 3 && gb.batch.rowsRejected == 0)
            #expect(gb.batch.checksum != utf8.batch.checksum)
            #expect(try await storedRecords(app) == first)
        }
    }

    @Test func aBatchWithTooManyBadRowsIsRefusedWhole() async throws {
        try await withDibao(households: 0) { app in
            var lines = ["id_number,employer,item,period,monthly_yuan"]
            for i in 0..<100 { lines.append("\(Self.person(i)),某厂,wage,2026-0\(1 + i % 9),3000") }
            for i in 0..<6 { lines[10 + i] = "\(Self.person(i)),某厂,wage,2026-13,3000" }
            let path = try departmentFile(lines)
            await #expect(throws: BatchRefused.self) {
                try await DepartmentImport.importFile(at: path, source: .employment, period: nil, by: .system(), app: app)
            }
            #expect(try await storedRecords(app).isEmpty)
            let batch = try #require(try await DepartmentBatch.query(on: app.db).first())
            #expect(batch.status == "refused" && batch.rowsRejected == 6 && batch.rowsAccepted == 0)
            #expect(try await DepartmentBatchError.query(on: app.db).count() == 6)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "verification.batch_refused").count() == 1)
        }
    }

    @Test func aDepartmentTokenDeliversOnlyItsOwnSourcesAndAWrongHeaderIsRefused() async throws {
        try await withDibao(households: 0) { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "dept_gongan").first())
            let token = TokenHashing.newToken()
            let record = APIToken(userID: try user.requireID(), name: "公安厅", tokenHash: TokenHashing.hash(token))
            record.sources = "hukou,vehicle"
            try await record.create(on: app.db)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: token)
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            let hukou = "id_number,name,household_number,status\n\(Self.person(1)),张三,H001,正常\n"
            let deposit = "id_number,institution,account,balance_yuan,as_of\n\(Self.person(1)),工行,1,10,2026-10-01\n"
            try await app.testing().test(.POST, "/api/v1/verification/batches?source=hukou&period=2026-10", headers: headers, body: ByteBuffer(string: hukou)) { res in
                #expect(res.status == .created, "\(res.body.string)")
                let view = try res.decode(DepartmentBatchView.self)
                #expect(view.rowsAccepted == 1 && view.channel == "api")
            }
            try await app.testing().test(.POST, "/api/v1/verification/batches?source=hukou&period=2026-10", headers: headers, body: ByteBuffer(string: hukou)) { res in
                #expect(res.status == .ok)
                let view = try res.decode(DepartmentBatchView.self)
                #expect(view.duplicate)
            }
            try await app.testing().test(.POST, "/api/v1/verification/batches?source=deposit", headers: headers, body: ByteBuffer(string: deposit)) { res in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(.POST, "/api/v1/verification/batches?source=vehicle", headers: headers, body: ByteBuffer(string: "id_number,plate\n")) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(res.body.string.contains("import.missing_column"))
            }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$reason == "source:deposit").count() == 1)
        }
    }
}

@Suite struct VerificationDocsTests {
    static let docs = TestDatabase.packageRoot + "/docs"

    @Test func theFormatPageListsEveryColumnOfEverySource() throws {
        let page = try String(contentsOfFile: Self.docs + "/verification-formats.md", encoding: .utf8)
        for source in DepartmentSource.allCases {
            let section = try #require(page.range(of: "### `\(source.rawValue)`"), "\(source.rawValue) has no section")
            let rest = page[section.upperBound...]
            let body = rest[..<(rest.range(of: "### ")?.lowerBound ?? rest.endIndex)]
            for column in source.columns {
                #expect(body.contains("| `\(column.key)` | \(column.zh) | \(column.optional ? "no" : "yes") |"), "\(source.rawValue).\(column.key)")
            }
        }
    }

    @Test func everySampleImportsWithoutABadRowAndTheGB18030TwinMatches() async throws {
        try await withDibao(households: 0) { app in
            for source in DepartmentSource.allCases {
                let out = try await DepartmentImport.importFile(at: Self.docs + "/samples/\(source.rawValue).csv", source: source, period: "2026-10", by: .system(), app: app)
                #expect(out.batch.rowsRejected == 0 && out.batch.rowsAccepted > 0, "\(source.rawValue): \(out.problems.map(\.en))")
            }
            let before = try await storedRecords(app)
            let twin = try await DepartmentImport.importFile(at: Self.docs + "/samples/vehicle.gb18030.csv", source: .vehicle, period: "2026-10", by: .system(), app: app)
            #expect(twin.batch.encoding == "gb18030" && twin.batch.rowsAccepted == 3 && !twin.duplicate)
            #expect(try await storedRecords(app) == before)
        }
    }
}

@Suite(.serialized) struct VerificationCheckFlowTests {
    /// A policy with asset limits, as a league would load it.
    static func loadAssetPolicy(_ app: Application) async throws {
        var p = Policy.default2013
        p.version = "NM-2020-ASSETS"
        p.effectiveFrom = CivilDate(year: 2020, month: 1, day: 1)!
        p.depositLimitMonthsOfStandard = 24
        p.vehicleLimit = 0
        try p.validate()
        try await PolicyVersion(p).create(on: app.db)
        try await PolicyVersions.reload(app.dibao, on: app.db)
    }

    @Test func aCheckWithoutTheSignedAuthorisationIsRefused() async throws {
        try await withDibao(households: 0) { app in
            let driver = try await CaseDriver.make(app, users: ["xc_township", "xc_county"])
            let never = try await driver.household(seed: 3)
            let res = try await driver.call("xc_county", .POST, "/api/v1/verification/requests", VerificationAPI.RequestInput(households: [never]))
            #expect(res.status == .unprocessableEntity)
            #expect(driver.problems(res) == ["verification.authorization_missing"])
            #expect(try await VerificationRequest.query(on: app.db).count() == 0)
            #expect(try await VerificationSubjectRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aCentreCannotReadAnotherCentresRequests() async throws {
        try await withDibao(households: 0) { app in
            let driver = try await CaseDriver.make(app, users: ["xc_township", "xc_village", "xc_verify", "tk_verify", "verify", "tk_township", "xc_approver"])
            let c = try await driver.file(try await driver.household(seed: 4))
            let res = try await driver.call("xc_township", .POST, "/api/v1/verification/requests", VerificationAPI.RequestInput(caseID: c.id))
            #expect(res.status == .created, "\(res.body.string)")
            let request = try res.decode(VerificationRequestView.self)
            #expect(request.centreCode == "150102000000" && request.purpose == "application")
            for (user, status) in [("xc_verify", HTTPStatus.ok), ("xc_township", .ok), ("xc_approver", .ok), ("tk_verify", .notFound), ("verify", .notFound), ("tk_township", .notFound)] {
                let got = try await driver.call(user, .GET, "/api/v1/verification/requests/\(request.id)")
                #expect(got.status == status, "\(user)")
            }
            #expect(try await driver.call("tk_verify", .GET, "/api/v1/verification/requests").decode([VerificationRequestView].self).isEmpty)
            #expect(try await driver.call("xc_verify", .GET, "/api/v1/verification/requests").decode([VerificationRequestView].self).map(\.id) == [request.id])
            #expect(try await driver.call("tk_verify", .POST, "/api/v1/verification/requests/\(request.id)/run").status == .notFound)
            #expect(try await driver.call("xc_township", .POST, "/api/v1/verification/requests/\(request.id)/run").status == .forbidden)
            let denials = try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$entityID == request.id.uuidString).all()
            #expect(Set(denials.map(\.actorName)) == ["tk_verify", "verify", "tk_township"])
            #expect(try await VerificationRequest.find(request.id, on: app.db)?.status == "pending")
        }
    }

    @Test func anUndeclaredVehicleAndDepositsOverTheLimitAreBothInTheReportAndOnTheCase() async throws {
        try await withDibao(households: 0) { app in
            try await Self.loadAssetPolicy(app)
            let driver = try await CaseDriver.make(app, users: ["xc_township", "xc_village", "xc_verify", "xc_head", "xc_approver", "supervisor"])
            let hid = try await driver.household(seed: 5)
            let members = try await Member.query(on: app.db).filter(\.$household.$id == hid).sort(\.$position).all()
            let (head, spouse) = (members[0].idNumber, members[1].idNumber)
            // An honest household next door, to show the match is per member.
            let other = try await driver.household(seed: 6)
            let neighbour = try #require(try await Member.query(on: app.db).filter(\.$household.$id == other).first()).idNumber
            _ = try await DepartmentImport.importFile(at: try departmentFile([
                "id_number,plate,vehicle_type,registered_on,value_yuan", "\(spouse),蒙A·D1234,小型轿车,2022-03-01,68000", "\(neighbour),蒙A·Z0001,小型轿车,2022-03-01,68000",
            ]), source: .vehicle, period: "2026-02", by: .system(), app: app)
            _ = try await DepartmentImport.importFile(at: try departmentFile([
                "id_number,institution,account,balance_yuan,as_of", "\(head),中国银行,6216-01,\"40,000.00\",2026-02-28", "\(spouse),农业银行,6228-02,12000,2026-02-28",
            ]), source: .deposit, period: "2026-02", by: .system(), app: app)
            var wages = ["id_number,employer,item,period,monthly_yuan"]
            for m in 3...12 { wages.append("\(head),呼和浩特某物业公司,wage,2025-\(m < 10 ? "0" : "")\(m),2400") }
            _ = try await DepartmentImport.importFile(at: try departmentFile(wages), source: .employment, period: "2026-02", by: .system(), app: app)

            let c = try await driver.file(hid)
            try await driver.step("xc_township", c.id, .accept)
            let requested = try await driver.call("xc_township", .POST, "/api/v1/verification/requests", VerificationAPI.RequestInput(caseID: c.id)).decode(VerificationRequestView.self)
            let run = try await driver.call("xc_verify", .POST, "/api/v1/verification/requests/\(requested.id)/run")
            #expect(run.status == .ok, "\(run.body.string)")
            let done = try run.decode(VerificationRequestView.self)
            #expect(done.status == "done" && done.contradictionHouseholds == 1 && done.reports.count == 1)
            #expect(try await driver.call("xc_verify", .POST, "/api/v1/verification/requests/\(requested.id)/run").status == .unprocessableEntity)

            let report = try await driver.call("xc_approver", .GET, "/api/v1/verification/reports/\(done.reports[0].reportID)").decode(VerificationReportView.self)
            let kinds = report.contradictions.map(\.kind)
            #expect(kinds.contains("undeclared_vehicle") && kinds.contains("financial_assets_over_limit"))
            // 24 months × 906 yuan × 2 members = 43,488; 52,000 found.
            #expect(report.contradictions.first { $0.kind == "financial_assets_over_limit" }?.text.contains("43,488.00") == true)
            #expect(report.totals.first { $0.kind == "financial_assets" }?.value == "¥52,000.00")
            // Ten months of 2,400 in the twelve before March 2026: 2,000 a month.
            #expect(report.verifiedMonthlyIncome == "¥2,000.00")
            #expect(report.members[0].idNumber == head)
            let masked = try await driver.call("supervisor", .GET, "/api/v1/verification/reports/\(done.reports[0].reportID)")
            #expect(masked.status == .ok && !masked.body.string.contains(head) && !masked.body.string.contains("6216-01"))

            // The township reviewer and the county approver see it on the case.
            for user in ["xc_head", "xc_approver"] {
                let view = try await driver.call(user, .GET, "/api/v1/cases/\(c.id)").decode(CaseView.self)
                #expect(view.verification?.contradictions.map(\.kind).contains("undeclared_vehicle") == true, "\(user)")
            }
            // The investigation may take the verified income for the proposed benefit.
            var input = StepInput.investigation
            input.useVerifiedIncome = "true"
            let investigated = try #require(try await driver.step("xc_township", c.id, .completeInvestigation, input))
            #expect(investigated.householdIncome == "¥2,200.00") // 2,000 verified wages + 200 support owed
            let incomes = try await VerifiedIncome.query(on: app.db).filter(\.$caseID == c.id).all()
            #expect(incomes.map(\.monthlyFen) == [200_000])

            // Every look-up is an audit event: who checked whom, for which case.
            let lookup = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "verification.lookup").first())
            #expect(lookup.actorName == "xc_verify" && lookup.entityID == hid.uuidString && lookup.detailObject["case"] == c.id.uuidString)
            #expect(!lookup.detail.contains(head))
            #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: try await auditCount(app)))
        }
    }

    @Test func theCountysPeriodicCheckCoversEveryEnrolledHousehold() async throws {
        try await withDibao(households: 120) { app in
            let enrolled = try await Household.query(on: app.db).filter(\.$countyCode == "150102000000").filter(\.$status == "enrolled").count()
            #expect(enrolled > 0)
            let driver = try await CaseDriver.make(app, users: ["xc_county", "xc_verify"])
            let res = try await driver.call("xc_county", .POST, "/api/v1/verification/requests", VerificationAPI.RequestInput(scope: "enrolled", note: "2026 年一季度定期核对"))
            #expect(res.status == .created, "\(res.body.string)")
            let request = try res.decode(VerificationRequestView.self)
            #expect(request.householdCount == enrolled && request.purpose == PeriodicVerification.purpose)
            let done = try await driver.call("xc_verify", .POST, "/api/v1/verification/requests/\(request.id)/run").decode(VerificationRequestView.self)
            #expect(done.status == "done")
            #expect(try await VerificationReportRecord.query(on: app.db).count() == enrolled)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "verification.lookup").count() == enrolled)

            // Each report holds its household's members in order, each with the income they declared.
            let sql = app.db as! any SQLDatabase
            var declared: [String: Int64] = [:]
            for row in try await sql.raw("SELECT m.id_number, CAST(SUM(i.monthly_fen) AS BIGINT) AS fen FROM members m JOIN income_items i ON i.member_id = m.id GROUP BY m.id_number").all() {
                declared[try row.decode(column: "id_number", as: String.self)] = try row.decode(column: "fen", as: Int64.self)
            }
            #expect(!declared.isEmpty)
            for record in try await VerificationReportRecord.query(on: app.db).all() {
                let report = try VerificationReport(stored: record.body)
                let members = try await Member.query(on: app.db).filter(\.$household.$id == record.householdID).sort(\.$position).all()
                #expect(report.members.map(\.idNumber) == members.map(\.idNumber))
                #expect(report.members.map(\.position) == members.map(\.position))
                #expect(report.members.map(\.declaredMonthlyIncome.fen) == members.map { declared[$0.idNumber] ?? 0 })
            }
        }
    }

    /// A request of thousands of households is read in two halves at once on the embedded
    /// database; every household still gets exactly one report, with its own records.
    @Test func aLargeCheckReportsEveryHouseholdOnceWithItsOwnRecords() async throws {
        try await withDibao(households: 4_500) { app in
            let sql = app.db as! any SQLDatabase
            // Vehicles for members spread over the whole range of household keys.
            let people = try await sql.raw("SELECT m.id_number, m.household_id FROM members m WHERE m.position = 1 ORDER BY m.id_number LIMIT 40").all()
            var lines = ["id_number,plate,vehicle_type,registered_on,value_yuan"]
            var owners = Set<String>()
            for (n, row) in people.enumerated() {
                lines.append("\(try row.decode(column: "id_number", as: String.self)),蒙A·T\(String(format: "%04d", n)),小型轿车,2022-03-01,50000")
                owners.insert(try row.decode(column: "household_id", as: UUID.self).uuidString)
            }
            _ = try await DepartmentImport.importFile(at: try departmentFile(lines), source: .vehicle, period: "2026-02", by: .system(), app: app)

            let league = try AreaCode(DemoData.league.0)
            let request = try await VerificationRequests.create(households: [], scope: .all, caseID: nil, purpose: "batch", note: "",
                                                                by: Requester(area: league, username: "test", audit: .system), app: app)
            let households = try await Household.query(on: app.db).count()
            #expect(request.householdCount == households && households >= 4_000)
            let out = try await VerificationRun.run(request.id!, by: .system, username: "test", app: app)
            #expect(out.households == households && out.matchedRecords == people.count)

            let reports = try await VerificationReportRecord.query(on: app.db).filter(\.$requestID == request.id!).all()
            #expect(reports.count == households)
            #expect(Set(reports.map(\.householdID)).count == households)
            var withVehicle = Set<String>()
            var members = 0
            for r in reports {
                let report = try VerificationReport(stored: r.body)
                if report.totals.vehicles > 0 { withVehicle.insert(r.householdID.uuidString) }
                members += report.members.count
            }
            #expect(withVehicle == owners)
            #expect(members == (try await Member.query(on: app.db).count()))
            let lookups = try await AuditEvent.query(on: app.db).filter(\.$action == "verification.lookup").count()
            #expect(lookups == households)
            #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: try await auditCount(app)))
        }
    }
}
