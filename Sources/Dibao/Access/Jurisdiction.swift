import Fluent
import Vapor
import DibaoCore

/// "Every staff account belongs to one area and sees only that area and below" — applied
/// inside the query of every record, not only on the route (SPEC "Jurisdictions").
extension QueryBuilder where Model == Household {
    public func within(_ area: AreaCode) -> Self {
        switch area.level {
        case .region: return filter(\.$regionCode == area.value)
        case .league: return filter(\.$leagueCode == area.value)
        case .county: return filter(\.$countyCode == area.value)
        case .township: return filter(\.$townshipCode == area.value)
        case .village: return filter(\.$villageCode == area.value)
        }
    }
}

extension Household {
    /// Loads one household as `actor` may see it. A household outside the actor's area
    /// answers 404 exactly like a missing one (so its existence does not leak), and the
    /// attempt is an audit event.
    static func visible(_ id: UUID?, to actor: StaffActor, on req: Request) async throws -> Household {
        guard let id else { throw Abort(.notFound) }
        if let household = try await Household.query(on: req.db).filter(\.$id == id).within(actor.area).first() {
            return household
        }
        if try await Household.find(id, on: req.db) != nil {
            try await req.recordDenial(actor, target: "jurisdiction", entityType: "household", entityID: id.uuidString)
        }
        throw Abort(.notFound, reason: req.l10n("error.household_not_found"))
    }
}

extension AreaCode {
    /// Which stored column holds the ancestor code of this level (SQLKit queries use it).
    var householdColumn: String {
        switch level {
        case .region: return "region_code"
        case .league: return "league_code"
        case .county: return "county_code"
        case .township: return "township_code"
        case .village: return "village_code"
        }
    }
}
