import Fluent
import Vapor
import DibaoCore

/// 系统管理 (issue 15): the administrator's pages for policy versions, holiday calendars and
/// the division codes, and the standards page where one official enters a standard and
/// another approves it. Every load is judged whole and audited; a refusal re-shows the form
/// with what was typed and the message naming the line and the rule.
struct AdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", use: index)
        routes.get("admin", "policies", use: policies)
        routes.write("admin", "policies", body: .collect(maxSize: "256kb"), guard: .permission(.administerPolicy), use: loadPolicy)
        routes.write("admin", "policies", ":version", "activate", guard: .permission(.administerPolicy), use: activatePolicy)
        routes.get("admin", "calendars", use: calendars)
        routes.write("admin", "calendars", body: .collect(maxSize: "256kb"), guard: .permission(.administerPolicy), use: loadCalendar)
        routes.get("admin", "areas", use: areas)
        routes.write("admin", "areas", body: .collect(maxSize: "8mb"), guard: .permission(.administerPolicy), use: importAreas)
        routes.write("admin", "areas", "retire", guard: .permission(.administerPolicy), use: retireArea)
        routes.write("admin", "areas", "merge", guard: .permission(.administerPolicy), use: mergeArea)
        routes.get("admin", "standards", use: standards)
        routes.write("admin", "standards", guard: .permission(.manageStandards), use: enterStandard)
        routes.write("admin", "standards", ":id", "approve", guard: .permission(.manageStandards), use: approveStandard)
        routes.write("admin", "standards", ":id", "reject", guard: .permission(.manageStandards), use: rejectStandard)
    }

    struct Link: Encodable { var href: String; var label: String }
    struct IndexPage: Encodable { var links: [Link]; var calendarWarning: String? }

    func index(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let links = [Link(href: "/admin/accounts", label: req.l10n("acct.title")), Link(href: "/admin/banks", label: req.l10n("acct.banks")),
                     Link(href: "/admin/areas", label: req.l10n("admin.areas")), Link(href: "/admin/standards", label: req.l10n("admin.standards")),
                     Link(href: "/admin/network", label: req.l10n("network.title")), Link(href: "/admin/conditions", label: req.l10n("conditions.admin_title")),
                     Link(href: "/admin/policies", label: req.l10n("admin.policies")), Link(href: "/admin/calendars", label: req.l10n("admin.calendars")),
                     Link(href: "/admin/tokens", label: req.l10n("account.tokens"))]
        _ = actor
        let warning = HolidayCalendars.missingNextYear(env: req.dibao, today: req.dibao.clock.today())
            .map { Strings.format("calendar.missing_next_year", req.lang, String($0)) }
        return try await req.render("admin/index", title: req.l10n("admin.title"), IndexPage(links: links, calendarWarning: warning))
    }

    static func message(_ error: any Error, _ lang: Language) -> String? {
        (error as? any Refusal)?.message(lang)
    }

    // MARK: Policy versions

    struct PoliciesPage: Encodable {
        var rows: [PolicyVersions.Row]
        var text: String
        var effective: String
        var error: String?
        var preview: PolicyVersions.Loaded?
    }

    struct FileInput: Content { var fileText: String?; var effectiveFrom: String? }

    func policies(req: Request) async throws -> Response {
        try await req.require(.administerPolicy)
        return try await policiesPage(req, text: "", effective: "", error: nil, preview: nil)
    }

    func policiesPage(_ req: Request, text: String, effective: String, error: String?, preview: PolicyVersions.Loaded?) async throws -> Response {
        let rows = try await PolicyVersions.list(env: req.dibao, today: req.dibao.clock.today(), on: req.db)
        let r = try await req.render("admin/policies", title: req.l10n("admin.policies"),
                                     PoliciesPage(rows: rows, text: text, effective: effective, error: error, preview: preview))
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func loadPolicy(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let input = try req.content.decode(FileInput.self)
        let text = input.fileText ?? ""
        let effective = (input.effectiveFrom ?? "").trimmingCharacters(in: .whitespaces)
        do {
            var date: CivilDate? = nil
            if !effective.isEmpty {
                guard let d = CivilDate(iso: effective) else {
                    throw FieldRefusal(field: "effective_from", rule: "policy.effective_date", Phrase("admin.refusal_effective_date"))
                }
                date = d
            }
            let loaded = try await PolicyVersions.load(text: text, effectiveFrom: date, ctx: req.context(actor))
            return try await policiesPage(req, text: "", effective: loaded.effectiveFrom, error: nil, preview: loaded)
        } catch {
            guard let m = Self.message(error, req.lang) else { throw error }
            return try await policiesPage(req, text: text, effective: effective, error: m, preview: nil)
        }
    }

    struct ActivateInput: Content { var effectiveFrom: String? }

    func activatePolicy(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let version = req.parameters.get("version") ?? ""
        let input = try req.content.decode(ActivateInput.self)
        do {
            let effective = (input.effectiveFrom ?? "").trimmingCharacters(in: .whitespaces)
            var date: CivilDate? = nil
            if !effective.isEmpty {
                guard let d = CivilDate(iso: effective) else {
                    throw FieldRefusal(field: "effective_from", rule: "policy.effective_date", Phrase("admin.refusal_effective_date"))
                }
                date = d
            }
            _ = try await PolicyVersions.activate(version: version, effectiveFrom: date, ctx: req.context(actor))
            return req.redirect(to: "/admin/policies")
        } catch {
            guard let m = Self.message(error, req.lang) else { throw error }
            return try await policiesPage(req, text: "", effective: input.effectiveFrom ?? "", error: m, preview: nil)
        }
    }

    // MARK: Holiday calendars

    struct CalendarsPage: Encodable {
        var rows: [HolidayCalendars.YearRow]
        var text: String
        var error: String?
        var done: String?
        var calendarWarning: String?
    }

    func calendars(req: Request) async throws -> Response {
        try await req.require(.administerPolicy)
        return try await calendarsPage(req, text: "", error: nil, done: nil)
    }

    func calendarsPage(_ req: Request, text: String, error: String?, done: String?) async throws -> Response {
        let warning = HolidayCalendars.missingNextYear(env: req.dibao, today: req.dibao.clock.today())
            .map { Strings.format("calendar.missing_next_year", req.lang, String($0)) }
        let r = try await req.render("admin/calendars", title: req.l10n("admin.calendars"),
                                     CalendarsPage(rows: try await HolidayCalendars.list(on: req.db), text: text, error: error, done: done, calendarWarning: warning))
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func loadCalendar(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let text = try req.content.decode(FileInput.self).fileText ?? ""
        do {
            let o = try await HolidayCalendars.load(text: text, ctx: req.context(actor))
            return try await calendarsPage(req, text: "", error: nil,
                                           done: Strings.format("admin.calendar_loaded", req.lang, String(o.year), String(o.deadlinesMoved)))
        } catch {
            guard let m = Self.message(error, req.lang) else { throw error }
            return try await calendarsPage(req, text: text, error: m, done: nil)
        }
    }

    // MARK: Areas

    struct AreaRow: Encodable { var code: String; var name: String; var level: String; var depth: Int; var kind: String; var retiredOn: String? }
    struct RetiredRow: Encodable { var code: String; var name: String; var retiredOn: String; var mergedInto: String; var reason: String }
    struct AreasPage: Encodable {
        var rows: [AreaRow]; var more: Int; var text: String; var error: String?; var done: String?
        var retired: [RetiredRow]; var change: AreaChanges.Input; var changeError: String?
    }

    func areas(req: Request) async throws -> Response {
        try await req.require(.administerPolicy)
        return try await areasPage(req, text: "", error: nil, done: nil)
    }

    func areasPage(_ req: Request, text: String, error: String?, done: String?, change: AreaChanges.Input = .init(), changeError: String? = nil) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let range = actor.area.subtreeCodes
        // Down to townships: villages are thousands per league and are seen on each township's lists.
        let all = try await Area.query(on: req.db).filter(\.$id >= range.lowerBound).filter(\.$id <= range.upperBound)
            .filter(\.$level <= AreaLevel.township.rawValue).sort(\.$id).limit(2_001).all()
        let lang = req.lang
        let rows = all.prefix(2_000).map { a in
            AreaRow(code: a.id ?? "", name: a.name, level: a.areaLevel.name(lang), depth: a.level,
                    kind: a.kind.map { $0.name(lang) } ?? "", retiredOn: a.retiredOn)
        }
        let retiredAreas = try await Area.query(on: req.db).filter(\.$id >= range.lowerBound).filter(\.$id <= range.upperBound)
            .filter(\.$retiredOn != nil).sort(\.$retiredOn, .descending).limit(500).all()
        let targets = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ retiredAreas.compactMap(\.mergedInto)).all().map { ($0.id ?? "", $0.name) },
                                 uniquingKeysWith: { a, _ in a })
        let retired = retiredAreas.map { a in
            RetiredRow(code: a.id ?? "", name: a.name, retiredOn: a.retiredOn ?? "", mergedInto: a.mergedInto.map { "\(targets[$0] ?? $0)（\($0)）" } ?? "", reason: a.retiredReason)
        }
        let r = try await req.render("admin/areas", title: req.l10n("admin.areas"),
                                     AreasPage(rows: Array(rows), more: max(0, all.count - 2_000), text: text, error: error, done: done,
                                               retired: retired, change: change, changeError: changeError))
        if error != nil || changeError != nil { r.status = .unprocessableEntity }
        return r
    }

    func importAreas(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let text = try req.content.decode(FileInput.self).fileText ?? ""
        do {
            let o = try await DivisionImport.run(text: text, ctx: req.context(actor))
            return try await areasPage(req, text: "", error: nil,
                                       done: Strings.format("admin.areas_imported", req.lang, String(o.created), String(o.renamed), String(o.unchanged)))
        } catch {
            guard let m = Self.message(error, req.lang) else { throw error }
            return try await areasPage(req, text: String(text.prefix(200_000)), error: m, done: nil)
        }
    }

    func retireArea(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let input = try req.content.decode(AreaChanges.Input.self)
        do {
            let a = try await AreaChanges.retire(input, ctx: req.context(actor))
            return try await areasPage(req, text: "", error: nil, done: Strings.format("admin.area_retired_done", req.lang, a.name))
        } catch let refusal as any Refusal {
            return try await areasPage(req, text: "", error: nil, done: nil, change: input, changeError: refusal.message(req.lang))
        }
    }

    func mergeArea(req: Request) async throws -> Response {
        let actor = try await req.require(.administerPolicy)
        let input = try req.content.decode(AreaChanges.Input.self)
        do {
            let m = try await AreaChanges.merge(input, ctx: req.context(actor))
            let names = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ [m.from, m.into]).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
            return try await areasPage(req, text: "", error: nil, done: Strings.format("admin.area_merged_done", req.lang, names[m.from] ?? m.from, names[m.into] ?? m.into,
                                                                                       String(m.moved[Household.schema] ?? 0)))
        } catch let refusal as any Refusal {
            return try await areasPage(req, text: "", error: nil, done: nil, change: input, changeError: refusal.message(req.lang))
        }
    }

    // MARK: Standards

    struct StandardsPage: Encodable {
        var rows: [Standards.Row]
        var input: Standards.Input
        var error: String?
        var thisMonth: String
    }

    func standards(req: Request) async throws -> Response {
        try await req.require(.manageStandards)
        return try await standardsPage(req, input: Standards.Input(), error: nil)
    }

    func standardsPage(_ req: Request, input: Standards.Input, error: String?) async throws -> Response {
        let actor = try await req.require(.manageStandards)
        var shown = input
        if shown.area == nil, [.league, .county].contains(actor.area.level) { shown.area = actor.area.value }
        let r = try await req.render("admin/standards", title: req.l10n("admin.standards"),
                                     StandardsPage(rows: try await Standards.list(ctx: req.context(actor)), input: shown, error: error,
                                                   thisMonth: String(req.dibao.clock.today().iso.prefix(7))))
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func enterStandard(req: Request) async throws -> Response {
        let actor = try await req.require(.manageStandards)
        let input = try req.content.decode(Standards.Input.self)
        do {
            try await Standards.enter(input, ctx: req.context(actor))
            return req.redirect(to: "/admin/standards")
        } catch {
            guard let m = Self.message(error, req.lang) else { throw error }
            return try await standardsPage(req, input: input, error: m)
        }
    }

    struct ReasonInput: Content { var reason: String? }

    func approveStandard(req: Request) async throws -> Response {
        try await decide(req, approve: true)
    }

    func rejectStandard(req: Request) async throws -> Response {
        try await decide(req, approve: false)
    }

    func decide(_ req: Request, approve: Bool) async throws -> Response {
        let actor = try await req.require(.manageStandards)
        let reason = (try? req.content.decode(ReasonInput.self))?.reason ?? ""
        do {
            try await Standards.decide(req.parameters.get("id", as: UUID.self), approve: approve, reason: reason, ctx: req.context(actor))
            return req.redirect(to: "/admin/standards")
        } catch {
            guard let m = Self.message(error, req.lang) else { throw error }
            return try await standardsPage(req, input: Standards.Input(), error: m)
        }
    }
}

/// 标准公布 (二.一): the standards in force and those approved for later months, public.
struct StandardsPublicPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("public", "standards", use: page)
        routes.get("api", "v1", "public", "standards", use: api)
    }

    struct Page: Content { var rows: [Standards.Row] }

    func rows(_ req: Request) async throws -> [Standards.Row] {
        let ctx = req.context(.system(area: Installation.region, actingAs: .supervisor, job: "public-standards"))
        return try await Standards.list(ctx: ctx, publicOnly: true, within: Installation.region)
            .map { var r = $0; r.enteredBy = ""; r.approvedBy = ""; r.canDecide = false; return r }
    }

    func page(req: Request) async throws -> Response {
        try await req.render("public/standards", title: req.l10n("standards.public_title"), Page(rows: try await rows(req)), publicPage: true)
    }

    func api(req: Request) async throws -> Page { Page(rows: try await rows(req)) }
}
