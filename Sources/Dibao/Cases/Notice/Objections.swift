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
            throw FieldRefusal(field: "text", rule: "objection.text", zh: "异议内容：必填，不超过2000字", en: "Objection: required, at most 2000 characters")
        }
        let receipt = try ReceiptNumber(input.receipt, field: "receipt")
        guard let c = try await ApplicationCase.query(on: req.db).filter(\.$receipt == receipt.value).first() else {
            throw FieldRefusal(field: "receipt", rule: "objection.no_case", zh: "受理编号：查无此申请", en: "Receipt: no such application")
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
            throw FieldRefusal(field: "receipt", rule: "objection.no_notice", zh: "异议：该申请当前没有正在公示的榜单", en: "Objection: this application has no notice up at present")
        }
        let policy = req.dibao.policy(on: today)
        let due = req.dibao.calendar.adding(workingDays: policy.objectionAnswerWorkingDays, to: today)
        let objection = Objection()
        objection.caseID = c.id!
        objection.noticeKind = notice.kind
        objection.reference = "YY" + [UInt8].random(count: 9).base64URLEncoded.uppercased().filter { $0.isLetter || $0.isNumber }.prefix(10)
        objection.raisedOn = today.iso
        objection.objectorName = String((input.name ?? "").trimmingCharacters(in: .whitespaces).prefix(30))
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
            throw FieldRefusal(field: "answer", rule: "objection.answer_required", zh: "复核答复：必须写明核查情况和理由", en: "Answer: explain what was checked and why")
        }
        guard objection.isOpen else {
            throw FieldRefusal(field: "answer", rule: "objection.already_answered", zh: "复核答复：该异议已答复", en: "Answer: this objection was already answered")
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
