import Fluent
import SQLKit
import Vapor
import DibaoCore

/// The only writer of enrolled households and their benefit decisions (二.六). An
/// application's enrollment, a review's decision, a payment failure's suspension — and
/// next, a complaint's or a supervision check's — each add one decision row here, inside
/// the caller's transaction; the payroll's schedule is refolded from the rows every time,
/// so payment reads what the decisions say and nothing else.
enum EnrollmentWorkflow {
    /// What a decision records besides its kind, month and amount.
    struct Basis: Sendable {
        var reason: String
        var exitReason: ExitReason? = nil
        /// The core calculation behind the amount (`BenefitResult` as JSON), "" when none was made.
        var inputs: String = ""
        var source: BenefitDecision.Source
        var sourceID: String
    }

    /// 纳入保障: the enrolled household, its first decision, and the payroll's schedule,
    /// inside the enrollment step's transaction.
    static func enroll(_ c: ApplicationCase, firstMonth: CivilDate, reviewClass: ReviewClass, nextReview: CivilDate,
                       ctx: ServiceContext, tx: any Database) async throws -> [AuditEntry] {
        let monthly = Money(fen: c.approvedAmountFen ?? 0)
        let schedule = BenefitScheduleRecord()
        schedule.householdID = c.householdID
        schedule.caseID = c.id
        schedule.regionCode = c.regionCode
        schedule.leagueCode = c.leagueCode
        schedule.countyCode = c.countyCode
        schedule.townshipCode = c.townshipCode
        schedule.villageCode = c.villageCode
        schedule.steps = try BenefitSchedule.enrolled(firstMonth: firstMonth, monthly: monthly).stored
        schedule.settledFen = 0
        schedule.active = true
        try await schedule.create(on: tx)

        let e = EnrolledHousehold()
        e.id = schedule.id
        e.householdID = c.householdID
        e.caseID = c.id
        e.regionCode = c.regionCode
        e.leagueCode = c.leagueCode
        e.countyCode = c.countyCode
        e.townshipCode = c.townshipCode
        e.villageCode = c.villageCode
        e.kind = c.kind
        e.singlePersonID = c.singlePersonID
        e.status = .enrolled
        e.reviewClass = reviewClass
        e.nextReviewOn = nextReview.iso
        e.lastReportOn = ctx.today.iso
        e.enrolledFrom = firstMonth.iso
        e.monthlyFen = monthly.fen
        e.version = 1
        try await e.create(on: tx)

        let d = try await insert(BenefitDecision(kind: .enrolled, from: firstMonth, monthly: monthly), for: e,
                                 basis: Basis(reason: c.reason, inputs: c.breakdown, source: .application, sourceID: c.id?.uuidString ?? ""),
                                 ctx: ctx, tx: tx)
        return [event(d, e, ctx: ctx, reason: "")]
    }

    /// Adds `decision` to the household's decisions and refolds its schedule. The
    /// schedule's own refusals (a change after the exit, a resumption without a
    /// suspension, a month before enrollment) refuse the decision, and the caller's
    /// transaction with it.
    @discardableResult
    static func decide(_ decision: BenefitDecision, for e: EnrolledHousehold, basis: Basis, ctx: ServiceContext,
                       tx: any Database) async throws -> (BenefitDecisionRecord, AuditEntry) {
        let earlier = try await BenefitDecisionRecord.query(on: tx).filter(\.$enrolledID == e.id!).sort(\.$id).all().compactMap(\.decision)
        guard let folded = try BenefitDecision.schedule(earlier + [decision]) else {
            throw Abort(.conflict, reason: ctx.l10n("error.stale"))
        }
        guard let schedule = try await BenefitScheduleRecord.find(e.id, on: tx) else { throw Abort(.notFound, ) }
        schedule.steps = folded.stored
        try await schedule.save(on: tx)

        switch decision.kind {
        case .enrolled, .kept: break
        case .changed, .resumed:
            e.status = .enrolled
            e.monthlyFen = decision.monthly.fen
        case .suspended:
            e.status = .suspended
        case .exited:
            e.status = .exited
            e.exitReason = basis.exitReason
            e.nextReviewOn = nil
            // The second notice (长期公示) names enrolled households only (二.二.4).
            if let caseID = e.caseID {
                for n in try await Notice.query(on: tx).filter(\.$caseID == caseID).filter(\.$kind == .second).filter(\.$active == true).all() {
                    n.active = false
                    try await n.save(on: tx)
                }
            }
        }
        e.version += 1
        try await e.save(on: tx)
        if let household = try await Household.find(e.householdID, on: tx) {
            household.status = e.status == .exited ? "exited" : e.status == .suspended ? "suspended" : "enrolled"
            try await household.save(on: tx)
        }
        let record = try await insert(decision, for: e, basis: basis, ctx: ctx, tx: tx)
        return (record, event(record, e, ctx: ctx, reason: basis.reason))
    }

    private static func insert(_ d: BenefitDecision, for e: EnrolledHousehold, basis: Basis, ctx: ServiceContext,
                               tx: any Database) async throws -> BenefitDecisionRecord {
        let r = BenefitDecisionRecord()
        r.enrolledID = e.id!
        r.householdID = e.householdID
        r.stamp(from: e)
        r.kind = d.kind
        r.fromMonth = d.from.iso
        r.monthlyFen = d.monthly.fen
        r.reason = basis.reason
        r.exitReason = basis.exitReason
        r.inputs = basis.inputs
        r.policyVersion = ctx.policy(on: ctx.today).version
        r.decidedOn = ctx.today.iso
        r.decidedBy = ctx.actor.username
        r.source = basis.source
        r.sourceID = basis.sourceID
        try await r.create(on: tx)
        return r
    }

    static func event(_ d: BenefitDecisionRecord, _ e: EnrolledHousehold, ctx: ServiceContext, reason: String) -> AuditEntry {
        var detail = ["decision": String(d.id ?? 0), "kind": d.kind.rawValue, "from": d.fromMonth, "monthly_fen": String(d.monthlyFen),
                      "source": d.source.rawValue, "source_id": d.sourceID]
        if let x = d.exitReason { detail["exit_reason"] = x.rawValue }
        return AuditEntry(actor: ctx.actor.audit, action: "benefit.\(d.kind.rawValue)", entityType: "enrolled_household",
                          entityID: e.id!.uuidString, areaCode: e.villageCode, reason: reason, detail: detail)
    }

    /// The enrolled household `id` if it lies in the actor's area; otherwise 404 (audited when it exists).
    static func visible(_ id: UUID?, ctx: ServiceContext) async throws -> EnrolledHousehold {
        guard let id else { throw Abort(.notFound, reason: ctx.l10n("error.enrolled_not_found")) }
        if let e = try await EnrolledHousehold.query(on: ctx.db).filter(\.$id == id).within(ctx.actor.area).first() { return e }
        if try await EnrolledHousehold.find(id, on: ctx.db) != nil {
            try await ctx.recordDenial(target: "jurisdiction", entityType: "enrolled_household", entityID: id.uuidString)
        }
        throw Abort(.notFound, reason: ctx.l10n("error.enrolled_not_found"))
    }

    /// The household's enrolled record that is not exited, if any (a household is enrolled once at a time).
    static func current(household: UUID, on db: any Database) async throws -> EnrolledHousehold? {
        try await EnrolledHousehold.query(on: db).filter(\.$householdID == household).filter(\.$status != .exited).first()
    }
}
