import Fluent
import Vapor
import DibaoCore

/// 监督检查 (二.七): the yearly plan of a level (region, league, county) with its random checks
/// of townships and villages drawn from a recorded seed (`InspectionDraw`), redrawable by an
/// auditor exactly like the county's spot check; findings with their rectification.
enum Inspections {
    struct PlanInput: Content { var year: String?; var kind: String?; var title: String?; var area: String?; var sharePercent: String? }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// `label：reason` — the field named as the inspection forms name it, then the rule.
    static func refuse(_ field: String, _ rule: String, label: Phrase, _ reason: Phrase) -> FieldRefusal {
        refuse(field, rule, .labelled(label, reason))
    }

    static func createPlan(_ input: PlanInput, ctx: ServiceContext) async throws -> InspectionPlan {
        guard ctx.actor.may(.inspect) else { try await ctx.forbidden(target: "inspection.plan", entityType: "inspection_plan", entityID: "") }
        guard let year = Int(input.year ?? ""), (2000...2100).contains(year) else {
            throw refuse("year", "inspection.year", label: Phrase("inspection.refusal_label_year"), Phrase("inspection.refusal_year"))
        }
        guard let kind = input.kind.flatMap(InspectionKind.init(rawValue:)) else {
            throw refuse("kind", "inspection.kind", label: Phrase("inspection.refusal_label_kind"), Phrase("inspection.refusal_kind"))
        }
        let title = (input.title ?? "").trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty, title.count <= 100, NameText.problem(title) == nil else {
            throw refuse("title", "inspection.title", label: Phrase("inspection.refusal_label_title"), Phrase("complaint.refusal_required_at_most_chars", 100))
        }
        guard let area = try? AreaCode(input.area ?? "", field: "area"), area.level <= .county, ctx.actor.area.contains(area) else {
            throw refuse("area", "inspection.area", label: Phrase("inspection.refusal_label_area"), Phrase("inspection.refusal_area"))
        }
        guard let share = Int(input.sharePercent ?? ""), (1...100).contains(share) else {
            throw refuse("share_percent", "inspection.share", label: Phrase("inspection.refusal_label_share"), Phrase("inspection.refusal_share"))
        }
        let p = InspectionPlan()
        p.year = year
        p.kind = kind
        p.title = title
        p.place(in: area)
        p.sharePercent = share
        p.drawnBy = ""
        p.townshipPopulation = 0
        p.villagePopulation = 0
        p.townships = ""
        p.villages = ""
        p.createdBy = ctx.actor.username
        p.createdOn = ctx.today.iso
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await p.create(on: tx)
            return (p, [AuditEntry(actor: ctx.actor.audit, action: "inspection.planned", entityType: "inspection_plan", entityID: String(p.id ?? 0),
                                   areaCode: area.value, detail: ["year": String(year), "kind": kind.rawValue, "share": String(share)])])
        }
    }

    /// The townships of the plan's area and their villages, as the draw reads them.
    static func tree(of p: InspectionPlan, db: any Database) async throws -> [String: [String]] {
        guard let area = try? AreaCode(p.areaCode) else { return [:] }
        let prefix = String(area.value.prefix(area.level.codeLength))
        let all = try await Area.query(on: db).filter(\.$id >= prefix).filter(\.$id <= prefix + "~").all().compactMap { try? AreaCode($0.id ?? "") }
        var tree: [String: [String]] = [:]
        for a in all where area.contains(a) && a.level == .township { tree[a.value] = [] }
        for a in all where area.contains(a) && a.level == .village {
            if let t = a.ancestor(at: .township)?.value, tree[t] != nil { tree[t]!.append(a.value) }
        }
        return tree
    }

    /// Draws the plan's random checks once, with a fresh seed, and records it.
    static func draw(plan id: Int?, ctx: ServiceContext, seed: UInt64 = Sampling.newSeed()) async throws -> InspectionPlan {
        guard ctx.actor.may(.inspect) else { try await ctx.forbidden(target: "inspection.draw", entityType: "inspection_plan", entityID: String(id ?? 0)) }
        let p = try await visible(id, ctx: ctx)
        guard p.seed == nil else {
            throw refuse("seed", "inspection.drawn", label: Phrase("inspection.refusal_label_draw"), Phrase("inspection.refusal_drawn"))
        }
        let result = InspectionDraw.draw(villagesByTownship: try await tree(of: p, db: ctx.db), sharePercent: p.sharePercent, seed: seed)
        p.seed = String(seed)
        p.drawnOn = ctx.today.iso
        p.drawnBy = ctx.actor.username
        p.townshipPopulation = result.townshipRecord.population
        p.villagePopulation = result.villageRecord.population
        p.townships = result.townships.joined(separator: ",")
        p.villages = result.villages.joined(separator: ",")
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await p.save(on: tx)
            return (p, [AuditEntry(actor: ctx.actor.audit, action: "inspection.drawn", entityType: "inspection_plan", entityID: String(p.id ?? 0),
                                   areaCode: p.areaCode, detail: ["seed": String(seed), "townships": String(result.townships.count), "villages": String(result.villages.count)])])
        }
    }

    struct Redraw: Content { var matches: Bool; var seed: String; var townships: [String]; var villages: [String]; var recordedTownships: [String]; var recordedVillages: [String] }

    /// An auditor's redraw: the same seed over today's lists must give what was recorded.
    static func redraw(plan id: Int?, ctx: ServiceContext) async throws -> Redraw {
        let p = try await visible(id, ctx: ctx)
        guard let raw = p.seed, let seed = UInt64(raw) else {
            throw refuse("seed", "inspection.not_drawn", label: Phrase("inspection.refusal_label_redraw"), Phrase("inspection.refusal_not_drawn"))
        }
        let result = InspectionDraw.draw(villagesByTownship: try await tree(of: p, db: ctx.db), sharePercent: p.sharePercent, seed: seed)
        let recordedT = p.townships.split(separator: ",").map(String.init), recordedV = p.villages.split(separator: ",").map(String.init)
        let matches = result.townships == recordedT && result.villages == recordedV
            && result.townshipRecord.population == p.townshipPopulation && result.villageRecord.population == p.villagePopulation
        try await ctx.audit.record([AuditEntry(actor: ctx.actor.audit, action: "inspection.redrawn", entityType: "inspection_plan", entityID: String(p.id ?? 0),
                                               areaCode: p.areaCode, detail: ["matches": String(matches)])], on: ctx.db)
        return Redraw(matches: matches, seed: raw, townships: result.townships, villages: result.villages, recordedTownships: recordedT, recordedVillages: recordedV)
    }

    static func visible(_ id: Int?, ctx: ServiceContext) async throws -> InspectionPlan {
        guard let id else { throw Abort(.notFound) }
        // A plan is seen by its own area's people and by those above it (a league reads a county's
        // plan); a county reads the plans of the league that cover it too.
        guard let p = try await InspectionPlan.find(id, on: ctx.db), let area = try? AreaCode(p.areaCode),
              ctx.actor.area.contains(area) || area.contains(ctx.actor.area) else {
            if try await InspectionPlan.find(id, on: ctx.db) != nil {
                try await ctx.recordDenial(target: "jurisdiction", entityType: "inspection_plan", entityID: String(id))
            }
            throw Abort(.notFound)
        }
        return p
    }

    struct FindingInput: Content { var area: String?; var household: String?; var finding: String?; var rectification: String?; var owner: String?; var deadline: String? }

    static func addFinding(plan id: Int?, _ input: FindingInput, ctx: ServiceContext) async throws -> InspectionFinding {
        guard ctx.actor.may(.inspect) else { try await ctx.forbidden(target: "inspection.finding", entityType: "inspection_plan", entityID: String(id ?? 0)) }
        let p = try await visible(id, ctx: ctx)
        guard let planArea = try? AreaCode(p.areaCode), let area = try? AreaCode(input.area ?? "", field: "area"), planArea.contains(area) else {
            throw refuse("area", "inspection.finding_area", label: Phrase("inspection.refusal_label_place"), Phrase("inspection.refusal_place"))
        }
        let finding = (input.finding ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !finding.isEmpty, finding.count <= 2000 else { throw refuse("finding", "inspection.finding", label: Phrase("inspection.refusal_label_finding"), Phrase("complaint.refusal_required_at_most_chars", 2000)) }
        let rect = (input.rectification ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard rect.count <= 2000 else { throw refuse("rectification", "inspection.rectification", label: Phrase("inspection.refusal_label_rectification"), Phrase("complaint.refusal_at_most_chars", 2000)) }
        let owner = (input.owner ?? "").trimmingCharacters(in: .whitespaces)
        guard owner.count <= 60, NameText.problem(owner) == nil, rect.isEmpty || !owner.isEmpty else {
            throw refuse("owner", "inspection.owner", label: Phrase("inspection.refusal_label_owner"), Phrase("inspection.refusal_owner", 60))
        }
        let deadline = (input.deadline ?? "").trimmingCharacters(in: .whitespaces)
        guard rect.isEmpty ? deadline.isEmpty || CivilDate(iso: deadline) != nil : (CivilDate(iso: deadline).map { $0 >= ctx.today } ?? false) else {
            throw refuse("deadline", "inspection.deadline", label: Phrase("inspection.refusal_label_deadline"), Phrase("inspection.refusal_deadline"))
        }
        var household: UUID?
        if let raw = input.household, !raw.isEmpty {
            guard let hid = UUID(uuidString: raw), let h = try await Household.find(hid, on: ctx.db), let v = try? AreaCode(h.villageCode), area.contains(v) else {
                throw refuse("household", "inspection.household", label: Phrase("inspection.refusal_label_household"), Phrase("inspection.refusal_household"))
            }
            household = hid
        }
        let f = InspectionFinding()
        f.planID = p.id!
        f.areaCode = area.value
        f.householdID = household
        f.finding = finding
        f.rectification = rect
        f.owner = owner
        f.deadline = deadline
        f.closingEvidence = ""
        f.recordedBy = ctx.actor.username
        f.recordedOn = ctx.today.iso
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await f.create(on: tx)
            return (f, [AuditEntry(actor: ctx.actor.audit, action: "inspection.finding", entityType: "inspection_plan", entityID: String(p.id ?? 0),
                                   areaCode: area.value, detail: ["finding": String(f.id ?? 0), "deadline": deadline])])
        }
    }

    struct CloseInput: Content { var evidence: String? }

    /// Closes a rectification item with the evidence it was done.
    static func closeFinding(plan id: Int?, finding fid: Int?, _ input: CloseInput, ctx: ServiceContext) async throws -> InspectionFinding {
        guard ctx.actor.may(.inspect) else { try await ctx.forbidden(target: "inspection.close", entityType: "inspection_plan", entityID: String(id ?? 0)) }
        let p = try await visible(id, ctx: ctx)
        guard let fid, let f = try await InspectionFinding.find(fid, on: ctx.db), f.planID == p.id else { throw Abort(.notFound) }
        let evidence = (input.evidence ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !evidence.isEmpty, evidence.count <= 2000 else { throw refuse("evidence", "inspection.evidence", label: Phrase("inspection.refusal_label_evidence"), Phrase("complaint.refusal_required_at_most_chars", 2000)) }
        guard f.closedOn == nil else { throw refuse("evidence", "inspection.closed", label: Phrase("inspection.refusal_label_closing"), Phrase("inspection.refusal_closed")) }
        f.closedOn = ctx.today.iso
        f.closingEvidence = evidence
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await f.save(on: tx)
            return (f, [AuditEntry(actor: ctx.actor.audit, action: "inspection.closed", entityType: "inspection_plan", entityID: String(p.id ?? 0),
                                   areaCode: f.areaCode, detail: ["finding": String(fid)])])
        }
    }
}
