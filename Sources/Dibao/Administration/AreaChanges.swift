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

    static func refuse(_ field: String, _ rule: String, _ zh: String, _ en: String) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, zh: zh, en: en)
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
            throw refuse(field, "area_change.code", "区划代码：须为 12 位区划代码", "Area code: a 12-digit division code")
        }
        guard ctx.actor.area.contains(code), code != ctx.actor.area else { try await ctx.forbidden(target: "jurisdiction", entityType: "area", entityID: code.value) }
        guard let a = try await Area.find(code.value, on: ctx.db) else {
            throw refuse(field, "area_change.unknown", "区划代码：系统中没有区划 \(code.value)", "Area code: there is no area \(code.value) in the system")
        }
        guard a.retiredOn == nil else {
            throw refuse(field, "area_change.retired", "区划代码：\(a.name)已于 \(a.retiredOn ?? "") 撤销", "Area code: \(a.name) was retired on \(a.retiredOn ?? "")")
        }
        return (code, a)
    }

    private static func reason(_ raw: String?) throws -> String {
        let r = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(r.count) else {
            throw refuse("reason", "area_change.reason", "依据：必填（如民政部门的区划调整批复文号），不超过 500 字",
                         "Basis: required (e.g. the approval of the division change), at most 500 characters")
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
            throw refuse("code", "area_change.has_households", "区划代码：\(a.name)仍有 \(households) 户家庭档案；请先撤并到其他嘎查村（社区）",
                         "Area code: \(a.name) still has \(households) households; merge it into another village first")
        }
        let range = code.subtreeCodes
        let users = try await User.query(on: ctx.db).filter(\.$active == true).filter(\.$areaCode >= range.lowerBound).filter(\.$areaCode <= range.upperBound).count()
        guard users == 0 else {
            throw refuse("code", "area_change.has_accounts", "区划代码：\(a.name)仍有 \(users) 个在用账号；请先调整或停用这些账号",
                         "Area code: \(a.name) still has \(users) active accounts; move or disable them first")
        }
        let children = try await Area.query(on: ctx.db).filter(\.$parentCode == code.value).filter(\.$retiredOn == nil).count()
        guard children == 0 else {
            throw refuse("code", "area_change.has_children", "区划代码：\(a.name)下仍有 \(children) 个在用的下级区划", "Area code: \(a.name) still has \(children) areas below it in use")
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
            throw refuse("into", "area_change.merge_siblings", "并入：只能把嘎查村（社区）并入同一苏木乡镇（街道）的另一个嘎查村（社区）；乡镇的调整按新的区划代码导入",
                         "Merge into: a village joins another village of the same township; a township's change is imported with its new codes")
        }
        guard a.kind == b.kind else {
            throw refuse("into", "area_change.merge_kind", "并入：城市社区与农村牧区嘎查村适用不同的保障标准，不能直接撤并；请先调整城乡属性",
                         "Merge into: urban and rural villages have different standards; change the kind first")
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
