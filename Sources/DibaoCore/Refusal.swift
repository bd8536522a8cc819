/// The languages of the system. Simplified Chinese is the working language of every
/// office that uses the system (SPEC "The people who use it"); Mongolian in its
/// traditional script is Inner Mongolia's other official language (issue 16); English
/// is for readers of neither.
public enum Language: String, Sendable, Codable, CaseIterable {
    case zh, en, mn

    /// The page's `lang`: BCP 47 with the script where it is not the default one.
    public var tag: String {
        switch self {
        case .zh: "zh-Hans"
        case .en: "en"
        case .mn: "mn-Mong"
        }
    }

    /// The language's own name, as the language menu shows it.
    public var ownName: String {
        switch self {
        case .zh: "中文"
        case .en: "English"
        case .mn: "ᠮᠣᠩᠭᠣᠯ"
        }
    }
}

/// A refusal of something a person typed: the input is not accepted, and the
/// person is told which input and which rule, in words they can act on.
///
/// Refusals are shown to users, so the messages never contain more of the input
/// than the person just typed themselves.
public protocol Refusal: Error, Sendable {
    /// Which input was refused, in the form's own field name, e.g. `id_number`.
    var field: String { get }
    /// The machine code of the broken rule, e.g. `id.check_character`; stable, for
    /// tests, logs and API clients.
    var rule: String { get }
    /// What the person is told: the field's label and the rule, as a catalogue key and
    /// its arguments, written in the reader's language at the edge.
    var phrase: Phrase { get }
}

public extension Refusal {
    /// The message in the requested language.
    func message(_ lang: Language) -> String { phrase.text(lang) }
    /// 简体中文 message naming the field and the rule.
    var zh: String { message(.zh) }
    /// English message naming the field and the rule.
    var en: String { message(.en) }
}

/// A refusal whose texts are still written in code, in Chinese and English; a Mongolian
/// reader is told it in Chinese until it moves into a catalogue.
public protocol BilingualRefusal: Refusal {
    var zh: String { get }
    var en: String { get }
}

public extension BilingualRefusal {
    @available(*, deprecated, message: "give the refusal catalogue keys")
    var phrase: Phrase { .bilingual(zh: zh, en: en) }
}

/// Human names of the form fields the core knows about, so that a refusal can
/// name the field the person sees rather than its machine name.
public enum FieldLabel {
    private static let labels: [String: (zh: String, en: String)] = [
        "id_number": ("身份证号码", "ID number"),
        "applicant_id_number": ("申请人身份证号码", "applicant's ID number"),
        "member_id_number": ("家庭成员身份证号码", "member's ID number"),
        "supporter_id_number": ("赡养（抚养、扶养）义务人身份证号码", "supporter's ID number"),
        "amount": ("金额", "amount"),
        "standard": ("保障标准", "standard"),
        "standard_per_person": ("保障标准", "standard"),
        "income": ("收入", "income"),
        "monthly_income": ("月收入", "monthly income"),
        "support_owed": ("赡养（抚养、扶养）费", "support owed"),
        "area_code": ("区划代码", "area code"),
        "parent_code": ("上级区划代码", "parent area code"),
        "version": ("政策版本号", "policy version"),
        "title": ("政策名称", "policy title"),
        "source": ("政策依据", "policy source"),
        "county_decision_working_days": ("旗县审批时限（工作日）", "county decision time limit (working days)"),
        "minimum_investigators": ("入户调查最少人数", "minimum number of investigators"),
        "objection_answer_working_days": ("异议复核答复时限（工作日）", "objection answer time limit (working days)"),
        "spot_check_min_percent": ("旗县入户抽查比例", "county spot-check share"),
        "evaluation_panel_min_percent": ("民主评议小组最低比例", "evaluation panel minimum share"),
        "evaluation_panel_max_percent": ("民主评议小组最高比例", "evaluation panel maximum share"),
        "first_notice_days": ("第一榜公示天数", "first notice days"),
        "carry_over_max_percent": ("年终滚存节余上限比例", "year-end carry-over limit"),
        "review_months_severe_stable": ("重病重残且收入稳定家庭复核周期（月）", "review interval, severe illness/disability, stable (months)"),
        "review_months_stable": ("稳定家庭复核周期（月）", "review interval, stable (months)"),
        "review_months_unstable_urban": ("城市收入不固定家庭复核周期（月）", "review interval, unstable urban (months)"),
        "review_months_unstable_rural": ("农村牧区收入不固定家庭复核周期（月）", "review interval, unstable rural (months)"),
        "service_hall_min_square_metres": ("服务大厅最小面积（平方米）", "service hall minimum area (m²)"),
        "change_takes_effect_months_after_decision": ("变更生效间隔（月）", "months from decision to change"),
        "minimum_payment": ("最低发放金额", "minimum payment"),
        "top_ups": ("分类施保", "category top-ups"),
        "elderly_age": ("老年人年龄", "elderly age"),
        "child_age": ("未成年人年龄", "child age"),
        "deposit_limit_months_of_standard": ("存款限额（月标准倍数）", "deposit limit (months of standard)"),
        "vehicle_limit": ("车辆数量上限", "vehicle limit"),
        "housing_limit": ("房产数量上限", "housing limit"),
        "business_limit": ("工商登记数量上限", "business limit"),
        "verification_income_months": ("核对收入计算月数", "months averaged for verified income"),
        "import_max_error_per_mille": ("批次错误行上限（千分比）", "most bad rows in a batch (per mille)"),
    ]

    /// The Chinese label of `field`, or nil if the core does not know the field.
    public static func zh(_ field: String) -> String? { labels[field]?.zh }
    /// The English label of `field`, or nil if the core does not know the field.
    public static func en(_ field: String) -> String? { labels[field]?.en }

    /// The label of `field` as a phrase, or nil if the core does not know the field.
    public static func phrase(_ field: String) -> Phrase? {
        labels[field].map { .bilingual(zh: $0.zh, en: $0.en) }
    }

    /// The label to put in front of a refusal: the field's own, or — for a field the core
    /// does not know — the refusal's subject with the machine name beside it, so two
    /// ID-number fields on one form are still told apart.
    public static func phrase(_ field: String, subject: Phrase) -> Phrase {
        phrase(field) ?? Phrase("refusal.subject_field", subject, field)
    }

    /// The label to put in front of a message. A field the core does not know is
    /// named by the refusal's own subject with the machine name beside it, so two
    /// ID-number fields on one form are still told apart.
    static func zh(_ field: String, subject: String) -> String {
        zh(field) ?? "\(subject)（\(field)）"
    }

    static func en(_ field: String, subject: String) -> String {
        en(field) ?? "\(subject) (\(field))"
    }
}

/// Full-width forms typed with a Chinese input method mean the same as their
/// ASCII forms; accepting both spares people a refusal they cannot see the
/// reason for.
enum TextNormaliser {
    static func halfWidth(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E:
                // The full-width ASCII block mirrors ASCII 0x21–0x7E at a fixed offset.
                out.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000:
                out.append(" ")
            case 0xFFE5:
                out.append("¥")
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func isASCIIDigit(_ c: Character) -> Bool {
        c >= "0" && c <= "9" && c.isASCII
    }

    static func truncated(_ s: String, to n: Int = 32) -> String {
        s.count <= n ? s : String(s.prefix(n)) + "…"
    }
}
