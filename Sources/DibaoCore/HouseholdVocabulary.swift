/// The words a household register is kept in. Each has its Chinese term, as it appears
/// on the 低保 application form.

/// 与户主关系
public enum Kinship: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "kinship.\(self)" }

    case head, spouse, child, parent, grandparent, grandchild, sibling, other


}

/// 劳动能力
public enum WorkCapacity: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "work_capacity.\(self)" }

    case full, partial, none


}

/// 就业状况
public enum Employment: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "employment.\(self)" }

    case employed, flexible, farmingHerding = "farming_herding", unemployed, student, retired, notApplicable = "not_applicable"


}

/// 家庭财产类别 — the asset tests of 二.一 and 二.五 are about these kinds.
public enum AssetKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "asset_kind.\(self)" }

    case vehicle, housing, deposit, securities, business, livestock, other


}

/// 赡养/抚养/扶养 — the duty an obligated relative outside the household owes (二.一).
public enum SupportDuty: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "support_duty.\(self)" }

    case elders, children, spouse


}

extension AssetKind: Labelled {}

extension Employment: Labelled {}

extension Kinship: Labelled {}

extension SupportDuty: Labelled {}

extension WorkCapacity: Labelled {}
