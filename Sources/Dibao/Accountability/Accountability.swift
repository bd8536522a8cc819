import Fluent
import Vapor
import DibaoCore

/// 三.六 "对骗取低保待遇的…追回骗取的低保金…；出具虚假证明的…记入信用档案；工作人员…依纪依法追究责任":
/// fraud cases put the applicant on the integrity blacklist that intake checks (二.二.1); their
/// recoveries are bounded by what is owed; issuers of false certificates are kept for the credit
/// system's export; accountability actions against staff are kept for the supervisors.
enum Accountability {
    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// `label：reason` — the field named as the accountability forms name it, then the rule.
    static func refuse(_ field: String, _ rule: String, label: Phrase, _ reason: Phrase) -> FieldRefusal {
        refuse(field, rule, .labelled(label, reason))
    }

    static func text(_ raw: String?, field: String, label: Phrase, max: Int, required: Bool = true) throws -> String {
        let t = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if required && t.isEmpty { throw refuse(field, "accountability.\(field)", label: label, Phrase("complaint.refusal_required")) }
        guard t.count <= max else { throw refuse(field, "accountability.\(field)", label: label, Phrase("complaint.refusal_at_most_chars", max)) }
        return t
    }

    struct FraudInput: Content { var household: String?; var finding: String?; var obtained: String?; var decision: String? }

