import Fluent
import SQLKit
import Vapor
import DibaoCore

/// Issue 15: areas are retired (撤销) or merged (撤并) as the official division list changes,
/// keeping their history: a retired area stays in the tree with its name, the day, the reason
/// and what it was merged into, so past payrolls, decisions and audit events that name it
/// still read right. Appended columns.
struct AddAreaRetirement: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Area.schema).field("retired_on", .string).update()
        try await database.schema(Area.schema).field("merged_into", .string).update()
        try await database.schema(Area.schema).field("retired_reason", .string, .required, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["retired_reason", "merged_into", "retired_on"] {
            try await database.schema(Area.schema).deleteField(.string(field)).update()
        }
    }
}

enum AreaChanges {
    struct Input: Content {
        var code: String?
        var into: String?
        var reason: String?
    }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// The records that place a living household in its village and move with it when its
    /// village is merged. Ledgers of what already happened (payroll lines, benefit decisions,
    /// verification reports, inspections, fraud cases, the audit trail) keep the village they
    /// happened in; that village stays readable as a retired area.
    static let movedWithHousehold = [
        Household.schema, ApplicationCase.schema, Notice.schema, BenefitScheduleRecord.schema, EnrolledHousehold.schema,
        ReviewCase.schema, "change_reports", "early_review_requests", "registered_relatives", "relative_flags",
    ]

    private static func area(_ raw: String?, field: String, ctx: ServiceContext) async throws -> (AreaCode, Area) {
        guard let code = try? AreaCode((raw ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw refuse(field, "area_change.code", Phrase("areachange.refusal_code"))
        }
        guard ctx.actor.area.contains(code), code != ctx.actor.area else { try await ctx.forbidden(target: "jurisdiction", entityType: "area", entityID: code.value) }
        guard let a = try await Area.find(code.value, on: ctx.db) else {
            throw refuse(field, "area_change.unknown", Phrase("areachange.refusal_unknown", code.value))
        }
        guard a.retiredOn == nil else {
            throw refuse(field, "area_change.retired", Phrase("areachange.refusal_retired", a.name, a.retiredOn ?? ""))
        }
        return (code, a)
    }

    private static func reason(_ raw: String?) throws -> String {
        let r = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(r.count) else {
            throw refuse("reason", "area_change.reason", Phrase("areachange.refusal_reason"))
        }
        return r
    }

    /// Retires an area no one uses any more: no household placed in it, no account working in
    /// it, no area below it still in use.
    @discardableResult
    static func retire(_ input: Input, ctx: ServiceContext) async throws -> Area {
        guard ctx.actor.may(.administerPolicy) else { try await ctx.forbidden(target: "area.retire", entityType: "area", entityID: input.code ?? "") }
        let (code, a) = try await area(input.code, field: "code", ctx: ctx)
        let why = try reason(input.reason)
        let households = try await Household.query(on: ctx.db).within(code).count()
        guard households == 0 else {
            throw refuse("code", "area_change.has_households", Phrase("areachange.refusal_has_households", a.name, households))
        }
        let range = code.subtreeCodes
        let users = try await User.query(on: ctx.db).filter(\.$active == true).filter(\.$areaCode >= range.lowerBound).filter(\.$areaCode <= range.upperBound).count()
        guard users == 0 else {
            throw refuse("code", "area_change.has_accounts", Phrase("areachange.refusal_has_accounts", a.name, users))
        }
        let children = try await Area.query(on: ctx.db).filter(\.$parentCode == code.value).filter(\.$retiredOn == nil).count()
        guard children == 0 else {
            throw refuse("code", "area_change.has_children", Phrase("areachange.refusal_has_children", a.name, children))
        }
        a.retiredOn = ctx.today.iso
        a.retiredReason = why
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await a.save(on: tx)
            return (a, [AuditEntry(actor: ctx.actor.audit, action: "area.retired", entityType: "area", entityID: code.value, areaCode: code.value,
                                   reason: why, detail: ["name": a.name])])
        }
    }

    struct Merged: Content { var from: String; var into: String; var moved: [String: Int] }

    /// 撤并: a village merged into another village of the same township. Its households and their
    /// living records, and the accounts working there, move in one transaction; the village is
    /// retired, pointing at the one it joined.
    static func merge(_ input: Input, ctx: ServiceContext) async throws -> Merged {
        guard ctx.actor.may(.administerPolicy) else { try await ctx.forbidden(target: "area.merge", entityType: "area", entityID: input.code ?? "") }
        let (from, a) = try await area(input.code, field: "code", ctx: ctx)
        let (into, b) = try await area(input.into, field: "into", ctx: ctx)
        let why = try reason(input.reason)
        guard from.level == .village, into.level == .village, from.parent == into.parent, from != into else {
            throw refuse("into", "area_change.merge_siblings", Phrase("areachange.refusal_merge_siblings"))
        }
        guard a.kind == b.kind else {
            throw refuse("into", "area_change.merge_kind", Phrase("areachange.refusal_merge_kind"))
        }
        let sql = ctx.db as! any SQLDatabase
        var moved: [String: Int] = [:]
        for table in movedWithHousehold {
            let row = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE village_code = \(bind: from.value)").first()
            moved[table] = try row?.decode(column: "n", as: Int.self) ?? 0
        }
        moved["users"] = try await User.query(on: ctx.db).filter(\.$areaCode == from.value).count()
        let counts = moved
        a.retiredOn = ctx.today.iso
        a.retiredReason = why
        a.mergedInto = into.value
        return try await ctx.audit.write(on: ctx.db) { tx in
            let tsql = tx as! any SQLDatabase
            for table in movedWithHousehold where (counts[table] ?? 0) > 0 {
                try await tsql.raw("UPDATE \(ident: table) SET village_code = \(bind: into.value) WHERE village_code = \(bind: from.value)").run()
            }
            try await tsql.raw("UPDATE registered_relatives SET area_code = \(bind: into.value) WHERE area_code = \(bind: from.value)").run()
            try await tsql.raw("UPDATE \(ident: User.schema) SET area_code = \(bind: into.value) WHERE area_code = \(bind: from.value)").run()
            try await a.save(on: tx)
            var detail = counts.mapValues(String.init)
            detail["into"] = into.value
            detail["into_name"] = b.name
            detail["name"] = a.name
            return (Merged(from: from.value, into: into.value, moved: counts),
                    [AuditEntry(actor: ctx.actor.audit, action: "area.merged", entityType: "area", entityID: from.value, areaCode: from.value, reason: why, detail: detail),
                     AuditEntry(actor: ctx.actor.audit, action: "area.merged_in", entityType: "area", entityID: into.value, areaCode: into.value, reason: why,
                                detail: ["from": from.value, "from_name": a.name])])
        }
    }
}
