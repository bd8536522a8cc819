/// 审核审批程序的选择 — the parts of the procedure a policy version chooses, not only its
/// numbers (issue 15). The 2013 regional opinion holds a democratic evaluation for every
/// application, runs the county's 30 working days from acceptance and posts two notices;
/// the 2021 national measures (民发〔2021〕57号) evaluate only when the notice draws an
/// objection, give the county 10 working days from the day the file arrives inside a
/// whole procedure of 30 (extendable to 45), post one notice, and allow a gradual exit.
/// `CaseMachine` and the review rules read these from the version that judges a case.
public struct Procedure: Sendable, Codable, Equatable {
    /// When the village representatives evaluate (民主评议).
    public enum Evaluation: String, Sendable, Codable, CaseIterable {
        /// Every application, before the township's opinion (2013 二.二.3).
        case always
        /// Only when the notice draws an objection (2021 第二十二条).
        case onObjection = "on_objection"
    }

    /// Where the county's decision limit is counted from.
    public enum CountyClockFrom: String, Sendable, Codable, CaseIterable {
        /// Acceptance at the township: the township's steps use the county's time (2013 二.二.4).
        case acceptance
        /// The day the township's file reaches the county (2021 第二十四条).
        case submission
    }

    public var evaluation: Evaluation
    public var countyClockFrom: CountyClockFrom
    /// 2013 二.三: a second, long-term notice of the approved households before enrolment.
    public var secondNotice: Bool
    /// The whole procedure from acceptance to decision, when the version limits it
    /// separately from the county's own step (2021: 30 working days); nil for none.
    public var wholeProcedureWorkingDays: Int?
    /// The whole procedure's limit once extended with a recorded reason (2021: 45); nil
    /// when the version allows no extension.
    public var extendedProcedureWorkingDays: Int?
    /// 渐退期: months a household whose income rises above the standard keeps its benefit
    /// (2021: at most 6); 0 for none.
    public var gradualExitMonths: Int
    /// 单人保: categories of member who may be enrolled alone, without the rest of the
    /// household (2021 第十一条), as `SinglePersonCategory` raw values.
    public var singlePersonCategories: [SinglePersonCategory]

    public init(evaluation: Evaluation, countyClockFrom: CountyClockFrom, secondNotice: Bool,
                wholeProcedureWorkingDays: Int? = nil, extendedProcedureWorkingDays: Int? = nil,
                gradualExitMonths: Int = 0, singlePersonCategories: [SinglePersonCategory] = []) {
        self.evaluation = evaluation
        self.countyClockFrom = countyClockFrom
        self.secondNotice = secondNotice
        self.wholeProcedureWorkingDays = wholeProcedureWorkingDays
        self.extendedProcedureWorkingDays = extendedProcedureWorkingDays
        self.gradualExitMonths = gradualExitMonths
        self.singlePersonCategories = singlePersonCategories
    }

    /// The procedure of the 2013 regional opinion (the demo's default).
    public static let regional2013 = Procedure(evaluation: .always, countyClockFrom: .acceptance, secondNotice: true)

    /// The most months of gradual exit a version may set (2021 第三十二条 "最长不超过6个月").
    public static let gradualExitCeiling = 6

    /// The first problem of the procedure, as (item, reason), in declaration order.
    func problem() -> (String, PolicyRefusal.Reason)? {
        if let whole = wholeProcedureWorkingDays, whole <= 0 { return ("procedure.whole_procedure_working_days", .notPositive(whole)) }
        if let extended = extendedProcedureWorkingDays {
            guard let whole = wholeProcedureWorkingDays else { return ("procedure.whole_procedure_working_days", .requiredBy("procedure.extended_procedure_working_days")) }
            if extended < whole { return ("procedure.extended_procedure_working_days", .minimumAboveMaximum(minimum: whole, maximum: extended)) }
        }
        if gradualExitMonths < 0 { return ("procedure.gradual_exit_months", .negative(gradualExitMonths)) }
        if gradualExitMonths > Self.gradualExitCeiling {
            return ("procedure.gradual_exit_months", .minimumAboveMaximum(minimum: gradualExitMonths, maximum: Self.gradualExitCeiling))
        }
        if Set(singlePersonCategories).count != singlePersonCategories.count {
            return ("procedure.single_person_categories", .duplicate)
        }
        return nil
    }
}

/// 单人保 — members the 2021 measures let a county enrol on their own (第十一条): adults with a
/// severe disability or severe illness, and dependent adults in a household just above the
/// standard, when the rest of the household is not poor enough.
public enum SinglePersonCategory: String, Sendable, Codable, CaseIterable {
    /// 一级、二级重度残疾人和三级智力残疾人、三级精神残疾人
    case severelyDisabled = "severely_disabled"
    /// 重病患者
    case severelyIll = "severely_ill"
    /// 成年无业重度残疾人 living with relatives (依靠兄弟姐妹或者60周岁以上老年人供养的…)
    case dependentAdult = "dependent_adult"
}
