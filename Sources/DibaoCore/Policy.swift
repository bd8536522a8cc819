/// How often benefits are paid: monthly, or quarterly where a county decides so
/// (二.二.5 "按月（季）").
public enum PaymentFrequency: String, Sendable, Codable, CaseIterable, Labelled {
    case monthly, quarterly

    /// The catalogue key of this value's name (`Resources/Text/<language>/refusals_payment.toml`).
    public var textKey: String { "payment.frequency_\(rawValue)" }
    /// Months covered by one payment.
    public var months: Int { self == .monthly ? 1 : 3 }
}

/// Categories a policy may top up (分类施保). The 2013 text sets none; later rules
/// and league policies do, so they are data (SPEC "Money and identity").
public enum TopUpCategory: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "top_up_category.\(self)" }

    case elderly, severelyDisabled, child


}

/// One category top-up: a member in `category` adds `percentOfStandard` percent
/// of the per-person standard to the household's benefit.
public struct TopUpRule: Sendable, Codable, Equatable {
    public var category: TopUpCategory
    public var percentOfStandard: Int

    public init(category: TopUpCategory, percentOfStandard: Int) {
        self.category = category
        self.percentOfStandard = percentOfStandard
    }
}

/// The review rhythms of 二.六, one per kind of household.
public enum ReviewClass: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "review_class.\(self)" }

    /// A member with severe illness or disability and income essentially unchanged: yearly.
    case severeStable
    /// Household economy and members stable in the short term: every six months.
    case stable
    /// Income from no fixed source, members able and in a position to work:
    /// monthly in towns, quarterly in the countryside.
    case unstable


}

/// Every number the rules depend on, as one versioned record (SPEC "Policy is
/// data"). A case is judged by the version in force on its relevant date, so a
/// later national rule or a league's own numbers are loaded as a new version
/// instead of edited into code.
public struct Policy: Sendable, Codable, Equatable {
    /// Short stable identifier, e.g. "IM-2013-07".
    public var version: String
    public var title: String
    public var effectiveFrom: CivilDate
    /// The document the numbers come from.
    public var source: String
    /// 二.二.4: the county finishes review and approval within 30 working days of
    /// acceptance; a re-review restarts the count.
    public var countyDecisionWorkingDays: Int
    /// 二.二.4: the county visits at least 30 % of the households it is asked to approve.
    public var spotCheckMinPercent: Int
    /// 二.二.3: the evaluation panel is at least 5 % … 10 % of the resident
    /// population; the lower figure is the floor, the upper the most a township
    /// may be asked for.
    public var evaluationPanelMinPercent: Int
    public var evaluationPanelMaxPercent: Int
    /// 二.三 sets the first notice but no period; 7 days is the SPEC's default.
    public var firstNoticeDays: Int
    /// 二.二.5: monthly, or quarterly where the county says so.
    public var paymentFrequency: PaymentFrequency
    /// 二.二.5: year-end carry-over of funds at most 10 % of the year's spending.
    public var carryOverMaxPercent: Int
    /// 二.六: severe illness/disability with income essentially unchanged — yearly.
    public var reviewMonthsSevereStable: Int
    /// 二.六: stable in the short term — every half year.
    public var reviewMonthsStable: Int
    /// 二.六: unstable income, able to work — monthly in towns …
    public var reviewMonthsUnstableUrban: Int
    /// … and quarterly in the countryside.
    public var reviewMonthsUnstableRural: Int
    /// 二.四: the one-stop service hall is at least 300 m².
    public var serviceHallMinSquareMetres: Int
    /// A change of benefit takes effect from the first of the month this many
    /// months after the month of the decision (the source sets no date; paying
    /// from the next month keeps a month's payroll unchanged once computed).
    public var changeTakesEffectMonthsAfterDecision: Int
    /// Smallest monthly amount paid to an eligible household; the source sets none.
    public var minimumPayment: Money
    /// Category top-ups (分类施保); the source sets none.
    public var topUps: [TopUpRule]
    /// Age from which a member counts as elderly (老年人权益保障法: 60).
    public var elderlyAge: Int
    /// Age below which a member counts as a child (未成年人: under 18).
    public var childAge: Int
    /// 二.一 leaves asset tests to local rules: deposits above this many months of
    /// the household's standard exclude it; nil when no limit is set.
    public var depositLimitMonthsOfStandard: Int?
    /// 入户调查 at least this many investigators (二.二.2 "调查人员" in the plural, signed by each).
    public var minimumInvestigators: Int
    /// 复核: working days within which an objection to a notice must be answered (二.三
    /// "建立异议复核制度"). The 2013 text sets no number; 10 is the operating default until
    /// a later version sets one.
    public var objectionAnswerWorkingDays: Int

