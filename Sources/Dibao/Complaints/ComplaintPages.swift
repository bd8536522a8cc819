import Fluent
import Vapor
import DibaoCore

/// Queries shared by the complaint pages and the API.
enum ComplaintQueries {
    static let pageRows = 100
    /// Open complaints are sorted in memory by what breaches first; an area has far fewer
    /// open complaints than this, and the cap keeps a page bounded whatever happens.
    static let openCap = 5_000

    struct Row: Content {
        var id: Int
        var reference: String
        var channelName: String
        var stage: String
        var stageName: String
        var receivedOn: String
        var areaName: String
        var subject: String
        var owner: String
        var deadline: String
        var daysLeft: Int?
        var timeState: String
        var timeStateName: String
    }

    /// The complaints `ctx.actor` may read: its area's; discipline inspection only those
    /// referred to it (二.八 "交由各级纪检监察部门调查处理").
    static func base(_ ctx: ServiceContext) -> QueryBuilder<Complaint> {
        let q = Complaint.query(on: ctx.db).within(ctx.actor.area)
        if ctx.actor.role == .disciplineInspector { q.filter(\.$referredOn != nil) }
        return q
    }

    /// One page of the queue: open complaints, what breaches first on top (breached, at risk,
    /// on track, then those waiting for materials), or every complaint newest first with `all`.
    static func queue(ctx: ServiceContext, all: Bool, search: String, page: Int) async throws -> (rows: [Row], more: Bool) {
        var q = base(ctx)
        if !search.isEmpty { q = q.group(.or) { $0.filter(\.$reference == search.uppercased()).filter(\.$subjectText == search) } }
        let found: [Complaint]
        if all {
            found = try await q.sort(\.$id, .descending).range((page - 1) * pageRows ..< page * pageRows + 1).all()
        } else {
            let open = try await q.filter(\.$stage ~~ ComplaintStage.allCases.filter(\.isOpen)).sort(\.$id).limit(openCap).all()
            let keyed = open.map { c -> (Complaint, Int, String) in
                let policy = ctx.policy(on: CivilDate(iso: c.receivedOn) ?? ctx.today)
                let (state, deadline) = c.timeState(on: ctx.today, policy: policy, calendar: ctx.calendar)
                let rank = [TimeLimitState.breached: 0, .atRisk: 1, .onTrack: 2, .paused: 3][state] ?? 4
                return (c, rank, deadline?.iso ?? "9999")
            }
            found = Array(keyed.sorted { ($0.1, $0.2, $0.0.id ?? 0) < ($1.1, $1.2, $1.0.id ?? 0) }.map(\.0).dropFirst((page - 1) * pageRows).prefix(pageRows + 1))
        }
        let more = found.count > pageRows
        let rows = try await rows(Array(found.prefix(pageRows)), ctx: ctx)
        return (rows, more)
    }

    static func rows(_ list: [Complaint], ctx: ServiceContext) async throws -> [Row] {
        let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ Array(Set(list.map(\.areaCode)))).all().map { ($0.id ?? "", $0.name) },
                               uniquingKeysWith: { a, _ in a })
        return list.map { c in
            let policy = ctx.policy(on: CivilDate(iso: c.receivedOn) ?? ctx.today)
            let (state, deadline) = c.timeState(on: ctx.today, policy: policy, calendar: ctx.calendar)
            return Row(id: c.id ?? 0, reference: c.reference, channelName: c.channel.name(ctx.lang), stage: c.stage.rawValue, stageName: c.stage.name(ctx.lang),
                       receivedOn: c.receivedOn, areaName: names[c.areaCode] ?? c.areaCode,
                       subject: c.subject == .none ? "" : c.subject.name(ctx.lang) + " " + (ctx.actor.may(.handleComplaints) ? c.subjectText : Masking.name(c.subjectText)),
                       owner: c.ownerName, deadline: deadline?.iso ?? "",
                       daysLeft: c.stage.isOpen ? c.clock(policy: policy).daysLeft(on: ctx.today, calendar: ctx.calendar) : nil,
                       timeState: state.rawValue, timeStateName: state.name(ctx.lang))
        }
    }

    static func visible(_ id: Int?, ctx: ServiceContext) async throws -> Complaint {
        let c = try await Kernel.visible(Complaint.self, id, ctx: ctx, notFound: "error.complaint_not_found")
        if ctx.actor.role == .disciplineInspector && c.referredOn == nil {
            try await ctx.recordDenial(target: "complaint.not_referred", entityType: Complaint.entityType, entityID: String(c.id ?? 0))
            throw Abort(.notFound, reason: ctx.l10n("error.complaint_not_found"))
        }
        return c
    }
}

