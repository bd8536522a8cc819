import Fluent
import Vapor
import DibaoCore

/// A record placed in the area tree: it stores the code of every level above it in the
/// columns `region_code` … `village_code`, so "this area and below" is one indexed equality.
public protocol AreaScoped: Model {}

/// "Every staff account belongs to one area and sees only that area and below" — applied
/// inside the query of every record, not only on the route (SPEC "Jurisdictions").
extension QueryBuilder where Model: AreaScoped {
    @discardableResult
    public func within(_ area: AreaCode) -> Self {
        filter(FieldKey(stringLiteral: area.householdColumn), .equal, area.value)
    }
}

extension Household: AreaScoped {}

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
