import Fluent
import Vapor
import DibaoCore

/// `/admin/network`: county civil affairs registers its service halls and its townships'
/// windows, corrects and closes them; the page lists the one-stop subsidy list under the
/// version in force and the village assistants as base points.
struct ServiceNetworkPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "network", use: network)
        routes.write("admin", "network", guard: .permission(.manageServiceNetwork), use: add)
        routes.get("admin", "network", ":id", use: point)
        routes.write("admin", "network", ":id", guard: .permission(.manageServiceNetwork), use: change)
        routes.write("admin", "network", ":id", "close", guard: .permission(.manageServiceNetwork), use: close)
    }

    struct NetworkPage: Encodable {
        var halls: [ServiceNetwork.Row]
        var windows: [ServiceNetwork.Row]
        var oneStop: [ServiceNetwork.Row]
        var oneStopRule: String
        var bases: [ServiceNetwork.TownshipBase]
        var showClosed: Bool
        var hall: ServiceNetwork.Input
        var window: ServiceNetwork.Input
        var error: String?
        var errorKind: String
        var problems: [Problem]
    }

    struct Problem: Encodable { var field: String; var message: String }

    static func problems(_ error: any Error, _ lang: Language) -> [Problem]? {
        if let refused = error as? FormRefused { return refused.problems.map { Problem(field: $0.field, message: $0.message(lang)) } }
        if let refusal = error as? any Refusal { return [Problem(field: refusal.field, message: refusal.message(lang))] }
        return nil
    }

    func network(req: Request) async throws -> Response {
        try await networkPage(req, input: nil, problems: [])
    }

    func networkPage(_ req: Request, input: ServiceNetwork.Input?, problems: [Problem]) async throws -> Response {
        let actor = try await req.require(.manageServiceNetwork)
        let ctx = req.context(actor)
        let showClosed = req.query[String.self, at: "closed"] == "1"
        let rows = try await ServiceNetwork.list(within: actor.area, ctx: ctx, includeClosed: showClosed)
        let policy = ctx.policy(on: ctx.today)
        let ownCounty = actor.area.level == .county ? actor.area.value : nil
        var hall = ServiceNetwork.Input(kind: "hall", area: ownCounty)
        var window = ServiceNetwork.Input(kind: "window")
        if let input { if input.kind == "hall" { hall = input } else { window = input } }
        let page = NetworkPage(
            halls: rows.filter { $0.kind == "hall" }, windows: rows.filter { $0.kind == "window" }, oneStop: rows.filter(\.qualifies),
            oneStopRule: Strings.format("network.one_stop_rule", req.lang, String(policy.serviceHallMinSquareMetres), policy.version),
            bases: try await ServiceNetwork.basePoints(within: actor.area, on: req.db), showClosed: showClosed,
            hall: hall, window: window, error: problems.isEmpty ? nil : problems.map(\.message).joined(separator: "；"),
            errorKind: input?.kind ?? "", problems: problems)
        let r = try await req.render("admin/network", title: req.l10n("network.title"), page)
        if !problems.isEmpty { r.status = .unprocessableEntity }
        return r
    }

    func add(req: Request) async throws -> Response {
        let actor = try await req.require(.manageServiceNetwork)
        let input = try req.content.decode(ServiceNetwork.Input.self)
        do {
            try await ServiceNetwork.add(input, ctx: req.context(actor))
            return req.redirect(to: "/admin/network")
        } catch {
            guard let problems = Self.problems(error, req.lang) else { throw error }
            return try await networkPage(req, input: input, problems: problems)
        }
    }

    struct PointPage: Encodable {
        var row: ServiceNetwork.Row
        var input: ServiceNetwork.Input
        var isHall: Bool
        var error: String?
        var problems: [Problem]
        var history: [HistoryLine]
    }

    struct HistoryLine: Encodable { var when: String; var who: String; var what: String; var reason: String }

    func point(req: Request) async throws -> Response {
        try await pointPage(req, input: nil, problems: [])
    }

    func pointPage(_ req: Request, input: ServiceNetwork.Input?, problems: [Problem]) async throws -> Response {
        let actor = try await req.require(.manageServiceNetwork)
        let ctx = req.context(actor)
        let p = try await ServiceNetwork.find(req.parameters.get("id", as: UUID.self), ctx: ctx)
        guard let area = try? AreaCode(p.areaCode),
              let row = try await ServiceNetwork.list(within: area, ctx: ctx, includeClosed: true).first(where: { $0.id == p.id }) else { throw Abort(.notFound) }
        let shown = input ?? ServiceNetwork.Input(kind: p.kind, area: p.areaCode, name: p.name, address: p.address, hours: p.hours, phone: p.phone,
                                                  squareMetres: p.squareMetres.map(String.init), oneStop: p.oneStop ? "on" : nil)
        let events = try await AuditEvent.query(on: req.db).filter(\.$entityType == "service_point").filter(\.$entityID == p.id!.uuidString)
            .sort(\.$id, .descending).limit(50).all()
        let history = events.map { e in
            HistoryLine(when: Accounts.moment(e.occurredAtMs), who: e.actorName, what: AuditActions.label(e.action, req.lang), reason: e.reason)
        }
        let r = try await req.render("admin/network-point", title: "\(req.l10n("network.title")) · \(p.name)",
                                     PointPage(row: row, input: shown, isHall: p.kind == "hall", error: problems.isEmpty ? nil : problems.map(\.message).joined(separator: "；"),
                                               problems: problems, history: history))
        if !problems.isEmpty { r.status = .unprocessableEntity }
        return r
    }

    func change(req: Request) async throws -> Response {
        let actor = try await req.require(.manageServiceNetwork)
        let input = try req.content.decode(ServiceNetwork.Input.self)
        do {
            let p = try await ServiceNetwork.change(req.parameters.get("id", as: UUID.self), input, ctx: req.context(actor))
            return req.redirect(to: "/admin/network/\(p.id!.uuidString)")
        } catch {
            guard let problems = Self.problems(error, req.lang) else { throw error }
            return try await pointPage(req, input: input, problems: problems)
        }
    }

    struct CloseInput: Content { var reason: String? }

    func close(req: Request) async throws -> Response {
        let actor = try await req.require(.manageServiceNetwork)
        let reason = try req.content.decode(CloseInput.self).reason
        do {
            try await ServiceNetwork.close(req.parameters.get("id", as: UUID.self), reason: reason, ctx: req.context(actor))
            return req.redirect(to: "/admin/network?closed=1")
        } catch {
            guard let problems = Self.problems(error, req.lang) else { throw error }
            return try await pointPage(req, input: nil, problems: problems)
        }
    }
}

