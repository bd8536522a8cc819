/// The kinds of household income counted against the standard (SPEC "Money and
/// identity": wages, business and farm/herd income, pensions and transfers).
public enum IncomeKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "income_kind.\(self)" }

    case wages, business, farming, pension, transfer, other


}

/// One verified monthly income of one member.
public struct IncomeItem: Sendable, Codable, Equatable {
    public var kind: IncomeKind
    /// Monthly amount; a business loss may be negative.
    public var monthly: Money
    public var note: String

    public init(kind: IncomeKind, monthly: Money, note: String = "") {
        self.kind = kind
        self.monthly = monthly
        self.note = note
    }
}

/// Disability grade on the disability certificate (残疾人证); grades 1 and 2
/// are severe (重度残疾).
public enum DisabilityLevel: Int, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "disability_level.\(self)" }

    case none = 0, level1 = 1, level2, level3, level4

    public var isSevere: Bool { self == .level1 || self == .level2 }


}

/// What the calculation needs to know about one household member.
public struct MemberSituation: Sendable, Equatable {
    /// How the member is named on the decision, e.g. "户主 张三".
    public var label: String
    public var birthDate: CivilDate
    public var incomes: [IncomeItem]
    public var disability: DisabilityLevel
    /// Severe illness does not top up the benefit, but it sets the review class (二.六).
    public var severeIllness: Bool

    public init(label: String, birthDate: CivilDate, incomes: [IncomeItem] = [],
                disability: DisabilityLevel = .none, severeIllness: Bool = false) {
        self.label = label
        self.birthDate = birthDate
        self.incomes = incomes
        self.disability = disability
        self.severeIllness = severeIllness
    }
}

/// Support owed each month by a legally obligated relative outside the household
/// (赡养、抚养、扶养义务人, 二.一). It counts as income whether or not it is paid,
/// because the obligation, not the goodwill, is what the standard is measured against.
public struct SupportOwed: Sendable, Equatable {
    public var label: String
    public var monthly: Money

    public init(label: String, monthly: Money) {
        self.label = label
        self.monthly = monthly
    }
}

/// One input that made the amount, kept with the decision so anyone can redo the
/// sum (SPEC "Money and identity"). `key` is stable for programs; `label` is the
/// Chinese wording printed on the decision.
public struct BenefitLine: Sendable, Codable, Equatable {
    public var key: String
    public var label: String
    public var amount: Money

    public init(key: String, label: String, amount: Money) {
        self.key = key
        self.label = label
        self.amount = amount
    }
}

/// The monthly benefit and how it was reached.
public struct BenefitResult: Sendable, Codable, Equatable {
    public var standardPerPerson: Money
    public var memberCount: Int
    /// Standard × members.
    public var standardTotal: Money
    /// Members' incomes plus support owed, never below zero.
    public var householdIncome: Money
    /// Standard total − household income, never below zero; the household is
    /// eligible exactly when this is positive.
    public var gap: Money
    public var topUps: Money
    public var minimumApplied: Bool
    /// The monthly benefit (补差 plus top-ups, raised to the policy minimum).
    public var amount: Money
    public var lines: [BenefitLine]

    public init(standardPerPerson: Money, memberCount: Int, standardTotal: Money, householdIncome: Money,
                gap: Money, topUps: Money, minimumApplied: Bool, amount: Money, lines: [BenefitLine]) {
        self.standardPerPerson = standardPerPerson
        self.memberCount = memberCount
        self.standardTotal = standardTotal
        self.householdIncome = householdIncome
        self.gap = gap
        self.topUps = topUps
        self.minimumApplied = minimumApplied
        self.amount = amount
        self.lines = lines
    }

    public var isEligible: Bool { gap.isPositive }
}

