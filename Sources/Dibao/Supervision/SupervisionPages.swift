import Fluent
import Vapor
import DibaoCore

/// Queries shared by the supervision pages and the API.
enum SupervisionQueries {
    struct FlagRow: Content {
        var householdID: String
        var head: String
        var villageName: String
        var registrant: String
        var registrantKind: String
        var relation: String
        var relativeName: String
        var relativeIDNumber: String
        var flaggedOn: String
        var source: String
        var enrolled: Bool
        var openCases: [String]
        /// The application a focused check from the list is recorded for.
        var openCase: String?
        var checks: [String]
    }

    /// The flags of the actor's area, newest first (at most 500 shown; the API pages the same way).
    static func flags(ctx: ServiceContext, limit: Int = 500) async throws -> [FlagRow] {
        let flags = try await RelativeFlag.query(on: ctx.db).within(ctx.actor.area).sort(\.$id, .descending).limit(limit).all()
        let relatives = Dictionary(try await RegisteredRelative.query(on: ctx.db).filter(\.$id ~~ Array(Set(flags.map(\.relativeID)))).all().map { ($0.id!, $0) },
                                   uniquingKeysWith: { a, _ in a })
        let hids = Array(Set(flags.map(\.householdID)))
        let households = Dictionary(try await Household.query(on: ctx.db).filter(\.$id ~~ hids).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ Array(Set(flags.map(\.villageCode)))).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        let enrolled = Set(try await EnrolledHousehold.query(on: ctx.db).filter(\.$householdID ~~ hids).filter(\.$status != .exited).all().map(\.householdID))
        let cases = Dictionary(grouping: try await ApplicationCase.query(on: ctx.db).filter(\.$householdID ~~ hids).all().filter { !$0.stage.isTerminal }, by: \.householdID)
        let checks = Dictionary(grouping: try await FocusedCheck.query(on: ctx.db).filter(\.$householdID ~~ hids).all(), by: \.householdID)
        let sees = ctx.actor.may(.viewSensitive)
        return flags.compactMap { f in
            guard let r = relatives[f.relativeID] else { return nil }
            let head = households[f.householdID]?.headName ?? ""
            return FlagRow(householdID: f.householdID.uuidString, head: sees ? head : Masking.name(head), villageName: names[f.villageCode] ?? f.villageCode,
                           registrant: r.registrantName + (r.registrantPost.isEmpty ? "" : "（\(r.registrantPost)）"), registrantKind: r.registrantKind.name(ctx.lang),
                           relation: r.relation.name(ctx.lang), relativeName: sees ? r.relativeName : Masking.name(r.relativeName),
                           relativeIDNumber: sees ? r.relativeIDNumber : Masking.idNumber(r.relativeIDNumber), flaggedOn: f.flaggedOn, source: f.source,
                           enrolled: enrolled.contains(f.householdID), openCases: (cases[f.householdID] ?? []).map { $0.id!.uuidString },
                           openCase: cases[f.householdID]?.first?.id?.uuidString,
                           checks: (checks[f.householdID] ?? []).map { "\($0.checkedOn) \($0.finding.name(ctx.lang))" })
        }
    }
}