/// The staff pages: the queue (what breaches first on top), a new complaint, one complaint
/// with the steps its owner may take, and the CSV export.
struct ComplaintPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("complaints", use: queue)
        routes.get("complaints", "export.csv", use: export)
        routes.get("complaints", "new", use: newForm)
        routes.write("complaints", guard: .permission(.handleComplaints), use: create)
        routes.get("complaints", ":id", use: page)
        routes.write("complaints", ":id", "steps", ":action", guard: .permission(.handleComplaints), use: step)
    }

    typealias Problem = EnrollmentPages.Problem

    struct QueuePage: Encodable {
        var rows: [ComplaintQueries.Row]
        var all: Bool
        var q: String
        var prev: String?
        var next: String?
        var canRecord: Bool
    }

    func queue(req: Request) async throws -> Response {
        let actor = try await req.require(.readComplaints)
        let ctx = req.context(actor)
        let all = req.query[String.self, at: "all"] == "1"
        let q = String((req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(50))
        let page = EnrollmentPages.page(req)
        let (rows, more) = try await ComplaintQueries.queue(ctx: ctx, all: all, search: q, page: page)
        func link(_ p: Int) -> String { "/complaints?page=\(p)" + (all ? "&all=1" : "") }
        return try await req.render("complaints/queue", title: req.l10n("cmp.queue"), QueuePage(
            rows: rows, all: all, q: q, prev: page > 1 ? link(page - 1) : nil, next: more ? link(page + 1) : nil,
            canRecord: actor.may(.handleComplaints)))
    }

    /// Every complaint the reader may see, newest first, masked as the list is; audited.
    func export(req: Request) async throws -> Response {
        let actor = try await req.require(.readComplaints)
        let ctx = req.context(actor)
        let list = try await ComplaintQueries.base(ctx).sort(\.$id, .descending).limit(CSVExport.maxRows).all()
        let rows = try await ComplaintQueries.rows(list, ctx: ctx)
        let header = [ctx.l10n("cmp.reference"), ctx.l10n("cmp.received_on"), ctx.l10n("cmp.channel"), ctx.l10n("cmp.area"), ctx.l10n("cmp.subject"),
                      ctx.l10n("cmp.stage"), ctx.l10n("cmp.owner"), ctx.l10n("cmp.deadline"), ctx.l10n("cmp.time_state")]
        let lines = rows.map { [$0.reference, $0.receivedOn, $0.channelName, $0.areaName, $0.subject, $0.stageName, $0.owner, $0.deadline, $0.timeStateName] }
        let gb = req.query[String.self, at: "encoding"] == "gb18030"
        let body = try CSVExport.encode(header: header, rows: lines, gb18030: gb)
        try await req.audit.record([AuditEntry(actor: actor.audit, action: "complaint.exported", entityType: "complaint_list", entityID: actor.area.value,
                                               areaCode: actor.area.value, detail: ["rows": String(rows.count)])], on: req.db)
        let response = Response(status: .ok, body: .init(data: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": gb ? "GB18030" : "utf-8"])
        response.headers.attachment(filename: "complaints.csv")
        return response
    }

    struct NewPage: Encodable {
        var channels: [ComplaintView.Option]
        var subjects: [ComplaintView.Option]
        var areas: [ComplaintView.Option]
        var input: ComplaintInput
        var problems: [Problem]
    }

    static func areaOptions(_ actor: StaffActor, db: any Database) async throws -> [ComplaintView.Option] {
        let prefix = String(actor.area.value.prefix(actor.area.level.codeLength))
        let list = try await Area.query(on: db).filter(\.$id >= prefix).filter(\.$id <= prefix + "~").sort(\.$id).limit(2000).all()
        return list.filter { a in (try? AreaCode(a.id ?? "")).map { actor.area.contains($0) && $0.level >= .county } ?? false }
            .map { ComplaintView.Option(value: $0.id ?? "", label: "\($0.name)（\($0.id ?? "")）") }
    }

    func newForm(req: Request) async throws -> Response {
        try await newPage(req, input: ComplaintInput(channel: "hotline", area: (try await req.require(.handleComplaints)).area.value), problems: [])
    }

    func newPage(_ req: Request, input: ComplaintInput, problems: [Problem]) async throws -> Response {
        let actor = try await req.require(.handleComplaints)
        let res = try await req.render("complaints/new", title: req.l10n("cmp.new"), NewPage(
            channels: ComplaintChannel.allCases.filter { $0 != .online }.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            subjects: ComplaintSubject.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            areas: try await Self.areaOptions(actor, db: req.db), input: input, problems: problems))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func create(req: Request) async throws -> Response {
        let actor = try await req.require(.handleComplaints)
        let input = try req.content.decode(ComplaintInput.self)
        do {
            let c = try await ComplaintWorkflow.record(input, ctx: req.context(actor))
            return req.redirect(to: "/complaints/\(c.id ?? 0)?done=record")
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await newPage(req, input: input, problems: problems)
        }
    }

    struct DetailPage: Encodable { var c: ComplaintView; var done: String?; var problems: [Problem]; var input: ComplaintInput? }

    func page(req: Request) async throws -> Response { try await detail(req, problems: [], input: nil) }

    func detail(_ req: Request, problems: [Problem], input: ComplaintInput?) async throws -> Response {
        let actor = try await req.require(.readComplaints)
        let ctx = req.context(actor)
        let c = try await ComplaintQueries.visible(req.parameters.get("id", as: Int.self), ctx: ctx)
        let res = try await req.render("complaints/complaint", title: req.l10n("cmp.complaint"),
                                       DetailPage(c: try await ComplaintView.load(c, ctx: ctx, full: true), done: req.query[String.self, at: "done"],
                                                  problems: problems, input: input))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func step(req: Request) async throws -> Response {
        let actor = try await req.require(.handleComplaints)
        guard let action = req.parameters.get("action").flatMap(ComplaintAction.init(rawValue:)), ![.record, .submitOnline].contains(action) else {
            throw Abort(.notFound)
        }
        let id = req.parameters.get("id", as: Int.self)
        let input = try req.content.decode(ComplaintInput.self)
        do {
            let c = try await ComplaintWorkflow.perform(action, complaint: id, input: input, ctx: req.context(actor))
            if action == .openReview, let review = c.reviewID { return req.redirect(to: "/reviews/\(review)?done=open") }
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await detail(req, problems: problems, input: input)
        }
        return req.redirect(to: "/complaints/\(id ?? 0)?done=\(action.rawValue)")
    }
}

/// The public side (二.八 "主动向社会公开，统一受理举报投诉"): the online form with no sign-in, the
/// status page by reference, and the published results of media and public complaints.
struct ComplaintPublicPages: RouteCollection {
    static let openGuard = WriteGuard.open("public complaint (二.八): limited per client like objections")

    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("public", "complaints")
        p.get("new", use: form)
        p.write(guard: Self.openGuard, use: submit)
        p.get("results", use: results)
        p.get(":reference", use: status)
        let api = routes.grouped("api", "v1", "public", "complaints")
        api.write(guard: Self.openGuard, use: submitAPI)
        api.get(":reference", use: statusAPI)
    }

    struct FormPage: Encodable {
        var areas: [ComplaintView.Option]
        var subjects: [ComplaintView.Option]
        var input: ComplaintInput
        var problems: [EnrollmentPages.Problem]
        var phone: String
    }

    /// The villages of `?area=` (a county, township or village) to choose from.
    static func villages(under raw: String?, db: any Database) async throws -> [ComplaintView.Option] {
        guard let area = try? AreaCode(raw ?? ""), area.level >= .county else { return [] }
        let prefix = String(area.value.prefix(area.level.codeLength))
        let list = try await Area.query(on: db).filter(\.$id >= prefix).filter(\.$id <= prefix + "~").sort(\.$id).limit(2000).all()
        return list.filter { a in (try? AreaCode(a.id ?? "")).map { area.contains($0) && $0.level >= .county } ?? false }
            .map { ComplaintView.Option(value: $0.id ?? "", label: $0.name) }
    }

    func form(req: Request) async throws -> Response {
        try await formPage(req, input: ComplaintInput(subject: "household", area: req.query[String.self, at: "area"]), problems: [])
    }

    func formPage(_ req: Request, input: ComplaintInput, problems: [EnrollmentPages.Problem]) async throws -> Response {
        let res = try await req.render("public/complaint-form", title: req.l10n("cmp.public_new"), FormPage(
            areas: try await Self.villages(under: input.area, db: req.db),
            subjects: ComplaintSubject.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            input: ComplaintInput(subject: input.subject, subjectText: input.subjectText, area: input.area, text: input.text),
            problems: problems, phone: req.dibao.policy(on: req.dibao.clock.today()).supervisionPhone), publicPage: true, withForm: true)
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func submit(req: Request) async throws -> Response {
        let input = try req.content.decode(ComplaintInput.self)
        do {
            let c = try await ComplaintWorkflow.submitOnline(input, req: req)
            return req.redirect(to: "/public/complaints/\(c.reference)")
        } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await formPage(req, input: input, problems: problems)
        }
    }

    struct Submitted: Content { var reference: String; var stage: String }

    func submitAPI(req: Request) async throws -> Response {
        let c = try await ComplaintWorkflow.submitOnline(try req.content.decode(ComplaintInput.self), req: req)
        return try await Submitted(reference: c.reference, stage: c.stage.rawValue).encodeResponse(status: .created, for: req)
    }

    func lookup(_ req: Request) async throws -> PublicComplaintView {
        // A reference is 72 random bits; the limit stops anyone trying many of them.
        try req.limit("complaint-lookup", key: req.clientKey, max: req.dibao.settings.lookupsPerClientPerHour, per: 3600)
        let reference = String((req.parameters.get("reference") ?? "").prefix(20)).uppercased()
        guard let c = try await Complaint.query(on: req.db).filter(\.$reference == reference).first() else {
            throw Abort(.notFound, reason: req.l10n("error.complaint_not_found"))
        }
        return try await PublicComplaintView.load(c, env: req.dibao, db: req.db, lang: req.lang)
    }

    /// Its state changes as the office works, so it is never kept by a browser or a proxy.
    func status(req: Request) async throws -> Response {
        let res = try await req.render("public/complaint", title: req.l10n("cmp.public_status"), try await lookup(req), publicPage: true)
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    func statusAPI(req: Request) async throws -> PublicComplaintView { try await lookup(req) }

    struct Result: Encodable { var receivedOn: String; var answeredOn: String; var areaName: String; var channelName: String; var result: String }
    struct ResultsPage: Encodable { var area: String; var rows: [Result] }

    /// 二.八 "对于媒体发现、揭露的问题，及时查处并公布处理结果": results of media and public
    /// complaints of a county, with only the handler's public summary (or the outcome) — no names.
    func results(req: Request) async throws -> Response {
        guard let area = try? AreaCode(req.query[String.self, at: "area"] ?? ""), area.level >= .county else {
            return try await req.render("public/complaint-results", title: req.l10n("cmp.results"), ResultsPage(area: "", rows: []), publicPage: true)
        }
        let list = try await Complaint.query(on: req.db).within(area).filter(\.$channel ~~ ComplaintChannel.allCases.filter(\.resultPublished))
            .filter(\.$stage == .answered).sort(\.$id, .descending).limit(200).all()
        let names = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ Array(Set(list.map(\.areaCode)))).all().map { ($0.id ?? "", $0.name) },
                               uniquingKeysWith: { a, _ in a })
        let rows = list.map { c in
            Result(receivedOn: c.receivedOn, answeredOn: c.answeredOn ?? "", areaName: names[c.areaCode] ?? "", channelName: c.channel.name(req.lang),
                   result: !c.publicResult.isEmpty ? c.publicResult
                       : c.answerOutcome.flatMap(ReviewOutcome.init(rawValue:)).map { Strings.text("cmp.review_answer", req.lang) + $0.name(req.lang) } ?? c.stage.name(req.lang))
        }
        return try await req.render("public/complaint-results", title: req.l10n("cmp.results"), ResultsPage(area: area.value, rows: rows), publicPage: true)
    }
}

/// The complaint API (OpenAPI: /api/v1/complaints…).
struct ComplaintAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("complaints")
        c.get(use: list)
        c.write(guard: .permission(.handleComplaints), use: create)
        c.get(":id", use: one)
        c.write(":id", "steps", ":action", guard: .permission(.handleComplaints), use: step)
    }

    struct ListResponse: Content { var items: [ComplaintQueries.Row]; var more: Bool }

    func list(req: Request) async throws -> ListResponse {
        let actor = try await req.require(.readComplaints)
        let (rows, more) = try await ComplaintQueries.queue(ctx: req.context(actor), all: req.query[String.self, at: "all"] == "1",
                                                            search: String((req.query[String.self, at: "q"] ?? "").prefix(50)), page: EnrollmentPages.page(req))
        return ListResponse(items: rows, more: more)
    }

    func create(req: Request) async throws -> Response {
        let actor = try await req.require(.handleComplaints)
        let ctx = req.context(actor)
        let c = try await ComplaintWorkflow.record(try req.content.decode(ComplaintInput.self), ctx: ctx)
        return try await ComplaintView.load(c, ctx: ctx, full: false).encodeResponse(status: .created, for: req)
    }

    func one(req: Request) async throws -> ComplaintView {
        let actor = try await req.require(.readComplaints)
        let ctx = req.context(actor)
        return try await ComplaintView.load(try await ComplaintQueries.visible(req.parameters.get("id", as: Int.self), ctx: ctx), ctx: ctx, full: true)
    }

    func step(req: Request) async throws -> ComplaintView {
        let actor = try await req.require(.handleComplaints)
        guard let action = req.parameters.get("action").flatMap(ComplaintAction.init(rawValue:)), ![.record, .submitOnline].contains(action) else {
            throw Abort(.notFound)
        }
        let ctx = req.context(actor)
        let c = try await ComplaintWorkflow.perform(action, complaint: req.parameters.get("id", as: Int.self), input: try req.content.decode(ComplaintInput.self), ctx: ctx)
        return try await ComplaintView.load(c, ctx: ctx, full: false)
    }
}