    // Asset tests and the verification platform (二.一, 二.五). The 2013 text leaves the
    // asset limits to local rules, so the default sets none (nil: no limit); the
    // contradictions with the household's own declaration apply regardless.
    /// Most vehicles a household may hold, not counting `exemptVehicleTypes`.
    public var vehicleLimit: Int?
    /// Vehicle types (as the vehicle source names them) that never count against the limit.
    public var exemptVehicleTypes: [String]
    /// Most dwellings a household may hold.
    public var housingLimit: Int?
    /// Most active registered businesses a household may hold.
    public var businessLimit: Int?
    /// Whole months before the check month over which verified income is averaged.
    public var verificationIncomeMonths: Int
    /// A department batch with more bad rows than this share (in per mille) is refused
    /// whole: a file that broken is the wrong file, not a file with typos.
    public var importMaxErrorPerMille: Int
    /// The most one entered amount on a household may be: an income item, a supporter's
    /// support, an asset's value (issue 12: a typo of many zeros, or an attacker's
    /// 92,233,720,368,547,758 yuan, must be refused at the form, not summed). The source
    /// sets none; ¥10,000,000 is far above any real item of a dibao household.
    public var maximumItemAmount: Money
    /// 二.六 "书面报告": an enrolled household reports changes in members, income, assets
    /// and work at least once in this many months; one that misses it is listed and the
    /// township may ask the county for an early review. The 2013 text sets no period;
    /// quarterly is the operating default until a version sets one.
    public var reportingPeriodMonths: Int
    /// What a decision letter tells the household about its remedies: administrative
    /// reconsideration within this many days of receipt (行政复议法 2023 第二十条: 六十日)…
    public var appealDays: Int
    /// …or a suit within this many months (行政诉讼法 第四十六条: 六个月).
    public var litigationMonths: Int
    /// The supervision and complaints phone printed on letters and notices (全国民政服务
    /// 热线 12349 unless a county sets its own).
    public var supervisionPhone: String
    /// 信访工作条例 (2022) time limits for complaints and petitions (二.八), see `ComplaintLimits`.
    public var complaintLimits: ComplaintLimits
    /// The procedure this version prescribes (issue 15): who evaluates when, where the
    /// county's clock starts, how many notices. A case runs to its end under the version
    /// in force on the day it was accepted.
    public var procedure: Procedure
    /// Each item's article in the source document, as the policy file cites it
    /// (item name → citation), so a published page and an auditor can check the number.
    public var citations: [String: String]

