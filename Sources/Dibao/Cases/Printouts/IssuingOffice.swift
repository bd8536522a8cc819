import Fluent
import Vapor
import DibaoCore

/// Who issues a printed document, and where a reader reaches them (issue 16, part 6):
/// the township's people's government (苏木乡镇人民政府) for what the township decides —
/// acceptance, refusal to accept, the first notice — and the county's civil-affairs
/// office (旗县民政局) for what the county decides — approval, refusal, the second
/// notice. The phone and address are those of the office's own service point of the
/// service network (二.四: the township's window, the county's hall); where none is
/// registered, the policy's supervision phone stands in, so a notice never goes up
/// without a number to call.
struct IssuingOffice: Encodable {
    var name: String
    var phone: String
    var address: String
    var supervisionPhone: String

    static func township(_ code: String, lang: Language, policy: Policy, on db: any Database) async throws -> IssuingOffice {
        let name = try await Area.find(code, on: db)?.name ?? code
        return try await load(.window, code, name: Strings.text("print.township_government", lang, [name]), policy: policy, on: db)
    }

    static func county(_ code: String, lang: Language, policy: Policy, on db: any Database) async throws -> IssuingOffice {
        let name = try await Area.find(code, on: db)?.name ?? code
        return try await load(.hall, code, name: Strings.text("enr.letter_issuer", lang, [name]), policy: policy, on: db)
    }

    private static func load(_ kind: ServicePointKind, _ code: String, name: String, policy: Policy, on db: any Database) async throws -> IssuingOffice {
        let point = try await ServicePoint.query(on: db).filter(\.$kind == kind.rawValue).filter(\.$areaCode == code)
            .filter(\.$inUse == true).sort(\.$createdOn).first()
        let phone = point?.phone.trimmingCharacters(in: .whitespaces) ?? ""
        return IssuingOffice(name: name, phone: phone.isEmpty ? policy.supervisionPhone : phone,
                             address: point?.address ?? "", supervisionPhone: policy.supervisionPhone)
    }
}

/// A legal date as an official document writes it (2026年3月2日; 2026-03-02 in English).
enum DocumentDate {
    static func text(_ iso: String?, _ lang: Language) -> String {
        guard let iso, let d = CivilDate(iso: iso) else { return "" }
        return text(d, lang)
    }

    static func text(_ d: CivilDate, _ lang: Language) -> String {
        lang == .en ? d.iso : Strings.text("enr.letter_decided_on", lang, ["\(d.year)", "\(d.month)", "\(d.day)"])
    }
}