    /// Records a fraud finding for a household of the actor's area; its head goes on the
    /// integrity blacklist in the same transaction.
    static func recordFraud(_ input: FraudInput, ctx: ServiceContext) async throws -> FraudCase {
        guard ctx.actor.may(.recordFraud) else { try await ctx.forbidden(target: "fraud.record", entityType: "fraud_case", entityID: "") }
        guard let hid = UUID(uuidString: input.household ?? ""),
              let h = try await Household.query(on: ctx.db).filter(\.$id == hid).within(ctx.actor.area).first() else {
            throw refuse("household", "fraud.household", label: Phrase("inspection.refusal_label_household"), Phrase("accountability.refusal_household"))
        }
        let finding = try text(input.finding, field: "finding", label: Phrase("accountability.refusal_label_finding"), max: 2000)
        let decision = try text(input.decision, field: "decision", label: Phrase("accountability.refusal_label_decision"), max: 2000)
        let obtained = try Money.parse(input.obtained ?? "", field: "obtained")
        let ceiling = ctx.policy(on: ctx.today).maximumItemAmount
        guard obtained.isPositive, obtained <= ceiling else {
            throw refuse("obtained", "fraud.obtained", label: Phrase("accountability.refusal_label_obtained"), Phrase("accountability.refusal_obtained", ceiling.formatted))
        }
        guard let head = try await Member.query(on: ctx.db).filter(\.$household.$id == hid).sort(\.$position).first() else {
            throw refuse("household", "fraud.household", label: Phrase("inspection.refusal_label_household"), Phrase("accountability.refusal_no_members"))
        }
        let f = FraudCase()
        f.householdID = hid
        f.placeColumns(in: try AreaCode(h.villageCode))
        f.personName = head.name
        f.personIDNumber = head.idNumber
        f.finding = finding
        f.obtainedFen = obtained.fen
        f.recoveredFen = 0
        f.status = .open
        f.decision = decision
        f.foundOn = ctx.today.iso
        f.recordedBy = ctx.actor.username
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await f.create(on: tx)
            let entry = BlacklistEntry()
            entry.idNumber = head.idNumber
            entry.name = head.name
            entry.reason = "骗取低保待遇（案件 \(f.id ?? 0)）"
            entry.decidedBy = ctx.actor.username
            entry.addedOn = ctx.today.iso
            entry.countyCode = h.countyCode
            entry.active = true
            try await entry.create(on: tx)
            return (f, [AuditEntry(actor: ctx.actor.audit, action: "fraud.recorded", entityType: "fraud_case", entityID: String(f.id ?? 0), areaCode: h.villageCode,
                                   detail: ["household": hid.uuidString, "obtained_fen": String(obtained.fen), "blacklisted": "true"])])
        }
    }

    static func visibleFraud(_ id: Int?, ctx: ServiceContext) async throws -> FraudCase {
        guard let id, let f = try await FraudCase.query(on: ctx.db).filter(\.$id == id).within(ctx.actor.area).first() else {
            if let id, try await FraudCase.find(id, on: ctx.db) != nil { try await ctx.recordDenial(target: "jurisdiction", entityType: "fraud_case", entityID: String(id)) }
            throw Abort(.notFound)
        }
        return f
    }

    struct RecoveryInput: Content { var amount: String?; var close: String?; var decision: String? }

    /// A recovery (追缴) of part of what was obtained; `close` ends the case with its decision.
    static func recover(_ id: Int?, _ input: RecoveryInput, ctx: ServiceContext) async throws -> FraudCase {
        guard ctx.actor.may(.recordFraud) else { try await ctx.forbidden(target: "fraud.recover", entityType: "fraud_case", entityID: String(id ?? 0)) }
        let f = try await visibleFraud(id, ctx: ctx)
        guard f.status == .open else { throw refuse("amount", "fraud.closed", label: Phrase("accountability.refusal_label_recovery"), Phrase("accountability.refusal_case_closed")) }
        if let raw = input.amount, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            let amount = try Money.parse(raw, field: "amount")
            switch FraudRecovery.apply(amount, recovered: Money(fen: f.recoveredFen), obtained: Money(fen: f.obtainedFen)) {
            case .failure(let r): throw r
            case .success(let total): f.recoveredFen = total.fen
            }
        }
        if input.close == "on" || input.close == "true" {
            f.decision = try text(input.decision ?? f.decision, field: "decision", label: Phrase("accountability.refusal_label_decision"), max: 2000)
            f.status = .closed
            f.closedOn = ctx.today.iso
        }
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await f.save(on: tx)
            return (f, [AuditEntry(actor: ctx.actor.audit, action: f.status == .closed ? "fraud.closed" : "fraud.recovered", entityType: "fraud_case",
                                   entityID: String(f.id ?? 0), areaCode: f.villageCode, detail: ["recovered_fen": String(f.recoveredFen)])])
        }
    }

    struct IssuerInput: Content { var kind: String?; var name: String?; var identifier: String?; var certificate: String?; var area: String?; var fraudCase: String? }

    static func recordIssuer(_ input: IssuerInput, ctx: ServiceContext) async throws -> FalseCertificateIssuer {
        guard ctx.actor.may(.recordFraud) else { try await ctx.forbidden(target: "issuer.record", entityType: "false_certificate_issuer", entityID: "") }
        guard let kind = input.kind.flatMap(IssuerKind.init(rawValue:)) else {
            throw refuse("kind", "issuer.kind", label: Phrase("accountability.refusal_label_issuer_kind"), Phrase("accountability.refusal_issuer_kind"))
        }
        let name = try text(input.name, field: "name", label: Phrase("accountability.refusal_label_name"), max: 100)
        if let p = NameText.problem(name) { throw refuse("name", p.rule, label: Phrase("accountability.refusal_label_name"), p.namePhrase) }
        var identifier = (input.identifier ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        switch kind {
        case .person: identifier = try ResidentID(identifier, field: "identifier").value
        case .unit:
            // 统一社会信用代码 (GB 32100-2015): 18 characters of digits and capitals without I, O, S, V, Z.
            guard identifier.count == 18, identifier.allSatisfy({ ($0.isASCII && $0.isNumber) || ("A"..."Z").contains($0) && !"IOSVZ".contains($0) }) else {
                throw refuse("identifier", "issuer.credit_code", label: Phrase("accountability.refusal_label_credit_code"), Phrase("accountability.refusal_credit_code"))
            }
        }
        let certificate = try text(input.certificate, field: "certificate", label: Phrase("accountability.refusal_label_certificate"), max: 1000)
        guard let area = try? AreaCode(input.area ?? "", field: "area"), area.level >= .county, ctx.actor.area.contains(area) else {
            throw refuse("area", "issuer.area", label: Phrase("accountability.refusal_label_area"), Phrase("accountability.refusal_area"))
        }
        var caseID: Int?
        if let raw = input.fraudCase, !raw.isEmpty {
            caseID = try await visibleFraud(Int(raw), ctx: ctx).id
        }
        let i = FalseCertificateIssuer()
        i.kind = kind
        i.name = name
        i.identifier = identifier
        i.certificate = certificate
        i.fraudCaseID = caseID
        i.placeColumns(in: area)
        i.recordedOn = ctx.today.iso
        i.recordedBy = ctx.actor.username
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await i.create(on: tx)
            return (i, [AuditEntry(actor: ctx.actor.audit, action: "issuer.recorded", entityType: "false_certificate_issuer", entityID: String(i.id ?? 0),
                                   areaCode: area.value, detail: ["kind": kind.rawValue])])
        }
    }

    struct ActionInput: Content { var staffName: String?; var post: String?; var kind: String?; var reason: String?; var decidedBy: String?; var decidedOn: String?; var area: String?; var complaint: String? }

    static func recordAction(_ input: ActionInput, ctx: ServiceContext) async throws -> AccountabilityAction {
        guard ctx.actor.may(.recordAccountability) else { try await ctx.forbidden(target: "accountability.record", entityType: "accountability_action", entityID: "") }
        let staff = try text(input.staffName, field: "staff_name", label: Phrase("accountability.refusal_label_staff"), max: 30)
        if let p = NameText.problem(staff) { throw refuse("staff_name", p.rule, label: Phrase("accountability.refusal_label_staff"), p.namePhrase) }
        let post = try text(input.post, field: "post", label: Phrase("relatives.refusal_label_post"), max: 50, required: false)
        guard let kind = input.kind.flatMap(AccountabilityKind.init(rawValue:)) else {
            throw refuse("kind", "accountability.kind", label: Phrase("accountability.refusal_label_kind"), Phrase("accountability.refusal_choose_one"))
        }
        let reason = try text(input.reason, field: "reason", label: Phrase("accountability.refusal_label_reason"), max: 2000)
        let body = try text(input.decidedBy, field: "decided_by", label: Phrase("accountability.refusal_label_decided_by"), max: 100)
        guard let on = CivilDate(iso: input.decidedOn ?? ""), on <= ctx.today else {
            throw refuse("decided_on", "accountability.decided_on", label: Phrase("accountability.refusal_label_decided_on"), Phrase("accountability.refusal_decided_on"))
        }
        guard let area = try? AreaCode(input.area ?? "", field: "area"), area.level >= .county, ctx.actor.area.contains(area) else {
            throw refuse("area", "accountability.area", label: Phrase("accountability.refusal_label_area"), Phrase("accountability.refusal_area"))
        }
        var complaintID: Int?
        if let raw = input.complaint, !raw.isEmpty {
            complaintID = try await ComplaintQueries.visible(Int(raw), ctx: ctx).id
        }
        let a = AccountabilityAction()
        a.staffName = staff
        a.post = post
        a.kind = kind
        a.reason = reason
        a.decidedByBody = body
        a.decidedOn = on.iso
        a.complaintID = complaintID
        a.placeColumns(in: area)
        a.recordedBy = ctx.actor.username
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await a.create(on: tx)
            return (a, [AuditEntry(actor: ctx.actor.audit, action: "accountability.recorded", entityType: "accountability_action", entityID: String(a.id ?? 0),
                                   areaCode: area.value, detail: ["kind": kind.rawValue])])
        }
    }

    // MARK: Reading

    struct FraudRow: Content {
        var id: Int; var householdID: String; var person: String; var personIDNumber: String; var finding: String; var obtained: String
        var recovered: String; var owed: String; var status: String; var statusName: String; var decision: String; var foundOn: String
    }
    struct IssuerRow: Content { var id: Int; var kind: String; var name: String; var identifier: String; var certificate: String; var recordedOn: String; var area: String }
    struct ActionRow: Content { var id: Int; var staffName: String; var post: String; var kind: String; var kindName: String; var reason: String; var decidedBy: String; var decidedOn: String }
    struct Overview: Content { var fraud: [FraudRow]; var issuers: [IssuerRow]; var actions: [ActionRow] }

    static func overview(ctx: ServiceContext) async throws -> Overview {
        let sees = ctx.actor.may(.viewSensitive)
        let fraud = try await FraudCase.query(on: ctx.db).within(ctx.actor.area).sort(\.$id, .descending).limit(500).all()
        let issuers = try await FalseCertificateIssuer.query(on: ctx.db).within(ctx.actor.area).sort(\.$id, .descending).limit(500).all()
        let actions = try await AccountabilityAction.query(on: ctx.db).within(ctx.actor.area).sort(\.$id, .descending).limit(500).all()
        return Overview(
            fraud: fraud.map { f in
                FraudRow(id: f.id ?? 0, householdID: f.householdID.uuidString, person: sees ? f.personName : Masking.name(f.personName),
                         personIDNumber: sees ? f.personIDNumber : Masking.idNumber(f.personIDNumber), finding: f.finding,
                         obtained: Money(fen: f.obtainedFen).formatted, recovered: Money(fen: f.recoveredFen).formatted,
                         owed: Money(fen: f.obtainedFen - f.recoveredFen).formatted, status: f.status.rawValue, statusName: f.status.name(ctx.lang),
                         decision: f.decision, foundOn: f.foundOn)
            },
            issuers: issuers.map { i in
                IssuerRow(id: i.id ?? 0, kind: i.kind.name(ctx.lang), name: i.kind == .person && !sees ? Masking.name(i.name) : i.name,
                          identifier: i.kind == .person && !sees ? Masking.idNumber(i.identifier) : i.identifier, certificate: i.certificate,
                          recordedOn: i.recordedOn, area: i.villageCode.isEmpty ? (i.townshipCode.isEmpty ? i.countyCode : i.townshipCode) : i.villageCode)
            },
            actions: actions.map { a in
                ActionRow(id: a.id ?? 0, staffName: a.staffName, post: a.post, kind: a.kind.rawValue, kindName: a.kind.name(ctx.lang), reason: a.reason,
                          decidedBy: a.decidedByBody, decidedOn: a.decidedOn)
            })
    }

    /// The credit system's file (docs/credit-export.md): one row per false-certificate issuer of
    /// the actor's area, with the identifier in full — it is what the credit system matches on.
    static func creditExport(ctx: ServiceContext) async throws -> [[String]] {
        try await FalseCertificateIssuer.query(on: ctx.db).within(ctx.actor.area).sort(\.$id).all().map { i in
            [String(i.id ?? 0), i.kind.rawValue, i.name, i.identifier, i.certificate, i.countyCode, i.recordedOn, i.fraudCaseID.map(String.init) ?? ""]
        }
    }
}
