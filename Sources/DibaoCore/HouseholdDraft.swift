import Foundation

/// A refusal about one input field, with the rule it broke.
public struct FieldRefusal: Refusal, Equatable {
    public let field: String
    public let rule: String
    public let phrase: Phrase

    public init(field: String, rule: String, _ phrase: Phrase) {
        self.field = field
        self.rule = rule
        self.phrase = phrase
    }

    @available(*, deprecated, message: "give the refusal a catalogue key: FieldRefusal(field:rule:Phrase(…))")
    public init(field: String, rule: String, zh: String, en: String) {
        self.init(field: field, rule: rule, .bilingual(zh: zh, en: en))
    }

    /// Wraps another refusal so it names the position of the field in a larger form
    /// (`members[1].id_number`) in words (第1名成员身份证号码): the position's label takes
    /// the place of the wrapped refusal's own, rather than standing in front of it (issue 16).
    public init(_ other: any Refusal, field: String, label: Phrase) {
        self.init(field: field, rule: other.rule, other.phrase.relabelled(label))
    }

    @available(*, deprecated, message: "give the label a catalogue key: FieldRefusal(_:field:label: Phrase)")
    public init(_ other: any Refusal, field: String, label: String, labelEn: String) {
        let p = other.phrase
        if p.key.isEmpty {
            // The wrapped refusal named the field by its machine path when the core had no word
            // for it (`身份证号码（members[0].id_number）：…`); that head is replaced, not repeated.
            self.init(field: field, rule: other.rule, .bilingual(
                zh: "\(label)：\(Self.withoutMachineHead(other.zh, field: field, open: "（", close: "）", separator: "："))",
                en: "\(labelEn): \(Self.withoutMachineHead(other.en, field: field, open: " (", close: ")", separator: ": "))"))
        } else {
            self.init(other, field: field, label: .bilingual(zh: label, en: labelEn))
        }
    }

    static func withoutMachineHead(_ message: String, field: String, open: String, close: String, separator: String) -> String {
        guard let end = message.range(of: open + field + close + separator) else { return message }
        return String(message[end.upperBound...])
    }
}

/// Every problem of a form at once (a household, an application, an investigation), so it
/// is fixed in one pass.
public struct FormRefused: Error, Sendable, Equatable {
    public let problems: [FieldRefusal]
    public init(problems: [FieldRefusal]) { self.problems = problems }
}

/// A household as typed into a form or sent to the API, before it is trusted.
/// Money is yuan text ("1200.50"), exactly as a person types it.
public struct HouseholdDraft: Sendable, Codable, Equatable {
    public struct Member: Sendable, Codable, Equatable {
        public var name: String
        public var idNumber: String
        public var relation: String
        public var disabilityLevel: Int
        public var severeIllness: Bool
        public var illnessNote: String
        public var workCapacity: String
        public var employment: String
        /// Monthly income by kind, yuan text; blank means none.
        public var incomes: [String: String]

        public init(name: String, idNumber: String, relation: String, disabilityLevel: Int = 0, severeIllness: Bool = false,
                    illnessNote: String = "", workCapacity: String = WorkCapacity.full.rawValue,
                    employment: String = Employment.employed.rawValue, incomes: [String: String] = [:]) {
            self.name = name
            self.idNumber = idNumber
            self.relation = relation
            self.disabilityLevel = disabilityLevel
            self.severeIllness = severeIllness
            self.illnessNote = illnessNote
            self.workCapacity = workCapacity
            self.employment = employment
            self.incomes = incomes
        }
    }

    public struct Supporter: Sendable, Codable, Equatable {
        public var name: String
        public var idNumber: String
        public var duty: String
        public var monthlySupport: String
        public var note: String

        public init(name: String, idNumber: String = "", duty: String, monthlySupport: String, note: String = "") {
            self.name = name
            self.idNumber = idNumber
            self.duty = duty
            self.monthlySupport = monthlySupport
            self.note = note
        }
    }

    public struct Asset: Sendable, Codable, Equatable {
        public var kind: String
        public var description: String
        public var value: String

        public init(kind: String, description: String, value: String) {
            self.kind = kind
            self.description = description
            self.value = value
        }
    }

    public var villageCode: String
    public var address: String
    public var phone: String
    public var members: [Member]
    public var supporters: [Supporter]
    public var assets: [Asset]

    public init(villageCode: String, address: String, phone: String = "", members: [Member], supporters: [Supporter] = [], assets: [Asset] = []) {
        self.villageCode = villageCode
        self.address = address
        self.phone = phone
        self.members = members
        self.supporters = supporters
        self.assets = assets
    }
}

