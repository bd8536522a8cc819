import Foundation
import Testing
@testable import DibaoCore

@Suite struct DepartmentFileTests {
    let head = "11010519491231002X"
    let spouse = "150102198001010015"

    @Test func headerMatchesByKeyOrChineseInAnyOrder() throws {
        let reader = try DepartmentFileReader(source: .vehicle, header: ["\u{FEFF}号牌号码", "id_number", "vehicle_type", "初次登记日期"])
        let row = reader.read(["蒙A12345", head, "小型轿车", "2020-05-01"], line: 2)
        #expect(try row.get() == DepartmentRecord(source: .vehicle, idNumber: head, reference: "蒙A12345", label: "小型轿车",
                                                  date: CivilDate(iso: "2020-05-01")))
    }

    @Test func headerMissingARequiredColumnIsRefusedNamingIt() {
        #expect(throws: DepartmentFileRefusal(source: .deposit, reason: .missingColumn(key: "balance_yuan", zh: "余额（元）"))) {
            try DepartmentFileReader(source: .deposit, header: ["id_number", "institution", "account", "as_of"])
        }
        #expect(throws: DepartmentFileRefusal(source: .deposit, reason: .unknownColumn("colour"))) {
            try DepartmentFileReader(source: .deposit, header: ["id_number", "institution", "account", "as_of", "balance_yuan", "colour"])
        }
    }

    @Test func eachBadRowNamesItsLineColumnAndRule() throws {
        let reader = try DepartmentFileReader(source: .deposit, header: ["id_number", "institution", "account", "balance_yuan", "as_of"])
        func problem(_ fields: [String]) -> RowProblem? {
            if case .failure(let p) = reader.read(fields, line: 7) { return p }
            return nil
        }
        #expect(problem(["110105194912310021", "工行", "6222", "10", "2026-01-01"])?.rule == "id.check_character")
        #expect(problem([head, "工行", "6222", "10", "2026-02-30"])?.rule == "import.date")
        #expect(problem([head, "工行", "6222", "-10", "2026-01-01"])?.rule == "import.negative")
        #expect(problem([head, "工行", "6222", "1.234", "2026-01-01"])?.rule == "money.too_many_decimals")
        #expect(problem([head, "", "6222", "10", "2026-01-01"])?.field == "institution")
        #expect(problem([head, "工行", "6222", "10"])?.rule == "import.column_count")
        let p = problem([head, "工行", "6222", "10", "2026-13-01"])
        #expect(p?.line == 7)
        #expect(p?.zh.contains("第 7 行") == true && p?.zh.contains("余额日期") == true)
        #expect(try reader.read([head, "工行", "6222", "1,234.50", "20260101"], line: 3).get().amount == Money(fen: 123_450))
    }

    @Test func choicesAcceptKeyOrChineseAndMonthsAreFirstDays() throws {
        let business = try DepartmentFileReader(source: .business, header: DepartmentSource.business.columns.map(\.key))
        #expect(try business.read([head, "91150100MA0N", "某商店", "50000", "2019-01-01", "存续"], line: 2).get().status == "active")
        if case .success = business.read([head, "91150100MA0N", "某商店", "50000", "2019-01-01", "open"], line: 2) { Issue.record("accepted an unknown status") }
        let tax = try DepartmentFileReader(source: .tax, header: DepartmentSource.tax.columns.map(\.zh))
        #expect(try tax.read([head, "某公司", "工资薪金", "2026-03", "4000"], line: 2).get().date == CivilDate(iso: "2026-03-01"))
    }

    @Test func csvQuotingFollowsRFC4180() {
        #expect(CSVLine.fields("a,\"b,c\",\"say \"\"hi\"\"\",\r") == ["a", "b,c", "say \"hi\"", ""])
        #expect(CSVLine.fields("a,\"open") == nil)
        #expect(CSVLine.escape("x,y") == "\"x,y\"")
    }

    @Test func everySourceDocumentsAnIDColumnFirst() {
        for source in DepartmentSource.allCases {
            #expect(source.columns.first?.key == "id_number")
            #expect(Set(source.columns.map(\.key)).count == source.columns.count)
        }
    }
}

