import Fluent
import SQLKit
import Vapor
import DibaoCore

/// Registering and editing households. Each write validates the whole draft, checks
/// jurisdiction and the one-person-one-household rule, and lands with its audit event in
/// one transaction — all or nothing.
enum HouseholdService {
    static func create(_ draft: HouseholdDraft, by actor: StaffActor, on req: Request) async throws -> Household {
        let valid = try await validate(draft, by: actor, excluding: nil, on: req)
        let kind = try await areaKind(of: valid.village, on: req.db)
        return try await req.audit.write(on: req.db) { db in
            let household = Household()
            household.place(in: valid.village, kind: kind)
            household.status = "registered"
            household.version = 1
            apply(valid, to: household)
            try await household.create(on: db)
            try await writeParts(valid, of: household, on: db)
            let entry = AuditEntry(
                actor: actor.audit, action: "household.created", entityType: "household",
                entityID: household.id!.uuidString, areaCode: valid.village.value,
                detail: ["head": Masking.name(valid.head.name), "members": String(valid.members.count)]
            )
            return (household, [entry])
        }
    }

    static func update(_ id: UUID, version: Int, reason: String, _ draft: HouseholdDraft, by actor: StaffActor, on req: Request) async throws -> Household {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let household = try await Household.visible(id, to: actor, on: req)
        var problems: [FieldRefusal] = []
        if reason.isEmpty {
            problems.append(.init(field: "reason", rule: "household.reason_required", Phrase("error.reason_required")))
        }
        let valid: ValidHousehold
        do {
            valid = try await validate(draft, by: actor, excluding: id, on: req)
        } catch let refused as FormRefused {
            throw FormRefused(problems: problems + refused.problems)
        }
        guard problems.isEmpty else { throw FormRefused(problems: problems) }
        let kind = try await areaKind(of: valid.village, on: req.db)
        let before = try await snapshot(household, today: req.dibao.clock.today(), on: req.db)
        return try await req.audit.write(on: req.db) { db in
            // The optimistic lock: only the version the form was made from may be replaced.
            guard let current = try await Household.find(id, on: db), current.version == version else {
                throw Abort(.conflict, reason: req.l10n("error.stale"))
            }
            current.place(in: valid.village, kind: kind)
            apply(valid, to: current)
            current.version = version + 1
            try await current.save(on: db)
            try await IncomeRecord.query(on: db).filter(\.$householdID == id).delete()
            try await Supporter.query(on: db).filter(\.$household.$id == id).delete()
            try await AssetRecord.query(on: db).filter(\.$household.$id == id).delete()
            try await Member.query(on: db).filter(\.$household.$id == id).delete()
            try await writeParts(valid, of: current, on: db)
            let after = Snapshot(valid)
            let entry = AuditEntry(
                actor: actor.audit, action: "household.updated", entityType: "household",
                entityID: id.uuidString, areaCode: valid.village.value, reason: reason,
                detail: before.changes(to: after)
            )
            return (current, [entry])
        }
    }

    private static func validate(_ draft: HouseholdDraft, by actor: StaffActor, excluding household: UUID?, on req: Request) async throws -> ValidHousehold {
        let today = req.dibao.clock.today()
        switch draft.validate(today: today, maximumItemAmount: req.dibao.policy(on: today).maximumItemAmount) {
        case .failure(let refused):
            throw refused
        case .success(let valid):
            var problems: [FieldRefusal] = []
            let village = try await Area.find(valid.village.value, on: req.db)
            if village == nil || !actor.area.contains(valid.village) {
                problems.append(.init(field: "village_code", rule: "household.village_in_area", Phrase("error.area_outside")))
            } else if let village, village.retiredOn != nil, household == nil {
                problems.append(.init(field: "village_code", rule: "household.village_retired", Phrase("registry.refusal_village_retired", village.retiredOn ?? "")))
            }
            // One person, one household: a member may not also stand in another household's register.
            var query = Member.query(on: req.db).filter(\.$idNumber ~~ valid.members.map(\.id.value))
            if let household { query = query.filter(\.$household.$id != household) }
            let taken = Set(try await query.all().map(\.idNumber))
            for (i, m) in valid.members.enumerated() where taken.contains(m.id.value) {
                problems.append(.init(field: "members[\(i)].id_number", rule: "member.id_registered",
                                      .labelled(Phrase("registry.refusal_member_id_label", i + 1), Phrase("error.id_registered"))))
            }
            guard problems.isEmpty else { throw FormRefused(problems: problems) }
            return valid
        }
    }

