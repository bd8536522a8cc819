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
/// name the field the person sees rather than its machine name. Each label is the
/// catalogue key `field.<name>` (module `fields`), written in the reader's language.
public enum FieldLabel {
    /// The fields that have a label. Kept here rather than asked of the catalogue, so that
    /// whether a refusal names a field by its label or by its machine name is decided by
    /// the core alone, the same with or without catalogues loaded.
    static let known: Set<String> = [
        "id_number", "applicant_id_number", "member_id_number", "supporter_id_number", "amount", "standard",
        "standard_per_person", "income", "monthly_income", "support_owed", "area_code", "parent_code", "version",
        "title", "source", "county_decision_working_days", "minimum_investigators", "objection_answer_working_days",
        "spot_check_min_percent", "evaluation_panel_min_percent", "evaluation_panel_max_percent",
        "first_notice_days", "carry_over_max_percent", "review_months_severe_stable", "review_months_stable",
        "review_months_unstable_urban", "review_months_unstable_rural", "service_hall_min_square_metres",
        "change_takes_effect_months_after_decision", "minimum_payment", "top_ups", "elderly_age", "child_age",
        "deposit_limit_months_of_standard", "vehicle_limit", "housing_limit", "business_limit",
        "verification_income_months", "import_max_error_per_mille",
    ]

    /// The Chinese label of `field`, or nil if the core does not know the field.
    public static func zh(_ field: String) -> String? { phrase(field)?.text(.zh) }
    /// The English label of `field`, or nil if the core does not know the field.
    public static func en(_ field: String) -> String? { phrase(field)?.text(.en) }

    /// The label of `field` as a phrase, or nil if the core does not know the field.
    public static func phrase(_ field: String) -> Phrase? {
        known.contains(field) ? Phrase("field.\(field)") : nil
    }

    /// The label to put in front of a refusal: the field's own, or — for a field the core
    /// does not know — the refusal's subject with the machine name beside it, so two
    /// ID-number fields on one form are still told apart.
    public static func phrase(_ field: String, subject: Phrase) -> Phrase {
        phrase(field) ?? Phrase("refusal.subject_field", subject, field)
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
