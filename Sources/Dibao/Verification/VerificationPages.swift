import Fluent
import Vapor
import DibaoCore

/// Pages of the verification platform: the centre's work list and batch upload, a
/// request with its households, one household's printable report.
struct VerificationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v = routes.grouped("verification")
        v.get(use: index)
        v.write("batches", body: .collect(maxSize: "26mb"), guard: .permission(.importDepartmentData), use: upload)
        v.get("batches", ":id", use: batch)
        v.write("requests", guard: .permission(.requestVerification), use: request)
        v.get("requests", ":id", use: requestPage)
        v.write("requests", ":id", "run", guard: .permission(.runVerification), use: run)
        v.get("reports", ":id", use: report)
    }

    struct IndexPage: Encodable {
        struct Source: Encodable { var key: String; var name: String; var department: String }
        var centreName: String?
        var pending: [VerificationRequestView]
        var done: [VerificationRequestView]
        var batches: [DepartmentBatchView]
        var sources: [Source]
        var canUpload: Bool
        var canRequestEnrolled: Bool
        var period: String
    }

    func index(req: Request) async throws -> Response {
        let actor = try await VerificationRequests.reader(req)
        let all = try await VerificationRequests.list(for: actor, status: nil, on: req.db, limit: 100)
        var pending: [VerificationRequestView] = [], done: [VerificationRequestView] = []
        for r in all {
            let view = try await VerificationRequestView.make(r, for: actor, lang: req.lang, on: req.db, withReports: false)
            if r.status == "pending" { pending.append(view) } else { done.append(view) }
        }
        let canUpload = actor.may(.importDepartmentData) && actor.role != .departmentClerk
        let batches = canUpload ? try await DepartmentBatch.query(on: req.db).sort(\.$createdAtMs, .descending).limit(30).all()
            .map { DepartmentBatchView.make($0, problems: [], lang: req.lang) } : []
        return try await req.render("verification/index", title: req.l10n("verification.title"), IndexPage(
            centreName: actor.role == .verificationOfficer ? try await VerificationCentre.name(actor.area.value, on: req.db) : nil,
            pending: pending, done: done, batches: batches,
            sources: DepartmentSource.allCases.map { .init(key: $0.rawValue, name: $0.name(req.lang), department: $0.department) },
            canUpload: canUpload, canRequestEnrolled: actor.may(.requestVerification) && actor.area.level == .county,
            period: String(req.dibao.clock.today().iso.prefix(7))))
    }

    struct UploadForm: Content {
        var source: String?
        var period: String?
        var file: File?
    }

    /// A spreadsheet export uploaded from the browser (up to 26 MB); larger deliveries
    /// come through the API or the command, which stream.
    func upload(req: Request) async throws -> Response {
        let actor = try await req.require(.importDepartmentData)
        guard actor.role != .departmentClerk else { throw Abort(.forbidden, reason: req.l10n("verification.source_forbidden")) }
        let form = try req.content.decode(UploadForm.self)
        guard let source = form.source.flatMap(DepartmentSource.init(rawValue:)) else {
            throw FieldRefusal(field: "source", rule: "import.source", .labelled(Phrase("import.field_source"), Phrase("import.refusal_choose_source")))
        }
        guard let file = form.file, file.data.readableBytes > 0 else {
            throw FieldRefusal(field: "file", rule: "import.empty", .labelled(Phrase("import.field_file"), Phrase("import.refusal_choose_file")))
        }
        let dir = req.dibao.settings.storageDirectory + "/uploads"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + UUID().uuidString + ".csv"
        try Data(file.data.readableBytesView).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let view: DepartmentBatchView
        do {
            let outcome = try await DepartmentImport.importFile(at: path, source: source, period: form.period, fileName: file.filename,
                                                                by: Deliverer(actor, channel: "page"), app: req.application)
            view = outcome.duplicate ? DepartmentBatchView.make(outcome.batch, duplicate: true, problems: [], lang: req.lang)
                : try await DepartmentBatchView.load(outcome.batch, lang: req.lang, on: req.db)
        } catch let refused as BatchRefused {
            let r = try await req.render("verification/batch", title: req.l10n("verification.batch"), try await DepartmentBatchView.load(refused.outcome.batch, lang: req.lang, on: req.db))
            r.status = .unprocessableEntity
            return r
        }
        return try await req.render("verification/batch", title: req.l10n("verification.batch"), view)
    }

    func batch(req: Request) async throws -> Response {
        let actor = try await req.require(.importDepartmentData)
        guard let b = try await DepartmentBatch.find(req.parameters.get("id", as: UUID.self), on: req.db),
              actor.role != .departmentClerk || b.deliveredBy == actor.username else { throw Abort(.notFound) }
        return try await req.render("verification/batch", title: req.l10n("verification.batch"), try await DepartmentBatchView.load(b, lang: req.lang, on: req.db))
    }

    struct RequestForm: Content {
        var caseID: UUID?
        var householdID: UUID?
        var scope: String?
        var note: String?
    }

    func request(req: Request) async throws -> Response {
        let actor = try await req.require(.requestVerification)
        let form = try req.content.decode(RequestForm.self)
        let input = VerificationAPI.RequestInput(households: form.householdID.map { [$0] }, caseID: form.caseID, scope: form.scope, note: form.note)
        do {
            let created = try await VerificationRequests.make(input, by: actor, on: req)
            if let caseID = form.caseID { return req.redirect(to: "/cases/\(caseID.uuidString)?done=verification_requested#verification") }
            return req.redirect(to: "/verification/requests/\(created.id!.uuidString)")
        } catch let refusal as FieldRefusal {
            if let caseID = form.caseID {
                return try await CasePages().detailPage(req, id: caseID, actor: actor, problems: [refusal])
            }
            throw refusal
        }
    }

    func requestPage(req: Request) async throws -> Response {
        let actor = try await VerificationRequests.reader(req)
        let r = try await VerificationRequests.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let view = try await VerificationRequestView.make(r, for: actor, lang: req.lang, on: req.db)
        return try await req.render("verification/request", title: "\(req.l10n("verification.request")) \(r.number)", view)
    }

    func run(req: Request) async throws -> Response {
        let actor = try await req.require(.runVerification)
        let r = try await VerificationRequests.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        _ = try await VerificationRun.run(r.id!, by: actor.audit, username: actor.username, app: req.application)
        return req.redirect(to: "/verification/requests/\(r.id!.uuidString)")
    }

    func report(req: Request) async throws -> Response {
        let actor = try await VerificationRequests.reader(req)
        let (record, number) = try await VerificationRequests.visibleReport(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let view = try await VerificationReportView.make(record, requestNumber: number, for: actor, lang: req.lang, on: req.db)
        return try await req.render("verification/report", title: req.l10n("verification.report"), view)
    }
}
