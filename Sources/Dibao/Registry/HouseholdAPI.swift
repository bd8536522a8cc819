import Fluent
import Vapor
import DibaoCore

/// `/api/v1` for households: the same rules, scoping and masking as the pages.
struct HouseholdAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let h = routes.grouped("households")
        h.get(use: list)
        h.write(guard: .permission(.writeHouseholds), use: create)
        h.get(":id", use: detail)
        h.write(method: .PUT, ":id", guard: .permission(.writeHouseholds), use: update)
        h.get(":id", "history", use: history)
        routes.get("areas", use: areas)
        routes.get("me", use: me)
    }

    struct ListResponse: Content {
        var items: [HouseholdRow]
        var total: Int
        var page: Int
        var pageSize: Int
        /// The name search stopped at its limit (`HouseholdSearch.maxNameMatches` people).
        var truncated: Bool
    }

    func list(req: Request) async throws -> ListResponse {
        let actor = try await req.require(.readHouseholds)
        let search = try req.query.decode(HouseholdSearch.self)
        let query = try await search.query(for: actor, on: req)
        let countQuery = query.copy()
        let total = try await req.responseCache.value(area: actor.area, "households.count|\(actor.area.value)|\(search.area ?? "")|\(search.q ?? "")") { try await countQuery.count() }
        let size = HouseholdSearch.pageSize
        let page = try search.pageNumber()
        let households = try await query.sort(\.$headName).sort(\.$id).range((page - 1) * size ..< page * size).all()
        return ListResponse(items: try await HouseholdRow.rows(households, for: actor, lang: req.lang, on: req.db), total: total, page: page, pageSize: size, truncated: try await search.isTruncated(on: req))
    }

    func create(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let draft = try req.content.decode(HouseholdDraft.self)
        let household = try await HouseholdService.create(draft, by: actor, on: req)
        let view = try await HouseholdView.load(household, for: actor, lang: req.lang, on: req.db)
        let response = try await view.encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/households/\(view.id.uuidString)")
        return response
    }

    func detail(req: Request) async throws -> HouseholdView {
        let actor = try await req.require(.readHouseholds)
        let household = try await Household.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        return try await HouseholdView.load(household, for: actor, lang: req.lang, on: req.db)
    }

    struct UpdateBody: Content {
        var version: Int
        var reason: String
        var household: HouseholdDraft
    }

    func update(req: Request) async throws -> HouseholdView {
        let actor = try await req.require(.writeHouseholds)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let body = try req.content.decode(UpdateBody.self)
        let household = try await HouseholdService.update(id, version: body.version, reason: body.reason, body.household, by: actor, on: req)
        return try await HouseholdView.load(household, for: actor, lang: req.lang, on: req.db)
    }

    func history(req: Request) async throws -> [HistoryRow] {
        let actor = try await req.require(.readHouseholds)
        let household = try await Household.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        return try await HistoryRow.of(entityType: "household", id: household.id!.uuidString, lang: req.lang, on: req.db)
    }

    struct AreaRow: Content { var code: String; var name: String; var level: Int; var kind: String? }

    func areas(req: Request) async throws -> [AreaRow] {
        guard let actor = req.actor else { throw Abort(.unauthorized) }
        return try await AreaQueries.within(actor.area, on: req.db).map { AreaRow(code: $0.id ?? "", name: $0.name, level: $0.level, kind: $0.kind?.rawValue) }
    }

    struct Me: Content { var username: String; var displayName: String; var role: String; var areaCode: String; var permissions: [String] }

    func me(req: Request) async throws -> Me {
        guard let a = req.actor else { throw Abort(.unauthorized) }
        return Me(username: a.username, displayName: a.displayName, role: a.role.rawValue, areaCode: a.area.value,
                  permissions: Permission.allCases.filter { a.may($0) }.map(\.rawValue))
    }
}