/// The difference payment (补差).
public enum Benefit {
    /// The monthly benefit of a household:
    /// 1. household income = every member's incomes + support owed by obligated
    ///    relatives outside the household; a business loss offsets other income,
    ///    but the total is not taken below zero, so no loss can lift the benefit
    ///    above the full standard;
    /// 2. gap = members × standard − income, floored at zero;
    /// 3. only if the gap is positive (the household is eligible), each member in
    ///    a category of `policy.topUps` adds that percentage of the standard —
    ///    once per category per member; ages are full years on `date`;
    /// 4. amount = gap + top-ups, raised to `policy.minimumPayment` when it is
    ///    positive but below it.
    /// Every input becomes a line, in the order above.
    public static func calculate(members: [MemberSituation], support: [SupportOwed],
                                 standardPerPerson: Money, policy: Policy, on date: CivilDate) -> BenefitResult {
        var lines: [BenefitLine] = []

        var income = Money.zero
        for (m, member) in members.enumerated() {
            for (i, item) in member.incomes.enumerated() {
                let note = item.note.isEmpty ? "" : "（\(item.note)）"
                lines.append(BenefitLine(key: "income.\(m).\(i)", label: "\(member.label)：\(item.kind.zh)\(note)",
                                         amount: item.monthly))
                income += item.monthly
            }
        }
        for (s, owed) in support.enumerated() {
            lines.append(BenefitLine(key: "support.\(s)", label: "赡养（抚养、扶养）费：\(owed.label)", amount: owed.monthly))
            income += owed.monthly
        }
        let householdIncome = max(income, .zero)
        lines.append(BenefitLine(key: "household_income", label: "家庭月收入合计", amount: householdIncome))

        let standardTotal = standardPerPerson * members.count
        lines.append(BenefitLine(key: "standard",
                                 label: "保障标准 \(standardPerPerson.formatted) × \(members.count) 人",
                                 amount: standardTotal))

        let gap = max(standardTotal - householdIncome, .zero)
        lines.append(BenefitLine(key: "gap", label: "补差（保障标准合计 − 家庭月收入）", amount: gap))

        var topUps = Money.zero
        if gap.isPositive {
            var rules: [TopUpRule] = []
            for rule in policy.topUps where !rules.contains(where: { $0.category == rule.category }) {
                rules.append(rule)
            }
            for (m, member) in members.enumerated() {
                let age = member.birthDate.age(on: date)
                for rule in rules where belongs(member, age: age, to: rule.category, policy: policy) {
                    let amount = standardPerPerson.percent(rule.percentOfStandard)
                    lines.append(BenefitLine(
                        key: "top_up.\(rule.category.rawValue).\(m)",
                        label: "分类施保（\(rule.category.zh)，标准的 \(rule.percentOfStandard)%）：\(member.label)",
                        amount: amount))
                    topUps += amount
                }
            }
        }

        var amount = gap + topUps
        var minimumApplied = false
        if amount.isPositive && amount < policy.minimumPayment {
            amount = policy.minimumPayment
            minimumApplied = true
            lines.append(BenefitLine(key: "minimum", label: "最低发放金额", amount: policy.minimumPayment))
        }

        return BenefitResult(standardPerPerson: standardPerPerson, memberCount: members.count,
                             standardTotal: standardTotal, householdIncome: householdIncome, gap: gap,
                             topUps: topUps, minimumApplied: minimumApplied, amount: amount, lines: lines)
    }

    private static func belongs(_ member: MemberSituation, age: Int, to category: TopUpCategory, policy: Policy) -> Bool {
        switch category {
        case .elderly: return age >= policy.elderlyAge
        case .child: return age >= 0 && age < policy.childAge
        case .severelyDisabled: return member.disability.isSevere
        }
    }
}

extension BenefitResult {
    /// The most the rules allow this household a month: every member at the standard plus
    /// the policy's category top-ups (and, where the policy sets a minimum payment, at least
    /// that). No decided amount may exceed it (issue 12: ¥5,000 was approved for three
    /// people where members × standard was ¥2,718).
    public var ruleCeiling: Money { Swift.max(standardTotal + topUps, amount) }
}

/// A township's proposed or a county's approved monthly amount, checked against the
/// calculation (二.二.3–二.二.4): the calculated amount needs no words; any other needs a
/// recorded reason; none may exceed what the rules allow.
public enum DecidedAmount {
    /// `calculation` is the investigation's breakdown when stored; `calculated` the amount
    /// it came to (kept even where an older case has no breakdown).
    public static func check(_ amount: Money, calculation: BenefitResult?, calculated: Money?, reason: String, field: String = "amount") throws(FieldRefusal) {
        if let calculation, amount > calculation.ruleCeiling {
            throw FieldRefusal(field: field, rule: "amount.above_rule_ceiling",
                               .labelled(Phrase("policy.amount_label"), Phrase("policy.refusal_above_rule_ceiling",
                                         amount.formatted, calculation.ruleCeiling.formatted, calculation.memberCount)))
        }
        let calculated = calculated ?? calculation?.amount
        let differs = calculated.map { amount != $0 } ?? true
        if differs && reason.trimmingWhitespace().isEmpty {
            let shown = calculated?.formatted ?? "—"
            throw FieldRefusal(field: "reason", rule: "amount.reason_required",
                               .labelled(Phrase("policy.amount_reason_label"), Phrase("policy.refusal_amount_reason_required", shown)))
        }
    }
}

extension DisabilityLevel: Labelled {}

extension IncomeKind: Labelled {}