@Suite struct VerificationCheckTests {
    let head = "11010519491231002X"
    let spouse = "150102198001010015"
    let stranger = "150102199001010013"
    let today = CivilDate(iso: "2026-11-25")!

    func subject(vehicles: Int = 0, deposits: Int64 = 0, income: Int64 = 0) -> VerificationSubject {
        VerificationSubject(
            members: [.init(position: 0, name: "张三明", idNumber: head, declaredMonthlyIncome: Money(fen: income)),
                      .init(position: 1, name: "李四", idNumber: spouse, declaredMonthlyIncome: .zero)],
            declaredCounts: [.vehicle: vehicles], declaredValues: [.deposit: Money(fen: deposits)], standardPerPerson: Money(yuan: 700))
    }

    var policy: Policy {
        var p = Policy.default2013
        p.depositLimitMonthsOfStandard = 24
        p.vehicleLimit = 0
        return p
    }

    @Test func undeclaredVehicleAndDepositsAboveTheLimitAreBothNamed() {
        let records = [
            DepartmentRecord(source: .vehicle, idNumber: spouse, reference: "蒙A88888", label: "小型轿车", date: CivilDate(iso: "2024-01-02"), amount: Money(yuan: 60_000)),
            DepartmentRecord(source: .deposit, idNumber: head, reference: "6222-1", label: "工商银行", date: CivilDate(iso: "2026-10-31"), amount: Money(yuan: 30_000)),
            DepartmentRecord(source: .deposit, idNumber: spouse, reference: "6228-9", label: "农业银行", date: CivilDate(iso: "2026-10-31"), amount: Money(yuan: 5_000)),
            DepartmentRecord(source: .deposit, idNumber: stranger, reference: "6228-0", label: "农业银行", date: CivilDate(iso: "2026-10-31"), amount: Money(yuan: 900_000)),
        ]
        let report = VerificationCheck.run(subject(deposits: 1_000_00), records: records, delivered: [.vehicle, .deposit], policy: policy, on: today)
        // 24 months × 700 yuan × 2 members = 33,600 yuan; 35,000 found.
        #expect(report.totals.financialAssets == Money(yuan: 35_000))
        #expect(report.totals.vehicles == 1)
        #expect(report.contradictions.map(\.kind) == [.undeclaredVehicle, .vehiclesOverLimit, .financialAssetsAboveDeclared, .financialAssetsOverLimit])
        let over = report.contradictions.first { $0.kind == .financialAssetsOverLimit }!
        #expect(over.found == 3_500_000 && over.allowed == 3_360_000)
        #expect(report.message(over, .zh).contains("33,600.00"))
        #expect(report.message(over, .en).contains("exceed the policy limit"))
        #expect(!report.contradictions.contains { report.message($0, .zh).contains(head) || report.message($0, .zh).contains("张三明") })
        #expect(report.message(report.contradictions[0], .zh) == "核对到车辆 1 项，申报 0 项")
    }

    @Test func nothingContradictsAnHonestDeclarationOrADefaultPolicy() {
        let records = [
            DepartmentRecord(source: .vehicle, idNumber: spouse, reference: "蒙A88888", label: "二轮摩托车", date: CivilDate(iso: "2024-01-02"), amount: Money(yuan: 3_000)),
            DepartmentRecord(source: .deposit, idNumber: head, reference: "6222-1", label: "工商银行", date: CivilDate(iso: "2026-10-31"), amount: Money(yuan: 900)),
        ]
        let honest = VerificationCheck.run(subject(vehicles: 1, deposits: 900_00), records: records, delivered: [.vehicle, .deposit], policy: policy, on: today)
        #expect(honest.contradictions.isEmpty)
        #expect(honest.totals.exemptVehicles == 1)
        let lenient = VerificationCheck.run(subject(vehicles: 1, deposits: 900_00), records: records + [
            DepartmentRecord(source: .deposit, idNumber: spouse, reference: "x", label: "y", date: CivilDate(iso: "2026-10-31"), amount: Money(yuan: 99_000))
        ], delivered: [.deposit], policy: .default2013, on: today)
        #expect(lenient.contradictions.map(\.kind) == [.financialAssetsAboveDeclared])
    }

