import Foundation
import Testing
@testable import DibaoCore

@Suite("Benefit")
struct BenefitTests {
    let on = CivilDate(year: 2025, month: 9, day: 26)!
    let standard = Money(yuan: 700)

    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    /// 户主 65, 配偶 exactly 60 today, a child of 13 with a grade-2 disability.
    var family: [MemberSituation] {
        [
            MemberSituation(label: "户主 张三", birthDate: d("1960-05-01"),
                            incomes: [IncomeItem(kind: .pension, monthly: Money(fen: 50_050), note: "城乡居民养老金")]),
            MemberSituation(label: "配偶 李四", birthDate: d("1965-09-26"),
                            incomes: [IncomeItem(kind: .wages, monthly: Money(yuan: 800))]),
            MemberSituation(label: "子女 张小明", birthDate: d("2012-01-01"), disability: .level2),
        ]
    }
    let support = [SupportOwed(label: "长子 张大明", monthly: Money(yuan: 200))]

    var withTopUps: Policy {
        var p = Policy.default2013
        p.topUps = [TopUpRule(category: .elderly, percentOfStandard: 10),
                    TopUpRule(category: .severelyDisabled, percentOfStandard: 20),
                    TopUpRule(category: .child, percentOfStandard: 15)]
        p.minimumPayment = Money(yuan: 50)
        return p
    }

    @Test("the difference payment under the 2013 default")
    func plainGap() {
        let r = Benefit.calculate(members: family, support: support, standardPerPerson: standard,
                                  policy: .default2013, on: on)
        #expect(r.standardPerPerson == Money(fen: 70_000))
        #expect(r.memberCount == 3)
        #expect(r.standardTotal == Money(fen: 210_000))
        #expect(r.householdIncome == Money(fen: 150_050))   // 500.50 + 800 + 200
        #expect(r.gap == Money(fen: 59_950))
        #expect(r.topUps == .zero)
        #expect(!r.minimumApplied)
        #expect(r.amount == Money(fen: 59_950))
        #expect(r.isEligible)
        #expect(r.lines.map(\.key) == ["income.0.0", "income.1.0", "support.0", "household_income", "standard", "gap"])
        #expect(r.lines.map(\.amount.fen) == [50_050, 80_000, 20_000, 150_050, 210_000, 59_950])
        #expect(r.lines[0].label == "户主 张三：养老金（离退休金）（城乡居民养老金）")
        #expect(r.lines[2].label == "赡养（抚养、扶养）费：长子 张大明")
        #expect(r.lines[4].label == "保障标准 ¥700.00 × 3 人")
    }