/// `/api/v1/admin/network`: the same for a county's script, in the OpenAPI document.
struct ServiceNetworkAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "network", use: list)
        routes.write("admin", "network", guard: .permission(.manageServiceNetwork), use: add)
        routes.write("admin", "network", ":id", guard: .permission(.manageServiceNetwork), use: change)
        routes.write("admin", "network", ":id", "close", guard: .permission(.manageServiceNetwork), use: close)
    }

    struct Listing: Content {
        var points: [ServiceNetwork.Row]
        var oneStopMinimumSquareMetres: Int
        var policyVersion: String
        var basePoints: [ServiceNetwork.TownshipBase]
    }

    func list(req: Request) async throws -> Listing {
        let actor = try await req.require(.manageServiceNetwork)
        let ctx = req.context(actor)
        let policy = ctx.policy(on: ctx.today)
        return Listing(points: try await ServiceNetwork.list(within: actor.area, ctx: ctx, includeClosed: req.query[String.self, at: "closed"] == "1"),
                       oneStopMinimumSquareMetres: policy.serviceHallMinSquareMetres, policyVersion: policy.version,
                       basePoints: try await ServiceNetwork.basePoints(within: actor.area, on: req.db))
    }

    func row(_ p: ServicePoint, _ req: Request, _ actor: StaffActor) async throws -> ServiceNetwork.Row {
        guard let area = try? AreaCode(p.areaCode),
              let row = try await ServiceNetwork.list(within: area, ctx: req.context(actor), includeClosed: true).first(where: { $0.id == p.id }) else { throw Abort(.notFound) }
        return row
    }

    func add(req: Request) async throws -> Response {
        let actor = try await req.require(.manageServiceNetwork)
        let p = try await ServiceNetwork.add(try req.content.decode(ServiceNetwork.Input.self), ctx: req.context(actor))
        let r = try await row(p, req, actor).encodeResponse(for: req)
        r.status = .created
        return r
    }

    func change(req: Request) async throws -> ServiceNetwork.Row {
        let actor = try await req.require(.manageServiceNetwork)
        let p = try await ServiceNetwork.change(req.parameters.get("id", as: UUID.self), try req.content.decode(ServiceNetwork.Input.self), ctx: req.context(actor))
        return try await row(p, req, actor)
    }

    func close(req: Request) async throws -> ServiceNetwork.Row {
        let actor = try await req.require(.manageServiceNetwork)
        let p = try await ServiceNetwork.close(req.parameters.get("id", as: UUID.self), reason: try req.content.decode(ServiceNetworkPages.CloseInput.self).reason,
                                               ctx: req.context(actor))
        return try await row(p, req, actor)
    }
}