    @Test func latestBalanceCountsAndDisposedItemsDoNot() {
        let records = [
            DepartmentRecord(source: .deposit, idNumber: head, reference: "A", label: "工行", date: CivilDate(iso: "2026-06-30"), amount: Money(yuan: 50_000)),
            DepartmentRecord(source: .deposit, idNumber: head, reference: "A", label: "工行", date: CivilDate(iso: "2026-10-31"), amount: Money(yuan: 100)),
            DepartmentRecord(source: .deposit, idNumber: head, reference: "A", label: "工行", date: CivilDate(iso: "2026-12-31"), amount: Money(yuan: 70_000)),
            DepartmentRecord(source: .housing, idNumber: head, reference: "C1", label: "某小区", date: CivilDate(iso: "2010-01-01"), quantity: 6_050, status: "disposed"),
            DepartmentRecord(source: .housing, idNumber: spouse, reference: "C2", label: "某村", date: CivilDate(iso: "2012-01-01"), quantity: 8_000, status: "held"),
        ]
        let report = VerificationCheck.run(subject(), records: records, delivered: [.deposit, .housing], policy: policy, on: today)
        #expect(report.totals.financialAssets == Money(yuan: 100))
        #expect(report.totals.dwellings == 1 && report.totals.floorArea == 8_000)
        #expect(report.contradictions.map(\.kind) == [.undeclaredHousing, .financialAssetsAboveDeclared])
    }

    @Test func incomeIsAveragedOverTheWindowAndWagesAreNotCountedTwice() {
        var records: [DepartmentRecord] = []
        // Eleven months of wages inside the window (2025-11 … 2026-10), one outside, one in the check month.
        for month in ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-11"] {
            records.append(DepartmentRecord(source: .employment, idNumber: head, reference: "某厂", label: "wage", date: CivilDate(iso: month + "-01"), amount: Money(yuan: 3_000)))
            records.append(DepartmentRecord(source: .tax, idNumber: head, reference: "某厂", label: "工资薪金", date: CivilDate(iso: month + "-01"), amount: Money(yuan: 2_000)))
        }
        records.append(DepartmentRecord(source: .employment, idNumber: spouse, reference: "社保局", label: "pension", date: CivilDate(iso: "2026-10-01"), amount: Money(fen: 120_001)))
        let report = VerificationCheck.run(subject(income: 2_000_00), records: records, delivered: [.employment, .tax], policy: policy, on: today)
        let first = report.members[0]
        // 11 × 3,000 = 33,000 over 12 months = 2,750 a month; tax (22,000) is the same wage, smaller.
        #expect(first.verifiedIncome == [IncomeLine(kind: .wages, monthly: Money(yuan: 2_750))])
        #expect(first.lines.first { $0.source == .employment }?.months == 11)
        // 1,200.01 / 12 = 100.000833 → 100.00
        #expect(report.members[1].verifiedIncome == [IncomeLine(kind: .pension, monthly: Money(fen: 10_000))])
        #expect(report.totals.monthlyIncome == Money(fen: 285_000))
        #expect(report.contradictions.map(\.kind) == [.incomeAboveDeclared, .incomeAboveDeclared])
        #expect(report.contradictions.map(\.member) == [0, 1])
        #expect(report.message(report.contradictions[0], .zh) == "张*明：核对月均收入 ¥2,750.00，高于申报的 ¥2,000.00")
    }

    @Test func aDeceasedMemberIsAContradiction() {
        let records = [DepartmentRecord(source: .householdRegistration, idNumber: spouse, reference: "H1", label: "李四", date: CivilDate(iso: "2026-02-01"), status: "deceased")]
        let report = VerificationCheck.run(subject(), records: records, delivered: [.householdRegistration], policy: policy, on: today)
        #expect(report.members[1].registration == .deceased)
        #expect(report.members[0].registration == nil)
        #expect(report.contradictions.map(\.kind) == [.registrationStatus])
    }

    @Test func theStoredReportReadsBackToTheSameReport() throws {
        let records = [
            DepartmentRecord(source: .vehicle, idNumber: spouse, reference: "蒙A\"8\\8", label: "小型\n轿车", date: CivilDate(iso: "2024-01-02"), amount: Money(yuan: 60_000)),
            DepartmentRecord(source: .tax, idNumber: head, reference: "某厂", label: "经营所得", date: CivilDate(iso: "2026-05-01"), amount: Money(yuan: 12_000)),
            DepartmentRecord(source: .providentFund, idNumber: head, reference: "某厂", date: CivilDate(iso: "2026-05-01"), amount: Money(yuan: 300), quantity: 1_000_000),
            DepartmentRecord(source: .householdRegistration, idNumber: head, reference: "H1", label: "张三明", status: "normal"),
        ]
        let report = VerificationCheck.run(subject(), records: records, delivered: Set(DepartmentSource.allCases), policy: policy, on: today)
        // The stored form reads back to the same report, and so does the named form stored before it.
        let named = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(report.stored.count < named.count)
        #expect(try VerificationReport(stored: report.stored) == report)
        #expect(try VerificationReport(stored: named) == report)
        var partial = report
        partial.delivered = [.vehicle, .tax]
        #expect(try VerificationReport(stored: partial.stored).delivered == [.vehicle, .tax])
        #expect(report.totals.providentBalance == Money(fen: 1_000_000))
        #expect(report.members[0].verifiedIncome == [IncomeLine(kind: .business, monthly: Money(yuan: 1_000))])
    }

    @Test func policyAssetItemsAreValidatedAndOlderVersionsStillDecode() throws {
        var p = Policy.default2013
        p.vehicleLimit = -1
        #expect(throws: PolicyRefusal(field: "vehicle_limit", reason: .negative(-1))) { try p.validate() }
        p = .default2013
        p.verificationIncomeMonths = 0
        #expect(throws: PolicyRefusal(field: "verification_income_months", reason: .notPositive(0))) { try p.validate() }
        // A version stored before the verification items existed.
        var body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Policy.default2013)) as! [String: Any]
        for key in ["vehicleLimit", "exemptVehicleTypes", "housingLimit", "businessLimit", "verificationIncomeMonths", "importMaxErrorPerMille"] { body[key] = nil }
        let old = try JSONDecoder().decode(Policy.self, from: JSONSerialization.data(withJSONObject: body))
        #expect(old == .default2013)
    }
}