    @Test("category top-ups, once per member and category")
    func topUps() {
        let r = Benefit.calculate(members: family, support: support, standardPerPerson: standard,
                                  policy: withTopUps, on: on)
        // Two elderly at 10 % (7 000 fen each); the child: child 15 % (10 500) and
        // severely disabled 20 % (14 000).
        #expect(r.topUps == Money(fen: 38_500))
        #expect(r.amount == Money(fen: 98_450))
        #expect(!r.minimumApplied)
        let topUpLines = r.lines.filter { $0.key.hasPrefix("top_up.") }
        #expect(topUpLines.map(\.key) == ["top_up.elderly.0", "top_up.elderly.1",
                                          "top_up.severelyDisabled.2", "top_up.child.2"])
        #expect(topUpLines.map(\.amount.fen) == [7_000, 7_000, 14_000, 10_500])
    }

    @Test("a category listed twice still counts once")
    func duplicateCategory() {
        var p = withTopUps
        p.topUps.append(TopUpRule(category: .elderly, percentOfStandard: 50))
        let r = Benefit.calculate(members: family, support: support, standardPerPerson: standard, policy: p, on: on)
        #expect(r.topUps == Money(fen: 38_500))
    }

    @Test("age limits are exact on the day")
    func ageBoundaries() {
        let members = [
            MemberSituation(label: "59 岁", birthDate: d("1965-09-27")),
            MemberSituation(label: "满 18 岁", birthDate: d("2007-09-26")),
            MemberSituation(label: "17 岁", birthDate: d("2007-09-27")),
            MemberSituation(label: "三级残疾", birthDate: d("1990-01-01"), disability: .level3),
            MemberSituation(label: "一级残疾", birthDate: d("1990-01-01"), disability: .level1, severeIllness: true),
        ]
        let r = Benefit.calculate(members: members, support: [], standardPerPerson: standard, policy: withTopUps, on: on)
        #expect(r.lines.filter { $0.key.hasPrefix("top_up.") }.map(\.key) == ["top_up.child.2", "top_up.severelyDisabled.4"])
        #expect(r.topUps == Money(fen: 10_500 + 14_000))
    }

    @Test("no top-ups and no minimum for a household above the standard")
    func ineligible() {
        let members = [MemberSituation(label: "户主", birthDate: d("1950-01-01"),
                                       incomes: [IncomeItem(kind: .pension, monthly: Money(yuan: 700))])]
        let r = Benefit.calculate(members: members, support: [], standardPerPerson: standard, policy: withTopUps, on: on)
        #expect(r.gap == .zero)
        #expect(r.topUps == .zero)
        #expect(r.amount == .zero)
        #expect(!r.minimumApplied)
        #expect(!r.isEligible)
        #expect(!r.lines.contains { $0.key.hasPrefix("top_up.") || $0.key == "minimum" })

        let richer = [MemberSituation(label: "户主", birthDate: d("1980-01-01"),
                                      incomes: [IncomeItem(kind: .business, monthly: Money(yuan: 3_000))])]
        let r2 = Benefit.calculate(members: richer, support: [], standardPerPerson: standard, policy: withTopUps, on: on)
        #expect(r2.gap == .zero && r2.amount == .zero)
    }

    @Test("a small positive amount is raised to the minimum payment")
    func minimum() {
        let members = [MemberSituation(label: "户主", birthDate: d("1980-01-01"),
                                       incomes: [IncomeItem(kind: .farming, monthly: Money(yuan: 690))])]
        let r = Benefit.calculate(members: members, support: [], standardPerPerson: standard, policy: withTopUps, on: on)
        #expect(r.gap == Money(fen: 1_000))
        #expect(r.minimumApplied)
        #expect(r.amount == Money(fen: 5_000))
        #expect(r.lines.last == BenefitLine(key: "minimum", label: "最低发放金额", amount: Money(fen: 5_000)))

        // Exactly the minimum needs no raising.
        let atMinimum = [MemberSituation(label: "户主", birthDate: d("1980-01-01"),
                                         incomes: [IncomeItem(kind: .farming, monthly: Money(yuan: 650))])]
        let r2 = Benefit.calculate(members: atMinimum, support: [], standardPerPerson: standard, policy: withTopUps, on: on)
        #expect(r2.amount == Money(fen: 5_000))
        #expect(!r2.minimumApplied)
    }

    @Test("a business loss offsets income but not below zero")
    func losses() {
        let members = [
            MemberSituation(label: "户主", birthDate: d("1980-01-01"),
                            incomes: [IncomeItem(kind: .business, monthly: Money(yuan: -300), note: "经营亏损")]),
            MemberSituation(label: "配偶", birthDate: d("1982-01-01"),
                            incomes: [IncomeItem(kind: .wages, monthly: Money(yuan: 100))]),
        ]
        let r = Benefit.calculate(members: members, support: [], standardPerPerson: standard, policy: .default2013, on: on)
        #expect(r.householdIncome == .zero)
        #expect(r.gap == Money(yuan: 1_400))
        #expect(r.amount == Money(yuan: 1_400))

        var withProfit = members
        withProfit[1].incomes[0].monthly = Money(yuan: 500)
        let r2 = Benefit.calculate(members: withProfit, support: [], standardPerPerson: standard, policy: .default2013, on: on)
        #expect(r2.householdIncome == Money(yuan: 200))
        #expect(r2.amount == Money(yuan: 1_200))
    }

    @Test("top-ups round half up to the fen")
    func rounding() {
        var p = Policy.default2013
        p.topUps = [TopUpRule(category: .elderly, percentOfStandard: 15)]
        let members = [MemberSituation(label: "户主", birthDate: d("1940-01-01"))]
        let r = Benefit.calculate(members: members, support: [], standardPerPerson: Money(fen: 65_555), policy: p, on: on)
        #expect(r.topUps == Money(fen: 9_833))
        #expect(r.amount == Money(fen: 65_555 + 9_833))
        p.topUps = [TopUpRule(category: .elderly, percentOfStandard: 10)]
        let r2 = Benefit.calculate(members: members, support: [], standardPerPerson: Money(fen: 65_555), policy: p, on: on)
        #expect(r2.topUps == Money(fen: 6_556))
    }

    @Test("an empty household gets nothing")
    func empty() {
        let r = Benefit.calculate(members: [], support: [], standardPerPerson: standard, policy: withTopUps, on: on)
        #expect(r.memberCount == 0)
        #expect(r.standardTotal == .zero)
        #expect(r.amount == .zero)
        #expect(!r.minimumApplied)
    }

    @Test("support owed counts even with no member income")
    func supportOnly() {
        let members = [MemberSituation(label: "户主", birthDate: d("1945-03-03"))]
        let owed = [SupportOwed(label: "女儿", monthly: Money(yuan: 150)), SupportOwed(label: "儿子", monthly: Money(yuan: 250))]
        let r = Benefit.calculate(members: members, support: owed, standardPerPerson: standard, policy: .default2013, on: on)
        #expect(r.householdIncome == Money(yuan: 400))
        #expect(r.amount == Money(yuan: 300))
        #expect(r.lines.map(\.key).prefix(2) == ["support.0", "support.1"])
    }

    @Test("the result is kept as JSON with amounts in fen")
    func codable() throws {
        let r = Benefit.calculate(members: family, support: support, standardPerPerson: standard, policy: withTopUps, on: on)
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(BenefitResult.self, from: data) == r)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"amount\":98450"))
    }

    @Test("names of kinds and grades")
    func vocabulary() {
        #expect(IncomeKind.allCases.count == 6)
        #expect(Set(IncomeKind.allCases.map(\.zh)).count == 6)
        #expect(Set(IncomeKind.allCases.map(\.en)).count == 6)
        #expect(DisabilityLevel.allCases.filter(\.isSevere) == [.level1, .level2])
        #expect(DisabilityLevel.level2.zh == "二级")
        #expect(DisabilityLevel(rawValue: 0) == DisabilityLevel.none)
        #expect(TopUpCategory.allCases.map(\.zh) == ["老年人", "重度残疾人", "未成年人"])
    }
}
