import Fluent
import SQLKit
import Vapor
import DibaoCore

/// The household list: search by ID number or name, narrow to an area inside the
/// actor's jurisdiction, page through.
struct HouseholdSearch: Content {
    var q: String?
    var area: String?
    var page: Int?

    static let pageSize = 50

    /// The page asked for, bounded (issue 12).
    func pageNumber() throws -> Int { try BoundedNumber.page.check(page ?? 1) }

    /// An ID number (full 18 characters) searches members exactly; anything else is a
    /// name prefix of any member (so searching the spouse finds the household too).
    func query(for actor: StaffActor, on req: Request) async throws -> QueryBuilder<Household> {
        var query = Household.query(on: req.db).within(actor.area)
        if let raw = area?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let code = try? AreaCode(raw, field: "area"), actor.area.contains(code) else {
                throw Abort(.badRequest, reason: req.l10n("error.area_outside"))
            }
            query = query.within(code)
        }
        let text = (q ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return query }
        if text.count == 18, text.dropLast().allSatisfy(\.isNumber) {
            let ids = try await Member.query(on: req.db).filter(\.$idNumber == text.uppercased()).all(\.$household.$id)
            return query.filter(\.$id ~~ ids)
        }
        // Every head is a member, so the members' name index finds heads and the rest alike.
        let ids = try await nameMatches(text, for: actor, on: req).limit(Self.maxNameMatches + 1).all(\.$household.$id)
        return query.filter(\.$id ~~ Array(Set(ids)))
    }

    /// Members whose name starts with `text`, inside the actor's area — narrowed by area
    /// before the cap, so other counties' namesakes neither crowd out the actor's own
    /// matches nor reveal through `truncated` that they exist (issue 12).
    private func nameMatches(_ text: String, for actor: StaffActor, on req: Request) -> QueryBuilder<Member> {
        Member.query(on: req.db)
            .join(Household.self, on: \Member.$household.$id == \Household.$id)
            .filter(.extendedPath([FieldKey(stringLiteral: actor.area.householdColumn)], schema: Household.schema, space: nil), .equal, .bind(actor.area.value))
            .prefix(\.$name, text, on: req.db)
    }

    /// A name search looks at this many matching people at most; the list says so when a
    /// search stopped there rather than showing a silently shortened result.
    static let maxNameMatches = 2_000

    func isTruncated(on req: Request) async throws -> Bool {
        let text = (q ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, !(text.count == 18 && text.dropLast().allSatisfy(\.isNumber)) else { return false }
        guard let actor = req.actor else { return false }
        return try await nameMatches(text, for: actor, on: req).limit(Self.maxNameMatches + 1).count() > Self.maxNameMatches
    }
}

extension QueryBuilder {
    /// `field` starts with `text`. A byte-range comparison on SQLite (its default collation
    /// is binary, so an index serves it) and `LIKE` on PostgreSQL, whose collations may
    /// not order by bytes.
    @discardableResult
    func prefix(_ field: KeyPath<Model, FieldProperty<Model, String>>, _ text: String, on db: any Database) -> Self {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            return filter(field, .custom("LIKE"), escaped + "%")
        }
        // Grouped with AND so the two bounds stay one condition inside an OR group.
        return group(.and) { $0.filter(field >= text).filter(field < text + "\u{10FFFF}") }
    }
}

/// A household as a particular actor may see it: ID numbers, health and disability
/// detail are masked unless the actor's role needs them (SPEC "Cross-cutting").
struct HouseholdView: Content {
    struct MemberView: Content {
        var name: String
        var idNumber: String
        var relation: String
        var relationLabel: String
        var sex: String
        var birthDate: String
        var disabilityLevel: Int?
        var disabilityLabel: String
        var severeIllness: Bool?
        var illnessNote: String
        var workCapacity: String
        var workCapacityLabel: String
        var employment: String
        var employmentLabel: String
        var incomes: [String: String]
        var monthlyIncome: String
    }

    struct SupporterView: Content {
        var name: String
        var idNumber: String
        var duty: String
        var dutyLabel: String
        var monthlySupport: String
        var note: String
    }

    struct AssetView: Content {
        var kind: String
        var kindLabel: String
        var description: String
        var value: String
    }

    var id: UUID
    var headName: String
    var villageCode: String
    var villageName: String
    var kind: String
    var kindLabel: String
    var address: String
    var phone: String
    var status: String
    var version: Int
    var memberCount: Int
    var monthlyIncome: String
    var masked: Bool
    var members: [MemberView]
    var supporters: [SupporterView]
    var assets: [AssetView]

