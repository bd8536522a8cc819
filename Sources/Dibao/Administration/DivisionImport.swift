import Fluent
import SQLKit
import Vapor
import DibaoCore

/// Importing the official division code list (统计用区划代码, issue 15): the file is judged
/// whole by `DivisionCodeFile`, then new areas are created and known ones renamed (a changed
/// name is kept in the audit trail), all in one transaction — nothing is half-imported.
enum DivisionImport {
    struct Outcome: Content {
        var created: Int
        var renamed: Int
        var unchanged: Int
    }

    static func run(text: String, ctx: ServiceContext) async throws -> Outcome {
        let actor = ctx.actor
        guard actor.may(.administerPolicy) else { try await ctx.forbidden(target: "areas.import", entityType: "area", entityID: "") }
        let existing = try await Area.query(on: ctx.db).all()
        let entries = try DivisionCodeFile.parse(text, existing: Set(existing.compactMap(\.id)))
        for e in entries where !actor.area.contains(e.code) {
            try await ctx.forbidden(target: "jurisdiction", entityType: "area", entityID: e.code.value)
        }
        return try await ctx.audit.write(on: ctx.db) { tx in
            let known = Dictionary(try await Area.query(on: tx).all().map { ($0.id ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            var created = 0, renamed = 0, unchanged = 0
            var entries_: [AuditEntry] = []
            for e in entries {
                if let a = known[e.code.value] {
                    var detail: [String: String] = [:]
                    if a.name != e.name { detail["old_name"] = a.name; detail["new_name"] = e.name; a.name = e.name }
                    if let kind = e.kind, a.kind != kind { detail["old_kind"] = a.kind?.rawValue ?? ""; detail["new_kind"] = kind.rawValue; a.kind = kind }
                    if e.residentPopulation > 0, a.residentPopulation != e.residentPopulation {
                        detail["resident_population"] = String(e.residentPopulation); a.residentPopulation = e.residentPopulation
                    }
                    if detail.isEmpty { unchanged += 1; continue }
                    try await a.save(on: tx)
                    renamed += 1
                    entries_.append(AuditEntry(actor: actor.audit, action: "area.updated", entityType: "area", entityID: e.code.value, areaCode: e.code.value, detail: detail))
                } else {
                    try await Area(code: e.code, name: e.name, kind: e.kind, residentPopulation: e.residentPopulation).create(on: tx)
                    created += 1
                }
            }
            entries_.append(AuditEntry(actor: actor.audit, action: "areas.imported", entityType: "area", entityID: entries.first?.code.value ?? "",
                                       areaCode: actor.area.value, detail: ["created": String(created), "updated": String(renamed), "unchanged": String(unchanged)]))
            return (Outcome(created: created, renamed: renamed, unchanged: unchanged), entries_)
        }
    }
}

/// The region the installation serves exists from the first start, so the first administrator
/// can be made (`dibao user add --role administrator --area 150000000000`) in an empty
/// database and import the leagues below it from the division codes (issue 15). A database
/// that already has the region (every demo) keeps its row.
struct SeedInstallationRegion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // Plain SQL, not the model: this runs before later migrations add the model's columns.
        let sql = database as! any SQLDatabase
        guard try await sql.raw("SELECT code FROM areas WHERE code = \(bind: Installation.region.value)").first() == nil else { return }
        try await sql.insert(into: Area.schema).columns("code", "name", "level", "parent_code", "kind", "resident_population")
            .values([Installation.region.value, Installation.regionName, AreaLevel.region.rawValue, String?.none, String?.none, 0] as [any Encodable & Sendable]).run()
    }

    func revert(on database: any Database) async throws {}
}
