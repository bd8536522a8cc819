import Testing
@testable import DibaoCore

/// 二.一: the published conditions follow the version in force — its procedure and its numbers.
@Suite("Published conditions (二.一)")
struct PublishedConditionsTests {
    static func keys(_ s: [PublishedSection]) -> [String] { s.flatMap { $0.lines.map(\.key) } }
    static func line(_ s: [PublishedSection], _ key: String) -> PublishedLine? { s.flatMap(\.lines).first { $0.key == key } }

    @Test("2013: evaluation of every application, a 30 % draw, 30 working days from acceptance, a second notice; the standards as set")
    func regional2013() throws {
        let s = PublishedConditions.sections(policy: try ShippedFiles.policy("IM-2013-07"), standards: .init(urban: Money(yuan: 906), rural: nil))
        let k = Self.keys(s)
        #expect(Self.line(s, "conditions.standard_urban")?.args == [Money(yuan: 906).formatted])
        #expect(k.contains("conditions.standard_rural_none"))
        #expect(Self.line(s, "conditions.step_evaluate")?.args == ["5", "10"])
        #expect(Self.line(s, "conditions.step_county_spot_check")?.args == ["30"])
        #expect(Self.line(s, "conditions.step_county_limit_acceptance")?.args == ["30"])
        #expect(k.contains("conditions.step_second_notice") && !k.contains("conditions.step_published_list"))
        #expect(!k.contains("conditions.gradual_exit") && !k.contains("conditions.single_person"))
        #expect(Self.line(s, "conditions.reviews")?.args == ["12", "6", "1", "3"])
        #expect(s.map(\.key).contains("conditions.section_supporters"))
    }

    @Test("2021: evaluation only on objection, no fixed draw, 10 working days from arrival within 30 (45), one notice, gradual exit and single-person enrolment, each cited")
    func national2021() throws {
        let p = try ShippedFiles.policy("MCA-2021-57")
        let s = PublishedConditions.sections(policy: p, standards: .init(urban: nil, rural: Money(yuan: 650)))
        let k = Self.keys(s)
        #expect(k.contains("conditions.step_evaluate_on_objection") && !k.contains("conditions.step_evaluate"))
        #expect(k.contains("conditions.step_county_review") && !k.contains("conditions.step_county_spot_check"))
        #expect(Self.line(s, "conditions.step_county_limit_submission")?.args == ["10"])
        #expect(Self.line(s, "conditions.step_whole_limit_extendable")?.args == ["30", "45"])
        #expect(k.contains("conditions.step_published_list") && !k.contains("conditions.step_second_notice"))
        #expect(Self.line(s, "conditions.gradual_exit")?.args == ["6"])
        #expect(k.filter { $0.hasPrefix("conditions.single_person.") }.count == p.procedure.singlePersonCategories.count)
        #expect(Self.line(s, "conditions.step_county_limit_submission")?.citation?.hasPrefix("第二十四条") == true)
        #expect(Self.line(s, "conditions.gradual_exit")?.citation?.contains("渐退期") == true)
    }

    @Test("Asset limits appear only when the version sets them")
    func assetLimits() {
        var p = Policy.default2013
        #expect(Self.keys(PublishedConditions.sections(policy: p, standards: .init(urban: nil, rural: nil))).contains("conditions.deposit_assessed"))
        p.depositLimitMonthsOfStandard = 12
        p.vehicleLimit = 0
        p.housingLimit = 1
        let s = PublishedConditions.sections(policy: p, standards: .init(urban: nil, rural: nil))
        #expect(Self.line(s, "conditions.deposit_limit")?.args == ["12"])
        #expect(Self.line(s, "conditions.vehicle_limit_exempt")?.args.first == "0")
        #expect(Self.line(s, "conditions.housing_limit")?.args == ["1"])
        #expect(Self.line(s, "conditions.business_limit") == nil)
    }
}