    public init(
        version: String, title: String, effectiveFrom: CivilDate, source: String,
        countyDecisionWorkingDays: Int, spotCheckMinPercent: Int,
        evaluationPanelMinPercent: Int, evaluationPanelMaxPercent: Int,
        firstNoticeDays: Int, paymentFrequency: PaymentFrequency, carryOverMaxPercent: Int,
        reviewMonthsSevereStable: Int, reviewMonthsStable: Int,
        reviewMonthsUnstableUrban: Int, reviewMonthsUnstableRural: Int,
        serviceHallMinSquareMetres: Int, changeTakesEffectMonthsAfterDecision: Int,
        minimumPayment: Money, topUps: [TopUpRule], elderlyAge: Int, childAge: Int,
        depositLimitMonthsOfStandard: Int?, minimumInvestigators: Int = 2, objectionAnswerWorkingDays: Int = 10,
        vehicleLimit: Int? = nil, exemptVehicleTypes: [String] = Policy.defaultExemptVehicleTypes, housingLimit: Int? = nil,
        businessLimit: Int? = nil, verificationIncomeMonths: Int = 12, importMaxErrorPerMille: Int = 50,
        maximumItemAmount: Money = Policy.defaultMaximumItemAmount, reportingPeriodMonths: Int = 3,
        appealDays: Int = 60, litigationMonths: Int = 6, supervisionPhone: String = "12349",
        complaintLimits: ComplaintLimits = .petition2022, procedure: Procedure = .regional2013,
        citations: [String: String] = [:]
    ) {
        self.procedure = procedure
        self.citations = citations
        self.complaintLimits = complaintLimits
        self.reportingPeriodMonths = reportingPeriodMonths
        self.appealDays = appealDays
        self.litigationMonths = litigationMonths
        self.supervisionPhone = supervisionPhone
        self.maximumItemAmount = maximumItemAmount
        self.vehicleLimit = vehicleLimit
        self.exemptVehicleTypes = exemptVehicleTypes
        self.housingLimit = housingLimit
        self.businessLimit = businessLimit
        self.verificationIncomeMonths = verificationIncomeMonths
        self.importMaxErrorPerMille = importMaxErrorPerMille
        self.version = version
        self.title = title
        self.effectiveFrom = effectiveFrom
        self.source = source
        self.countyDecisionWorkingDays = countyDecisionWorkingDays
        self.spotCheckMinPercent = spotCheckMinPercent
        self.evaluationPanelMinPercent = evaluationPanelMinPercent
        self.evaluationPanelMaxPercent = evaluationPanelMaxPercent
        self.firstNoticeDays = firstNoticeDays
        self.paymentFrequency = paymentFrequency
        self.carryOverMaxPercent = carryOverMaxPercent
        self.reviewMonthsSevereStable = reviewMonthsSevereStable
        self.reviewMonthsStable = reviewMonthsStable
        self.reviewMonthsUnstableUrban = reviewMonthsUnstableUrban
        self.reviewMonthsUnstableRural = reviewMonthsUnstableRural
        self.serviceHallMinSquareMetres = serviceHallMinSquareMetres
        self.changeTakesEffectMonthsAfterDecision = changeTakesEffectMonthsAfterDecision
        self.minimumPayment = minimumPayment
        self.topUps = topUps
        self.elderlyAge = elderlyAge
        self.childAge = childAge
        self.depositLimitMonthsOfStandard = depositLimitMonthsOfStandard
        self.minimumInvestigators = minimumInvestigators
        self.objectionAnswerWorkingDays = objectionAnswerWorkingDays
    }

    /// The Inner Mongolia Civil Affairs Department's implementing opinions of July 2013.
    public static let default2013 = Policy(
        version: "IM-2013-07",
        title: "关于进一步加强和改进最低生活保障工作的实施意见",
        effectiveFrom: CivilDate(unchecked: 2013, 7, 1),
        source: "内蒙古自治区民政厅《关于进一步加强和改进最低生活保障工作的实施意见》（2013年7月）",
        countyDecisionWorkingDays: 30,
        spotCheckMinPercent: 30,
        evaluationPanelMinPercent: 5,
        evaluationPanelMaxPercent: 10,
        firstNoticeDays: 7,
        paymentFrequency: .monthly,
        carryOverMaxPercent: 10,
        reviewMonthsSevereStable: 12,
        reviewMonthsStable: 6,
        reviewMonthsUnstableUrban: 1,
        reviewMonthsUnstableRural: 3,
        serviceHallMinSquareMetres: 300,
        changeTakesEffectMonthsAfterDecision: 1,
        minimumPayment: .zero,
        topUps: [],
        elderlyAge: 60,
        childAge: 18,
        depositLimitMonthsOfStandard: nil,
        minimumInvestigators: 2,
        objectionAnswerWorkingDays: 10
    )

