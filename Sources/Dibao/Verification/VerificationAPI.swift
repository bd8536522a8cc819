import Fluent
import NIOCore
import Vapor
import DibaoCore

/// `/api/v1/verification`: departments deliver batches with their own bearer tokens;
/// requesters ask for checks; the centre runs them; reports are read as JSON.
struct VerificationAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let v = routes.grouped("verification")
        v.write("batches", body: .stream, guard: .permission(.importDepartmentData), use: deliver)
        v.get("batches", use: batches)
        v.get("batches", ":id", use: batch)
        v.write("requests", guard: .permission(.requestVerification), use: request)
        v.get("requests", use: requests)
        v.get("requests", ":id", use: requestDetail)
        v.write("requests", ":id", "run", guard: .permission(.runVerification), use: run)
        v.get("reports", ":id", use: report)
        routes.get("households", ":id", "verification", use: householdReport)
    }

    /// The file is the request body (text/csv), streamed to disk and then imported, so a
    /// file of millions of rows never sits in memory. `?source=` and `?period=` say what it is.
    func deliver(req: Request) async throws -> Response {
        let actor = try await req.require(.importDepartmentData)
        guard let source = req.query[String.self, at: "source"].flatMap(DepartmentSource.init(rawValue:)) else {
            throw FieldRefusal(field: "source", rule: "import.source", .labelled(Phrase("import.field_source"),
                               Phrase("import.refusal_source_one_of", args: [.list(DepartmentSource.allCases.map { .text($0.rawValue) })])))
        }
        if actor.role == .departmentClerk {
            // A department's token delivers its own sources only.
            guard let allowed = actor.tokenSources, allowed.contains(source) else {
                try await req.recordDenial(actor, target: "source:\(source.rawValue)", entityType: "route", entityID: req.url.path)
                throw Abort(.forbidden, reason: req.l10n("verification.source_forbidden"))
            }
        }
        let path = try await VerificationUpload.spool(req.body, limit: VerificationUpload.maxBytes, on: req)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let name = req.query[String.self, at: "file_name"] ?? "\(source.rawValue).csv"
        do {
            let outcome = try await DepartmentImport.importFile(at: path, source: source, period: req.query[String.self, at: "period"], fileName: name,
                                                                by: Deliverer(actor, channel: "api"), app: req.application)
            let view = DepartmentBatchView.make(outcome.batch, duplicate: outcome.duplicate, problems: outcome.problems, lang: req.lang)
            return try await view.encodeResponse(status: outcome.duplicate ? .ok : .created, for: req)
        } catch let refused as BatchRefused {
            return try await DepartmentBatchView.make(refused.outcome.batch, problems: refused.outcome.problems, lang: req.lang)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func batches(req: Request) async throws -> [DepartmentBatchView] {
        let actor = try await req.require(.importDepartmentData)
        var q = DepartmentBatch.query(on: req.db)
        if actor.role == .departmentClerk { q = q.filter(\.$deliveredBy == actor.username) }
        return try await q.sort(\.$createdAtMs, .descending).limit(200).all().map { DepartmentBatchView.make($0, problems: [], lang: req.lang) }
    }

    func batch(req: Request) async throws -> DepartmentBatchView {
        let actor = try await req.require(.importDepartmentData)
        guard let b = try await DepartmentBatch.find(req.parameters.get("id", as: UUID.self), on: req.db),
              actor.role != .departmentClerk || b.deliveredBy == actor.username else { throw Abort(.notFound) }
        return try await DepartmentBatchView.load(b, lang: req.lang, on: req.db)
    }

    struct RequestInput: Content {
        var households: [UUID]?
        var caseID: UUID?
        /// "enrolled": every enrolled household of the requester's area (the periodic check of 二.六);
        /// "all": every registered household of it.
        var scope: String?
        var note: String?
    }

    func request(req: Request) async throws -> Response {
        let actor = try await req.require(.requestVerification)
        let input = try req.content.decode(RequestInput.self)
        let created = try await VerificationRequests.make(input, by: actor, on: req)
        return try await VerificationRequestView.make(created, for: actor, lang: req.lang, on: req.db).encodeResponse(status: .created, for: req)
    }

    func requests(req: Request) async throws -> [VerificationRequestView] {
        let actor = try await VerificationRequests.reader(req)
        var out: [VerificationRequestView] = []
        for r in try await VerificationRequests.list(for: actor, status: req.query[String.self, at: "status"], on: req.db) {
            out.append(try await VerificationRequestView.make(r, for: actor, lang: req.lang, on: req.db, withReports: false))
        }
        return out
    }

    func requestDetail(req: Request) async throws -> VerificationRequestView {
        let actor = try await VerificationRequests.reader(req)
        let r = try await VerificationRequests.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        return try await VerificationRequestView.make(r, for: actor, lang: req.lang, on: req.db)
    }

    func run(req: Request) async throws -> VerificationRequestView {
        let actor = try await req.require(.runVerification)
        let r = try await VerificationRequests.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        _ = try await VerificationRun.run(r.id!, by: actor.audit, username: actor.username, app: req.application)
        let done = try await VerificationRequest.find(r.id!, on: req.db)!
        return try await VerificationRequestView.make(done, for: actor, lang: req.lang, on: req.db)
    }

    func report(req: Request) async throws -> VerificationReportView {
        let actor = try await VerificationRequests.reader(req)
        let (record, number) = try await VerificationRequests.visibleReport(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        return try await VerificationReportView.make(record, requestNumber: number, for: actor, lang: req.lang, on: req.db)
    }

    func householdReport(req: Request) async throws -> VerificationReportView {
        let actor = try await req.require(.readVerification)
        let household = try await Household.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        guard let record = try await VerificationReportRecord.query(on: req.db).filter(\.$householdID == household.id!).sort(\.$checkedOn, .descending).first() else {
            throw Abort(.notFound, reason: req.l10n("verification.no_report"))
        }
        let (_, number) = try await VerificationRequests.visibleReport(record.id, to: actor, on: req)
        return try await VerificationReportView.make(record, requestNumber: number, for: actor, lang: req.lang, on: req.db)
    }
}

extension VerificationRequests {
    /// Anyone who reads verification: the centre, the requesters, the reviewers, supervisors.
    static func reader(_ req: Request) async throws -> StaffActor {
        guard let actor = req.actor else { throw Abort(.unauthorized) }
        if actor.may(.readVerification) || actor.may(.requestVerification) { return actor }
        return try await req.require(.readVerification)
    }

    static func make(_ input: VerificationAPI.RequestInput, by actor: StaffActor, on req: Request) async throws -> VerificationRequest {
        var households = input.households ?? []
        var purpose = "batch"
        if let caseID = input.caseID {
            let c = try await CaseWorkflow.visible(caseID, to: actor, on: req)
            households = [c.householdID]
            purpose = "application"
        } else if households.count == 1 {
            purpose = "review"
        }
        let scope = input.scope.flatMap(RequestScope.init(rawValue:))
        if input.scope != nil && scope == nil {
            throw FieldRefusal(field: "scope", rule: "verification.scope", .labelled(Phrase("verification.field_scope"), Phrase("verification.refusal_scope")))
        }
        // Every enrolled household of the area is the periodic check (定期核对, 二.六): its
        // flagged households are reviewed.
        if scope == .enrolled { purpose = PeriodicVerification.purpose }
        return try await create(households: households, scope: scope, caseID: input.caseID, purpose: purpose,
                                note: input.note ?? "", by: Requester(actor), app: req.application)
    }

    /// A report is readable by the centre that produced it and by readers whose area
    /// holds the household.
    static func visibleReport(_ id: UUID?, to actor: StaffActor, on req: Request) async throws -> (VerificationReportRecord, String) {
        guard let id, let record = try await VerificationReportRecord.find(id, on: req.db),
              let request = try await VerificationRequest.find(record.requestID, on: req.db) else {
            throw Abort(.notFound, reason: req.l10n("verification.no_report"))
        }
        let inArea = [record.regionCode, record.leagueCode, record.countyCode, record.townshipCode, record.villageCode].contains(actor.area.value)
        let allowed = actor.role == .verificationOfficer ? request.centreCode == actor.area.value : (inArea && actor.may(.readVerification))
        guard allowed else {
            try await req.recordDenial(actor, target: "verification_report", entityType: "verification_report", entityID: id.uuidString)
            throw Abort(.notFound, reason: req.l10n("verification.no_report"))
        }
        try await req.audit.record([AuditEntry(actor: actor.audit, action: "verification.report_viewed", entityType: "household",
                                               entityID: record.householdID.uuidString, areaCode: record.villageCode,
                                               detail: ["report": id.uuidString, "request": request.number])], on: req.db)
        return (record, request.number)
    }
}

/// Uploads written to a temporary file as they arrive.
enum VerificationUpload {
    /// 2 GB: a province-wide file of tens of millions of rows.
    static let maxBytes = 2 << 30

    static func spool(_ body: Request.Body, limit: Int, on req: Request) async throws -> String {
        let dir = req.dibao.settings.storageDirectory + "/uploads"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + UUID().uuidString + ".csv"
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw Abort(.internalServerError) }
        var written = 0
        do {
            for try await var chunk in body {
                written += chunk.readableBytes
                guard written <= limit else { throw Abort(.payloadTooLarge) }
                if let bytes = chunk.readBytes(length: chunk.readableBytes) { try handle.write(contentsOf: bytes) }
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return path
    }
}
