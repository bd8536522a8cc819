import Fluent
import Vapor
import DibaoCore

/// 责任追究 (三.六): one page of the county's fraud cases with their recoveries, the issuers of
/// false certificates and the accountability actions, with the forms of those who record them.
struct AccountabilityPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let a = routes.grouped("accountability")
        a.get(use: index)
        a.get("credit-export.csv", use: creditExport)
        a.write("fraud", guard: .permission(.recordFraud), use: recordFraud)
        a.write("fraud", ":id", "recoveries", guard: .permission(.recordFraud), use: recover)
        a.write("issuers", guard: .permission(.recordFraud), use: recordIssuer)
        a.write("actions", guard: .permission(.recordAccountability), use: recordAction)
    }

    struct Page: Encodable {
        var o: Accountability.Overview
        var canRecordFraud: Bool
        var canRecordAction: Bool
        var kinds: [ComplaintView.Option]
        var issuerKinds: [ComplaintView.Option]
        var areas: [ComplaintView.Option]
        var today: String
        var done: String?
        var problems: [EnrollmentPages.Problem]
    }

    func index(req: Request) async throws -> Response { try await page(req, problems: []) }

    func page(_ req: Request, problems: [EnrollmentPages.Problem]) async throws -> Response {
        let actor = try await req.require(.readAccountability)
        let ctx = req.context(actor)
        let res = try await req.render("accountability/index", title: req.l10n("acc.title"), Page(
            o: try await Accountability.overview(ctx: ctx), canRecordFraud: actor.may(.recordFraud), canRecordAction: actor.may(.recordAccountability),
            kinds: AccountabilityKind.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            issuerKinds: IssuerKind.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            areas: try await ComplaintPages.areaOptions(actor, db: req.db), today: ctx.today.iso,
            done: req.query[String.self, at: "done"], problems: problems))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func attempt(_ req: Request, _ done: String, _ body: () async throws -> Void) async throws -> Response {
        do { try await body() } catch {
            guard let problems = EnrollmentPages.problems(error, lang: req.lang) else { throw error }
            return try await page(req, problems: problems)
        }
        return req.redirect(to: "/accountability?done=\(done)")
    }

    func recordFraud(req: Request) async throws -> Response {
        let actor = try await req.require(.recordFraud)
        let input = try req.content.decode(Accountability.FraudInput.self)
        return try await attempt(req, "fraud") { _ = try await Accountability.recordFraud(input, ctx: req.context(actor)) }
    }

    func recover(req: Request) async throws -> Response {
        let actor = try await req.require(.recordFraud)
        let input = try req.content.decode(Accountability.RecoveryInput.self)
        return try await attempt(req, "recovered") { _ = try await Accountability.recover(req.parameters.get("id", as: Int.self), input, ctx: req.context(actor)) }
    }

    func recordIssuer(req: Request) async throws -> Response {
        let actor = try await req.require(.recordFraud)
        let input = try req.content.decode(Accountability.IssuerInput.self)
        return try await attempt(req, "issuer") { _ = try await Accountability.recordIssuer(input, ctx: req.context(actor)) }
    }

    func recordAction(req: Request) async throws -> Response {
        let actor = try await req.require(.recordAccountability)
        let input = try req.content.decode(Accountability.ActionInput.self)
        return try await attempt(req, "action") { _ = try await Accountability.recordAction(input, ctx: req.context(actor)) }
    }

    /// The credit system's file, described in docs/credit-export.md; audited.
    func creditExport(req: Request) async throws -> Response {
        let actor = try await req.require(.recordFraud)
        let rows = try await Accountability.creditExport(ctx: req.context(actor))
        let header = ["record_id", "issuer_kind", "issuer_name", "identifier", "certificate", "county_code", "recorded_on", "fraud_case_id"]
        let body = try CSVExport.encode(header: header, rows: rows, gb18030: req.query[String.self, at: "encoding"] == "gb18030")
        try await req.audit.record([AuditEntry(actor: actor.audit, action: "issuer.exported", entityType: "false_certificate_issuer", entityID: actor.area.value,
                                               areaCode: actor.area.value, detail: ["rows": String(rows.count)])], on: req.db)
        let response = Response(status: .ok, body: .init(data: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.attachment(filename: "false-certificate-issuers.csv")
        return response
    }
}

/// The accountability API (OpenAPI: /api/v1/accountability…).
struct AccountabilityAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let a = routes.grouped("accountability")
        a.get(use: overview)
        a.write("fraud", guard: .permission(.recordFraud), use: recordFraud)
        a.write("fraud", ":id", "recoveries", guard: .permission(.recordFraud), use: recover)
        a.write("issuers", guard: .permission(.recordFraud), use: recordIssuer)
        a.write("actions", guard: .permission(.recordAccountability), use: recordAction)
    }

    struct Created: Content { var id: Int }

    func overview(req: Request) async throws -> Accountability.Overview {
        let actor = try await req.require(.readAccountability)
        return try await Accountability.overview(ctx: req.context(actor))
    }

    func recordFraud(req: Request) async throws -> Response {
        let actor = try await req.require(.recordFraud)
        let f = try await Accountability.recordFraud(try req.content.decode(Accountability.FraudInput.self), ctx: req.context(actor))
        return try await Created(id: f.id ?? 0).encodeResponse(status: .created, for: req)
    }

    func recover(req: Request) async throws -> Created {
        let actor = try await req.require(.recordFraud)
        let f = try await Accountability.recover(req.parameters.get("id", as: Int.self), try req.content.decode(Accountability.RecoveryInput.self), ctx: req.context(actor))
        return Created(id: f.id ?? 0)
    }

    func recordIssuer(req: Request) async throws -> Response {
        let actor = try await req.require(.recordFraud)
        let i = try await Accountability.recordIssuer(try req.content.decode(Accountability.IssuerInput.self), ctx: req.context(actor))
        return try await Created(id: i.id ?? 0).encodeResponse(status: .created, for: req)
    }

    func recordAction(req: Request) async throws -> Response {
        let actor = try await req.require(.recordAccountability)
        let a = try await Accountability.recordAction(try req.content.decode(Accountability.ActionInput.self), ctx: req.context(actor))
        return try await Created(id: a.id ?? 0).encodeResponse(status: .created, for: req)
    }
}
