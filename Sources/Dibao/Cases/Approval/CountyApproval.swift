import Fluent
import Vapor
import DibaoCore

/// 县级审批 (二.二.4): the county reviews the batch the townships sent up, draws at least
/// the policy share of it for home spot checks — with a recorded seed so an auditor can
/// redo the draw — records the visits, and decides: approve (amount, first month),
/// refuse (reason shown to the applicant) or return for re-review (the clock restarts).
enum CountyApproval {
    /// The county's batch: its cases awaiting approval that no draw has covered yet,
    /// in a fixed order (receipt), so the same seed over the same batch picks the same cases.
    static func undrawnBatch(county: String, on db: any Database) async throws -> [ApplicationCase] {
        try await ApplicationCase.query(on: db).filter(\.$countyCode == county).filter(\.$stage == .awaitingApproval)
            .filter(\.$spotCheckBatchID == nil).sort(\.$receipt).all()
    }

    /// The share a draw covers: the largest fixed share among the versions judging the
    /// batch's cases, so a case accepted under the 2013 opinion still gets its 30 % even
    /// when drawn beside cases of a version with no fixed share (2021). Zero when no case
    /// needs one; the county may still draw.
    static func share(of batch: [ApplicationCase], ctx: ServiceContext) -> Int {
        batch.map { $0.judgingPolicy(ctx).spotCheckMinPercent }.max() ?? ctx.policy(on: ctx.today).spotCheckMinPercent
    }

    struct DrawOutcome: Content {
        var drawID: UUID
        var seed: String
        var population: Int
        var picked: [String]
    }

    static func draw(by actor: StaffActor, seed: UInt64? = nil, on req: Request) async throws -> DrawOutcome {
        try await draw(ctx: req.context(actor), seed: seed)
    }

    /// Every case of the batch goes through the kernel's step: the picked ones are judged by
    /// `CaseMachine` into the spot check (a refusal stops the whole draw and is reported, so
    /// no case is silently left out), the others are marked covered; each gets its event.
    static func draw(ctx: ServiceContext, seed: UInt64? = nil) async throws -> DrawOutcome {
        let actor = ctx.actor
        guard CaseMachine.roles(for: .drawSpotCheck).contains(actor.role), actor.area.level == .county else {
            try await ctx.forbidden(target: "case.drawSpotCheck", entityType: "county", entityID: actor.area.value)
        }
        let today = ctx.today
        let county = actor.area.value
        let seed = seed ?? Sampling.newSeed()
        return try await ctx.audit.write(on: ctx.db) { tx in
            let batch = try await undrawnBatch(county: county, on: tx)
            guard !batch.isEmpty else {
                throw FieldRefusal(field: "batch", rule: "spot_check.empty", Phrase("case.refusal_spot_check_empty"))
            }
            let (picked, record) = Sampling.draw(batch, minPercent: share(of: batch, ctx: ctx), seed: seed)
            let draw = SpotCheckDrawRecord()
            draw.countyCode = county
            draw.drawnOn = today.iso
            draw.drawnBy = actor.username
            draw.seed = String(record.seed)
            draw.share = record.share
            draw.population = record.population
            draw.batch = try Self.json(batch.map { $0.id!.uuidString })
            draw.picked = try Self.json(picked.map { $0.id!.uuidString })
            try await draw.create(on: tx)
            let drawID = try draw.requireID()
            let pickedIDs = Set(picked.compactMap(\.id))
            var entries: [AuditEntry] = []
            for c in batch {
                // Every case of the batch is marked covered by this draw; the picked ones go to a home visit.
                c.spotCheckBatchID = drawID
                if pickedIDs.contains(c.id!) {
                    c.spotCheckDrawID = drawID
                    entries += try await Kernel.step(.drawSpotCheck, c, ctx: ctx, policy: c.judgingPolicy(ctx), reason: "", detail: ["draw": drawID.uuidString], tx: tx,
                                                     facts: { c, tx in try await CaseWorkflow.facts(for: c, reason: "", today: today, on: tx) })
                } else {
                    c.version += 1
                    try await c.save(on: tx)
                    entries.append(Kernel.event(ApplicationCase.self, "spotCheckNotPicked", c, ctx: ctx, reason: "",
                                                detail: ["draw": drawID.uuidString, "stage": c.stage.rawValue]))
                }
            }
            entries.append(AuditEntry(actor: actor.audit, action: "spot_check.drawn", entityType: "spot_check_draw", entityID: drawID.uuidString,
                                      areaCode: county, detail: ["seed": draw.seed, "population": String(batch.count), "picked": String(picked.count)]))
            return (DrawOutcome(drawID: drawID, seed: draw.seed, population: batch.count, picked: picked.map { $0.receipt }), entries)
        }
    }

    /// An auditor redoes a recorded draw from its batch and seed and gets the same cases.
    static func redraw(_ draw: SpotCheckDrawRecord) throws -> (same: Bool, picked: [String]) {
        let batch = try JSONDecoder().decode([String].self, from: Data(draw.batch.utf8))
        let recorded = try JSONDecoder().decode([String].self, from: Data(draw.picked.utf8))
        guard let seed = UInt64(draw.seed) else { return (false, []) }
        let (picked, _) = Sampling.draw(batch, minPercent: draw.share, seed: seed)
        return (picked == recorded, picked)
    }

    static func recordVisit(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let visited = try CaseSteps.date(input.visitedOn, field: "visited_on", label: Phrase("case.refusal_spot_check_date")) ?? req.dibao.clock.today()
        return try await CaseWorkflow.perform(.recordSpotCheckVisit, caseID: caseID, by: actor, on: req) { c, _ in
            c.spotCheckVisitedOn = visited.iso
            c.spotCheckFindings = String((input.findings ?? "").prefix(1000))
        }
    }

    static func approve(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let amount = try CaseSteps.money(input.amount, field: "amount")
        let month = try CaseSteps.date(input.firstMonth.map { $0.count == 7 ? $0 + "-01" : $0 }, field: "first_month", label: Phrase("case.refusal_first_month_label"))
        let reason = String((input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        // The calculated amount, the rules' ceiling and any reason are kept with the decision.
        return try await CaseWorkflow.perform(.approve, caseID: caseID, by: actor, detail: ["amount": String(amount?.fen ?? 0), "amount_reason": reason], on: req) { c, _ in
            let decided = amount ?? c.proposedAmountFen.map { Money(fen: $0) }
            if let decided { try DecidedAmount.check(decided, calculation: c.benefitResult, calculated: c.computedAmountFen.map { Money(fen: $0) }, reason: reason) }
            c.approvedAmountFen = decided?.fen
            c.firstMonth = (month ?? req.dibao.clock.today().firstOfMonth).iso
            c.decidedOn = req.dibao.clock.today().iso
            c.decidedBy = actor.username
        }
    }

    private static func json(_ ids: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
    }
}
