/// 监管机制 (二.七): the relatives registry, the yearly inspections with their recorded random
/// checks, and the anomalies fund oversight looks for.

/// 近亲属 as the registry lists them: the close relatives of 民法典 第一千零四十五条 (配偶、父母、
/// 子女、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女).
public enum CloseRelation: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "close_relation.\(self)" }

    case spouse, parent, child, sibling, grandparent, grandchild
}

/// Whose relatives are registered (二.七 "低保经办人员和嘎查村（社区）干部近亲属享受低保备案").
public enum RegistrantKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "registrant_kind.\(self)" }

    /// 低保经办人员 of the township or county civil-affairs office.
    case caseworker
    /// 嘎查村两委班子成员 (party branch and village committee).
    case villageCadre = "village_cadre"
    /// 社区居民委员会干部.
    case communityCadre = "community_cadre"
}

/// 重点核查 of a registered relative's household: eligible (kept, or may be approved), or not
/// eligible — then it is cleared out (清退) by an exit decision.
public enum FocusedCheckFinding: String, Sendable, Codable, CaseIterable {
    case eligible
    case ineligible

    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "focused_check_finding.\(self)" }
}

extension FocusedCheckFinding: Labelled {}

/// What fund oversight lists (二.七 "资金监管", 三.五): each a sign that money went where the
/// rules do not send it.
public enum FundAnomalyKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "fund_anomaly_kind.\(self)" }

    /// One bank account received the money of more than one household.
    case sharedAccount = "shared_account"
    /// A payment for a month after the household's exit took effect.
    case paidAfterExit = "paid_after_exit"
    /// A payment for a month after a member's death in the household-registration source (公安).
    case paidAfterDeath = "paid_after_death"
    /// A month's amount above the household's members × the standard of its area.
    case aboveStandard = "above_standard"
    /// The same person paid as a member in two areas in one month.
    case paidInTwoAreas = "paid_in_two_areas"
}

/// The level that makes an inspection plan (二.七 "自治区、盟市、旗县三级").
public enum InspectionKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "inspection_kind.\(self)" }

    /// 年度检查: the plan's random check of townships and villages.
    case yearly
    /// 专项检查 of a lower government.
    case special
}

/// The random checks of a yearly plan: at least the plan's share of the townships, and of
/// the villages under the drawn townships, drawn with one recorded seed exactly as the
/// county's spot check (二.二.4) — `Sampling.draw` over the codes in ascending order — so
/// an auditor redoes it from the seed and the same lists.
public enum InspectionDraw {
    public struct Result: Sendable, Equatable {
        public var townships: [String]
        public var villages: [String]
        public var townshipRecord: SpotCheckDraw
        public var villageRecord: SpotCheckDraw
    }

    /// `villagesByTownship`: every township's villages; both levels are sorted here, so the
    /// caller's order does not matter. The village draw uses the seed's successor, so the
    /// two draws are independent yet follow from one recorded number.
    public static func draw(villagesByTownship: [String: [String]], sharePercent: Int, seed: UInt64) -> Result {
        let townships = villagesByTownship.keys.sorted()
        let (pickedTownships, townshipRecord) = Sampling.draw(townships, minPercent: sharePercent, seed: seed)
        let villages = pickedTownships.flatMap { (villagesByTownship[$0] ?? []).sorted() }
        let (pickedVillages, villageRecord) = Sampling.draw(villages, minPercent: sharePercent, seed: seed &+ 1)
        return Result(townships: pickedTownships, villages: pickedVillages, townshipRecord: townshipRecord, villageRecord: villageRecord)
    }
}

extension CloseRelation: Labelled {}

extension FundAnomalyKind: Labelled {}

extension InspectionKind: Labelled {}

extension RegistrantKind: Labelled {}
