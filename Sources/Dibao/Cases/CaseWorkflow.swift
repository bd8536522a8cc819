import Fluent
import Vapor
import DibaoCore

/// The one way a case changes. Each step: the case must be inside the actor's area
/// (else 404, audited), the actor's role must be one that takes the action (else 403,
/// audited), then the step's records are written, `CaseMachine` judges stage and
/// preconditions on the result, and stage, records and audit event land together — or,
/// if anything is refused, nothing does.
enum CaseWorkflow {
    static func visible(_ id: UUID?, to actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        guard let id else { throw Abort(.notFound) }
        if let found = try await ApplicationCase.query(on: req.db).filter(\.$id == id).within(actor.area).first() {
            return found
        }
        if try await ApplicationCase.find(id, on: req.db) != nil {
            try await req.recordDenial(actor, target: "jurisdiction", entityType: "case", entityID: id.uuidString)
        }
        throw Abort(.notFound, reason: req.l10n("error.case_not_found"))
    }

    /// Performs `action` on the case `id` as `actor`. `record` writes what the step records
    /// (on the case object and in other tables) before the rules judge the result.
    @discardableResult
    static func perform(
        _ action: CaseAction, caseID id: UUID?, by actor: StaffActor, reason: String = "", detail: [String: String] = [:],
        on req: Request,
        record: @escaping @Sendable (ApplicationCase, any Database) async throws -> Void = { _, _ in }
    ) async throws -> ApplicationCase {
        let found = try await visible(id, to: actor, on: req)
        guard CaseMachine.roles(for: action).contains(actor.role) else {
            try await req.recordDenial(actor, target: "case.\(action.rawValue)", entityType: "case", entityID: found.id!.uuidString)
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        let today = req.dibao.clock.today()
        let policy = req.dibao.policy(on: today)
        let calendar = req.dibao.calendar
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await req.audit.write(on: req.db) { tx in
            guard let c = try await ApplicationCase.find(found.id, on: tx), c.version == found.version else {
                throw Abort(.conflict, reason: req.l10n("error.stale"))
            }
            let from = c.stage
            try await record(c, tx)
            let facts = try await facts(for: c, reason: reason, today: today, on: tx)
            switch CaseMachine.apply(action, at: from, by: actor.role, facts: facts, policy: policy) {
            case .failure(let refusal): throw refusal
            case .success(let next): c.stage = next
            }
            if action.startsCountyClock {
                // 二.二.4: the county decides within 30 working days of acceptance; a
                // return for re-review starts the count again.
                let clock = CountyClock(startedOn: today, policy: policy, calendar: calendar)
                if action == .accept { c.acceptedOn = today.iso }
                c.clockStartedOn = clock.startedOn.iso
                c.deadline = clock.deadline.iso
            }
            if action.needsReason { c.reason = reason }
            c.version += 1
            try await c.save(on: tx)
            var info = detail
            info["from"] = from.rawValue
            info["to"] = c.stage.rawValue
            return (c, [AuditEntry(actor: actor.audit, action: "case.\(action.rawValue)", entityType: "case",
                                   entityID: c.id!.uuidString, areaCode: c.villageCode, reason: reason, detail: info)])
        }
    }

    /// What `CaseMachine` looks at, read from the stored records.
    static func facts(for c: ApplicationCase, reason: String, today: CivilDate, on db: any Database) async throws -> CaseFacts {
        let id = try c.requireID()
        let declarations = try await CaseDeclaration.query(on: db).filter(\.$caseID == id).all()
        let open = try await Objection.query(on: db).filter(\.$caseID == id).filter(\.$status == "open").count()
        let amount = c.approvedAmountFen ?? c.proposedAmountFen
        return CaseFacts(
            today: today, reason: reason,
            declarationsSigned: Set(declarations.map(\.kind)).count,
            investigators: Investigators.names(c.investigators).count,
            declarationsJudged: declarations.count == DeclarationKind.allCases.count && declarations.allSatisfy { $0.heldTrue != nil },
            investigationSignedByApplicant: c.applicantSigned,
            panelSize: c.panelSize, residentPopulation: c.residentPopulation,
            votesFor: c.votesFor, votesAgainst: c.votesAgainst, votesAbstain: c.votesAbstain,
            evaluationSigned: c.evaluationSigned,
            proposedAmount: amount.map { Money(fen: $0) },
            firstNoticePostedOn: c.firstNoticePostedOn.flatMap { CivilDate(iso: $0) },
            openObjections: open,
            spotCheckDrawn: c.spotCheckDrawID != nil, spotCheckVisited: c.spotCheckVisitedOn != nil,
            firstMonth: c.firstMonth.flatMap { CivilDate(iso: $0) }
        )
    }

    /// The county clock of a case still waiting for the county's decision, judged by the
    /// policy in force when it started.
    static func clock(of c: ApplicationCase, env: AppEnvironment) -> (clock: CountyClock, daysLeft: Int)? {
        guard c.stage.countyClockRuns, let start = c.clockStartedOn.flatMap({ CivilDate(iso: $0) }) else { return nil }
        let clock = CountyClock(startedOn: start, policy: env.policy(on: start), calendar: env.calendar)
        return (clock, clock.workingDaysLeft(on: env.clock.today(), calendar: env.calendar))
    }
}

/// Investigators are recorded as the names they sign with, separated by 、 or commas.
enum Investigators {
    static func names(_ text: String) -> [String] {
        let parts = text.split(whereSeparator: { "、,，;；\n".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var seen = Set<String>()
        return parts.filter { seen.insert($0).inserted }
    }
}
