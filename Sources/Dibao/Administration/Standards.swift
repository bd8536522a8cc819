import Fluent
import Vapor
import DibaoCore

/// Issue 15, 二.一: a standard is entered by one person and approved by another; old rows
/// (before this) count as approved, since they were the ones in use. Appended columns.
struct AddStandardApproval: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Standard.schema).field("status", .string, .required, .sql(.default("approved"))).update()
        try await database.schema(Standard.schema).field("entered_by", .string, .required, .sql(.default(""))).update()
        try await database.schema(Standard.schema).field("entered_on", .string).update()
        try await database.schema(Standard.schema).field("approved_by", .string, .required, .sql(.default(""))).update()
        try await database.schema(Standard.schema).field("approved_on", .string).update()
        try await database.schema(Standard.schema).field("document", .string, .required, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["document", "approved_on", "approved_by", "entered_on", "entered_by", "status"] {
            try await database.schema(Standard.schema).deleteField(.string(field)).update()
        }
    }
}

/// 保障标准的制定与审核 (二.一): a league or county sets its urban and rural standard (yuan per
/// person per month) from a month; one person enters it, another approves it, and from the
/// approved month on every calculation uses it. A standard never reaches back into a month
/// already begun before its approval: decisions already made stand.
enum Standards {
    /// The most a monthly standard may be: far above any real one (the highest urban standards
    /// are around ¥1,500), so a typo of extra zeros is refused at the form.
    static let ceiling = Money(yuan: 100_000)

    struct Input: Content {
        var area: String?
        var kind: String?
        var monthly: String?
        var effectiveMonth: String?
        var document: String?
    }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    @discardableResult
    static func enter(_ input: Input, ctx: ServiceContext) async throws -> Standard {
        let actor = ctx.actor
        guard actor.may(.manageStandards) else { try await ctx.forbidden(target: "standard.enter", entityType: "standard", entityID: "") }
        let area = try await AreaInput.resolve(input.area, levels: [.league, .county], rule: "standard.area",
                                               label: Phrase("admin.refusal_label_area"), reason: Phrase("admin.refusal_area_league_county"), ctx: ctx)
        guard let kind = AreaKind(rawValue: input.kind ?? "") else {
            throw refuse("kind", "standard.kind", Phrase("standard.refusal_kind"))
        }
        let monthly: Money
        do { monthly = try Money.parse(input.monthly ?? "", field: "monthly") } catch {
            throw refuse("monthly", error.rule, .labelled(Phrase("standard.refusal_label_monthly"), error.phrase))
        }
        guard monthly.isPositive, monthly <= ceiling else {
            throw refuse("monthly", "standard.amount", .labelled(Phrase("standard.refusal_label_monthly"), Phrase("standard.refusal_amount", ceiling.formatted)))
        }
        let month = try effectiveMonth(input.effectiveMonth, today: ctx.today)
        let document = (input.document ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard document.count <= 200 else { throw refuse("document", "standard.document", .labelled(Phrase("standards.document"), Phrase("admin.refusal_at_most_chars", 200))) }
        let s = Standard(area: area, kind: kind, monthly: monthly, effectiveFrom: month)
        s.status = "pending"
        s.enteredBy = actor.username
        s.enteredOn = ctx.today.iso
        s.document = document
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await s.create(on: tx)
            return (s, [AuditEntry(actor: actor.audit, action: "standard.entered", entityType: "standard", entityID: s.id!.uuidString, areaCode: area.value,
                                   detail: ["kind": kind.rawValue, "monthly_fen": String(monthly.fen), "effective_from": month.iso, "document": document])])
        }
    }

    /// "YYYY-MM", not before the current month.
    static func effectiveMonth(_ text: String?, today: CivilDate) throws -> CivilDate {
        guard let month = CivilDate(iso: (text ?? "").trimmingCharacters(in: .whitespaces) + "-01") else {
            throw refuse("effective_month", "standard.month", Phrase("standard.refusal_month"))
        }
        guard month >= today.firstOfMonth else {
            throw refuse("effective_month", "standard.month_past", Phrase("standard.refusal_month_past", month.iso.prefix(7)))
        }
        return month
    }