    private static func areaKind(of village: AreaCode, on db: any Database) async throws -> AreaKind {
        try await Area.find(village.value, on: db)?.kind ?? .rural
    }

    private static func apply(_ valid: ValidHousehold, to household: Household) {
        household.headName = valid.head.name
        household.address = valid.address
        household.phone = valid.phone
        household.memberCount = valid.members.count
    }

    private static func writeParts(_ valid: ValidHousehold, of household: Household, on db: any Database) async throws {
        let hid = try household.requireID()
        for (position, m) in valid.members.enumerated() {
            let member = Member()
            member.$household.id = hid
            member.position = position
            member.name = m.name
            member.idNumber = m.id.value
            member.relation = m.relation
            member.sex = m.id.sex
            member.birthDate = m.id.birthDate.iso
            member.disabilityLevel = m.disability.rawValue
            member.severeIllness = m.severeIllness
            member.illnessNote = m.illnessNote
            member.workCapacity = m.workCapacity
            member.employment = m.employment
            try await member.create(on: db)
            for item in m.incomes {
                let income = IncomeRecord()
                income.$member.id = try member.requireID()
                income.householdID = hid
                income.kind = item.kind
                income.monthlyFen = item.monthly.fen
                income.note = item.note
                try await income.create(on: db)
            }
        }
        for s in valid.supporters {
            let supporter = Supporter()
            supporter.$household.id = hid
            supporter.name = s.name
            supporter.idNumber = s.id?.value ?? ""
            supporter.duty = s.duty
            supporter.monthlySupportFen = s.monthlySupport.fen
            supporter.note = s.note
            try await supporter.create(on: db)
        }
        for a in valid.assets {
            let asset = AssetRecord()
            asset.$household.id = hid
            asset.kind = a.kind
            asset.description = a.description
            asset.valueFen = a.value.fen
            try await asset.create(on: db)
        }
    }

    /// What an audit event says changed: field names and masked names, never ID numbers.
    struct Snapshot {
        var fields: [String: String] = [:]
        /// ID number → masked name, and ID number → everything else recorded of the member.
        /// The keys never leave this struct.
        var members: [String: String] = [:]
        var memberDetails: [String: String] = [:]

        init() {}

        init(_ v: ValidHousehold) {
            fields = ["village_code": v.village.value, "address": v.address, "phone": v.phone,
                      "supporters": v.supporters.map { "\($0.name)|\($0.duty.rawValue)|\($0.monthlySupport.fen)" }.joined(separator: ";"),
                      "assets": v.assets.map { "\($0.kind.rawValue)|\($0.description)|\($0.value.fen)" }.joined(separator: ";")]
            for m in v.members {
                members[m.id.value] = Masking.name(m.name)
                let incomes = m.incomes.map { "\($0.kind.rawValue):\($0.monthly.fen)" }.sorted().joined(separator: ",")
                memberDetails[m.id.value] = "\(m.name)|\(m.relation.rawValue)|\(m.disability.rawValue)|\(m.severeIllness)|\(m.illnessNote)|\(m.workCapacity.rawValue)|\(m.employment.rawValue)|\(incomes)"
            }
        }

        func changes(to after: Snapshot) -> [String: String] {
            var out: [String: String] = [:]
            let changedFields = fields.keys.filter { fields[$0] != after.fields[$0] }.sorted()
            if !changedFields.isEmpty { out["fields"] = changedFields.joined(separator: ",") }
            let added = after.members.keys.filter { members[$0] == nil }.compactMap { after.members[$0] }.sorted()
            let removed = members.keys.filter { after.members[$0] == nil }.compactMap { members[$0] }.sorted()
            let changed = members.keys.filter { after.members[$0] != nil && memberDetails[$0] != after.memberDetails[$0] }.compactMap { after.members[$0] }.sorted()
            if !added.isEmpty { out["members_added"] = added.joined(separator: ",") }
            if !removed.isEmpty { out["members_removed"] = removed.joined(separator: ",") }
            if !changed.isEmpty { out["members_changed"] = changed.joined(separator: ",") }
            return out
        }
    }

    /// The stored household read back through the same rules, so before and after compare alike.
    static func snapshot(_ household: Household, today: CivilDate, on db: any Database) async throws -> Snapshot {
        let draft = try await HouseholdView.draft(of: household, on: db)
        // No item limit here: a record stored before the limit existed must still read back.
        guard case .success(let valid) = draft.validate(today: today, maximumItemAmount: Money(fen: .max)) else { return Snapshot() }
        return Snapshot(valid)
    }
}