@Suite struct DepartmentSourceOrderTests {
    @Test func orderIsThePositionInTheDocumentedList() {
        #expect(DepartmentSource.allCases.map(\.order) == Array(0..<DepartmentSource.allCases.count))
    }
}

@Suite struct ByteTextTests {
    @Test func textIsQuotedAsJSONReadsItBack() throws {
        for s in ["", "张三", "plain", "say \"hi\"", "back\\slash", "two\nlines\tand\r", "bell\u{07}", "经营所得 \"x\" \u{1F}"] {
            var bytes: [UInt8] = []
            JSONText.appendQuoted(s, to: &bytes)
            let back = try JSONDecoder().decode(String.self, from: Data(bytes))
            #expect(back == s)
        }
        var bytes: [UInt8] = []
        JSONText.appendQuoted("a\"\u{01}", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\"\u0001""#)
    }

    @Test func bytesCompareAsTheirUTF8() {
        #expect(ByteText.equal("粤B12345", "粤B12345"))
        #expect(!ByteText.equal("粤B12345", "粤B12346"))
        #expect(!ByteText.equal("ab", "abc"))
        #expect(ByteText.precedes("ab", "abc") && !ByteText.precedes("abc", "ab"))
        #expect(ByteText.precedes("A", "a") && ByteText.precedes("z", "张"))
        #expect(!ByteText.precedes("same", "same"))
        let pairs = [("b", "a"), ("", "x"), ("工资", "经营"), ("1", "10")]
        for (a, b) in pairs { #expect(ByteText.precedes(a, b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))) }
        Array("经营".utf8).withUnsafeBufferPointer { #expect(ByteText.equal($0, "经营") && !ByteText.equal($0, "经")) }
    }

    @Test func businessIncomeIsFoundByItsLabel() {
        #expect(VerificationCheck.isBusinessIncome("经营所得"))
        #expect(VerificationCheck.isBusinessIncome("个体工商户经营"))
        #expect(!VerificationCheck.isBusinessIncome("工资薪金"))
        #expect(!VerificationCheck.isBusinessIncome("经"))
    }
}