    /// Refuses a policy that would make the rules meaningless: a share outside
    /// 0–100 %, a panel floor above its ceiling, a period of zero or less, a
    /// negative amount or area, a category topped up twice, or ages out of order.
    /// The first problem found is reported, in declaration order.
    public func validate() throws(PolicyRefusal) {
        func refuse(_ field: String, _ reason: PolicyRefusal.Reason) -> PolicyRefusal {
            PolicyRefusal(field: field, reason: reason)
        }
        if version.trimmingWhitespace().isEmpty { throw refuse("version", .empty) }
        if title.trimmingWhitespace().isEmpty { throw refuse("title", .empty) }
        if source.trimmingWhitespace().isEmpty { throw refuse("source", .empty) }
        if objectionAnswerWorkingDays <= 0 {
            throw refuse("objection_answer_working_days", .notPositive(objectionAnswerWorkingDays))
        }
        if reportingPeriodMonths <= 0 {
            throw refuse("reporting_period_months", .notPositive(reportingPeriodMonths))
        }
        if appealDays <= 0 { throw refuse("appeal_days", .notPositive(appealDays)) }
        if litigationMonths <= 0 { throw refuse("litigation_months", .notPositive(litigationMonths)) }
        if supervisionPhone.trimmingWhitespace().isEmpty { throw refuse("supervision_phone", .empty) }
        if let (item, value) = complaintLimits.problem { throw refuse(item, .notPositive(value)) }
        if minimumInvestigators <= 0 {
            throw refuse("minimum_investigators", .notPositive(minimumInvestigators))
        }
        if countyDecisionWorkingDays <= 0 {
            throw refuse("county_decision_working_days", .notPositive(countyDecisionWorkingDays))
        }
        let percents: [(String, Int)] = [
            ("spot_check_min_percent", spotCheckMinPercent),
            ("evaluation_panel_min_percent", evaluationPanelMinPercent),
            ("evaluation_panel_max_percent", evaluationPanelMaxPercent),
        ]
        for (field, value) in percents where !(0...100).contains(value) {
            throw refuse(field, .percentOutOfRange(value))
        }
        if evaluationPanelMinPercent > evaluationPanelMaxPercent {
            throw refuse("evaluation_panel_min_percent",
                         .minimumAboveMaximum(minimum: evaluationPanelMinPercent, maximum: evaluationPanelMaxPercent))
        }
        if firstNoticeDays <= 0 { throw refuse("first_notice_days", .notPositive(firstNoticeDays)) }
        if !(0...100).contains(carryOverMaxPercent) {
            throw refuse("carry_over_max_percent", .percentOutOfRange(carryOverMaxPercent))
        }
        let months: [(String, Int)] = [
            ("review_months_severe_stable", reviewMonthsSevereStable),
            ("review_months_stable", reviewMonthsStable),
            ("review_months_unstable_urban", reviewMonthsUnstableUrban),
            ("review_months_unstable_rural", reviewMonthsUnstableRural),
        ]
        for (field, value) in months where value <= 0 {
            throw refuse(field, .notPositive(value))
        }
        if serviceHallMinSquareMetres < 0 {
            throw refuse("service_hall_min_square_metres", .negative(serviceHallMinSquareMetres))
        }
        if changeTakesEffectMonthsAfterDecision < 0 {
            throw refuse("change_takes_effect_months_after_decision", .negative(changeTakesEffectMonthsAfterDecision))
        }
        if minimumPayment.isNegative {
            throw refuse("minimum_payment", .negative(Int(minimumPayment.fen)))
        }
        var seen: Set<TopUpCategory> = []
        for rule in topUps {
            if !(0...100).contains(rule.percentOfStandard) {
                throw refuse("top_ups", .percentOutOfRange(rule.percentOfStandard))
            }
            if !seen.insert(rule.category).inserted { throw refuse("top_ups", .duplicateTopUp(rule.category)) }
        }
        if childAge <= 0 { throw refuse("child_age", .notPositive(childAge)) }
        if elderlyAge <= childAge {
            throw refuse("elderly_age", .minimumAboveMaximum(minimum: childAge, maximum: elderlyAge))
        }
        if let limit = depositLimitMonthsOfStandard, limit <= 0 {
            throw refuse("deposit_limit_months_of_standard", .notPositive(limit))
        }
        let limits: [(String, Int?)] = [("vehicle_limit", vehicleLimit), ("housing_limit", housingLimit), ("business_limit", businessLimit)]
        for (field, value) in limits { if let v = value, v < 0 { throw refuse(field, .negative(v)) } }
        if verificationIncomeMonths <= 0 {
            throw refuse("verification_income_months", .notPositive(verificationIncomeMonths))
        }
        if !(0...1000).contains(importMaxErrorPerMille) {
            throw refuse("import_max_error_per_mille", .percentOutOfRange(importMaxErrorPerMille))
        }
        if !maximumItemAmount.isPositive || maximumItemAmount > Money.entryCeiling {
            throw refuse("maximum_item_amount", .notPositive(Int(clamping: maximumItemAmount.fen)))
        }
        if let (item, reason) = procedure.problem() { throw refuse(item, reason) }
        if let whole = procedure.wholeProcedureWorkingDays, countyDecisionWorkingDays > whole {
            throw refuse("county_decision_working_days", .minimumAboveMaximum(minimum: countyDecisionWorkingDays, maximum: whole))
        }
    }

