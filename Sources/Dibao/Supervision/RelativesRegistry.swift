import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 近亲属备案 (二.七 "对嘎查村两委班子成员（社区居民委员会干部）近亲属进行登记备案，对备案的低保对象
/// 进行重点核查，对不符合保障条件的备案对象要及时清退"): registration, matching by ID number in
/// bulk on every registration and every application, and the focused checks.
enum RelativesRegistry {
    struct RegisterInput: Content {
        var registrantName: String?
        var registrantKind: String?
        var registrantPost: String?
        var area: String?
        var relation: String?
        var relativeName: String?
        var relativeIdNumber: String?
    }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// `label：reason` — the field named as the registry's forms name it, then the rule.
    static func refuse(_ field: String, _ rule: String, label: Phrase, _ reason: Phrase) -> FieldRefusal {
        refuse(field, rule, .labelled(label, reason))
    }

    /// Registers one relative and flags at once every applying or enrolled household they
    /// are a member of. Returns the relative and how many households were flagged.
    static func register(_ input: RegisterInput, ctx: ServiceContext) async throws -> (RegisteredRelative, Int) {
        guard ctx.actor.may(.manageRelatives) else {
            try await ctx.forbidden(target: "relatives.register", entityType: "registered_relative", entityID: "")
        }
        let registrant = (input.registrantName ?? "").trimmingCharacters(in: .whitespaces)
        if registrant.isEmpty { throw refuse("registrant_name", "relatives.registrant_name", label: Phrase("relatives.refusal_label_registrant_name"), Phrase("complaint.refusal_required")) }
        if let p = NameText.problem(registrant) { throw refuse("registrant_name", p.rule, label: Phrase("relatives.refusal_label_registrant_name"), p.namePhrase) }
        guard registrant.count <= 30 else { throw refuse("registrant_name", "relatives.name_length", label: Phrase("relatives.refusal_label_registrant_name"), Phrase("complaint.refusal_at_most_chars", 30)) }
        guard let kind = input.registrantKind.flatMap(RegistrantKind.init(rawValue:)) else {
            throw refuse("registrant_kind", "relatives.registrant_kind", label: Phrase("relatives.refusal_label_registrant_kind"), Phrase("relatives.refusal_registrant_kind"))
        }
        let post = (input.registrantPost ?? "").trimmingCharacters(in: .whitespaces)
        guard post.count <= 50, NameText.problem(post) == nil else { throw refuse("registrant_post", "relatives.post", label: Phrase("relatives.refusal_label_post"), Phrase("complaint.refusal_at_most_chars", 50)) }
        guard let area = try? AreaCode(input.area ?? "", field: "area"), area.level >= .county, ctx.actor.area.contains(area) else {
            throw refuse("area", "relatives.area", label: Phrase("relatives.refusal_label_area"), Phrase("relatives.refusal_area"))
        }
        guard let relation = input.relation.flatMap(CloseRelation.init(rawValue:)) else {
            throw refuse("relation", "relatives.relation", label: Phrase("relatives.refusal_label_relation"), Phrase("relatives.refusal_relation"))
        }
        let name = (input.relativeName ?? "").trimmingCharacters(in: .whitespaces)
        if name.isEmpty { throw refuse("relative_name", "relatives.relative_name", label: Phrase("relatives.refusal_label_relative_name"), Phrase("complaint.refusal_required")) }
        if let p = NameText.problem(name) { throw refuse("relative_name", p.rule, label: Phrase("relatives.refusal_label_relative_name"), p.namePhrase) }
        guard name.count <= 30 else { throw refuse("relative_name", "relatives.name_length", label: Phrase("relatives.refusal_label_relative_name"), Phrase("complaint.refusal_at_most_chars", 30)) }
        let id = try ResidentID((input.relativeIdNumber ?? "").trimmingCharacters(in: .whitespaces), field: "relative_id_number")
        if try await RegisteredRelative.query(on: ctx.db).filter(\.$relativeIDNumber == id.value).filter(\.$registrantName == registrant)
            .filter(\.$active == true).count() > 0 {
            throw refuse("relative_id_number", "relatives.duplicate", label: Phrase("relatives.refusal_label_relative_id"), Phrase("relatives.refusal_duplicate"))
        }
        let r = RegisteredRelative()
        r.id = UUID()
        r.registrantName = registrant
        r.registrantKind = kind
        r.registrantPost = post
        r.place(in: area)
        r.relation = relation
        r.relativeName = name
        r.relativeIDNumber = id.value
        r.registeredOn = ctx.today.iso
        r.registeredBy = ctx.actor.username
        r.active = true
        let today = ctx.today
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await r.create(on: tx)
            let flagged = try await match(relatives: [r.id!], source: "registration", on: today, tx: tx)
            // The ID number is not written into the audit detail: the record id is enough.
            return ((r, flagged), [AuditEntry(actor: ctx.actor.audit, action: "relatives.registered", entityType: "registered_relative",
                                              entityID: r.id!.uuidString, areaCode: area.value,
                                              detail: ["kind": kind.rawValue, "relation": relation.rawValue, "flagged": String(flagged)])])
        }
    }

    /// Flags the applying or enrolled households whose members are registered relatives: one
    /// set-based `INSERT … SELECT` on the database (SQLite and PostgreSQL alike), narrowed to
    /// the given relatives or households when given; a pair already flagged is kept as it is.
    /// Returns the number of new flags. `plainMatches` is its reference.
    @discardableResult
    static func match(relatives: [UUID]? = nil, households: [UUID]? = nil, source: String, on today: CivilDate, tx: any Database) async throws -> Int {
        guard let sql = tx as? any SQLDatabase else { return 0 }
        var query = SQLQueryString("""
            INSERT INTO relative_flags (relative_id, household_id, region_code, league_code, county_code, township_code, village_code, flagged_on, source)
            SELECT DISTINCT r.id, h.id, h.region_code, h.league_code, h.county_code, h.township_code, h.village_code, \(bind: today.iso), \(bind: source)
            FROM registered_relatives r
            JOIN members m ON m.id_number = r.relative_id_number
            JOIN households h ON h.id = m.household_id
            WHERE r.active = \(unsafeRaw: sql.dialect.name == "sqlite" ? "1" : "true") AND (\(unsafeRaw: Self.liveHousehold(sql)))
            """)
        if let relatives {
            guard !relatives.isEmpty else { return 0 }
            query.appendLiteral(" AND r.id IN (")
            for (i, id) in relatives.enumerated() { if i > 0 { query.appendLiteral(",") }; query.appendInterpolation(bind: id) }
            query.appendLiteral(")")
        }
        if let households {
            guard !households.isEmpty else { return 0 }
            query.appendLiteral(" AND h.id IN (")
            for (i, id) in households.enumerated() { if i > 0 { query.appendLiteral(",") }; query.appendInterpolation(bind: id) }
            query.appendLiteral(")")
        }
        let before = try await RelativeFlag.query(on: tx).count()
        query.appendLiteral(" ON CONFLICT (relative_id, household_id) DO NOTHING")
        try await sql.raw(query).run()
        return try await RelativeFlag.query(on: tx).count() - before
    }

    /// A household applying (a case not yet ended) or enrolled (not exited). In SQLite
    /// `enrolled_households.household_id` is a TEXT column and `households.id` a UUID (numeric
    /// affinity) one: compared as they are, the household index is not used and every match
    /// scans every enrolled household; the cast gives both sides text affinity.
    static func liveHousehold(_ sql: any SQLDatabase) -> String {
        let hid = sql.dialect.name == "sqlite" ? "CAST(h.id AS TEXT)" : "h.id"
        return """
            EXISTS (SELECT 1 FROM enrolled_households e WHERE e.household_id = \(hid) AND e.status <> 'exited')
            OR EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id AND c.stage NOT IN ('refusedAtIntake', 'refused', 'enrolled', 'withdrawn'))
            """
    }

    /// The reference version of `match`: the plain join of relatives, members and live
    /// households, read out as "relative|household" pairs (the bench's yardstick, and the test
    /// that compares the two).
    static func plainMatches(on db: any Database) async throws -> Set<String> {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.raw(SQLQueryString("""
            SELECT r.id AS rid, h.id AS hid FROM registered_relatives r
            JOIN members m ON m.id_number = r.relative_id_number
            JOIN households h ON h.id = m.household_id
            WHERE r.active = \(unsafeRaw: sql.dialect.name == "sqlite" ? "1" : "true") AND (\(unsafeRaw: Self.liveHousehold(sql)))
            """)).all()
        var out = Set<String>()
        for row in rows {
            out.insert("\(try row.decode(column: "rid", as: UUID.self).uuidString)|\(try row.decode(column: "hid", as: UUID.self).uuidString)")
        }
        return out
    }

    struct CheckInput: Content {
        var household: String?
        var caseId: String?
        var reviewId: String?
        var finding: String?
        var note: String?
    }

    /// Records a focused check (重点核查) of a flagged household, for an application, a review
    /// or on its own. An enrolled household found not eligible is cleared out (清退): a review
    /// is opened for the county (trigger `focused_check`), whose exit decision ends the benefit.
    static func recordCheck(_ input: CheckInput, ctx: ServiceContext) async throws -> (FocusedCheck, Int?) {
        guard ctx.actor.may(.manageRelatives) else {
            try await ctx.forbidden(target: "relatives.check", entityType: "focused_check", entityID: "")
        }
        guard let hid = UUID(uuidString: input.household ?? ""),
              let h = try await Household.query(on: ctx.db).filter(\.$id == hid).within(ctx.actor.area).first() else {
            throw Abort(.notFound, reason: ctx.l10n("error.household_not_found"))
        }
        guard try await RelativeFlag.query(on: ctx.db).filter(\.$householdID == hid).count() > 0 else {
            throw refuse("household", "relatives.not_flagged", label: Phrase("relatives.refusal_label_check"), Phrase("relatives.refusal_not_flagged"))
        }
        guard let finding = input.finding.flatMap(FocusedCheckFinding.init(rawValue:)) else {
            throw refuse("finding", "relatives.finding", label: Phrase("relatives.refusal_label_finding"), Phrase("relatives.refusal_finding"))
        }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty, note.count <= 2000 else {
            throw refuse("note", "relatives.note", label: Phrase("relatives.refusal_label_note"), Phrase("complaint.refusal_required_at_most_chars", 2000))
        }
        var caseID: UUID?
        if let raw = input.caseId, !raw.isEmpty {
            guard let id = UUID(uuidString: raw), let c = try await ApplicationCase.find(id, on: ctx.db), c.householdID == hid, !c.stage.isTerminal else {
                throw refuse("case_id", "relatives.case", label: Phrase("relatives.refusal_label_case"), Phrase("relatives.refusal_case"))
            }
            caseID = c.id
        }
        var reviewID: Int?
        if let raw = input.reviewId, !raw.isEmpty {
            guard let id = Int(raw), let r = try await ReviewCase.find(id, on: ctx.db), r.householdID == hid, ReviewWorkflow.openStages.contains(r.stage) else {
                throw refuse("review_id", "relatives.review", label: Phrase("relatives.refusal_label_review"), Phrase("relatives.refusal_review"))
            }
            reviewID = r.id
        }
        let (forCase, forReview) = (caseID, reviewID)
        let check = FocusedCheck()
        check.householdID = hid
        check.caseID = caseID
        check.reviewID = reviewID
        check.regionCode = h.regionCode
        check.leagueCode = h.leagueCode
        check.countyCode = h.countyCode
        check.townshipCode = h.townshipCode
        check.villageCode = h.villageCode
        check.checkedOn = ctx.today.iso
        check.checkedBy = ctx.actor.username
        check.finding = finding
        check.note = note
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await check.create(on: tx)
            var entries = [AuditEntry(actor: ctx.actor.audit, action: "relatives.focused_check", entityType: "household", entityID: hid.uuidString,
                                      areaCode: h.villageCode, detail: ["finding": finding.rawValue, "case": forCase?.uuidString ?? "", "review": forReview.map(String.init) ?? ""])]
            var opened: Int?
            if finding == .ineligible, forReview == nil,
               let e = try await EnrolledHousehold.query(on: tx).filter(\.$householdID == hid).filter(\.$status != .exited).first(),
               try await ReviewCase.query(on: tx).filter(\.$enrolledID == e.id!).filter(\.$stage ~~ ReviewWorkflow.openStages).count() == 0 {
                let system = ctx.with(actor: StaffActor.system(area: ctx.actor.area, actingAs: .countyCaseworker, job: "focused_check"))
                let (review, event) = try await ReviewWorkflow.open(e, trigger: .focusedCheck, triggerID: String(check.id ?? 0), finding: note,
                                                                    reason: "", ctx: system, tx: tx)
                // The check counts for the review it opened.
                check.reviewID = review.id
                try await check.save(on: tx)
                opened = review.id
                entries.append(event)
            }
            return ((check, opened), entries)
        }
    }
}
