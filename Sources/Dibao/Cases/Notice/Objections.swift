import Fluent
import Vapor
import DibaoCore

/// 异议复核 (二.三): anyone may object to a notice; the objection opens a review that staff
/// must answer with an explanation within the policy's time, and the objector reads the
/// answer with the reference they were given. An open objection blocks the case from
/// going up to the county and from approval.
enum Objections {
    struct RaiseInput: Content {
        var receipt: String
        var name: String?
        var text: String
    }

    struct Raised: Content {
        var reference: String
        var answerDue: String
    }

    /// From the public (no account) or recorded by staff for an objection made in the village.
    static func raise(_ input: RaiseInput, recordedBy actor: StaffActor?, on req: Request) async throws -> Raised {
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 2000 else {
            throw FieldRefusal(field: "text", rule: "objection.text", .labelled(Phrase("objection.refusal_text_label"), Phrase("objection.refusal_text_required")))
        }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespaces)
        if let p = NameText.problem(name) {
            throw FieldRefusal(field: "name", rule: p.rule, .labelled(Phrase("objection.refusal_name_label"), p.namePhrase))
        }
        if let p = NameText.problem(text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")) {
            throw FieldRefusal(field: "text", rule: p.rule, .labelled(Phrase("objection.refusal_text_label"), p.namePhrase))
        }
        let settings = req.dibao.settings
        // Issue 12: 150 anonymous objections on one receipt in 1.9 s, each blocking the case.
        if actor == nil {
            try req.limit("objection", key: req.clientKey, max: settings.objectionsPerClientPerHour, per: 3600)
        }
        let receipt = try ReceiptNumber(input.receipt, field: "receipt")
        guard let c = try await ApplicationCase.query(on: req.db).filter(\.$receipt == receipt.value).first() else {
            throw FieldRefusal(field: "receipt", rule: "objection.no_case", Phrase("objection.refusal_no_case"))
        }
        if let actor, !actor.area.contains(try AreaCode(c.villageCode)) {
            try await req.recordDenial(actor, target: "jurisdiction", entityType: "case", entityID: c.id!.uuidString)
            throw Abort(.notFound, reason: req.l10n("error.case_not_found"))
        }
        let today = req.dibao.clock.today()
        let notices = try await Notice.query(on: req.db).filter(\.$caseID == c.id!).filter(\.$active == true).sort(\.$postedOn, .descending).all()
        // The public objects to a notice while it hangs; staff also record objections that
        // reach them later (a letter, a visit) against the case's latest notice.
        let current = notices.first(where: { $0.kind == .second || ($0.endsOn.map { today.iso <= $0 } ?? true) })
        guard let notice = current ?? (actor != nil && !c.stage.isTerminal ? notices.first : nil) else {
            throw FieldRefusal(field: "receipt", rule: "objection.no_notice", Phrase("objection.refusal_no_notice"))
        }
        // The same words again on the same case are the same objection: the objector gets
        // its reference back instead of a second one that staff must answer again.
        let open = try await Objection.query(on: req.db).filter(\.$caseID == c.id!).filter(\.$status == "open").all()
        if let same = open.first(where: { Self.normalised($0.text) == Self.normalised(text) }) {
            return Raised(reference: same.reference, answerDue: same.answerDue)
        }
        let todays = try await Objection.query(on: req.db).filter(\.$caseID == c.id!).filter(\.$raisedOn == today.iso).count()
        if todays >= settings.objectionsPerCasePerDay {
            throw Abort(.tooManyRequests, reason: req.l10n("objection.case_limit"))
        }
        let policy = req.dibao.policy(on: today)
        let due = req.dibao.calendar.adding(workingDays: policy.objectionAnswerWorkingDays, to: today)
        let objection = Objection()
        objection.caseID = c.id!
        objection.noticeKind = notice.kind
        objection.reference = "YY" + [UInt8].random(count: 9).base64URLEncoded.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(10)
        objection.raisedOn = today.iso
        objection.objectorName = String(name.prefix(30))
        objection.text = text
        objection.answerDue = due.iso
        objection.status = "open"
        objection.answer = ""
        objection.answeredBy = ""
        let who = actor?.audit ?? AuditActor(id: "public", name: "public", role: "public")
        try await req.audit.write(on: req.db) { tx in
            try await objection.create(on: tx)
            return ((), [AuditEntry(actor: who, action: "objection.raised", entityType: "case", entityID: c.id!.uuidString, areaCode: c.villageCode,
                                    detail: ["objection": objection.id!.uuidString, "notice": notice.kind.rawValue, "due": due.iso])])
        }
        return Raised(reference: objection.reference, answerDue: due.iso)
    }

    /// Text compared for duplicates: without spaces and punctuation, case folded.
    static func normalised(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace && !CharacterSet.punctuationCharacters.contains($0) }.map(Character.init))
    }

    struct DismissInput: Content { var kind: String; var reason: String }

    /// Closes an objection without a review: a duplicate of another, or abuse (issue 12). The
    /// reason is required and kept as the answer the objector reads; the step is audited.
    static func dismiss(caseID: UUID?, objectionID: UUID?, _ input: DismissInput, by actor: StaffActor, on req: Request) async throws -> Objection {
        let c = try await CaseWorkflow.visible(caseID, to: actor, on: req)
        guard let objectionID, let objection = try await Objection.query(on: req.db).filter(\.$id == objectionID).filter(\.$caseID == c.id!).first() else {
            throw Abort(.notFound)
        }
        guard ["duplicate", "abusive"].contains(input.kind) else {
            throw FieldRefusal(field: "kind", rule: "objection.dismiss_kind", Phrase("objection.refusal_dismiss_kind"))
        }
        let reason = input.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 2000 else {
            throw FieldRefusal(field: "reason", rule: "objection.dismiss_reason", Phrase("objection.refusal_dismiss_reason"))
        }
        guard objection.isOpen else {
            throw FieldRefusal(field: "reason", rule: "objection.already_answered", Phrase("objection.refusal_already_dismissed"))
        }
        objection.status = "dismissed"
        objection.answer = reason
        objection.answeredBy = actor.displayName
        objection.answeredOn = req.dibao.clock.today().iso
        try await req.audit.write(on: req.db) { tx in
            try await objection.save(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: "objection.dismissed", entityType: "case", entityID: c.id!.uuidString,
                                    areaCode: c.villageCode, reason: reason, detail: ["objection": objectionID.uuidString, "kind": input.kind])])
        }
        return objection
    }

    struct AnswerInput: Content { var answer: String }

    /// The township answers objections to its first notice, the county those to the second.
    static func answer(caseID: UUID?, objectionID: UUID?, _ input: AnswerInput, by actor: StaffActor, on req: Request) async throws -> Objection {
        let c = try await CaseWorkflow.visible(caseID, to: actor, on: req)
        guard let objectionID, let objection = try await Objection.query(on: req.db).filter(\.$id == objectionID).filter(\.$caseID == c.id!).first() else {
            throw Abort(.notFound)
        }
        // The township answers for its first notice; the county may answer any objection that reached it.
        let allowed: Set<Role> = objection.noticeKind == .first ? [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover] : [.countyCaseworker, .countyApprover]
        guard allowed.contains(actor.role) else {
            try await req.recordDenial(actor, target: "objection.answer", entityType: "case", entityID: c.id!.uuidString)
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        let answer = input.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !answer.isEmpty else {
            throw FieldRefusal(field: "answer", rule: "objection.answer_required", Phrase("objection.refusal_answer_required"))
        }
        guard objection.isOpen else {
            throw FieldRefusal(field: "answer", rule: "objection.already_answered", Phrase("objection.refusal_already_answered"))
        }
        objection.status = "answered"
        objection.answer = String(answer.prefix(2000))
        objection.answeredBy = actor.displayName
        objection.answeredOn = req.dibao.clock.today().iso
        try await req.audit.write(on: req.db) { tx in
            try await objection.save(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: "objection.answered", entityType: "case", entityID: c.id!.uuidString,
                                    areaCode: c.villageCode, detail: ["objection": objectionID.uuidString])])
        }
        return objection
    }
}
