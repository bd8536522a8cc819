import Foundation
import Testing
@testable import DibaoCore

@Suite("Policy")
struct PolicyTests {
    let p = Policy.default2013

    @Test("the 2013 defaults are the SPEC table")
    func defaults() throws {
        #expect(p.version == "IM-2013-07")
        #expect(p.effectiveFrom == CivilDate(year: 2013, month: 7, day: 1))
        #expect(p.source == "内蒙古自治区民政厅《关于进一步加强和改进最低生活保障工作的实施意见》（2013年7月）")
        #expect(p.countyDecisionWorkingDays == 30)
        #expect(p.spotCheckMinPercent == 30)
        #expect(p.evaluationPanelMinPercent == 5)
        #expect(p.evaluationPanelMaxPercent == 10)
        #expect(p.firstNoticeDays == 7)
        #expect(p.paymentFrequency == .monthly)
        #expect(p.carryOverMaxPercent == 10)
        #expect(p.reviewMonthsSevereStable == 12)
        #expect(p.reviewMonthsStable == 6)
        #expect(p.reviewMonthsUnstableUrban == 1)
        #expect(p.reviewMonthsUnstableRural == 3)
        #expect(p.serviceHallMinSquareMetres == 300)
        #expect(p.changeTakesEffectMonthsAfterDecision == 1)
        #expect(p.minimumPayment == .zero)
        #expect(p.topUps.isEmpty)
        #expect(p.elderlyAge == 60)
        #expect(p.childAge == 18)
        #expect(p.depositLimitMonthsOfStandard == nil)
        try p.validate()
    }

    func refusal(_ change: (inout Policy) -> Void) -> PolicyRefusal? {
        var policy = Policy.default2013
        change(&policy)
        return #expect(throws: PolicyRefusal.self) { try policy.validate() }
    }

