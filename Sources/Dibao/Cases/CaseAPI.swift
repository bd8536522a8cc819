import Fluent
import Vapor
import DibaoCore

/// `/api/v1` for cases: the same steps, rules, scoping and masking as the pages.
struct CaseAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", use: list)
        routes.get("cases", "overdue", use: overdue)
        routes.write("households", ":id", "cases", guard: .permission(.writeHouseholds), use: file)
        routes.get("cases", ":id", use: detail)
        routes.write("cases", ":id", "evidence", body: .collect(maxSize: "6mb"), guard: .permission(.writeHouseholds), use: addEvidence)
        routes.write("cases", ":id", "steps", ":action", guard: .permission(.workCases), use: step)
        routes.get("cases", ":id", "history", use: history)
        routes.write("cases", ":id", "objections", guard: .permission(.handleObjections), use: recordObjection)
        routes.write("cases", ":id", "objections", ":objection", "answer", guard: .permission(.handleObjections), use: answer)
        routes.write("cases", ":id", "objections", ":objection", "dismiss", guard: .permission(.handleObjections), use: dismiss)
        routes.write("spot-checks", guard: .permission(.workCases), use: draw)
        routes.get("spot-checks", ":id", use: drawRecord)
    }

    /// The same rows for every account of one area and role, cached until the next change.
    func list(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let key = "queue.json|\(req.dibao.clock.today().iso)|\(actor.area.value)|\(actor.role.rawValue)|\(req.lang)|\(req.query[String.self, at: "stage"] ?? "")"
        return try await req.responseCache.response(area: actor.area, key, for: req) { try await rows(req, actor: actor).encodeResponse(for: req) }
    }

    private func rows(_ req: Request, actor: StaffActor) async throws -> [CaseRow] {
        if let stage = req.query[String.self, at: "stage"].flatMap(CaseStage.init(rawValue:)) {
            let cases = try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage == stage).sort(\.$receipt).limit(500).all()
            return try await CaseRow.rows(cases, for: actor, on: req)
        }
        return try await CaseRow.rows(try await CaseQueues.queue(for: actor, on: req), for: actor, on: req)
    }

    func overdue(req: Request) async throws -> [CaseRow] {
        let actor = try await req.require(.readHouseholds)
        return try await CaseRow.rows(try await CaseQueues.overdue(for: actor, on: req), for: actor, on: req)
    }

    func file(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let c = try await Intake.file(for: req.parameters.get("id", as: UUID.self), try req.content.decode(Intake.Input.self), evidence: [], by: actor, on: req)
        return try await CaseView.load(c, for: actor, on: req).encodeResponse(status: .created, for: req)
    }

    func detail(req: Request) async throws -> CaseView {
        let actor = try await req.require(.readHouseholds)
        return try await CaseView.load(try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req), for: actor, on: req)
    }

    struct EvidenceForm: Content { var kind: String; var file: File }

    /// More evidence for a case still at the township (submitted or under investigation).
    func addEvidence(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        guard [.submitted, .underInvestigation].contains(c.stage) else {
            throw FieldRefusal(field: "evidence", rule: "evidence.stage", Phrase("case.refusal_evidence_stage"))
        }
        let form = try req.content.decode(EvidenceForm.self)
        let upload = EvidenceUpload(kind: form.kind, filename: form.file.filename, data: Data(form.file.data.readableBytesView))
        let problems = upload.problems(max: req.dibao.settings.maxEvidenceBytes)
        guard problems.isEmpty else { throw FormRefused(problems: problems) }
        let record = try upload.store(in: req.dibao.settings.storageDirectory, by: actor.username)
        record.caseID = c.id!
        do {
            try await req.audit.write(on: req.db) { tx in
                try await record.create(on: tx)
                return ((), [AuditEntry(actor: actor.audit, action: "evidence.added", entityType: "case", entityID: c.id!.uuidString, areaCode: c.villageCode,
                                        detail: ["file": record.id!.uuidString, "kind": record.kind, "sha256": record.sha256])])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: req.dibao.settings.storageDirectory + "/" + record.storedName)
            throw error
        }
        return try await CaseView.load(c, for: actor, on: req).encodeResponse(status: .created, for: req)
    }

    func step(req: Request) async throws -> CaseView {
        let actor = try await req.require(.workCases)
        guard let action = req.parameters.get("action").flatMap(CaseAction.init(rawValue:)) else { throw Abort(.notFound) }
        let c = try await CaseSteps.run(action, caseID: req.parameters.get("id", as: UUID.self), input: try req.content.decode(StepInput.self), by: actor, on: req)
        return try await CaseView.load(c, for: actor, on: req)
    }

    func history(req: Request) async throws -> [HistoryRow] {
        let actor = try await req.require(.readHouseholds)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        return try await HistoryRow.of(entityType: "case", id: c.id!.uuidString, lang: req.lang, on: req.db)
    }

    struct ObjectionBody: Content { var name: String?; var text: String }

    func recordObjection(req: Request) async throws -> Response {
        let actor = try await req.require(.handleObjections)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let body = try req.content.decode(ObjectionBody.self)
        return try await Objections.raise(.init(receipt: c.receipt, name: body.name, text: body.text), recordedBy: actor, on: req).encodeResponse(status: .created, for: req)
    }

    struct AnswerResponse: Content { var status: String; var answeredOn: String? }

    func answer(req: Request) async throws -> AnswerResponse {
        let actor = try await req.require(.handleObjections)
        let o = try await Objections.answer(caseID: req.parameters.get("id", as: UUID.self), objectionID: req.parameters.get("objection", as: UUID.self),
                                            try req.content.decode(Objections.AnswerInput.self), by: actor, on: req)
        return AnswerResponse(status: o.status, answeredOn: o.answeredOn)
    }

    func dismiss(req: Request) async throws -> AnswerResponse {
        let actor = try await req.require(.handleObjections)
        let o = try await Objections.dismiss(caseID: req.parameters.get("id", as: UUID.self), objectionID: req.parameters.get("objection", as: UUID.self),
                                             try req.content.decode(Objections.DismissInput.self), by: actor, on: req)
        return AnswerResponse(status: o.status, answeredOn: o.answeredOn)
    }

    struct DrawBody: Content { var seed: String? }

    func draw(req: Request) async throws -> Response {
        let actor = try await req.require(.workCases)
        try await req.requireCaseRole(for: .drawSpotCheck, actor)
        let seed = (try? req.content.decode(DrawBody.self))?.seed.flatMap(UInt64.init)
        return try await CountyApproval.draw(by: actor, seed: seed, on: req).encodeResponse(status: .created, for: req)
    }

    struct DrawView: Content { var id: UUID; var countyCode: String; var drawnOn: String; var seed: String; var share: Int; var batch: [String]; var picked: [String]; var redrawMatches: Bool }

    func drawRecord(req: Request) async throws -> DrawView {
        let actor = try await req.require(.readHouseholds)
        guard let id = req.parameters.get("id", as: UUID.self), let d = try await SpotCheckDrawRecord.find(id, on: req.db), actor.area.contains(try AreaCode(d.countyCode)) else {
            throw Abort(.notFound)
        }
        let decode = { (s: String) in (try? JSONDecoder().decode([String].self, from: Data(s.utf8))) ?? [] }
        return DrawView(id: id, countyCode: d.countyCode, drawnOn: d.drawnOn, seed: d.seed, share: d.share, batch: decode(d.batch), picked: decode(d.picked),
                        redrawMatches: try CountyApproval.redraw(d).same)
    }
}