/// A household that passed every rule, in domain types.
public struct ValidHousehold: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var id: ResidentID
        public var relation: Kinship
        public var disability: DisabilityLevel
        public var severeIllness: Bool
        public var illnessNote: String
        public var workCapacity: WorkCapacity
        public var employment: Employment
        public var incomes: [IncomeItem]
    }

    public struct Supporter: Sendable, Equatable {
        public var name: String
        public var id: ResidentID?
        public var duty: SupportDuty
        public var monthlySupport: Money
        public var note: String
    }

    public struct Asset: Sendable, Equatable {
        public var kind: AssetKind
        public var description: String
        public var value: Money
    }

    public var village: AreaCode
    public var address: String
    public var phone: String
    public var members: [Member]
    public var supporters: [Supporter]
    public var assets: [Asset]

    public var head: Member { members.first { $0.relation == .head } ?? members[0] }
}

extension HouseholdDraft {
    static let maxNameLength = 30
    static let maxTextLength = 200
    /// A household of more people than this is a data error (the largest registered
    /// households in the league are under 20); the bound also keeps every sum over members
    /// inside 64-bit fen (issue 12).
    public static let maxMembers = 30
    public static let maxSupporters = 30
    public static let maxAssets = 100

    /// Checks every field and returns either the valid household or every refusal at once,
    /// so a caseworker fixes the whole form in one pass.
    public func validate(today: CivilDate, maximumItemAmount: Money = Policy.defaultMaximumItemAmount) -> Result<ValidHousehold, FormRefused> {
        var problems: [FieldRefusal] = []
        /// An entered amount above the policy's item maximum (issue 12).
        func aboveLimit(_ amount: Money, field: String, label: String, labelEn: String) -> Bool {
            guard amount > maximumItemAmount else { return false }
            problems.append(.init(field: field, rule: "amount.above_limit",
                                  zh: "\(label)：不得超过 \(maximumItemAmount.formatted)", en: "\(labelEn): at most \(maximumItemAmount.formatted)"))
            return true
        }
        let counted: [(String, Int, Int, String, String)] = [
            ("members", members.count, Self.maxMembers, "家庭成员", "Members"),
            ("supporters", supporters.count, Self.maxSupporters, "赡养（抚养、扶养）义务人", "Supporters"),
            ("assets", assets.count, Self.maxAssets, "家庭财产", "Assets"),
        ]
        for (field, count, limit, zh, en) in counted where count > limit {
            problems.append(.init(field: field, rule: "household.too_many", zh: "\(zh)：最多 \(limit) 项，实为 \(count) 项", en: "\(en): at most \(limit), got \(count)"))
        }
        if !problems.isEmpty { return .failure(FormRefused(problems: problems)) }

        var village: AreaCode?
        do {
            let code = try AreaCode(villageCode.trimmingCharacters(in: .whitespaces), field: "village_code")
            if code.level == .village { village = code } else {
                problems.append(FieldRefusal(field: "village_code", rule: "household.village_level",
                    zh: "所属嘎查村/社区：户籍必须落在嘎查村/社区一级（当前为\(code.level.zh)）",
                    en: "Village/community: a household belongs to a village or community (got a \(code.level.en))"))
            }
        } catch {
            problems.append(FieldRefusal(error, field: "village_code", label: "所属嘎查村/社区", labelEn: "Village/community"))
        }

        let address = address.trimmingCharacters(in: .whitespacesAndNewlines)
        if address.isEmpty {
            problems.append(.init(field: "address", rule: "household.address_required", zh: "家庭住址：必填", en: "Address: required"))
        } else if address.count > Self.maxTextLength {
            problems.append(.init(field: "address", rule: "household.address_length", zh: "家庭住址：不得超过\(Self.maxTextLength)字", en: "Address: at most \(Self.maxTextLength) characters"))
        } else if let p = NameText.problem(address) {
            problems.append(.init(field: "address", rule: p.rule, zh: "家庭住址：\(p.zh)", en: "Address: \(p.en)"))
        }
        let phone = phone.trimmingCharacters(in: .whitespaces)
        if !phone.isEmpty && (phone.count < 7 || phone.count > 20 || !phone.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) {
            problems.append(.init(field: "phone", rule: "household.phone_format", zh: "联系电话：只能包含数字、“-”和“+”，7至20位", en: "Phone: digits, '-' and '+' only, 7 to 20 characters"))
        }

        if members.isEmpty {
            problems.append(.init(field: "members", rule: "household.members_required", zh: "家庭成员：至少登记一名成员", en: "Members: register at least one member"))
        }
        var members: [ValidHousehold.Member] = []
        var seenIDs: [String: Int] = [:]
        for (i, m) in self.members.enumerated() {
            let label = "第\(i + 1)名成员"
            let labelEn = "Member \(i + 1)"
            let prefix = "members[\(i)]"
            let name = m.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                problems.append(.init(field: "\(prefix).name", rule: "member.name_required", zh: "\(label)姓名：必填", en: "\(labelEn) name: required"))
            } else if name.count > Self.maxNameLength || name.unicodeScalars.count > Self.maxNameLength * 4 {
                problems.append(.init(field: "\(prefix).name", rule: "member.name_length", zh: "\(label)姓名：不得超过\(Self.maxNameLength)字", en: "\(labelEn) name: at most \(Self.maxNameLength) characters"))
            } else if let p = NameText.problem(name) {
                problems.append(.init(field: "\(prefix).name", rule: p.rule, zh: "\(label)姓名：\(p.zh)", en: "\(labelEn) name: \(p.en)"))
            }
            var id: ResidentID?
            do {
                id = try ResidentID(m.idNumber.trimmingCharacters(in: .whitespaces), field: "\(prefix).id_number", today: today)
            } catch {
                problems.append(FieldRefusal(error, field: "\(prefix).id_number", label: "\(label)身份证号码", labelEn: "\(labelEn) ID number"))
            }
            if let id {
                if let other = seenIDs[id.value] {
                    problems.append(.init(field: "\(prefix).id_number", rule: "member.id_duplicate",
                        zh: "\(label)身份证号码：与第\(other + 1)名成员重复", en: "\(labelEn) ID number: same as member \(other + 1)"))
                }
                seenIDs[id.value] = i
            }
            let relation = Kinship(rawValue: m.relation)
            if relation == nil {
                problems.append(.init(field: "\(prefix).relation", rule: "member.relation", zh: "\(label)与户主关系：请选择", en: "\(labelEn) relation to head: choose one"))
            }
            let disability = DisabilityLevel(rawValue: m.disabilityLevel)
            if disability == nil {
                problems.append(.init(field: "\(prefix).disability_level", rule: "member.disability_level", zh: "\(label)残疾等级：只能为无或一至四级", en: "\(labelEn) disability level: none or 1 to 4"))
            }
            let capacity = WorkCapacity(rawValue: m.workCapacity)
            if capacity == nil {
                problems.append(.init(field: "\(prefix).work_capacity", rule: "member.work_capacity", zh: "\(label)劳动能力：请选择", en: "\(labelEn) work capacity: choose one"))
            }
            let employment = Employment(rawValue: m.employment)
            if employment == nil {
                problems.append(.init(field: "\(prefix).employment", rule: "member.employment", zh: "\(label)就业状况：请选择", en: "\(labelEn) employment: choose one"))
            }
            var incomes: [IncomeItem] = []
            for (kindRaw, text) in m.incomes.sorted(by: { $0.key < $1.key }) {
                let text = text.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                guard let kind = IncomeKind(rawValue: kindRaw) else {
                    problems.append(.init(field: "\(prefix).incomes.\(kindRaw)", rule: "income.kind", zh: "\(label)收入：未知的收入类别", en: "\(labelEn) income: unknown kind"))
                    continue
                }
                do {
                    let amount = try Money.parse(text, field: "\(prefix).incomes.\(kindRaw)")
                    if amount < .zero {
                        problems.append(.init(field: "\(prefix).incomes.\(kindRaw)", rule: "income.negative", zh: "\(label)月收入（\(kind.zh)）：不能为负数", en: "\(labelEn) monthly income (\(kind.en)): cannot be negative"))
                    } else if aboveLimit(amount, field: "\(prefix).incomes.\(kindRaw)", label: "\(label)月收入（\(kind.zh)）", labelEn: "\(labelEn) monthly income (\(kind.en))") {
                    } else if amount > .zero {
                        incomes.append(IncomeItem(kind: kind, monthly: amount, note: ""))
                    }
                } catch {
                    problems.append(FieldRefusal(error, field: "\(prefix).incomes.\(kindRaw)", label: "\(label)月收入（\(kind.zh)）", labelEn: "\(labelEn) monthly income (\(kind.en))"))
                }
            }
            if let id, let relation, let disability, let capacity, let employment, !name.isEmpty {
                members.append(.init(name: name, id: id, relation: relation, disability: disability, severeIllness: m.severeIllness,
                                     illnessNote: String(m.illnessNote.prefix(Self.maxTextLength)), workCapacity: capacity,
                                     employment: employment, incomes: incomes))
            }
        }
        let heads = self.members.filter { $0.relation == Kinship.head.rawValue }.count
        if !self.members.isEmpty && heads != 1 {
            problems.append(.init(field: "members", rule: "household.one_head", zh: "家庭成员：必须有且只有一名户主（当前\(heads)名）", en: "Members: exactly one head of household is required (found \(heads))"))
        }

