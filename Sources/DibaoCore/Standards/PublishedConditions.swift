/// 二.一 "制定并向社会公布享受最低生活保障待遇的具体条件和认定程序，并对赡养、抚养、扶养义务人履行
/// 相关法定义务提出具体要求": the published conditions and procedure of an area, built from the
/// policy version in force and the area's standard, so the page can never say one thing while
/// the case machine does another. Each line is a text key and its arguments (rendered in the
/// reader's language at the edge) with the article it comes from, where the version cites one.
public struct PublishedLine: Sendable, Equatable, Codable {
    public var key: String
    public var args: [String]
    /// The source article, as the policy file cites it; nil when the version cites none.
    public var citation: String?

    public init(_ key: String, _ args: [String] = [], citation: String? = nil) {
        self.key = key
        self.args = args
        self.citation = citation
    }
}

public struct PublishedSection: Sendable, Equatable, Codable {
    public var key: String
    public var lines: [PublishedLine]
}

public enum PublishedConditions {
    /// The area's standards in force (nil: none set for that kind at the area or above).
    public struct Standards: Sendable, Equatable {
        public var urban: Money?
        public var rural: Money?
        public init(urban: Money?, rural: Money?) { self.urban = urban; self.rural = rural }
    }

    public static func sections(policy p: Policy, standards: Standards) -> [PublishedSection] {
        func cite(_ item: String) -> String? { p.citations[item] }
        let proc = p.procedure

        var standard: [PublishedLine] = []
        standard.append(standards.urban.map { PublishedLine("conditions.standard_urban", [$0.formatted]) } ?? PublishedLine("conditions.standard_urban_none"))
        standard.append(standards.rural.map { PublishedLine("conditions.standard_rural", [$0.formatted]) } ?? PublishedLine("conditions.standard_rural_none"))

        var who: [PublishedLine] = [
            PublishedLine("conditions.who"),
            PublishedLine("conditions.income_below"),
            PublishedLine("conditions.income_counts"),
        ]
        who.append(p.depositLimitMonthsOfStandard.map { PublishedLine("conditions.deposit_limit", [String($0)], citation: cite("deposit_limit_months_of_standard")) }
                   ?? PublishedLine("conditions.deposit_assessed"))
        if let n = p.vehicleLimit {
            who.append(p.exemptVehicleTypes.isEmpty
                ? PublishedLine("conditions.vehicle_limit", [String(n)], citation: cite("vehicle_limit"))
                : PublishedLine("conditions.vehicle_limit_exempt", [String(n), p.exemptVehicleTypes.joined(separator: "、")], citation: cite("vehicle_limit")))
        }
        if let n = p.housingLimit { who.append(PublishedLine("conditions.housing_limit", [String(n)], citation: cite("housing_limit"))) }
        if let n = p.businessLimit { who.append(PublishedLine("conditions.business_limit", [String(n)], citation: cite("business_limit"))) }
        if !proc.singlePersonCategories.isEmpty {
            who.append(PublishedLine("conditions.single_person", citation: cite("procedure.single_person_categories")))
            for c in proc.singlePersonCategories { who.append(PublishedLine("conditions.single_person.\(c.rawValue)")) }
        }

        let supporters = [PublishedLine("conditions.supporters_duty"), PublishedLine("conditions.supporters_counted"), PublishedLine("conditions.supporters_refuse")]

        var steps: [PublishedLine] = [
            PublishedLine("conditions.step_apply"),
            PublishedLine("conditions.step_investigate", [String(p.minimumInvestigators)]),
        ]
        switch proc.evaluation {
        case .always:
            steps.append(PublishedLine("conditions.step_evaluate", [String(p.evaluationPanelMinPercent), String(p.evaluationPanelMaxPercent)], citation: cite("evaluation_panel_min_percent")))
        case .onObjection:
            steps.append(PublishedLine("conditions.step_evaluate_on_objection", citation: cite("procedure.evaluation")))
        }
        steps.append(PublishedLine("conditions.step_first_notice", [String(p.firstNoticeDays)], citation: cite("first_notice_days")))
        steps.append(p.spotCheckMinPercent > 0
            ? PublishedLine("conditions.step_county_spot_check", [String(p.spotCheckMinPercent)], citation: cite("spot_check_min_percent"))
            : PublishedLine("conditions.step_county_review", citation: cite("spot_check_min_percent")))
        steps.append(PublishedLine(proc.countyClockFrom == .acceptance ? "conditions.step_county_limit_acceptance" : "conditions.step_county_limit_submission",
                                   [String(p.countyDecisionWorkingDays)], citation: cite("county_decision_working_days")))
        if let whole = proc.wholeProcedureWorkingDays {
            if let extended = proc.extendedProcedureWorkingDays {
                steps.append(PublishedLine("conditions.step_whole_limit_extendable", [String(whole), String(extended)], citation: cite("procedure.whole_procedure_working_days")))
            } else {
                steps.append(PublishedLine("conditions.step_whole_limit", [String(whole)], citation: cite("procedure.whole_procedure_working_days")))
            }
        }
        steps.append(PublishedLine(proc.secondNotice ? "conditions.step_second_notice" : "conditions.step_published_list", citation: cite("procedure.second_notice")))
        steps.append(PublishedLine(p.paymentFrequency == .monthly ? "conditions.step_payment_monthly" : "conditions.step_payment_quarterly"))

        var after: [PublishedLine] = [
            PublishedLine("conditions.reviews", [String(p.reviewMonthsSevereStable), String(p.reviewMonthsStable), String(p.reviewMonthsUnstableUrban), String(p.reviewMonthsUnstableRural)],
                          citation: cite("review_months_stable")),
            PublishedLine("conditions.reporting", [String(p.reportingPeriodMonths)], citation: cite("reporting_period_months")),
        ]
        if proc.gradualExitMonths > 0 {
            after.append(PublishedLine("conditions.gradual_exit", [String(proc.gradualExitMonths)], citation: cite("procedure.gradual_exit_months")))
        }

        let remedies = [
            PublishedLine("conditions.objection", [String(p.objectionAnswerWorkingDays)], citation: cite("objection_answer_working_days")),
            PublishedLine("conditions.appeal", [String(p.appealDays), String(p.litigationMonths)]),
            PublishedLine("conditions.integrity"),
            PublishedLine("conditions.supervision_phone", [p.supervisionPhone]),
        ]

        return [
            PublishedSection(key: "conditions.section_standard", lines: standard),
            PublishedSection(key: "conditions.section_who", lines: who),
            PublishedSection(key: "conditions.section_supporters", lines: supporters),
            PublishedSection(key: "conditions.section_procedure", lines: steps),
            PublishedSection(key: "conditions.section_after", lines: after),
            PublishedSection(key: "conditions.section_remedies", lines: remedies),
        ]
    }
}
