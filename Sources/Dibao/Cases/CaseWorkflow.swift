import Fluent
import Vapor
import DibaoCore

/// The application's steps on the shared `Kernel`: `CaseMachine` judges, and the county
/// clock is set by the steps that start it.
enum CaseWorkflow {
    static func visible(_ id: UUID?, to actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        try await Kernel.visible(ApplicationCase.self, id, ctx: req.context(actor), notFound: "error.case_not_found")
    }

    /// Performs `action` on the case `id` as `actor`, through the kernel. `record` writes what
    /// the step records (on the case object and in other tables) before the rules judge the result.
    @discardableResult
    static func perform(
        _ action: CaseAction, caseID id: UUID?, by actor: StaffActor, reason: String = "", detail: [String: String] = [:],
        on req: Request,
        record: @escaping @Sendable (ApplicationCase, any Database) async throws -> Void = { _, _ in },
        effects: @escaping @Sendable (ApplicationCase, any Database) async throws -> [AuditEntry] = { _, _ in [] }
    ) async throws -> ApplicationCase {
        try await perform(action, caseID: id, ctx: req.context(actor), reason: reason, detail: detail, record: record, effects: effects)
    }

    @discardableResult
    static func perform(
        _ action: CaseAction, caseID id: UUID?, ctx: ServiceContext, reason: String = "", detail: [String: String] = [:],
        record: @escaping @Sendable (ApplicationCase, any Database) async throws -> Void = { _, _ in },
        effects: @escaping @Sendable (ApplicationCase, any Database) async throws -> [AuditEntry] = { _, _ in [] }
    ) async throws -> ApplicationCase {
        let today = ctx.today
        let calendar = ctx.calendar
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await Kernel.perform(action, on: ApplicationCase.self, id: id, ctx: ctx, notFound: "error.case_not_found",
                                        reason: reason, detail: detail, record: record,
                                        facts: { c, tx in try await facts(for: c, reason: reason, today: today, on: tx) },
                                        effects: { c, tx in
            let policy = c.judgingPolicy(ctx)
            // The version judging the case is fixed on acceptance and kept to the end.
            if action == .accept { c.policyVersion = policy.version }
            if action.startsCountyClock {
                // 二.二.4: the limit counts from acceptance; a return for re-review starts
                // the count again, with a fresh whole-procedure limit.
                if action == .accept { c.acceptedOn = today.iso }
                c.clockStartedOn = today.iso
                c.countyReceivedOn = nil
                c.timeLimitExtended = nil
            }
            // 2021 第二十四条: the county's 10 working days start when the file arrives.
            if action == .submitToCounty { c.countyReceivedOn = today.iso }
            if action == .extendTimeLimit { c.timeLimitExtended = true }
            c.deadline = c.stage.countyClockRuns ? deadline(of: c, policy: policy, calendar: calendar)?.iso : c.deadline
            if action.needsReason && action != .extendTimeLimit { c.reason = reason }
            return try await effects(c, tx)
        })
    }

    /// The last day of the case's time limit under the version judging it, on `calendar`
    /// (so a calendar loaded later moves it: `HolidayCalendars.load` recomputes open cases).
    static func deadline(of c: ApplicationCase, policy: Policy, calendar: WorkingDayCalendar) -> CivilDate? {
        guard let start = c.clockStartedOn.flatMap({ CivilDate(iso: $0) }) else { return nil }
        return policy.caseDeadline(clockStartedOn: start, countyReceivedOn: c.countyReceivedOn.flatMap { CivilDate(iso: $0) },
                                   extended: c.timeLimitExtended ?? false, calendar: calendar)
    }

    /// What `CaseMachine` looks at, read from the stored records.
    static func facts(for c: ApplicationCase, reason: String, today: CivilDate, on db: any Database) async throws -> CaseFacts {
        let id = try c.requireID()
        let declarations = try await CaseDeclaration.query(on: db).filter(\.$caseID == id).all()
        let open = try await Objection.query(on: db).filter(\.$caseID == id).filter(\.$status == "open").count()
        let amount = c.approvedAmountFen ?? c.proposedAmountFen
        let flagged = try await RelativeFlag.query(on: db).filter(\.$householdID == c.householdID).count() > 0
        let checked = flagged ? try await FocusedCheck.query(on: db).filter(\.$caseID == id).count() > 0 : false
        var facts = CaseFacts(
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
            firstMonth: c.firstMonth.flatMap { CivilDate(iso: $0) },
            inDrawnBatch: c.spotCheckBatchID != nil
        )
        facts.relativeFlagged = flagged
        facts.focusedCheckRecorded = checked
        facts.objectionsRaised = try await Objection.query(on: db).filter(\.$caseID == id).count()
        facts.evaluationRecorded = c.evaluatedOn != nil
        facts.timeLimitExtended = c.timeLimitExtended ?? false
        return facts
    }

    /// The time limit of a case still waiting for the county's decision, judged by the
    /// version that judges the case, on the calendar loaded now.
    static func clock(of c: ApplicationCase, env: AppEnvironment) -> (clock: CountyClock, daysLeft: Int)? {
        guard c.stage.countyClockRuns, let start = c.clockStartedOn.flatMap({ CivilDate(iso: $0) }) else { return nil }
        let calendar = env.calendar
        guard let end = deadline(of: c, policy: judgingPolicy(of: c, env: env, today: env.clock.today()), calendar: calendar) else { return nil }
        let clock = CountyClock(startedOn: start, deadline: end)
        return (clock, clock.workingDaysLeft(on: env.clock.today(), calendar: calendar))
    }

    /// The version stored at acceptance; for a case from before the column, the version in
    /// force on its acceptance day; for a case not yet accepted, today's.
    static func judgingPolicy(of c: ApplicationCase, env: AppEnvironment, today: CivilDate) -> Policy {
        if let name = c.policyVersion, let p = env.policyBook.version(name) { return p }
        if let accepted = c.acceptedOn.flatMap({ CivilDate(iso: $0) }) { return env.policy(on: accepted) }
        return env.policy(on: today)
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

extension ApplicationCase: WorkflowRecord {
    typealias Machine = CaseMachine
    static var entityType: String { "case" }
    func judgingPolicy(_ ctx: ServiceContext) -> Policy { CaseWorkflow.judgingPolicy(of: self, env: ctx.env, today: ctx.today) }
}
