import Fluent
import Vapor
import DibaoCore

/// Case pages: work queue, application form, case page with the steps the actor may take,
/// the county's approval batch and spot-check draws, overdue cases, evidence files.
struct CasePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", use: queue)
        routes.get("cases", "overdue", use: overdue)
        routes.get("households", ":id", "apply", use: applyForm)
        routes.write("households", ":id", "apply", body: .collect(maxSize: "26mb"), guard: .permission(.writeHouseholds), use: apply)
        routes.get("cases", ":id", use: detail)
        routes.write("cases", ":id", "steps", ":action", guard: .permission(.workCases), use: step)
        routes.get("cases", ":id", "evidence", ":file", use: evidence)
        routes.write("cases", ":id", "objections", guard: .permission(.handleObjections), use: recordObjection)
        routes.write("cases", ":id", "objections", ":objection", "answer", guard: .permission(.handleObjections), use: answerObjection)
        routes.write("cases", ":id", "objections", ":objection", "dismiss", guard: .permission(.handleObjections), use: dismissObjection)
        routes.get("approval", use: batch)
        routes.write("approval", "draw", guard: .permission(.workCases), use: draw)
        routes.get("approval", "draws", ":id", use: drawRecord)
    }

    struct QueuePage: Encodable { var rows: [CaseRow]; var stages: [HouseholdFormPage.Option]; var stage: String; var overdue: Int }

    /// A queue is read far more often than it changes; it is cached per session (the page
    /// carries the session's form token) until the next change anywhere.
    func queue(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let key = "queue|\(req.dibao.clock.today().iso)|\(req.session.id?.string ?? actor.userID.uuidString)|\(req.lang)|\(req.query[String.self, at: "stage"] ?? "")"
        return try await req.responseCache.response(area: actor.area, key, for: req) { try await renderQueue(req, actor: actor) }
    }

    private func renderQueue(_ req: Request, actor: StaffActor) async throws -> Response {
        let stage = req.query[String.self, at: "stage"].flatMap(CaseStage.init(rawValue:))
        let cases: [ApplicationCase]
        if let stage {
            cases = try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage == stage).sort(\.$deadline).sort(\.$receipt).limit(500).all()
        } else {
            cases = try await CaseQueues.queue(for: actor, on: req)
        }
        let overdue = try await CaseQueues.overdue(for: actor, on: req).count
        return try await req.render("cases/queue", title: req.l10n("cases.queue"), QueuePage(
            rows: try await CaseRow.rows(cases, for: actor, on: req),
            stages: CaseStage.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang), selected: $0 == stage) },
            stage: stage?.rawValue ?? "", overdue: overdue))
    }

    struct OverduePage: Encodable {
        struct Township: Encodable { var name: String; var count: Int }
        var townships: [Township]
        var rows: [CaseRow]
    }

    func overdue(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let cases = try await CaseQueues.overdue(for: actor, on: req)
        let counts = Dictionary(grouping: cases, by: \.townshipCode).mapValues(\.count)
        let names = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ Array(counts.keys)).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        return try await req.render("cases/overdue", title: req.l10n("cases.overdue"), OverduePage(
            townships: counts.sorted { $0.key < $1.key }.map { .init(name: names[$0.key] ?? $0.key, count: $0.value) },
            rows: try await CaseRow.rows(cases, for: actor, on: req)))
    }

    struct ApplyPage: Encodable {
        struct Declaration: Encodable { var kind: String; var title: String }
        var household: HouseholdView
        var declarations: [Declaration]
        var evidenceKinds: [HouseholdFormPage.Option]
        var villageAssistant: Bool
        var blacklisted: [String]
        var problems: [HouseholdFormPage.Problem]
        /// The township's windows in use (二.四); empty until county civil affairs registers one.
        var windows: [HouseholdFormPage.Option]
        /// 单人保: the members the version in force lets apply alone; empty when it allows none.
        var singleChoices: [HouseholdFormPage.Option]
    }

    func applyPage(_ req: Request, actor: StaffActor, problems: [FieldRefusal] = []) async throws -> Response {
        let household = try await Household.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let view = try await HouseholdView.load(household, for: actor, lang: req.lang, on: req.db)
        let members = try await Member.query(on: req.db).filter(\.$household.$id == household.id!).all()
        let hits = try await BlacklistEntry.query(on: req.db).filter(\.$idNumber ~~ members.map(\.idNumber)).filter(\.$active == true).all()
        let page = ApplyPage(
            household: view,
            declarations: DeclarationKind.allCases.map { .init(kind: $0.rawValue, title: $0.name(req.lang)) },
            evidenceKinds: EvidenceUpload.kinds.map { .init(value: $0, label: req.l10n("evidence.\($0)"), selected: false) },
            villageAssistant: actor.role == .villageAssistant,
            blacklisted: hits.map { "\(Masking.name($0.name))：\($0.reason)（\($0.addedOn)）" },
            problems: problems.map { .init(field: $0.field, message: $0.message(req.lang)) },
            windows: try await ServiceNetwork.windows(of: household.townshipCode, on: req.db).enumerated().map { i, w in
                .init(value: w.id!.uuidString, label: "\(w.name)（\(w.hours)）", selected: i == 0)
            },
            singleChoices: members.filter { SinglePersonIntake.category(of: $0, today: req.dibao.clock.today(), policy: req.dibao.policy(on: req.dibao.clock.today())) != nil }
                .map { .init(value: $0.id!.uuidString, label: "\($0.relation.name(req.lang)) \(Masking.name($0.name))", selected: false) })
        let response = try await req.render("cases/apply", title: req.l10n("cases.apply"), page)
        if !problems.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    func applyForm(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        return try await applyPage(req, actor: actor)
    }

    struct ApplyForm: Content {
        var channel: String?
        var windowName: String?
        var window: String?
        var singlePerson: String?
        var signers: [String: String]?
        var evidenceKind: String?
        var evidence: [File]?
    }

    func apply(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let form = try req.content.decode(ApplyForm.self)
        let uploads = (form.evidence ?? []).filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }.map {
            EvidenceUpload(kind: form.evidenceKind ?? "other", filename: $0.filename, data: Data($0.data.readableBytesView))
        }
        do {
            let c = try await Intake.file(for: req.parameters.get("id", as: UUID.self),
                                          .init(channel: form.channel, windowName: form.windowName, window: form.window, singlePerson: form.singlePerson, signers: form.signers), evidence: uploads, by: actor, on: req)
            return req.redirect(to: "/cases/\(c.id!.uuidString)?done=submitted")
        } catch let refused as FormRefused {
            return try await applyPage(req, actor: actor, problems: refused.problems)
        }
    }

    struct DetailPage: Encodable {
        var c: CaseView
        var history: [HistoryRow]
        var done: String?
        var problems: [HouseholdFormPage.Problem]
        var canRecordObjection: Bool
        /// What was typed into the step forms: the stored values, or — after a refusal —
        /// what the person sent, so a refused step is corrected, not typed again (issue 16).
        var typed: TypedStep
    }

    /// The step forms' values that are not the case's own fields.
    struct TypedStep: Encodable {
        var applicantSigned = false
        var blacklist = false
        var blacklistReason = ""
        var panelSize = ""
        var votesFor = ""
        var votesAgainst = "0"
        var votesAbstain = "0"
        var evaluationSigned = false
        var opinion = ""
        var amount: String?
        var amountReason = ""
        var findings = ""
        var firstMonth: String?
        var reason = ""

        init(defaultOpinion: String) { opinion = defaultOpinion }

        /// The form as it was sent, over the page's own values.
        init(_ input: StepInput, over c: inout CaseView, defaultOpinion: String) {
            opinion = defaultOpinion
            if let v = input.investigators { c.investigators = v }
            if let v = input.notes { c.investigationNotes = v }
            if let v = input.visitedOn ?? input.heldOn { c.today = v }
            for i in c.incomeFields.indices { if let v = input.incomes?[c.incomeFields[i].key] { c.incomeFields[i].value = v } }
            for i in c.declarations.indices {
                let kind = c.declarations[i].kind
                if let v = input.truth?[kind] { c.declarations[i].heldTrue = v != "false" }
                if let v = input.truthNote?[kind] { c.declarations[i].note = v }
            }
            applicantSigned = input.applicantSigned != nil
            blacklist = input.blacklist != nil
            blacklistReason = input.blacklistReason ?? ""
            panelSize = input.panelSize.map(String.init) ?? ""
            votesFor = input.votesFor.map(String.init) ?? ""
            votesAgainst = input.votesAgainst.map(String.init) ?? "0"
            votesAbstain = input.votesAbstain.map(String.init) ?? "0"
            evaluationSigned = input.evaluationSigned != nil
            if let v = input.opinion { opinion = v }
            amount = input.amount
            if let v = input.amount { c.proposedAmount = v }
            if let v = input.firstMonth { c.thisMonth = v }
            amountReason = input.reason ?? ""
            findings = input.findings ?? ""
            firstMonth = input.firstMonth
            reason = input.reason ?? ""
        }
    }

    func detailPage(_ req: Request, id: UUID?, actor: StaffActor, problems: [FieldRefusal] = [], done: String? = nil, typed input: StepInput? = nil) async throws -> Response {
        let c = try await CaseWorkflow.visible(id, to: actor, on: req)
        var view = try await CaseView.load(c, for: actor, on: req)
        let opinion = req.l10n("cases.opinion_default")
        let typed = input.map { TypedStep($0, over: &view, defaultOpinion: opinion) } ?? TypedStep(defaultOpinion: opinion)
        let history = try await HistoryRow.of(entityType: "case", id: c.id!.uuidString, lang: req.lang, on: req.db)
        let response = try await req.render("cases/detail", title: "\(req.l10n("cases.case")) \(c.receipt)", DetailPage(
            c: view, history: history, done: done.flatMap(CaseAction.init(rawValue:))?.name(req.lang) ?? (done == "submitted" ? req.l10n("cases.submitted") : done == "verification_requested" ? req.l10n("verification.requested") : done),
            problems: problems.map { .init(field: $0.field, message: $0.message(req.lang)) },
            canRecordObjection: actor.may(.handleObjections), typed: typed))
        if !problems.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    func detail(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        return try await detailPage(req, id: req.parameters.get("id", as: UUID.self), actor: actor, done: req.query[String.self, at: "done"])
    }

    func step(req: Request) async throws -> Response {
        let actor = try await req.require(.workCases)
        let id = req.parameters.get("id", as: UUID.self)
        guard let action = req.parameters.get("action").flatMap(CaseAction.init(rawValue:)) else { throw Abort(.notFound) }
        let input = try req.content.decode(StepInput.self)
        do {
            _ = try await CaseSteps.run(action, caseID: id, input: input, by: actor, on: req)
            return req.redirect(to: "/cases/\(id?.uuidString ?? "")?done=\(action.rawValue)")
        } catch let refused as FormRefused {
            return try await detailPage(req, id: id, actor: actor, problems: refused.problems, typed: input)
        } catch let refusal as any Refusal {
            return try await detailPage(req, id: id, actor: actor, problems: [FieldRefusal(field: refusal.field, rule: refusal.rule, zh: refusal.zh, en: refusal.en)], typed: input)
        }
    }

    /// Evidence is sensitive: only roles that see full records get the file, and only for
    /// a case in their area. Sent as an attachment with its checked type, never sniffed.
    func evidence(req: Request) async throws -> Response {
        let actor = try await req.require(.viewSensitive)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        guard let fid = req.parameters.get("file", as: UUID.self),
              let file = try await EvidenceFile.query(on: req.db).filter(\.$id == fid).filter(\.$caseID == c.id!).first() else { throw Abort(.notFound) }
        let path = req.dibao.settings.storageDirectory + "/" + file.storedName
        guard let data = FileManager.default.contents(atPath: path) else { throw Abort(.notFound) }
        try await req.audit.record([AuditEntry(actor: actor.audit, action: "evidence.viewed", entityType: "case", entityID: c.id!.uuidString, areaCode: c.villageCode, detail: ["file": fid.uuidString])], on: req.db)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.replaceOrAdd(name: .contentType, value: file.contentType)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.attachment(filename: file.filename)
        return response
    }

    func recordObjection(req: Request) async throws -> Response {
        let actor = try await req.require(.handleObjections)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        struct Form: Content { var name: String?; var text: String }
        let form = try req.content.decode(Form.self)
        do {
            _ = try await Objections.raise(.init(receipt: c.receipt, name: form.name, text: form.text), recordedBy: actor, on: req)
            return req.redirect(to: "/cases/\(c.id!.uuidString)?done=objection")
        } catch let refusal as any Refusal {
            return try await detailPage(req, id: c.id, actor: actor, problems: [FieldRefusal(field: refusal.field, rule: refusal.rule, zh: refusal.zh, en: refusal.en)])
        }
    }

    func answerObjection(req: Request) async throws -> Response {
        try await objectionStep(req, done: "answered") { caseID, objectionID, actor in
            _ = try await Objections.answer(caseID: caseID, objectionID: objectionID, try req.content.decode(Objections.AnswerInput.self), by: actor, on: req)
        }
    }

    func dismissObjection(req: Request) async throws -> Response {
        try await objectionStep(req, done: "dismissed") { caseID, objectionID, actor in
            _ = try await Objections.dismiss(caseID: caseID, objectionID: objectionID, try req.content.decode(Objections.DismissInput.self), by: actor, on: req)
        }
    }

    /// Answers or dismisses one objection of a case; a refusal is shown on the case page.
    private func objectionStep(_ req: Request, done: String, _ body: (UUID?, UUID?, StaffActor) async throws -> Void) async throws -> Response {
        let actor = try await req.require(.handleObjections)
        let id = req.parameters.get("id", as: UUID.self)
        do {
            try await body(id, req.parameters.get("objection", as: UUID.self), actor)
            return req.redirect(to: "/cases/\(id?.uuidString ?? "")?done=\(done)")
        } catch let refusal as any Refusal {
            return try await detailPage(req, id: id, actor: actor, problems: [FieldRefusal(field: refusal.field, rule: refusal.rule, zh: refusal.zh, en: refusal.en)])
        }
    }

    struct BatchPage: Encodable {
        struct Draw: Encodable { var id: UUID; var drawnOn: String; var drawnBy: String; var seed: String; var population: Int; var picked: Int }
        var awaiting: [CaseRow]
        var spotCheck: [CaseRow]
        var undrawn: Int
        var sampleSize: Int
        var share: Int
        var draws: [Draw]
        var canDraw: Bool
        var error: String?
    }

    func batchPage(_ req: Request, actor: StaffActor, error: String? = nil) async throws -> Response {
        let awaiting = try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage == .awaitingApproval).sort(\.$deadline).limit(1_000).all()
        let spot = try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage == .spotCheck).sort(\.$deadline).limit(1_000).all()
        let undrawnCases = awaiting.filter { $0.spotCheckBatchID == nil }
        let undrawn = undrawnCases.count
        let share = CountyApproval.share(of: undrawnCases, ctx: req.context(actor))
        let draws = try await SpotCheckDrawRecord.query(on: req.db).filter(\.$countyCode == actor.area.value).sort(\.$drawnOn, .descending).limit(20).all()
        let response = try await req.render("cases/approval", title: req.l10n("cases.approval"), BatchPage(
            awaiting: try await CaseRow.rows(awaiting, for: actor, on: req), spotCheck: try await CaseRow.rows(spot, for: actor, on: req),
            undrawn: undrawn, sampleSize: Sampling.sampleSize(population: undrawn, minPercent: share), share: share,
            draws: draws.map { d in
                BatchPage.Draw(id: d.id!, drawnOn: d.drawnOn, drawnBy: d.drawnBy, seed: d.seed, population: d.population,
                               picked: (try? JSONDecoder().decode([String].self, from: Data(d.picked.utf8)).count) ?? 0)
            },
            canDraw: CaseMachine.roles(for: .drawSpotCheck).contains(actor.role) && actor.area.level == .county && undrawn > 0, error: error))
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    func batch(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        return try await batchPage(req, actor: actor)
    }

    func draw(req: Request) async throws -> Response {
        let actor = try await req.require(.workCases)
        try await req.requireCaseRole(for: .drawSpotCheck, actor)
        do {
            let outcome = try await CountyApproval.draw(by: actor, on: req)
            return req.redirect(to: "/approval/draws/\(outcome.drawID.uuidString)")
        } catch let refusal as any Refusal {
            return try await batchPage(req, actor: actor, error: refusal.message(req.lang))
        }
    }

    struct DrawPage: Encodable { var id: UUID; var county: String; var drawnOn: String; var drawnBy: String; var seed: String; var share: Int; var batch: [String]; var picked: [String]; var redrawMatches: Bool }

    func drawRecord(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        guard let id = req.parameters.get("id", as: UUID.self), let d = try await SpotCheckDrawRecord.find(id, on: req.db) else { throw Abort(.notFound) }
        guard actor.area.contains(try AreaCode(d.countyCode)) else {
            try await req.recordDenial(actor, target: "jurisdiction", entityType: "spot_check_draw", entityID: id.uuidString)
            throw Abort(.notFound)
        }
        let batchIDs = try JSONDecoder().decode([String].self, from: Data(d.batch.utf8)).compactMap(UUID.init(uuidString:))
        let pickedIDs = Set(try JSONDecoder().decode([String].self, from: Data(d.picked.utf8)))
        let cases = Dictionary(try await ApplicationCase.query(on: req.db).filter(\.$id ~~ batchIDs).all().map { ($0.id!, $0.receipt) }, uniquingKeysWith: { a, _ in a })
        let redraw = try CountyApproval.redraw(d)
        return try await req.render("cases/draw", title: req.l10n("cases.draw"), DrawPage(
            id: id, county: d.countyCode, drawnOn: d.drawnOn, drawnBy: d.drawnBy, seed: d.seed, share: d.share,
            batch: batchIDs.map { cases[$0] ?? $0.uuidString }, picked: batchIDs.filter { pickedIDs.contains($0.uuidString) }.map { cases[$0] ?? $0.uuidString },
            redrawMatches: redraw.same))
    }
}
