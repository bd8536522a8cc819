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
