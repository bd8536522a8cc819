/// 单人保 (2021 第十条 "低收入家庭中的重病患者、重度残疾人等，经本人申请，可以参照单人户纳入最低生活
/// 保障范围"): under a version that names categories, such a member may be enrolled alone, as a
/// one-person household — the standard for one person against that member's own income.
/// What the register records decides the category: a grade 1 or 2 disability (重度残疾), a
/// severe illness, or an adult with a grade 1 or 2 disability and no work (成年无业重度残疾人).
/// Grade 3 intellectual and mental disabilities are not told apart from other grade 3
/// disabilities in the register, so they are not matched here.
public enum SinglePerson {
    public static func category(disability: DisabilityLevel, severeIllness: Bool, age: Int, working: Bool, policy: Policy) -> SinglePersonCategory? {
        let severe = disability.isSevere
        for c in policy.procedure.singlePersonCategories {
            switch c {
            case .severelyDisabled where severe: return c
            case .severelyIll where severeIllness: return c
            case .dependentAdult where severe && age >= policy.childAge && !working: return c
            default: continue
            }
        }
        return nil
    }

    /// Whether an employment counts as work for the dependent-adult category.
    public static func working(_ e: Employment) -> Bool {
        [.employed, .flexible, .farmingHerding].contains(e)
    }
}
