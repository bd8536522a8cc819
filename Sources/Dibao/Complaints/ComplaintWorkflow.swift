import Fluent
import Vapor
import DibaoCore

/// What a complaint form or API call carries; each step reads the fields it needs.
struct ComplaintInput: Content {
    // Intake
    var channel: String?
    var complainantName: String?
    var complainantPhone: String?
    var complainantIdNumber: String?
    var subject: String?
    var subjectText: String?
    var area: String?
    var text: String?
    var recordNote: String?
    // Steps
    var reason: String?
    var toUser: String?
    var missingItems: String?
    var guidance: String?
    var repeatOf: String?
    var subjectHousehold: String?
    var answer: String?
    var publicResult: String?
}

/// 投诉举报、信访 (二.八) through the workflow kernel: recorded by its first receiver or
/// submitted online and taken by the first staff member who opens it (首问责任制); triaged —
/// one notice of everything missing (一次性告知), guidance to the right office, a repeat
/// answered with the earlier decision, or accepted; handled within the limits of
/// 信访工作条例 (`ComplaintClock`); a complaint about an enrolled household may open a review
/// (二.六), whose decision is its answer; major matters are referred to discipline inspection.
enum ComplaintWorkflow {
    static let maxText = 2000

    struct Intake: Sendable {
        var channel: ComplaintChannel
        var name: String
        var phone: String
        var idNumber: String
        var subject: ComplaintSubject
        var subjectText: String
        var area: AreaCode
        var text: String
        var note: String
    }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// `label：reason` — the field named as the complaint form names it, then the rule.
    static func refuse(_ field: String, _ rule: String, label: Phrase, _ reason: Phrase) -> FieldRefusal {
        refuse(field, rule, .labelled(label, reason))
    }