    @Test("validation refuses meaningless numbers")
    func validation() {
        #expect(refusal { $0.version = " " }?.field == "version")
        #expect(refusal { $0.version = "" }?.reason == .empty)
        #expect(refusal { $0.spotCheckMinPercent = 101 }?.reason == .percentOutOfRange(101))
        #expect(refusal { $0.spotCheckMinPercent = -1 }?.field == "spot_check_min_percent")
        #expect(refusal { $0.evaluationPanelMinPercent = 12 }?.reason == .minimumAboveMaximum(minimum: 12, maximum: 10))
        #expect(refusal { $0.evaluationPanelMaxPercent = 120 }?.rule == "policy.percent_range")
        #expect(refusal { $0.carryOverMaxPercent = 200 }?.field == "carry_over_max_percent")
        #expect(refusal { $0.countyDecisionWorkingDays = 0 }?.reason == .notPositive(0))
        #expect(refusal { $0.firstNoticeDays = -7 }?.field == "first_notice_days")
        #expect(refusal { $0.reviewMonthsUnstableRural = 0 }?.field == "review_months_unstable_rural")
        #expect(refusal { $0.serviceHallMinSquareMetres = -1 }?.reason == .negative(-1))
        #expect(refusal { $0.changeTakesEffectMonthsAfterDecision = -1 }?.rule == "policy.negative")
        #expect(refusal { $0.minimumPayment = Money(fen: -1) }?.field == "minimum_payment")
        #expect(refusal { $0.topUps = [TopUpRule(category: .child, percentOfStandard: 101)] }?.field == "top_ups")
        #expect(refusal {
            $0.topUps = [TopUpRule(category: .child, percentOfStandard: 10), TopUpRule(category: .child, percentOfStandard: 20)]
        }?.reason == .duplicateTopUp(.child))
        #expect(refusal { $0.childAge = 0 }?.field == "child_age")
        #expect(refusal { $0.elderlyAge = 18 }?.field == "elderly_age")
        #expect(refusal { $0.depositLimitMonthsOfStandard = 0 }?.field == "deposit_limit_months_of_standard")

        let r = refusal { $0.spotCheckMinPercent = 130 }
        #expect(r?.zh == "旗县入户抽查比例：比例应在 0 至 100 之间，实为 130")
        #expect(r?.en == "county spot-check share: a percentage must be 0 to 100, found 130")
    }

    @Test("a policy with top-ups, a minimum and an asset limit is valid")
    func richPolicy() throws {
        var policy = Policy.default2013
        policy.version = "IM-2021-demo"
        policy.topUps = [TopUpRule(category: .elderly, percentOfStandard: 10),
                         TopUpRule(category: .severelyDisabled, percentOfStandard: 20),
                         TopUpRule(category: .child, percentOfStandard: 15)]
        policy.minimumPayment = Money(yuan: 50)
        policy.depositLimitMonthsOfStandard = 24
        policy.paymentFrequency = .quarterly
        try policy.validate()
        let data = try JSONEncoder().encode(policy)
        #expect(try JSONDecoder().decode(Policy.self, from: data) == policy)
    }

    @Test("the policy book picks the version in force")
    func book() {
        var v2021 = Policy.default2013
        v2021.version = "CN-2021-07"
        v2021.effectiveFrom = CivilDate(year: 2021, month: 7, day: 1)!
        var v2014 = Policy.default2013
        v2014.version = "CN-2014-05"
        v2014.effectiveFrom = CivilDate(year: 2014, month: 5, day: 1)!
        let book = PolicyBook([v2021, .default2013, v2014])
        #expect(book.versions.map(\.version) == ["IM-2013-07", "CN-2014-05", "CN-2021-07"])
        #expect(book.inForce(on: CivilDate(year: 2013, month: 6, day: 30)!) == nil)
        #expect(book.inForce(on: CivilDate(year: 2013, month: 7, day: 1)!)?.version == "IM-2013-07")
        #expect(book.inForce(on: CivilDate(year: 2014, month: 4, day: 30)!)?.version == "IM-2013-07")
        #expect(book.inForce(on: CivilDate(year: 2014, month: 5, day: 1)!)?.version == "CN-2014-05")
        #expect(book.inForce(on: CivilDate(year: 2025, month: 9, day: 26)!)?.version == "CN-2021-07")
        #expect(book.version("CN-2014-05") == v2014)
        #expect(PolicyBook([]).inForce(on: CivilDate(year: 2025, month: 1, day: 1)!) == nil)

        // Same effective date: the one given later wins.
        var amended = Policy.default2013
        amended.version = "IM-2013-07b"
        #expect(PolicyBook([.default2013, amended]).inForce(on: CivilDate(year: 2020, month: 1, day: 1)!)?.version == "IM-2013-07b")
    }

    @Test("review intervals by class and area kind")
    func reviewMonths() {
        #expect(p.reviewMonths(for: .severeStable, in: .urban) == 12)
        #expect(p.reviewMonths(for: .stable, in: .rural) == 6)
        #expect(p.reviewMonths(for: .unstable, in: .urban) == 1)
        #expect(p.reviewMonths(for: .unstable, in: .rural) == 3)
        #expect(PaymentFrequency.quarterly.months == 3)
    }

    @Test("the policy applied")
    func applied() {
        let accepted = CivilDate(year: 2025, month: 9, day: 26)!
        #expect(p.decisionDeadline(acceptedOn: accepted, calendar: .official) == CivilDate(year: 2025, month: 11, day: 13))
        #expect(p.spotCheckSize(batchSize: 10) == 3)
        #expect(p.spotCheckSize(batchSize: 7) == 3)
        #expect(p.spotCheckSize(batchSize: 1) == 1)
        #expect(p.spotCheckSize(batchSize: 0) == 0)
        #expect(p.evaluationPanelMinimum(residentPopulation: 1234) == 62)
        #expect(p.evaluationPanelMinimum(residentPopulation: 200) == 10)
        #expect(p.evaluationPanelMaximum(residentPopulation: 1234) == 124)
        #expect(p.carryOverLimit(yearSpending: Money(yuan: 1_234_567)) == Money(fen: 12_345_670))
        #expect(p.changeEffectiveFrom(decidedOn: accepted) == CivilDate(year: 2025, month: 10, day: 1))
        #expect(p.changeEffectiveFrom(decidedOn: CivilDate(year: 2025, month: 12, day: 31)!) == CivilDate(year: 2026, month: 1, day: 1))
    }
}