        var supporters: [ValidHousehold.Supporter] = []
        for (i, s) in self.supporters.enumerated() {
            let label = "第\(i + 1)名赡养/抚养/扶养义务人"
            let labelEn = "Obligated relative \(i + 1)"
            let prefix = "supporters[\(i)]"
            let name = s.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                problems.append(.init(field: "\(prefix).name", rule: "supporter.name_required", zh: "\(label)姓名：必填", en: "\(labelEn) name: required"))
            } else if name.count > Self.maxNameLength || name.unicodeScalars.count > Self.maxNameLength * 4 {
                problems.append(.init(field: "\(prefix).name", rule: "supporter.name_length", zh: "\(label)姓名：不得超过\(Self.maxNameLength)字", en: "\(labelEn) name: at most \(Self.maxNameLength) characters"))
            } else if let p = NameText.problem(name) {
                problems.append(.init(field: "\(prefix).name", rule: p.rule, zh: "\(label)姓名：\(p.zh)", en: "\(labelEn) name: \(p.en)"))
            }
            var id: ResidentID?
            let idText = s.idNumber.trimmingCharacters(in: .whitespaces)
            if !idText.isEmpty {
                do { id = try ResidentID(idText, field: "\(prefix).id_number", today: today) } catch {
                    problems.append(FieldRefusal(error, field: "\(prefix).id_number", label: "\(label)身份证号码", labelEn: "\(labelEn) ID number"))
                }
            }
            let duty = SupportDuty(rawValue: s.duty)
            if duty == nil {
                problems.append(.init(field: "\(prefix).duty", rule: "supporter.duty", zh: "\(label)义务类别：请选择赡养、抚养或扶养", en: "\(labelEn) duty: choose one"))
            }
            var amount: Money?
            do {
                let a = try Money.parse(s.monthlySupport.isEmpty ? "0" : s.monthlySupport, field: "\(prefix).monthly_support")
                if a < .zero {
                    problems.append(.init(field: "\(prefix).monthly_support", rule: "supporter.negative", zh: "\(label)月赡养费：不能为负数", en: "\(labelEn) monthly support: cannot be negative"))
                } else if !aboveLimit(a, field: "\(prefix).monthly_support", label: "\(label)月赡养费", labelEn: "\(labelEn) monthly support") { amount = a }
            } catch {
                problems.append(FieldRefusal(error, field: "\(prefix).monthly_support", label: "\(label)月赡养费", labelEn: "\(labelEn) monthly support"))
            }
            if let duty, let amount, !name.isEmpty, idText.isEmpty || id != nil {
                supporters.append(.init(name: name, id: id, duty: duty, monthlySupport: amount, note: String(s.note.prefix(Self.maxTextLength))))
            }
        }

        var assets: [ValidHousehold.Asset] = []
        for (i, a) in self.assets.enumerated() {
            let label = "第\(i + 1)项财产"
            let labelEn = "Asset \(i + 1)"
            let prefix = "assets[\(i)]"
            let kind = AssetKind(rawValue: a.kind)
            if kind == nil {
                problems.append(.init(field: "\(prefix).kind", rule: "asset.kind", zh: "\(label)类别：请选择", en: "\(labelEn) kind: choose one"))
            }
            var value: Money?
            do {
                let v = try Money.parse(a.value.isEmpty ? "0" : a.value, field: "\(prefix).value")
                if v < .zero {
                    problems.append(.init(field: "\(prefix).value", rule: "asset.negative", zh: "\(label)价值：不能为负数", en: "\(labelEn) value: cannot be negative"))
                } else if !aboveLimit(v, field: "\(prefix).value", label: "\(label)价值", labelEn: "\(labelEn) value") { value = v }
            } catch {
                problems.append(FieldRefusal(error, field: "\(prefix).value", label: "\(label)价值", labelEn: "\(labelEn) value"))
            }
            if let kind, let value {
                assets.append(.init(kind: kind, description: String(a.description.prefix(Self.maxTextLength)), value: value))
            }
        }

        guard problems.isEmpty, let village else { return .failure(FormRefused(problems: problems)) }
        return .success(ValidHousehold(village: village, address: address, phone: phone, members: members, supporters: supporters, assets: assets))
    }
}