    // MARK: The policy applied

    /// Months between reviews for a household of `reviewClass` in an area of `kind` (二.六).
    public func reviewMonths(for reviewClass: ReviewClass, in kind: AreaKind) -> Int {
        switch reviewClass {
        case .severeStable: return reviewMonthsSevereStable
        case .stable: return reviewMonthsStable
        case .unstable: return kind == .urban ? reviewMonthsUnstableUrban : reviewMonthsUnstableRural
        }
    }

    /// The last day the county may decide on a case accepted on `accepted`
    /// (二.二.4); a re-review passes its own restart date as `accepted`.
    public func decisionDeadline(acceptedOn accepted: CivilDate, calendar: WorkingDayCalendar) -> CivilDate {
        calendar.adding(workingDays: countyDecisionWorkingDays, to: accepted)
    }

    /// The last day of a case's time limit (issue 15). Under a version that counts from
    /// acceptance (2013 二.二.4) it is `countyDecisionWorkingDays` after the clock's start.
    /// Under one that counts the county's step from the day the file arrives (2021 第二十四条),
    /// it is that many working days after `countyReceivedOn` once the file is at the county,
    /// and before that the whole procedure's limit from the clock's start (30, or 45 once
    /// extended with a reason).
    public func caseDeadline(clockStartedOn start: CivilDate, countyReceivedOn received: CivilDate?, extended: Bool,
                             calendar: WorkingDayCalendar) -> CivilDate {
        switch procedure.countyClockFrom {
        case .acceptance:
            return calendar.adding(workingDays: countyDecisionWorkingDays, to: start)
        case .submission:
            if let received { return calendar.adding(workingDays: countyDecisionWorkingDays, to: received) }
            let whole = (extended ? procedure.extendedProcedureWorkingDays : nil) ?? procedure.wholeProcedureWorkingDays ?? countyDecisionWorkingDays
            return calendar.adding(workingDays: whole, to: start)
        }
    }

    /// Households the county must visit out of a batch of `batchSize` (二.二.4).
    public func spotCheckSize(batchSize: Int) -> Int {
        Sampling.sampleSize(population: batchSize, minPercent: spotCheckMinPercent)
    }

    /// Fewest panel members for a village of `residentPopulation` (二.二.3),
    /// rounded up because the text says "不得少于".
    public func evaluationPanelMinimum(residentPopulation: Int) -> Int {
        Self.ceilPercent(residentPopulation, evaluationPanelMinPercent)
    }

    /// The panel size at the top of the policy's range (二.二.3).
    public func evaluationPanelMaximum(residentPopulation: Int) -> Int {
        Self.ceilPercent(residentPopulation, evaluationPanelMaxPercent)
    }

    /// The most a year's funds may carry over (二.二.5).
    public func carryOverLimit(yearSpending: Money) -> Money {
        yearSpending.percent(carryOverMaxPercent)
    }

    /// The first day a change decided on `decided` applies to.
    public func changeEffectiveFrom(decidedOn decided: CivilDate) -> CivilDate {
        decided.firstOfMonth.adding(months: changeTakesEffectMonthsAfterDecision)
    }

    private static func ceilPercent(_ n: Int, _ p: Int) -> Int {
        guard n > 0, p > 0 else { return 0 }
        // Percentages are 0…100 (validated); the population comes from outside, so the
        // product is checked rather than trusted (issue 12).
        let (product, overflow) = n.multipliedReportingOverflow(by: p)
        return overflow ? n / 100 * p : product / 100 + (product % 100 == 0 ? 0 : 1)
    }
}

