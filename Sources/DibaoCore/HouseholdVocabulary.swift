/// The words a household register is kept in. Each has its Chinese term, as it appears
/// on the 低保 application form.

/// 与户主关系
public enum Kinship: String, Sendable, Codable, CaseIterable {
    case head, spouse, child, parent, grandparent, grandchild, sibling, other

    public var zh: String {
        switch self {
        case .head: return "户主"
        case .spouse: return "配偶"
        case .child: return "子女"
        case .parent: return "父母"
        case .grandparent: return "（外）祖父母"
        case .grandchild: return "（外）孙子女"
        case .sibling: return "兄弟姐妹"
        case .other: return "其他"
        }
    }

    public var en: String {
        switch self {
        case .head: return "Head of household"
        case .spouse: return "Spouse"
        case .child: return "Child"
        case .parent: return "Parent"
        case .grandparent: return "Grandparent"
        case .grandchild: return "Grandchild"
        case .sibling: return "Sibling"
        case .other: return "Other"
        }
    }
}

/// 劳动能力
public enum WorkCapacity: String, Sendable, Codable, CaseIterable {
    case full, partial, none

    public var zh: String {
        switch self {
        case .full: return "有劳动能力"
        case .partial: return "部分丧失劳动能力"
        case .none: return "无劳动能力"
        }
    }

    public var en: String {
        switch self {
        case .full: return "Able to work"
        case .partial: return "Partly able to work"
        case .none: return "Unable to work"
        }
    }
}

/// 就业状况
public enum Employment: String, Sendable, Codable, CaseIterable {
    case employed, flexible, farmingHerding = "farming_herding", unemployed, student, retired, notApplicable = "not_applicable"

    public var zh: String {
        switch self {
        case .employed: return "在业"
        case .flexible: return "灵活就业"
        case .farmingHerding: return "务农/务牧"
        case .unemployed: return "失业/无业"
        case .student: return "在校学生"
        case .retired: return "离退休"
        case .notApplicable: return "不适用（学龄前、高龄等）"
        }
    }

    public var en: String {
        switch self {
        case .employed: return "Employed"
        case .flexible: return "Flexible work"
        case .farmingHerding: return "Farming/herding"
        case .unemployed: return "Unemployed"
        case .student: return "Student"
        case .retired: return "Retired"
        case .notApplicable: return "Not applicable"
        }
    }
}

/// 家庭财产类别 — the asset tests of 二.一 and 二.五 are about these kinds.
public enum AssetKind: String, Sendable, Codable, CaseIterable {
    case vehicle, housing, deposit, securities, business, livestock, other

    public var zh: String {
        switch self {
        case .vehicle: return "机动车辆"
        case .housing: return "房产"
        case .deposit: return "存款"
        case .securities: return "有价证券"
        case .business: return "工商登记（经营实体）"
        case .livestock: return "牲畜"
        case .other: return "其他财产"
        }
    }

    public var en: String {
        switch self {
        case .vehicle: return "Vehicle"
        case .housing: return "Housing"
        case .deposit: return "Deposits"
        case .securities: return "Securities"
        case .business: return "Registered business"
        case .livestock: return "Livestock"
        case .other: return "Other"
        }
    }
}

/// 赡养/抚养/扶养 — the duty an obligated relative outside the household owes (二.一).
public enum SupportDuty: String, Sendable, Codable, CaseIterable {
    case elders, children, spouse

    public var zh: String {
        switch self {
        case .elders: return "赡养"
        case .children: return "抚养"
        case .spouse: return "扶养"
        }
    }

    public var en: String {
        switch self {
        case .elders: return "Support of parents"
        case .children: return "Support of children"
        case .spouse: return "Support of spouse"
        }
    }
}
