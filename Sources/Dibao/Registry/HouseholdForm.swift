import Vapor
import DibaoCore

/// The household page form. Rows are numbered flat fields (`m0.name`, `s1.duty`,
/// `a0.value`) so the page's small script can add rows without a framework; rows left
/// entirely blank are ignored.
struct HouseholdForm {
    var draft: HouseholdDraft
    var reason: String
    var version: Int

    static let maxRows = 40

    static func parse(_ req: Request) throws -> HouseholdForm {
        let raw = req.body.string ?? ""
        var fields: [String: String] = [:]
        var checked: Set<String> = []
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first.map({ decode(String($0)) }) else { continue }
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            fields[key] = value
            if value == "on" { checked.insert(key) }
        }
        func v(_ key: String) -> String { (fields[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

        var members: [HouseholdDraft.Member] = []
        for i in 0..<maxRows {
            let p = "m\(i)."
            let name = v(p + "name"), id = v(p + "id_number")
            var incomes: [String: String] = [:]
            for kind in IncomeKind.allCases where !v(p + "income." + kind.rawValue).isEmpty {
                incomes[kind.rawValue] = v(p + "income." + kind.rawValue)
            }
            if name.isEmpty && id.isEmpty && incomes.isEmpty { continue }
            members.append(.init(
                name: name, idNumber: id, relation: v(p + "relation"),
                disabilityLevel: Int(v(p + "disability_level")) ?? -1,
                severeIllness: checked.contains(p + "severe_illness"), illnessNote: v(p + "illness_note"),
                workCapacity: v(p + "work_capacity"), employment: v(p + "employment"), incomes: incomes))
        }
        var supporters: [HouseholdDraft.Supporter] = []
        for i in 0..<maxRows {
            let p = "s\(i)."
            if v(p + "name").isEmpty && v(p + "id_number").isEmpty && v(p + "monthly_support").isEmpty { continue }
            supporters.append(.init(name: v(p + "name"), idNumber: v(p + "id_number"), duty: v(p + "duty"), monthlySupport: v(p + "monthly_support"), note: v(p + "note")))
        }
        var assets: [HouseholdDraft.Asset] = []
        for i in 0..<maxRows {
            let p = "a\(i)."
            if v(p + "description").isEmpty && v(p + "value").isEmpty { continue }
            assets.append(.init(kind: v(p + "kind"), description: v(p + "description"), value: v(p + "value")))
        }
        return HouseholdForm(
            draft: HouseholdDraft(villageCode: v("village_code"), address: v("address"), phone: v("phone"),
                                  members: members, supporters: supporters, assets: assets),
            reason: v("reason"), version: Int(v("version")) ?? 0)
    }

    private static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }
}

/// What the form page shows: the draft, with every choice list prepared.
struct HouseholdFormPage: Encodable {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct IncomeField: Encodable { var kind: String; var label: String; var value: String }
    struct MemberRow: Encodable {
        var index: String
        var name: String
        var idNumber: String
        var relations: [Option]
        var disabilities: [Option]
        var severeIllness: Bool
        var illnessNote: String
        var capacities: [Option]
        var employments: [Option]
        var incomes: [IncomeField]
    }
    struct SupporterRow: Encodable { var index: String; var name: String; var idNumber: String; var duties: [Option]; var monthlySupport: String; var note: String }
    struct AssetRow: Encodable { var index: String; var kinds: [Option]; var description: String; var value: String }
    struct Problem: Encodable { var field: String; var message: String }

    var action: String
    var editing: Bool
    var householdID: String
    var version: Int
    var reason: String
    var villages: [Option]
    var address: String
    var phone: String
    var members: [MemberRow]
    var supporters: [SupporterRow]
    var assets: [AssetRow]
    /// One blank row of each kind (index `__i__`) that the page script copies.
    var memberTemplate: [MemberRow]
    var supporterTemplate: [SupporterRow]
    var assetTemplate: [AssetRow]
    var problems: [Problem]

    init(draft: HouseholdDraft, villages: [Area], lang: Language, action: String, editing: Bool, householdID: String = "",
         version: Int = 0, reason: String = "", problems: [FieldRefusal] = []) {
        func opts<T: RawRepresentable>(_ all: [T], _ current: String, _ label: (T) -> String) -> [Option] where T.RawValue == String {
            all.map { Option(value: $0.rawValue, label: label($0), selected: $0.rawValue == current) }
        }
        func memberRow(_ index: String, _ m: HouseholdDraft.Member) -> MemberRow {
            MemberRow(
                index: index, name: m.name, idNumber: m.idNumber,
                relations: opts(Kinship.allCases, m.relation) { $0.name(lang) },
                disabilities: DisabilityLevel.allCases.map { Option(value: String($0.rawValue), label: $0.name(lang), selected: $0.rawValue == m.disabilityLevel) },
                severeIllness: m.severeIllness, illnessNote: m.illnessNote,
                capacities: opts(WorkCapacity.allCases, m.workCapacity) { $0.name(lang) },
                employments: opts(Employment.allCases, m.employment) { $0.name(lang) },
                incomes: IncomeKind.allCases.map { IncomeField(kind: $0.rawValue, label: $0.name(lang), value: m.incomes[$0.rawValue] ?? "") })
        }
        func supporterRow(_ index: String, _ s: HouseholdDraft.Supporter) -> SupporterRow {
            SupporterRow(index: index, name: s.name, idNumber: s.idNumber, duties: opts(SupportDuty.allCases, s.duty) { $0.name(lang) }, monthlySupport: s.monthlySupport, note: s.note)
        }
        func assetRow(_ index: String, _ a: HouseholdDraft.Asset) -> AssetRow {
            AssetRow(index: index, kinds: opts(AssetKind.allCases, a.kind) { $0.name(lang) }, description: a.description, value: a.value)
        }
        self.action = action
        self.editing = editing
        self.householdID = householdID
        self.version = version
        self.reason = reason
        self.villages = villages.map { Option(value: $0.id ?? "", label: $0.name, selected: $0.id == draft.villageCode) }
        self.address = draft.address
        self.phone = draft.phone
        let firstRelation = draft.members.isEmpty ? Kinship.head.rawValue : Kinship.spouse.rawValue
        var members = draft.members.enumerated().map { memberRow(String($0.offset), $0.element) }
        if members.isEmpty { members = [memberRow("0", .init(name: "", idNumber: "", relation: firstRelation))] }
        self.members = members
        self.supporters = draft.supporters.enumerated().map { supporterRow(String($0.offset), $0.element) }
        self.assets = draft.assets.enumerated().map { assetRow(String($0.offset), $0.element) }
        self.memberTemplate = [memberRow("__i__", .init(name: "", idNumber: "", relation: Kinship.child.rawValue))]
        self.supporterTemplate = [supporterRow("__i__", .init(name: "", duty: SupportDuty.elders.rawValue, monthlySupport: ""))]
        self.assetTemplate = [assetRow("__i__", .init(kind: AssetKind.deposit.rawValue, description: "", value: ""))]
        self.problems = problems.map { Problem(field: $0.field, message: $0.message(lang)) }
    }
}