extension Policy {
    /// Motorcycles, farm vehicles and invalid carriages are tools of a poor household's
    /// work or need, not wealth; local rules commonly leave them out of the vehicle test.
    public static let defaultMaximumItemAmount = Money(yuan: 10_000_000)

    public static let defaultExemptVehicleTypes = ["二轮摩托车", "三轮摩托车", "农用车", "残疾人机动轮椅车"]

    /// Versions stored before an item existed decode with the item's default, so adding a
    /// policy item never makes an older stored version unreadable.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(String.self, forKey: .version), title: try c.decode(String.self, forKey: .title),
            effectiveFrom: try c.decode(CivilDate.self, forKey: .effectiveFrom), source: try c.decode(String.self, forKey: .source),
            countyDecisionWorkingDays: try c.decode(Int.self, forKey: .countyDecisionWorkingDays),
            spotCheckMinPercent: try c.decode(Int.self, forKey: .spotCheckMinPercent),
            evaluationPanelMinPercent: try c.decode(Int.self, forKey: .evaluationPanelMinPercent),
            evaluationPanelMaxPercent: try c.decode(Int.self, forKey: .evaluationPanelMaxPercent),
            firstNoticeDays: try c.decode(Int.self, forKey: .firstNoticeDays),
            paymentFrequency: try c.decode(PaymentFrequency.self, forKey: .paymentFrequency),
            carryOverMaxPercent: try c.decode(Int.self, forKey: .carryOverMaxPercent),
            reviewMonthsSevereStable: try c.decode(Int.self, forKey: .reviewMonthsSevereStable),
            reviewMonthsStable: try c.decode(Int.self, forKey: .reviewMonthsStable),
            reviewMonthsUnstableUrban: try c.decode(Int.self, forKey: .reviewMonthsUnstableUrban),
            reviewMonthsUnstableRural: try c.decode(Int.self, forKey: .reviewMonthsUnstableRural),
            serviceHallMinSquareMetres: try c.decode(Int.self, forKey: .serviceHallMinSquareMetres),
            changeTakesEffectMonthsAfterDecision: try c.decode(Int.self, forKey: .changeTakesEffectMonthsAfterDecision),
            minimumPayment: try c.decode(Money.self, forKey: .minimumPayment),
            topUps: try c.decode([TopUpRule].self, forKey: .topUps),
            elderlyAge: try c.decode(Int.self, forKey: .elderlyAge), childAge: try c.decode(Int.self, forKey: .childAge),
            depositLimitMonthsOfStandard: try c.decodeIfPresent(Int.self, forKey: .depositLimitMonthsOfStandard),
            minimumInvestigators: try c.decodeIfPresent(Int.self, forKey: .minimumInvestigators) ?? 2,
            objectionAnswerWorkingDays: try c.decodeIfPresent(Int.self, forKey: .objectionAnswerWorkingDays) ?? 10,
            vehicleLimit: try c.decodeIfPresent(Int.self, forKey: .vehicleLimit),
            exemptVehicleTypes: try c.decodeIfPresent([String].self, forKey: .exemptVehicleTypes) ?? Policy.defaultExemptVehicleTypes,
            housingLimit: try c.decodeIfPresent(Int.self, forKey: .housingLimit),
            businessLimit: try c.decodeIfPresent(Int.self, forKey: .businessLimit),
            verificationIncomeMonths: try c.decodeIfPresent(Int.self, forKey: .verificationIncomeMonths) ?? 12,
            importMaxErrorPerMille: try c.decodeIfPresent(Int.self, forKey: .importMaxErrorPerMille) ?? 50,
            maximumItemAmount: try c.decodeIfPresent(Money.self, forKey: .maximumItemAmount) ?? Policy.defaultMaximumItemAmount,
            reportingPeriodMonths: try c.decodeIfPresent(Int.self, forKey: .reportingPeriodMonths) ?? 3,
            appealDays: try c.decodeIfPresent(Int.self, forKey: .appealDays) ?? 60,
            litigationMonths: try c.decodeIfPresent(Int.self, forKey: .litigationMonths) ?? 6,
            supervisionPhone: try c.decodeIfPresent(String.self, forKey: .supervisionPhone) ?? "12349",
            complaintLimits: try c.decodeIfPresent(ComplaintLimits.self, forKey: .complaintLimits) ?? .petition2022,
            procedure: try c.decodeIfPresent(Procedure.self, forKey: .procedure) ?? .regional2013,
            citations: try c.decodeIfPresent([String: String].self, forKey: .citations) ?? [:])
    }
}

