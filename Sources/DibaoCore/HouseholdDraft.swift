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
        /// A refusal of `field` naming it by `label` (`refusal.labelled`), the same way a wrapped
        /// refusal is named, so every reason on the form reads alike in every language.
        func refuse(_ field: String, _ rule: String, _ label: Phrase, _ reason: Phrase) {
            problems.append(FieldRefusal(field: field, rule: rule, .labelled(label, reason)))
        }
        /// An entered amount above the policy's item maximum (issue 12).
        func aboveLimit(_ amount: Money, field: String, label: Phrase) -> Bool {
            guard amount > maximumItemAmount else { return false }
            refuse(field, "amount.above_limit", label, Phrase("money.refusal_at_most", maximumItemAmount.formatted))
            return true
        }
        let counted: [(String, Int, Int, Phrase)] = [
            ("members", members.count, Self.maxMembers, Phrase("household.refusal_label_members")),
            ("supporters", supporters.count, Self.maxSupporters, Phrase("household.refusal_label_supporters")),
            ("assets", assets.count, Self.maxAssets, Phrase("household.refusal_label_assets")),
        ]
        for (field, count, limit, label) in counted where count > limit {
            refuse(field, "household.too_many", label, Phrase("household.refusal_too_many", limit, count))
        }
        if !problems.isEmpty { return .failure(FormRefused(problems: problems)) }

        var village: AreaCode?
        do {
            let code = try AreaCode(villageCode.trimmingCharacters(in: .whitespaces), field: "village_code")
            if code.level == .village { village = code } else {
                refuse("village_code", "household.village_level", Phrase("household.refusal_label_village"),
                       Phrase("household.refusal_village_level", code.level.namePhrase))
            }
        } catch {
            problems.append(FieldRefusal(error, field: "village_code", label: Phrase("household.refusal_label_village")))
        }

        let address = address.trimmingCharacters(in: .whitespacesAndNewlines)
        let addressLabel = Phrase("household.refusal_label_address")
        if address.isEmpty {
            refuse("address", "household.address_required", addressLabel, Phrase("household.refusal_required"))
        } else if address.count > Self.maxTextLength {
            refuse("address", "household.address_length", addressLabel, Phrase("household.refusal_too_long", Self.maxTextLength))
        } else if let p = NameText.problem(address) {
            refuse("address", p.rule, addressLabel, p.namePhrase)
        }
        let phone = phone.trimmingCharacters(in: .whitespaces)
        if !phone.isEmpty && (phone.count < 7 || phone.count > 20 || !phone.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) {
            refuse("phone", "household.phone_format", Phrase("household.refusal_label_phone"), Phrase("household.refusal_phone_format"))
        }

        if members.isEmpty {
            refuse("members", "household.members_required", Phrase("household.refusal_label_members"), Phrase("household.refusal_members_required"))
        }
        var members: [ValidHousehold.Member] = []
        var seenIDs: [String: Int] = [:]
        for (i, m) in self.members.enumerated() {
            // The position in words (第1名成员 / member 1) is each label's argument (issue 16).
            let position = i + 1
            let prefix = "members[\(i)]"
            let name = m.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                refuse("\(prefix).name", "member.name_required", Phrase("household.refusal_member_name", position), Phrase("household.refusal_required"))
            } else if name.count > Self.maxNameLength || name.unicodeScalars.count > Self.maxNameLength * 4 {
                refuse("\(prefix).name", "member.name_length", Phrase("household.refusal_member_name", position), Phrase("household.refusal_too_long", Self.maxNameLength))
            } else if let p = NameText.problem(name) {
                refuse("\(prefix).name", p.rule, Phrase("household.refusal_member_name", position), p.namePhrase)
            }
            var id: ResidentID?
            do {
                id = try ResidentID(m.idNumber.trimmingCharacters(in: .whitespaces), field: "\(prefix).id_number", today: today)
            } catch {
                problems.append(FieldRefusal(error, field: "\(prefix).id_number", label: Phrase("household.refusal_member_id_number", position)))
            }
            if let id {
                if let other = seenIDs[id.value] {
                    refuse("\(prefix).id_number", "member.id_duplicate", Phrase("household.refusal_member_id_number", position), Phrase("household.refusal_id_duplicate", other + 1))
                }
                seenIDs[id.value] = i
            }
            let relation = Kinship(rawValue: m.relation)
            if relation == nil {
                refuse("\(prefix).relation", "member.relation", Phrase("household.refusal_member_relation", position), Phrase("household.refusal_choose"))
            }
            let disability = DisabilityLevel(rawValue: m.disabilityLevel)
            if disability == nil {
                refuse("\(prefix).disability_level", "member.disability_level", Phrase("household.refusal_member_disability_level", position), Phrase("household.refusal_disability_level"))
            }
            let capacity = WorkCapacity(rawValue: m.workCapacity)
            if capacity == nil {
                refuse("\(prefix).work_capacity", "member.work_capacity", Phrase("household.refusal_member_work_capacity", position), Phrase("household.refusal_choose"))
            }
            let employment = Employment(rawValue: m.employment)
            if employment == nil {
                refuse("\(prefix).employment", "member.employment", Phrase("household.refusal_member_employment", position), Phrase("household.refusal_choose"))
            }
            var incomes: [IncomeItem] = []
            for (kindRaw, text) in m.incomes.sorted(by: { $0.key < $1.key }) {
                let text = text.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                guard let kind = IncomeKind(rawValue: kindRaw) else {
                    refuse("\(prefix).incomes.\(kindRaw)", "income.kind", Phrase("household.refusal_member_income", position), Phrase("household.refusal_income_kind"))
                    continue
                }
                let incomeLabel = Phrase("household.refusal_member_monthly_income", position, kind.namePhrase)
                do {
                    let amount = try Money.parse(text, field: "\(prefix).incomes.\(kindRaw)")
                    if amount < .zero {
                        refuse("\(prefix).incomes.\(kindRaw)", "income.negative", incomeLabel, Phrase("household.refusal_negative"))
                    } else if aboveLimit(amount, field: "\(prefix).incomes.\(kindRaw)", label: incomeLabel) {
                    } else if amount > .zero {
                        incomes.append(IncomeItem(kind: kind, monthly: amount, note: ""))
                    }
                } catch {
                    problems.append(FieldRefusal(error, field: "\(prefix).incomes.\(kindRaw)", label: incomeLabel))
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
            refuse("members", "household.one_head", Phrase("household.refusal_label_members"), Phrase("household.refusal_one_head", heads))
        }

        var supporters: [ValidHousehold.Supporter] = []
        for (i, s) in self.supporters.enumerated() {
            let position = i + 1
            let prefix = "supporters[\(i)]"
            let name = s.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                refuse("\(prefix).name", "supporter.name_required", Phrase("household.refusal_supporter_name", position), Phrase("household.refusal_required"))
            } else if name.count > Self.maxNameLength || name.unicodeScalars.count > Self.maxNameLength * 4 {
                refuse("\(prefix).name", "supporter.name_length", Phrase("household.refusal_supporter_name", position), Phrase("household.refusal_too_long", Self.maxNameLength))
            } else if let p = NameText.problem(name) {
                refuse("\(prefix).name", p.rule, Phrase("household.refusal_supporter_name", position), p.namePhrase)
            }
            var id: ResidentID?
            let idText = s.idNumber.trimmingCharacters(in: .whitespaces)
            if !idText.isEmpty {
                do { id = try ResidentID(idText, field: "\(prefix).id_number", today: today) } catch {
                    problems.append(FieldRefusal(error, field: "\(prefix).id_number", label: Phrase("household.refusal_supporter_id_number", position)))
                }
            }
            let duty = SupportDuty(rawValue: s.duty)
            if duty == nil {
                refuse("\(prefix).duty", "supporter.duty", Phrase("household.refusal_supporter_duty", position), Phrase("household.refusal_choose_duty"))
            }
            var amount: Money?
            do {
                let a = try Money.parse(s.monthlySupport.isEmpty ? "0" : s.monthlySupport, field: "\(prefix).monthly_support")
                if a < .zero {
                    refuse("\(prefix).monthly_support", "supporter.negative", Phrase("household.refusal_supporter_monthly_support", position), Phrase("household.refusal_negative"))
                } else if !aboveLimit(a, field: "\(prefix).monthly_support", label: Phrase("household.refusal_supporter_monthly_support", position)) { amount = a }
            } catch {
                problems.append(FieldRefusal(error, field: "\(prefix).monthly_support", label: Phrase("household.refusal_supporter_monthly_support", position)))
            }
            if let duty, let amount, !name.isEmpty, idText.isEmpty || id != nil {
                supporters.append(.init(name: name, id: id, duty: duty, monthlySupport: amount, note: String(s.note.prefix(Self.maxTextLength))))
            }
        }

        var assets: [ValidHousehold.Asset] = []
        for (i, a) in self.assets.enumerated() {
            let position = i + 1
            let prefix = "assets[\(i)]"
            let kind = AssetKind(rawValue: a.kind)
            if kind == nil {
                refuse("\(prefix).kind", "asset.kind", Phrase("household.refusal_asset_kind", position), Phrase("household.refusal_choose"))
            }
            var value: Money?
            do {
                let v = try Money.parse(a.value.isEmpty ? "0" : a.value, field: "\(prefix).value")
                if v < .zero {
                    refuse("\(prefix).value", "asset.negative", Phrase("household.refusal_asset_value", position), Phrase("household.refusal_negative"))
                } else if !aboveLimit(v, field: "\(prefix).value", label: Phrase("household.refusal_asset_value", position)) { value = v }
            } catch {
                problems.append(FieldRefusal(error, field: "\(prefix).value", label: Phrase("household.refusal_asset_value", position)))
            }
            if let kind, let value {
                assets.append(.init(kind: kind, description: String(a.description.prefix(Self.maxTextLength)), value: value))
            }
        }

        guard problems.isEmpty, let village else { return .failure(FormRefused(problems: problems)) }
        return .success(ValidHousehold(village: village, address: address, phone: phone, members: members, supporters: supporters, assets: assets))
    }
}