    /// Every field from outside checked and bounded before anything is looked up.
    static func intake(_ input: ComplaintInput, online: Bool) throws -> Intake {
        let channel: ComplaintChannel
        if online { channel = .online } else {
            guard let c = input.channel.flatMap(ComplaintChannel.init(rawValue:)), c != .online else {
                throw refuse("channel", "complaint.channel", label: Phrase("complaint.refusal_label_channel"), Phrase("complaint.refusal_channel"))
            }
            channel = c
        }
        let text = (input.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= maxText else {
            throw refuse("text", "complaint.text", label: Phrase("complaint.refusal_label_text"), Phrase("complaint.refusal_required_at_most_chars", maxText))
        }
        if let p = NameText.problem(text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")) {
            throw refuse("text", p.rule, label: Phrase("complaint.refusal_label_text"), p.namePhrase)
        }
        let name = (input.complainantName ?? "").trimmingCharacters(in: .whitespaces)
        if let p = NameText.problem(name) { throw refuse("complainant_name", p.rule, label: Phrase("complaint.refusal_label_name"), p.namePhrase) }
        guard name.count <= 30 else { throw refuse("complainant_name", "complaint.name_length", label: Phrase("complaint.refusal_label_name"), Phrase("complaint.refusal_at_most_chars", 30)) }
        let phone = (input.complainantPhone ?? "").filter { !$0.isWhitespace && $0 != "-" }
        guard phone.isEmpty || (phone.count >= 7 && phone.count <= 20 && phone.allSatisfy(\.isASCII) && phone.allSatisfy(\.isNumber)) else {
            throw refuse("complainant_phone", "complaint.phone", label: Phrase("complaint.refusal_label_phone"), Phrase("complaint.refusal_phone"))
        }
        let rawID = (input.complainantIdNumber ?? "").trimmingCharacters(in: .whitespaces)
        let idNumber = rawID.isEmpty ? "" : try ResidentID(rawID, field: "complainant_id_number").value
        let subject = ComplaintSubject(rawValue: input.subject ?? "none") ?? .none
        let subjectText = (input.subjectText ?? "").trimmingCharacters(in: .whitespaces)
        guard subjectText.count <= 100 else { throw refuse("subject_text", "complaint.subject_text", label: Phrase("complaint.refusal_label_subject"), Phrase("complaint.refusal_at_most_chars", 100)) }
        if let p = NameText.problem(subjectText) { throw refuse("subject_text", p.rule, label: Phrase("complaint.refusal_label_subject"), p.namePhrase) }
        if subject != .none && subjectText.isEmpty {
            throw refuse("subject_text", "complaint.subject_text", label: Phrase("complaint.refusal_label_subject"), Phrase("complaint.refusal_subject_required"))
        }
        guard let area = try? AreaCode(input.area ?? "", field: "area"), area.level >= .county else {
            throw refuse("area", "complaint.area", label: Phrase("complaint.refusal_label_area"), Phrase("complaint.refusal_area_level"))
        }
        let note = (input.recordNote ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= 4000 else { throw refuse("record_note", "complaint.record_note", label: Phrase("complaint.refusal_label_record_note"), Phrase("complaint.refusal_at_most_chars", 4000)) }
        return Intake(channel: channel, name: name, phone: phone, idNumber: idNumber, subject: subject, subjectText: subjectText,
                      area: area, text: text, note: note)
    }

    static func newReference() -> String {
        "TS" + String([UInt8].random(count: 12).base64URLEncoded.uppercased().filter { ($0.isLetter || $0.isNumber) && $0.isASCII }.prefix(12))
    }

    /// The household a complaint names, when it can be told: one household of the village whose
    /// head has the name written.
    static func matchHousehold(_ i: Intake, on db: any Database) async throws -> UUID? {
        guard i.subject == .household, i.area.level == .village, !i.subjectText.isEmpty else { return nil }
        let found = try await Household.query(on: db).filter(\.$villageCode == i.area.value).filter(\.$headName == i.subjectText).limit(2).all()
        return found.count == 1 ? found[0].id : nil
    }

    static func make(_ i: Intake, ctx: ServiceContext, on db: any Database) async throws -> Complaint {
        guard try await Area.find(i.area.value, on: db) != nil else {
            throw refuse("area", "complaint.area", label: Phrase("complaint.refusal_label_area"), Phrase("complaint.refusal_area_unknown"))
        }
        let c = Complaint()
        c.reference = newReference()
        c.channel = i.channel
        c.version = 1
        c.stage = .received
        c.receivedOn = ctx.today.iso
        c.complainantName = i.name
        c.complainantPhone = i.phone
        c.complainantIDNumber = i.idNumber
        c.subject = i.subject
        c.subjectHouseholdID = try await matchHousehold(i, on: db)
        c.subjectText = i.subjectText
        c.place(in: i.area)
        c.text = i.text
        c.recordNote = i.note
        c.ownerName = ""
        c.missingItems = ""
        c.guidance = ""
        c.referralReason = ""
        c.answer = ""
        c.answeredBy = ""
        c.publicResult = ""
        c.extended = false
        return c
    }

    /// Staff record a complaint that reached them (phone, letter, visit, media, cards): the
    /// receiver owns it from the start (首问责任制).
    static func record(_ input: ComplaintInput, ctx: ServiceContext) async throws -> Complaint {
        guard ComplaintMachine.roles(for: .record).contains(ctx.actor.role) else {
            try await ctx.forbidden(target: "complaint.record", entityType: "complaint", entityID: "")
        }
        let i = try intake(input, online: false)
        guard ctx.actor.area.contains(i.area) else {
            throw refuse("area", "complaint.area_jurisdiction", label: Phrase("complaint.refusal_label_area"), Phrase("complaint.refusal_area_jurisdiction"))
        }
        let c = try await make(i, ctx: ctx, on: ctx.db)
        c.receivedBy = ctx.actor.username
        c.ownerUsername = ctx.actor.username
        c.ownerName = ctx.actor.displayName
        return try await ctx.audit.write(on: ctx.db) { tx in
            let event = try await Kernel.open(c, action: .record, ctx: ctx, policy: ctx.policy(on: ctx.today), facts: ComplaintFacts(actorIsOwner: true),
                                              detail: ["channel": c.channel.rawValue, "reference": c.reference], tx: tx)
            return (c, [event])
        }
    }

    /// The public form (no sign-in): limited per client like objections; nobody owns it until
    /// the first staff member takes it. The audit names the public, not a person.
    static func submitOnline(_ input: ComplaintInput, req: Request) async throws -> Complaint {
        let i = try intake(input, online: true)
        try req.limit("complaint", key: req.clientKey, max: req.dibao.settings.complaintsPerClientPerHour, per: 3600)
        return try await submitOnline(i, ctx: req.context(StaffActor.system(area: i.area, actingAs: .countyCaseworker, job: "public_complaint")))
    }

    /// The same, once checked and limited (and for the demo, which has no client to limit).
    static func submitOnline(_ input: ComplaintInput, app: Application) async throws -> Complaint {
        let i = try intake(input, online: true)
        return try await submitOnline(i, ctx: app.context(StaffActor.system(area: i.area, actingAs: .countyCaseworker, job: "public_complaint")))
    }

    private static func submitOnline(_ i: Intake, ctx: ServiceContext) async throws -> Complaint {
        let c = try await make(i, ctx: ctx, on: ctx.db)
        c.receivedBy = "public"
        c.ownerUsername = nil
        return try await ctx.audit.write(on: ctx.db) { tx in
            let event = try await Kernel.open(c, action: .submitOnline, ctx: ctx, policy: ctx.policy(on: ctx.today), facts: ComplaintFacts(actorIsOwner: true),
                                              detail: ["channel": c.channel.rawValue, "reference": c.reference], tx: tx)
            return (c, [event])
        }
    }

    /// One step of complaint `id`.
    @discardableResult
    static func perform(_ action: ComplaintAction, complaint id: Int?, input: ComplaintInput, ctx: ServiceContext) async throws -> Complaint {
        guard ![.record, .submitOnline].contains(action) else { throw Abort(.badRequest) }
        let reason = String((input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(2000))
        let answer = String((input.answer ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxText))
        let guidance = String((input.guidance ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxText))
        let items = (input.missingItems ?? "").split(whereSeparator: \.isNewline).map { String($0.trimmingCharacters(in: .whitespaces).prefix(200)) }.filter { !$0.isEmpty }
        guard items.count <= 50 else {
            throw refuse("missing_items", "complaint.missing_items", label: Phrase("complaint.refusal_label_missing_items"), Phrase("complaint.refusal_at_most_items", 50))
        }
        let toUser = (input.toUser ?? "").trimmingCharacters(in: .whitespaces)
        let repeatOf = (input.repeatOf ?? "").isEmpty ? nil : Int(input.repeatOf ?? "")
        if !(input.repeatOf ?? "").isEmpty && repeatOf == nil {
            throw refuse("repeat_of", "complaint.repeat_of", label: Phrase("complaint.refusal_label_repeat_of"), Phrase("complaint.refusal_choose_candidate"))
        }
        let linkHousehold = (input.subjectHousehold ?? "").isEmpty ? nil : UUID(uuidString: input.subjectHousehold ?? "")
        if !(input.subjectHousehold ?? "").isEmpty && linkHousehold == nil {
            throw refuse("subject_household", "complaint.subject_household", label: Phrase("complaint.refusal_label_subject_household"), Phrase("complaint.refusal_choose_candidate"))
        }
        let publicResult = String((input.publicResult ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        let today = ctx.today
        let actor = ctx.actor
        return try await Kernel.perform(action, on: Complaint.self, id: id, ctx: ctx, notFound: "error.complaint_not_found", reason: reason,
                                        detail: detail(action, toUser: toUser, repeatOf: repeatOf, items: items.count),
                                        record: { c, tx in
            switch action {
            case .requestMaterials: if c.materialsRequestedOn == nil { c.missingItems = items.joined(separator: "\n") }
            case .redirect: c.guidance = guidance
            case .answer: c.answer = answer; c.publicResult = publicResult
            case .refer: c.referralReason = reason
            case .accept:
                // The handler may name the household a complaint is about once it is told.
                if let linkHousehold {
                    guard let h = try await Household.query(on: tx).filter(\.$id == linkHousehold).within(actor.area).first(),
                          let hArea = try? AreaCode(h.villageCode), c.area.map({ $0.contains(hArea) || hArea.contains($0) }) ?? false else {
                        throw refuse("subject_household", "complaint.subject_household", label: Phrase("complaint.refusal_label_subject_household"), Phrase("complaint.refusal_subject_household"))
                    }
                    c.subject = .household
                    c.subjectHouseholdID = h.id
                }
            default: break
            }
        }, facts: { c, tx in
            try await facts(action, c, reason: reason, toUser: toUser, repeatOf: repeatOf, ctx: ctx, tx: tx)
        }, effects: { c, tx in
            var more: [AuditEntry] = []
            switch action {
            case .take:
                c.ownerUsername = actor.username
                c.ownerName = actor.displayName
            case .handOver:
                let target = try await User.query(on: tx).filter(\.$username == toUser).first()
                c.ownerUsername = target?.username
                c.ownerName = target?.displayName ?? ""
            case .requestMaterials: c.materialsRequestedOn = today.iso
            case .completeMaterials: c.materialsCompletedOn = today.iso
            case .accept: c.acceptedOn = today.iso
            case .declineRepeat:
                c.repeatOf = repeatOf
                c.answeredOn = today.iso
                c.answeredBy = actor.username
            case .redirect:
                c.answeredOn = today.iso
                c.answeredBy = actor.username
            case .refer: c.referredOn = today.iso
            case .extend: c.extended = true
            case .openReview:
                guard let hid = c.subjectHouseholdID,
                      let e = try await EnrolledHousehold.query(on: tx).filter(\.$householdID == hid).filter(\.$status != .exited).first() else {
                    throw Abort(.notFound, reason: ctx.l10n("error.enrolled_not_found"))
                }
                let (review, event) = try await ReviewWorkflow.open(e, trigger: .complaint, triggerID: c.reference, finding: c.text, reason: reason, ctx: ctx, tx: tx)
                c.reviewID = review.id
                more.append(event)
            case .answer:
                c.answeredOn = today.iso
                c.answeredBy = actor.username
            case .record, .submitOnline: break
            }
            return more
        })
    }

    static func detail(_ action: ComplaintAction, toUser: String, repeatOf: Int?, items: Int) -> [String: String] {
        switch action {
        case .handOver: return ["to": toUser]
        case .declineRepeat: return ["repeat_of": repeatOf.map(String.init) ?? ""]
        case .requestMaterials: return ["items": String(items)]
        default: return [:]
        }
    }

    /// What `ComplaintMachine` looks at, read inside the step's transaction.
    static func facts(_ action: ComplaintAction, _ c: Complaint, reason: String, toUser: String, repeatOf: Int?, ctx: ServiceContext, tx: any Database) async throws -> ComplaintFacts {
        let actor = ctx.actor
        // 首问责任制: the owner acts; the county approver may take a complaint over by handing it on.
        let owner = actor.kind == .system || c.ownerUsername == actor.username || (action == .handOver && actor.role == .countyApprover)
        var f = ComplaintFacts(actorIsOwner: owner, reason: reason, missingItems: c.missingList, materialsAlreadyRequested: c.materialsRequestedOn != nil,
                               guidance: c.guidance, answer: c.answer)
        f.alreadyExtended = c.extended
        if action == .handOver, !toUser.isEmpty, toUser != c.ownerUsername,
           let target = try await User.query(on: tx).filter(\.$username == toUser).filter(\.$active == true).first(),
           ComplaintMachine.handlers.contains(target.role), let targetArea = try? AreaCode(target.areaCode), let area = c.area {
            f.handOverTargetValid = targetArea.contains(area)
        }
        if action == .declineRepeat, let repeatOf, repeatOf != c.id,
           let earlier = try await Complaint.query(on: tx).filter(\.$id == repeatOf).within(actor.area).first() {
            f.repeatOfConcluded = [.answered, .notAccepted].contains(earlier.stage)
        }
        if action == .openReview, let hid = c.subjectHouseholdID,
           let e = try await EnrolledHousehold.query(on: tx).filter(\.$householdID == hid).filter(\.$status != .exited).first() {
            let open = try await ReviewCase.query(on: tx).filter(\.$enrolledID == e.id!).filter(\.$stage ~~ ReviewWorkflow.openStages).count()
            f.subjectEnrolled = open == 0
        }
        return f
    }

    /// 重复信访 candidates: concluded complaints of the same county by the same complainant
    /// (phone or ID number) or on the same household, whose facts read alike. The handler
    /// confirms one with `declineRepeat`.
    static func repeatCandidates(of c: Complaint, on db: any Database) async throws -> [Complaint] {
        guard c.stage.isOpen else { return [] }
        var q = Complaint.query(on: db).filter(\.$countyCode == c.countyCode).filter(\.$stage ~~ [.answered, .notAccepted]).filter(\.$id != c.id!)
        q = q.group(.or) { g in
            if !c.complainantPhone.isEmpty { g.filter(\.$complainantPhone == c.complainantPhone) }
            if !c.complainantIDNumber.isEmpty { g.filter(\.$complainantIDNumber == c.complainantIDNumber) }
            if let h = c.subjectHouseholdID { g.filter(\.$subjectHouseholdID == h) }
            if c.complainantPhone.isEmpty && c.complainantIDNumber.isEmpty && c.subjectHouseholdID == nil { g.filter(\.$id == -1) }
        }
        let earlier = try await q.sort(\.$id, .descending).limit(200).all()
        return earlier.filter { RepeatComplaints.isLikelyRepeat($0.text, c.text) }.prefix(10).map { $0 }
    }

    /// A review opened by a complaint has been decided: its decision is the complaint's answer
    /// (二.八, 二.六). Runs inside the review decision's transaction, as the system.
    static func reviewConcluded(_ r: ReviewCase, ctx: ServiceContext, tx: any Database) async throws -> [AuditEntry] {
        guard r.trigger == .complaint, let rid = r.id else { return [] }
        var entries: [AuditEntry] = []
        for c in try await Complaint.query(on: tx).filter(\.$reviewID == rid).filter(\.$stage == .underReview).all() {
            let system = ctx.with(actor: StaffActor.system(area: c.area ?? ctx.actor.area, actingAs: .countyApprover, job: "complaint_review"))
            c.answer = r.reason
            c.answerOutcome = r.outcome?.rawValue
            entries += try await Kernel.step(.answer, c, ctx: system, policy: system.policy(on: system.today), reason: "review", detail: ["review": String(rid)], tx: tx,
                                             facts: { c, _ in ComplaintFacts(actorIsOwner: true, answer: c.answer.isEmpty ? (c.answerOutcome ?? "") : c.answer) },
                                             effects: { c, _ in
                c.answeredOn = system.today.iso
                c.answeredBy = ctx.actor.username
                return []
            })
        }
        return entries
    }
}

extension ServiceContext {
    /// The same context with another actor (the system answering for a decision's author).
    func with(actor: StaffActor) -> ServiceContext {
        var c = ServiceContext(db: db, env: env, audit: audit, actor: actor, lang: lang, origin: origin)
        c.actingOn = actingOn
        return c
    }
}