    static func load(_ household: Household, for actor: StaffActor, lang: Language, on db: any Database) async throws -> HouseholdView {
        let hid = try household.requireID()
        let full = actor.may(.viewSensitive)
        let members = try await Member.query(on: db).filter(\.$household.$id == hid).sort(\.$position).all()
        let incomes = try await IncomeRecord.query(on: db).filter(\.$householdID == hid).all()
        let supporters = try await Supporter.query(on: db).filter(\.$household.$id == hid).all()
        let assets = try await AssetRecord.query(on: db).filter(\.$household.$id == hid).all()
        let village = try await Area.find(household.villageCode, on: db)
        let hidden = Strings.text("household.restricted", lang)
        var total = Money.zero
        let memberViews = members.map { m -> MemberView in
            let own = incomes.filter { $0.$member.id == m.id }
            let sum = own.reduce(Money.zero) { $0 + Money(fen: $1.monthlyFen) }
            total = total + sum
            let disability = DisabilityLevel(rawValue: m.disabilityLevel) ?? .none
            return MemberView(
                name: full ? m.name : Masking.name(m.name),
                idNumber: full ? m.idNumber : Masking.idNumber(m.idNumber),
                relation: m.relation.rawValue,
                relationLabel: m.relation.name(lang),
                sex: m.sex.rawValue == "male" ? Strings.text("sex.male", lang) : Strings.text("sex.female", lang),
                birthDate: full ? m.birthDate : String(m.birthDate.prefix(4)),
                disabilityLevel: full ? m.disabilityLevel : nil,
                disabilityLabel: full ? (disability.name(lang)) : hidden,
                severeIllness: full ? m.severeIllness : nil,
                illnessNote: full ? m.illnessNote : "",
                workCapacity: m.workCapacity.rawValue,
                workCapacityLabel: m.workCapacity.name(lang),
                employment: m.employment.rawValue,
                employmentLabel: m.employment.name(lang),
                incomes: Dictionary(own.map { ($0.kind.rawValue, Money(fen: $0.monthlyFen).plain) }, uniquingKeysWith: { a, _ in a }),
                monthlyIncome: sum.formatted
            )
        }
        let supportTotal = supporters.reduce(Money.zero) { $0 + Money(fen: $1.monthlySupportFen) }
        return HouseholdView(
            id: hid,
            headName: full ? household.headName : Masking.name(household.headName),
            villageCode: household.villageCode,
            villageName: village?.name ?? household.villageCode,
            kind: household.kind.rawValue,
            kindLabel: household.kind.name(lang),
            address: full ? household.address : hidden,
            phone: full ? household.phone : Masking.phone(household.phone),
            status: household.status,
            version: household.version,
            memberCount: household.memberCount,
            monthlyIncome: (total + supportTotal).formatted,
            masked: !full,
            members: memberViews,
            supporters: supporters.map {
                SupporterView(name: full ? $0.name : Masking.name($0.name),
                              idNumber: $0.idNumber.isEmpty ? "" : (full ? $0.idNumber : Masking.idNumber($0.idNumber)),
                              duty: $0.duty.rawValue, dutyLabel: $0.duty.name(lang),
                              monthlySupport: Money(fen: $0.monthlySupportFen).plain, note: full ? $0.note : "")
            },
            assets: assets.map {
                AssetView(kind: $0.kind.rawValue, kindLabel: $0.kind.name(lang),
                          description: $0.description, value: Money(fen: $0.valueFen).plain)
            }
        )
    }

    /// The same household as an editable draft (for the edit form).
    static func draft(of household: Household, on db: any Database) async throws -> HouseholdDraft {
        let hid = try household.requireID()
        let members = try await Member.query(on: db).filter(\.$household.$id == hid).sort(\.$position).all()
        let incomes = try await IncomeRecord.query(on: db).filter(\.$householdID == hid).all()
        let supporters = try await Supporter.query(on: db).filter(\.$household.$id == hid).all()
        let assets = try await AssetRecord.query(on: db).filter(\.$household.$id == hid).all()
        return HouseholdDraft(
            villageCode: household.villageCode, address: household.address, phone: household.phone,
            members: members.map { m in
                HouseholdDraft.Member(
                    name: m.name, idNumber: m.idNumber, relation: m.relation.rawValue, disabilityLevel: m.disabilityLevel,
                    severeIllness: m.severeIllness, illnessNote: m.illnessNote, workCapacity: m.workCapacity.rawValue,
                    employment: m.employment.rawValue,
                    incomes: Dictionary(incomes.filter { $0.$member.id == m.id }.map { ($0.kind.rawValue, Money(fen: $0.monthlyFen).plain) }, uniquingKeysWith: { a, _ in a }))
            },
            supporters: supporters.map { .init(name: $0.name, idNumber: $0.idNumber, duty: $0.duty.rawValue, monthlySupport: Money(fen: $0.monthlySupportFen).plain, note: $0.note) },
            assets: assets.map { .init(kind: $0.kind.rawValue, description: $0.description, value: Money(fen: $0.valueFen).plain) }
        )
    }
}

/// One row of the household list.
struct HouseholdRow: Content {
    var id: UUID
    var headName: String
    var villageCode: String
    var villageName: String
    var kind: String
    var memberCount: Int
    var status: String
    var updatedAt: String

    static func rows(_ households: [Household], for actor: StaffActor, lang: Language, on db: any Database) async throws -> [HouseholdRow] {
        let full = actor.may(.viewSensitive)
        let codes = Array(Set(households.map(\.villageCode)))
        let names = Dictionary(try await Area.query(on: db).filter(\.$id ~~ codes).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        return households.map { h in
            HouseholdRow(id: h.id!, headName: full ? h.headName : Masking.name(h.headName), villageCode: h.villageCode,
                         villageName: names[h.villageCode] ?? h.villageCode,
                         kind: h.kind.name(lang), memberCount: h.memberCount,
                         status: Strings.text("status.\(h.status)", lang),
                         updatedAt: h.updatedAt.map { ShanghaiTime.minute($0) } ?? "")
        }
    }
}

enum ShanghaiTime {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    static func minute(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