/// `/public/network`: where to apply — every hall and window in use with its address, hours
/// and phone, for the region, a league, a county or a township (二.四).
struct ServiceNetworkPublicPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("public", "network", use: page)
        routes.get("api", "v1", "public", "network", use: api)
    }

    struct Page: Content {
        var area: String
        var areaName: String
        var halls: [ServiceNetwork.Row]
        var windows: [ServiceNetwork.Row]
        var error: String?
    }

    struct Shown: Encodable {
        var page: Page
        var choices: [AreaChoice]
    }

    /// The area asked for: none means the whole region; a code that is not one answers with
    /// the region and a message naming the field.
    func load(_ req: Request) async throws -> Page {
        let ctx = req.context(.system(area: Installation.region, actingAs: .supervisor, job: "public-network"))
        let typed = String((req.query[String.self, at: "area"] ?? "").trimmingCharacters(in: .whitespaces).prefix(12))
        var area = Installation.region
        var error: String? = nil
        if !typed.isEmpty {
            if let a = try? AreaCode(typed), a.level <= .township, Installation.region.contains(a), try await Area.find(a.value, on: req.db) != nil {
                area = a
            } else {
                error = FieldRefusal(field: "area", rule: "network.area", Phrase("network.refusal_public_area")).message(req.lang)
            }
        }
        let rows = try await ServiceNetwork.list(within: area, ctx: ctx, includeClosed: false)
            .map { var r = $0; r.closedReason = ""; return r }
        let name = try await Area.find(area.value, on: req.db)?.name ?? Installation.regionName
        return Page(area: area.value, areaName: name, halls: rows.filter { $0.kind == "hall" }, windows: rows.filter { $0.kind == "window" }, error: error)
    }

    func page(req: Request) async throws -> Response {
        let page = try await load(req)
        let choices = try await AreaChoice.leaguesAndCounties(selected: page.area, on: req.db)
        let r = try await req.render("public/network", title: req.l10n("network.public_title"), Shown(page: page, choices: choices), publicPage: true)
        if page.error != nil { r.status = .unprocessableEntity }
        return r
    }

    func api(req: Request) async throws -> Response {
        let page = try await load(req)
        let r = try await page.encodeResponse(for: req)
        if page.error != nil { r.status = .unprocessableEntity }
        return r
    }
}