    /// The second person's approval (or rejection with a reason). The one who entered it may not.
    @discardableResult
    static func decide(_ id: UUID?, approve: Bool, reason: String = "", ctx: ServiceContext) async throws -> Standard {
        let actor = ctx.actor
        guard actor.may(.manageStandards) else { try await ctx.forbidden(target: "standard.approve", entityType: "standard", entityID: id?.uuidString ?? "") }
        guard let id, let s = try await Standard.find(id, on: ctx.db) else { throw Abort(.notFound, reason: ctx.l10n("error.not_found")) }
        guard let area = try? AreaCode(s.areaCode), actor.area.contains(area) else {
            try await ctx.recordDenial(target: "jurisdiction", entityType: "standard", entityID: id.uuidString)
            throw Abort(.notFound, reason: ctx.l10n("error.not_found"))
        }
        guard s.status == "pending" else {
            throw refuse("status", "standard.not_pending", Phrase("standard.refusal_not_pending"))
        }
        guard s.enteredBy != actor.username else {
            throw refuse("approved_by", "standard.four_eyes", Phrase("standard.refusal_four_eyes"))
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if approve {
            _ = try effectiveMonth(String(s.effectiveFrom.prefix(7)), today: ctx.today)
        } else if reason.isEmpty || reason.count > 500 {
            throw refuse("reason", "standard.reason", Phrase("standard.refusal_reject_reason"))
        }
        s.status = approve ? "approved" : "rejected"
        s.approvedBy = actor.username
        s.approvedOn = ctx.today.iso
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await s.save(on: tx)
            return (s, [AuditEntry(actor: actor.audit, action: approve ? "standard.approved" : "standard.rejected", entityType: "standard",
                                   entityID: id.uuidString, areaCode: s.areaCode, reason: reason,
                                   detail: ["kind": s.kind.rawValue, "monthly_fen": String(s.monthlyFen), "effective_from": s.effectiveFrom, "entered_by": s.enteredBy])])
        }
    }

    struct Row: Content {
        var id: UUID
        var area: String
        var areaName: String
        var kind: String
        var kindName: String
        var monthly: String
        var effectiveMonth: String
        var status: String
        var enteredBy: String
        var approvedBy: String
        var document: String
        var canDecide: Bool
    }

    /// The standards of the actor's area and above (a county sees the league's), newest first:
    /// the history, with what waits for approval.
    static func list(ctx: ServiceContext, publicOnly: Bool = false, within area: AreaCode? = nil) async throws -> [Row] {
        var q = Standard.query(on: ctx.db)
        if publicOnly { q = q.filter(\.$status == "approved") }
        let all = try await q.sort(\.$effectiveFrom, .descending).limit(2_000).all()
        let scope = area ?? ctx.actor.area
        let visible = all.filter { s in
            guard let code = try? AreaCode(s.areaCode) else { return false }
            return scope.contains(code) || code.contains(scope)
        }
        let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ Array(Set(visible.map(\.areaCode)))).all().map { ($0.id ?? "", $0.name) },
                               uniquingKeysWith: { a, _ in a })
        let lang = ctx.lang
        return visible.map { s in
            Row(id: s.id!, area: s.areaCode, areaName: names[s.areaCode] ?? s.areaCode, kind: s.kind.rawValue, kindName: s.kind.name(lang),
                monthly: Money(fen: s.monthlyFen).formatted, effectiveMonth: String(s.effectiveFrom.prefix(7)), status: s.status,
                enteredBy: s.enteredBy, approvedBy: s.approvedBy, document: s.document,
                canDecide: !publicOnly && s.status == "pending" && s.enteredBy != ctx.actor.username && ctx.actor.may(.manageStandards)
                    && ((try? AreaCode(s.areaCode)).map { ctx.actor.area.contains($0) } ?? false))
        }
    }
}