/// 监督检查 (二.七): the relatives registry and its flags, inspection plans with their draws,
/// findings and rectification, and fund oversight.
struct SupervisionPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let s = routes.grouped("supervision")
        s.get(use: index)
        s.write("relatives", guard: .permission(.manageRelatives), use: register)
        s.write("relatives", "checks", guard: .permission(.manageRelatives), use: check)
        s.get("funds", use: funds)
        s.get("funds.csv", use: fundsCSV)
        s.write("plans", guard: .permission(.inspect), use: createPlan)
        s.get("plans", ":id", use: plan)
        s.write("plans", ":id", "draw", guard: .permission(.inspect), use: draw)
        s.get("plans", ":id", "redraw", use: redraw)
        s.write("plans", ":id", "findings", guard: .permission(.inspect), use: addFinding)
        s.write("plans", ":id", "findings", ":finding", "close", guard: .permission(.inspect), use: closeFinding)
    }

    typealias Problem = EnrollmentPages.Problem

    struct IndexPage: Encodable {
        var canRegister: Bool
        var canReadRelatives: Bool
        var canInspect: Bool
        var canReadFunds: Bool
        var flags: [SupervisionQueries.FlagRow]
        var plans: [PlanRow]
        var kinds: [ComplaintView.Option]
        var relations: [ComplaintView.Option]
        var inspectionKinds: [ComplaintView.Option]
        var areas: [ComplaintView.Option]
        /// Regions, leagues and counties of the actor's area: what a plan may cover.
        var planAreas: [ComplaintView.Option]
        var year: Int
        var done: String?
        var problems: [Problem]
    }

    struct PlanRow: Content { var id: Int; var year: Int; var kind: String; var title: String; var area: String; var share: Int; var drawn: Bool }

    static func requireAny(_ req: Request) async throws -> StaffActor {
        guard let actor = req.actor else { throw Abort(.unauthorized) }
        guard actor.may(.readRelatives) || actor.may(.inspect) || actor.may(.readFundOversight) else {
            try await req.recordDenial(actor, target: "supervision", entityType: "route", entityID: req.url.path)
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        return actor
    }

    func index(req: Request) async throws -> Response { try await indexPage(req, problems: []) }

    static func planAreas(_ actor: StaffActor, db: any Database) async throws -> [ComplaintView.Option] {
        guard actor.area.level <= .county else { return [] }
        let prefix = String(actor.area.value.prefix(actor.area.level.codeLength))
        return try await Area.query(on: db).filter(\.$id >= prefix).filter(\.$id <= prefix + "~").sort(\.$id).limit(2000).all()
            .filter { a in (try? AreaCode(a.id ?? "")).map { actor.area.contains($0) && $0.level <= .county } ?? false }
            .map { ComplaintView.Option(value: $0.id ?? "", label: "\($0.name)（\($0.id ?? "")）") }
    }

    func indexPage(_ req: Request, problems: [Problem]) async throws -> Response {
        let actor = try await Self.requireAny(req)
        let ctx = req.context(actor)
        let plans = try await InspectionPlan.query(on: req.db).sort(\.$id, .descending).limit(500).all().filter { p in
            (try? AreaCode(p.areaCode)).map { actor.area.contains($0) || $0.contains(actor.area) } ?? false
        }
        let res = try await req.render("supervision/index", title: req.l10n("nav.supervision"), IndexPage(
            canRegister: actor.may(.manageRelatives), canReadRelatives: actor.may(.readRelatives), canInspect: actor.may(.inspect),
            canReadFunds: actor.may(.readFundOversight),
            flags: actor.may(.readRelatives) ? try await SupervisionQueries.flags(ctx: ctx) : [],
            plans: plans.map { PlanRow(id: $0.id ?? 0, year: $0.year, kind: $0.kind.name(req.lang), title: $0.title, area: $0.areaCode, share: $0.sharePercent, drawn: $0.seed != nil) },
            kinds: RegistrantKind.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            relations: CloseRelation.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            inspectionKinds: InspectionKind.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            areas: try await ComplaintPages.areaOptions(actor, db: req.db), planAreas: try await Self.planAreas(actor, db: req.db), year: ctx.today.year,
            done: req.query[String.self, at: "done"], problems: problems))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func register(req: Request) async throws -> Response {
        let actor = try await req.require(.manageRelatives)
        do {
            let (_, flagged) = try await RelativesRegistry.register(try req.content.decode(RelativesRegistry.RegisterInput.self), ctx: req.context(actor))
            return req.redirect(to: "/supervision?done=registered-\(flagged)")
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await indexPage(req, problems: problems)
        }
    }

    func check(req: Request) async throws -> Response {
        let actor = try await req.require(.manageRelatives)
        do {
            let (_, review) = try await RelativesRegistry.recordCheck(try req.content.decode(RelativesRegistry.CheckInput.self), ctx: req.context(actor))
            if let review { return req.redirect(to: "/reviews/\(review)?done=open") }
            return req.redirect(to: "/supervision?done=checked")
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await indexPage(req, problems: problems)
        }
    }

    struct FundsPage: Content { var from: String; var through: String; var totals: [FundOversight.Totals]; var anomalies: [FundOversight.Anomaly] }

    /// `?from=2026-01&through=2026-12` (periods as payrolls store them), bounded to five years.
    static func periods(_ req: Request, today: CivilDate) throws -> (String, String) {
        let from = String((req.query[String.self, at: "from"] ?? String(today.iso.prefix(4)) + "-01").prefix(7))
        let through = String((req.query[String.self, at: "through"] ?? String(today.iso.prefix(7))).prefix(7))
        guard let a = CivilDate(iso: from + "-01"), let b = CivilDate(iso: through + "-01"), a <= b, b <= a.adding(months: 60) else {
            throw FieldRefusal(field: "from", rule: "funds.periods", .labelled(Phrase("inspection.refusal_label_periods"), Phrase("inspection.refusal_periods")))
        }
        return (from, through)
    }

    func fundsData(_ req: Request) async throws -> FundsPage {
        let actor = try await req.require(.readFundOversight)
        let (from, through) = try Self.periods(req, today: req.dibao.clock.today())
        return FundsPage(from: from, through: through,
                         totals: try await FundOversight.totals(area: actor.area, from: from, through: through + "~", db: req.db),
                         anomalies: try await FundOversight.anomalies(area: actor.area, from: from, through: through + "~", lang: req.lang, db: req.db))
    }

    func funds(req: Request) async throws -> Response {
        try await req.render("supervision/funds", title: req.l10n("sup.funds"), try await fundsData(req))
    }

    func fundsCSV(req: Request) async throws -> Response {
        let data = try await fundsData(req)
        let actor = try await req.require(.readFundOversight)
        let header = [req.l10n("sup.anomaly"), req.l10n("sup.period"), req.l10n("cmp.area"), req.l10n("sup.households"), req.l10n("sup.lines"), req.l10n("sup.detail")]
        let rows = data.anomalies.map { [$0.kindName, $0.period, $0.villageCode, $0.households.joined(separator: "、"), $0.lines.map(String.init).joined(separator: " "), $0.detail] }
        let body = try CSVExport.encode(header: header, rows: rows, gb18030: req.query[String.self, at: "encoding"] == "gb18030")
        try await req.audit.record([AuditEntry(actor: actor.audit, action: "funds.exported", entityType: "fund_oversight", entityID: actor.area.value,
                                               areaCode: actor.area.value, detail: ["rows": String(rows.count)])], on: req.db)
        let response = Response(status: .ok, body: .init(data: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.attachment(filename: "fund-anomalies.csv")
        return response
    }

    func createPlan(req: Request) async throws -> Response {
        let actor = try await req.require(.inspect)
        do {
            let p = try await Inspections.createPlan(try req.content.decode(Inspections.PlanInput.self), ctx: req.context(actor))
            return req.redirect(to: "/supervision/plans/\(p.id ?? 0)?done=plan")
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await indexPage(req, problems: problems)
        }
    }

    struct PlanPage: Encodable {
        var p: PlanView
        var canInspect: Bool
        var redraw: Inspections.Redraw?
        var done: String?
        var problems: [Problem]
    }

    struct PlanView: Content {
        struct Finding: Content { var id: Int; var area: String; var household: String?; var finding: String; var rectification: String; var owner: String; var deadline: String; var closedOn: String?; var evidence: String; var overdue: Bool }
        var id: Int; var year: Int; var kind: String; var title: String; var area: String; var share: Int
        var seed: String?; var drawnOn: String?; var drawnBy: String; var townshipPopulation: Int; var villagePopulation: Int
        var townships: [String]; var villages: [String]; var findings: [Finding]

        static func load(_ p: InspectionPlan, ctx: ServiceContext) async throws -> PlanView {
            let findings = try await InspectionFinding.query(on: ctx.db).filter(\.$planID == p.id!).sort(\.$id).all()
            let townships: [String] = p.townships.split(separator: ",").map(String.init)
            let villages: [String] = p.villages.split(separator: ",").map(String.init)
            let codes: [String] = townships + villages + [p.areaCode]
            let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ codes).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
            return PlanView(id: p.id ?? 0, year: p.year, kind: p.kind.name(ctx.lang), title: p.title, area: names[p.areaCode] ?? p.areaCode, share: p.sharePercent,
                            seed: p.seed, drawnOn: p.drawnOn, drawnBy: p.drawnBy, townshipPopulation: p.townshipPopulation, villagePopulation: p.villagePopulation,
                            townships: townships.map { (names[$0] ?? "") + "（" + $0 + "）" },
                            villages: villages.map { (names[$0] ?? "") + "（" + $0 + "）" },
                            findings: findings.map { f in
                                Finding(id: f.id ?? 0, area: f.areaCode, household: f.householdID?.uuidString, finding: f.finding, rectification: f.rectification,
                                        owner: f.owner, deadline: f.deadline, closedOn: f.closedOn, evidence: f.closingEvidence,
                                        overdue: f.closedOn == nil && !f.deadline.isEmpty && f.deadline < ctx.today.iso)
                            })
        }
    }

    func plan(req: Request) async throws -> Response { try await planPage(req, problems: [], redraw: nil) }

    func planPage(_ req: Request, problems: [Problem], redraw: Inspections.Redraw?) async throws -> Response {
        let actor = try await Self.requireAny(req)
        let ctx = req.context(actor)
        let p = try await Inspections.visible(req.parameters.get("id", as: Int.self), ctx: ctx)
        let res = try await req.render("supervision/plan", title: p.title, PlanPage(p: try await PlanView.load(p, ctx: ctx), canInspect: actor.may(.inspect),
                                                                                     redraw: redraw, done: req.query[String.self, at: "done"], problems: problems))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func draw(req: Request) async throws -> Response {
        let actor = try await req.require(.inspect)
        let id = req.parameters.get("id", as: Int.self)
        do { _ = try await Inspections.draw(plan: id, ctx: req.context(actor)) } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await planPage(req, problems: problems, redraw: nil)
        }
        return req.redirect(to: "/supervision/plans/\(id ?? 0)?done=draw")
    }

    func redraw(req: Request) async throws -> Response {
        let actor = try await Self.requireAny(req)
        do {
            let r = try await Inspections.redraw(plan: req.parameters.get("id", as: Int.self), ctx: req.context(actor))
            return try await planPage(req, problems: [], redraw: r)
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await planPage(req, problems: problems, redraw: nil)
        }
    }

    func addFinding(req: Request) async throws -> Response {
        let actor = try await req.require(.inspect)
        let id = req.parameters.get("id", as: Int.self)
        do { _ = try await Inspections.addFinding(plan: id, try req.content.decode(Inspections.FindingInput.self), ctx: req.context(actor)) } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await planPage(req, problems: problems, redraw: nil)
        }
        return req.redirect(to: "/supervision/plans/\(id ?? 0)?done=finding")
    }

    func closeFinding(req: Request) async throws -> Response {
        let actor = try await req.require(.inspect)
        let id = req.parameters.get("id", as: Int.self)
        do {
            _ = try await Inspections.closeFinding(plan: id, finding: req.parameters.get("finding", as: Int.self),
                                                   try req.content.decode(Inspections.CloseInput.self), ctx: req.context(actor))
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await planPage(req, problems: problems, redraw: nil)
        }
        return req.redirect(to: "/supervision/plans/\(id ?? 0)?done=closed")
    }
}

/// The supervision API (OpenAPI: /api/v1/supervision/…).
struct SupervisionAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let s = routes.grouped("supervision")
        s.get("relatives", use: flags)
        s.write("relatives", guard: .permission(.manageRelatives), use: register)
        s.write("relatives", "checks", guard: .permission(.manageRelatives), use: check)
        s.get("funds", use: funds)
        s.write("plans", guard: .permission(.inspect), use: createPlan)
        s.get("plans", ":id", use: plan)
        s.write("plans", ":id", "draw", guard: .permission(.inspect), use: draw)
        s.get("plans", ":id", "redraw", use: redraw)
    }

    func flags(req: Request) async throws -> [SupervisionQueries.FlagRow] {
        let actor = try await req.require(.readRelatives)
        return try await SupervisionQueries.flags(ctx: req.context(actor))
    }

    struct Registered: Content { var id: String; var flagged: Int }

    func register(req: Request) async throws -> Response {
        let actor = try await req.require(.manageRelatives)
        let (r, n) = try await RelativesRegistry.register(try req.content.decode(RelativesRegistry.RegisterInput.self), ctx: req.context(actor))
        return try await Registered(id: r.id!.uuidString, flagged: n).encodeResponse(status: .created, for: req)
    }

    struct Checked: Content { var id: Int; var reviewOpened: Int? }

    func check(req: Request) async throws -> Response {
        let actor = try await req.require(.manageRelatives)
        let (c, review) = try await RelativesRegistry.recordCheck(try req.content.decode(RelativesRegistry.CheckInput.self), ctx: req.context(actor))
        return try await Checked(id: c.id ?? 0, reviewOpened: review).encodeResponse(status: .created, for: req)
    }

    func funds(req: Request) async throws -> SupervisionPages.FundsPage { try await SupervisionPages().fundsData(req) }

    func createPlan(req: Request) async throws -> Response {
        let actor = try await req.require(.inspect)
        let ctx = req.context(actor)
        let p = try await Inspections.createPlan(try req.content.decode(Inspections.PlanInput.self), ctx: ctx)
        return try await SupervisionPages.PlanView.load(p, ctx: ctx).encodeResponse(status: .created, for: req)
    }

    func plan(req: Request) async throws -> SupervisionPages.PlanView {
        let actor = try await SupervisionPages.requireAny(req)
        let ctx = req.context(actor)
        return try await .load(try await Inspections.visible(req.parameters.get("id", as: Int.self), ctx: ctx), ctx: ctx)
    }

    func draw(req: Request) async throws -> SupervisionPages.PlanView {
        let actor = try await req.require(.inspect)
        let ctx = req.context(actor)
        return try await .load(try await Inspections.draw(plan: req.parameters.get("id", as: Int.self), ctx: ctx), ctx: ctx)
    }

    func redraw(req: Request) async throws -> Inspections.Redraw {
        let actor = try await SupervisionPages.requireAny(req)
        return try await Inspections.redraw(plan: req.parameters.get("id", as: Int.self), ctx: req.context(actor))
    }
}