/// All policy versions known to the system. A case is judged by the version in
/// force on its relevant date (SPEC "Policy is data").
public struct PolicyBook: Sendable {
    /// Sorted by `effectiveFrom`; for equal dates the later one given wins.
    public var versions: [Policy]

    public init(_ versions: [Policy]) {
        self.versions = versions.enumerated()
            .sorted { ($0.element.effectiveFrom, $0.offset) < ($1.element.effectiveFrom, $1.offset) }
            .map(\.element)
    }

    /// The newest version whose `effectiveFrom` is on or before `date`; nil if
    /// `date` precedes every version.
    public func inForce(on date: CivilDate) -> Policy? {
        versions.last { $0.effectiveFrom <= date }
    }

    public func version(_ name: String) -> Policy? {
        versions.last { $0.version == name }
    }
}

/// Why a policy version cannot be loaded. `field` is the policy item's name.
public struct PolicyRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case empty
        case percentOutOfRange(Int)
        case minimumAboveMaximum(minimum: Int, maximum: Int)
        case notPositive(Int)
        case negative(Int)
        case duplicateTopUp(TopUpCategory)
        /// A policy file (issue 15): an item the format does not know…
        case unknownItem
        /// …an item it requires and the file leaves out…
        case missingItem
        /// …a value of the wrong kind (`expected` names the kind)…
        case wrongType(expected: String)
        /// …a value outside the item's list of choices…
        case notAChoice(String, choices: [String])
        /// …an item that only makes sense with another one…
        case requiredBy(String)
        /// …a list with the same entry twice…
        case duplicate
        /// …or text that is not TOML at all.
        case syntax(String)
        /// A holiday calendar file: a date outside the file's year…
        case outsideYear(date: String, year: Int)
        /// …a swapped working day that is not a Saturday or Sunday…
        case notAWeekend(String)
        /// …a day listed both as a holiday and as worked…
        case holidayAndWorking(String)
        /// …or a run that ends before it starts.
        case endBeforeStart(from: String, through: String)
    }

    /// Which kind of file the item belongs to, for the message's wording.
    public enum Subject: Sendable, Equatable {
        case policy, calendar

        /// What an item is called when the core has no label for it (政策项（procedure.x）).
        var namePhrase: Phrase {
            switch self {
            case .policy: Phrase("policy.refusal_subject")
            case .calendar: Phrase("calendar.refusal_subject")
            }
        }
    }

    public let field: String
    /// The rule: a calendar file's refusal is named for the calendar (`calendar.unknown_item`).
    public var rule: String {
        subject == .calendar && baseRule.hasPrefix("policy.") ? "calendar." + baseRule.dropFirst("policy.".count) : baseRule
    }
    private let baseRule: String
    public let reason: Reason
    /// The line of the policy file the problem is on, when it came from a file.
    public var line: Int?
    public var subject: Subject = .policy

    public init(field: String, reason: Reason, line: Int? = nil) {
        self.field = field
        self.reason = reason
        self.line = line
        switch reason {
        case .empty: baseRule = "policy.empty"
        case .percentOutOfRange: baseRule = "policy.percent_range"
        case .minimumAboveMaximum: baseRule = "policy.min_above_max"
        case .notPositive: baseRule = "policy.not_positive"
        case .negative: baseRule = "policy.negative"
        case .duplicateTopUp: baseRule = "policy.duplicate_top_up"
        case .unknownItem: baseRule = "policy.unknown_item"
        case .missingItem: baseRule = "policy.missing_item"
        case .wrongType: baseRule = "policy.wrong_type"
        case .notAChoice: baseRule = "policy.not_a_choice"
        case .requiredBy: baseRule = "policy.required_by"
        case .duplicate: baseRule = "policy.duplicate"
        case .syntax: baseRule = "policy.syntax"
        case .outsideYear: baseRule = "calendar.outside_year"
        case .notAWeekend: baseRule = "calendar.not_a_weekend"
        case .holidayAndWorking: baseRule = "calendar.holiday_and_working"
        case .endBeforeStart: baseRule = "calendar.end_before_start"
        }
    }

    /// The same refusal placed on a line of the file.
    public func at(line: Int?) -> PolicyRefusal {
        var r = PolicyRefusal(field: field, reason: reason, line: line ?? self.line)
        r.subject = subject
        return r
    }

    /// The same refusal about an item of another kind of file.
    public func about(_ subject: Subject) -> PolicyRefusal {
        var r = self
        r.subject = subject
        return r
    }

    /// The line stands in front of the item's label (第 12 行 政策版本号), so a form that
    /// relabels the refusal replaces both together and keeps the reason whole.
    public var phrase: Phrase {
        let item = FieldLabel.phrase(field, subject: subject.namePhrase)
        let label = line.map { Phrase("policy.refusal_line_label", $0, item) } ?? item
        let because: Phrase = switch reason {
        case .empty: Phrase("policy.refusal_empty")
        case .percentOutOfRange(let v): Phrase("policy.refusal_percent_range", v)
        case .minimumAboveMaximum(let lo, let hi): Phrase("policy.refusal_min_above_max", lo, hi)
        case .notPositive(let v): Phrase("policy.refusal_not_positive", v)
        case .negative(let v): Phrase("policy.refusal_negative", v)
        case .duplicateTopUp(let c): Phrase("policy.refusal_duplicate_top_up", c.namePhrase)
        case .unknownItem: Phrase("policy.refusal_unknown_item")
        case .missingItem: Phrase("policy.refusal_missing_item")
        case .wrongType(let kind): Phrase("policy.refusal_wrong_type", PolicyRefusal.kindPhrase(kind))
        case .notAChoice(let v, let choices): Phrase("policy.refusal_not_a_choice", args: [.text(v), PolicyRefusal.list(choices)])
        // The other item is always a policy item: only policy files require one item by another.
        case .requiredBy(let other): Phrase("policy.refusal_required_by", FieldLabel.phrase(other, subject: Subject.policy.namePhrase))
        case .duplicate: Phrase("policy.refusal_duplicate")
        case .syntax(let detail): Phrase("policy.refusal_syntax", detail)
        case .outsideYear(let d, let y): Phrase("calendar.refusal_outside_year", d, y)
        case .notAWeekend(let d): Phrase("calendar.refusal_not_a_weekend", d)
        case .holidayAndWorking(let d): Phrase("calendar.refusal_holiday_and_working", d)
        case .endBeforeStart(let a, let b): Phrase("calendar.refusal_end_before_start", a, b)
        }
        return .labelled(label, because)
    }

    /// The kind a value must have, named in the reader's language. `expected` stays the
    /// English name the file readers pass, so the reasons compare as before.
    static func kindPhrase(_ kind: String) -> Phrase {
        switch kind {
        case "an integer": Phrase("policy.kind_integer")
        case "text": Phrase("policy.kind_text")
        // The literals a file writes stay arguments: they are TOML's, in every language.
        case "true or false": Phrase("policy.kind_bool", "true", "false")
        case "a date (YYYY-MM-DD)": Phrase("policy.kind_date", "YYYY-MM-DD")
        case "an amount in yuan": Phrase("policy.kind_amount")
        case "a list of text": Phrase("policy.kind_text_list")
        case "a table": Phrase("policy.kind_table")
        case "a list of tables": Phrase("policy.kind_table_list")
        default: Phrase("policy.kind_other", kind)
        }
    }

    /// The choices joined the reader's way (、 in Chinese, ", " in English): one phrase per
    /// separator, since each language writes its own between the same values.
    static func list(_ items: [String]) -> Phrase.Arg {
        guard let first = items.first else { return .text("") }
        var joined = Phrase.Arg.text(first)
        for item in items.dropFirst() { joined = .phrase(Phrase("policy.refusal_list", args: [joined, .text(item)])) }
        return joined
    }
}

extension ReviewClass: Labelled {}

extension TopUpCategory: Labelled {}

