import Fluent
import Vapor
import DibaoCore

enum AreaQueries {
    /// Areas whose code falls inside `area`, for pickers. Codes of one subtree share a
    /// prefix, so a code range is exact: [prefix000…, prefix999…].
    static func within(_ area: AreaCode, level: AreaLevel? = nil, on db: any Database) async throws -> [Area] {
        let prefix = area.significant
        let low = prefix + String(repeating: "0", count: 12 - prefix.count)
        let high = prefix + String(repeating: "9", count: 12 - prefix.count)
        var q = Area.query(on: db).filter(\.$id >= low).filter(\.$id <= high)
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
