/// 分类复核 — the review class of an enrolled household, from the table of 二.六:
/// "对家庭成员中有重病、重残人员且收入基本无变化的低保家庭，可每年复核一次。对短期内
/// 家庭经济状况和家庭成员基本情况相对稳定的低保家庭，可每半年复核一次。对收入来源不固定、
/// 有劳动能力和劳动条件的低保家庭，原则上城市按月、农村牧区按季复核。"
public extension ReviewClass {
    /// The class of a household with `members`.
    ///
    /// - `incomeStable`: income essentially unchanged (收入基本无变化) and from a fixed source.
    /// - `ableToWork`: some member is able and in a position to work (有劳动能力和劳动条件).
    ///
    /// A member with severe illness or disability of grade 1–2 and stable income
    /// gives the yearly class; unstable income with someone able to work gives
    /// the frequent class, even beside a severely ill member, because the text
    /// ties the frequent rhythm to the income, not to the people. Everything else
    /// — including unstable income with nobody able to work, which the text does
    /// not name — is reviewed half-yearly, the text's ordinary rhythm.
    static func classify(members: [MemberSituation], incomeStable: Bool, ableToWork: Bool) -> ReviewClass {
        if !incomeStable && ableToWork { return .unstable }
        let severe = members.contains { $0.severeIllness || $0.disability.isSevere }
        if severe && incomeStable { return .severeStable }
        return .stable
    }
}

/// 纳入保障 — what follows from a household's enrolment.
public enum Enrollment: Sendable {
    /// The first day of the month in which an enrolled household is next reviewed:
    /// the first month of payment plus the class's interval under `policy`
    /// (二.六), e.g. a stable household first paid for 2025-12 is reviewed in
    /// 2026-06. Counted in whole months from the 1st, because payments and
    /// reviews run by month and a review must fall in a definite payroll month.
    /// After a review the same rule gives the next date, from the month the review
    /// takes effect.
    public static func nextReviewDate(enrolledFrom firstMonth: CivilDate, class reviewClass: ReviewClass,
                                      kind: AreaKind, policy: Policy) -> CivilDate {
        firstMonth.firstOfMonth.adding(months: policy.reviewMonths(for: reviewClass, in: kind))
    }
}
