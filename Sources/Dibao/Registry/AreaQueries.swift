import Fluent
import Vapor
import DibaoCore

enum AreaQueries {
    /// Areas in use whose code falls inside `area`, for pickers (a retired area is offered
    /// nowhere). Codes of one subtree share a prefix, so a code range is exact.
    static func within(_ area: AreaCode, level: AreaLevel? = nil, on db: any Database) async throws -> [Area] {
        let range = area.subtreeCodes
        var q = Area.query(on: db).filter(\.$id >= range.lowerBound).filter(\.$id <= range.upperBound).filter(\.$retiredOn == nil)
        if let level { q = q.filter(\.$level == level.rawValue) }
        return try await q.sort(\.$id).all()
    }

    static func villages(below area: AreaCode, on db: any Database) async throws -> [Area] {
        try await within(area, level: .village, on: db)
    }

    /// Areas offered in list filters: the actor's own subtree down to township level
    /// (villages would make the list too long at county level and above).
    static func selectable(below area: AreaCode, on db: any Database) async throws -> [Area] {
        let all = try await within(area, on: db)
        let deepest: AreaLevel = area.level >= .township ? .village : .township
        return all.filter { $0.areaLevel <= deepest }
    }
}

extension AreaCode {
    /// Every 12-digit code in this area's subtree lies in this range (codes of one subtree
    /// share the area's significant prefix).
    var subtreeCodes: ClosedRange<String> {
        let prefix = significant
        return (prefix + String(repeating: "0", count: 12 - prefix.count))...(prefix + String(repeating: "9", count: 12 - prefix.count))
    }
}

/// An area typed into an administrative form (standards, conditions, the service network,
/// staffing): a code of one of `levels`, inside the actor's own area (403 and audited
/// otherwise), and present in the system. Refusals name the field and `rule`: `label：reason`
/// for a code of another level, `label：` there is no such area for a code the system does not
/// hold. The label is a phrase of its own, so both refusals name the field alike in every language.
enum AreaInput {
    static func resolve(_ raw: String?, field: String = "area", levels: Set<AreaLevel>, rule: String,
                        label: Phrase, reason: Phrase,
                        ctx: ServiceContext) async throws -> AreaCode {
        guard let area = try? AreaCode((raw ?? "").trimmingCharacters(in: .whitespaces)), levels.contains(area.level) else {
            throw FieldRefusal(field: field, rule: rule, .labelled(label, reason))
        }
        guard ctx.actor.area.contains(area) else { try await ctx.forbidden(target: "jurisdiction", entityType: "area", entityID: area.value) }
        guard try await Area.find(area.value, on: ctx.db) != nil else {
            throw FieldRefusal(field: field, rule: rule + "_unknown", .labelled(label, Phrase("registry.refusal_area_unknown", area.value)))
        }
        return area
    }
}

/// One entry of a public page's area menu: the region's leagues, and their counties indented.
struct AreaChoice: Encodable {
    var code: String
    var name: String
    var selected: Bool

    static func leaguesAndCounties(selected: String, on db: any Database) async throws -> [AreaChoice] {
        try await AreaQueries.within(Installation.region, on: db).filter { $0.areaLevel == .league || $0.areaLevel == .county }
            .map { AreaChoice(code: $0.id ?? "", name: ($0.areaLevel == .county ? "　" : "") + $0.name, selected: $0.id == selected) }
    }
}
