import Fluent
import Vapor
import DibaoCore

/// A stored record whose procedure is a `StateMachine` in `DibaoCore`: an application,
/// a review, an early-review request — and next, complaints and supervision checks.
protocol WorkflowRecord: Model, AreaScoped where IDValue: Sendable & Hashable {
    associatedtype Machine: StateMachine
    /// The audit log's name for the record ("case", "review", …).
    static var entityType: String { get }
    var stage: Machine.Stage { get set }
    var version: Int { get set }
    var villageCode: String { get }
    /// The policy version that judges a step on this record. Most records are judged by the
    /// version in force today; an application keeps the version of its acceptance day, so a
    /// new procedure applies to cases accepted after it (issue 15).
    func judgingPolicy(_ ctx: ServiceContext) -> Policy
}

extension WorkflowRecord {
    func judgingPolicy(_ ctx: ServiceContext) -> Policy { ctx.policy(on: ctx.today) }
}

/// The one way any case changes (issue 13, from the application's `CaseWorkflow.perform`):
///
/// visible → allowed → current version → facts → the machine's judgement → the step's
/// writes → audit event, in one transaction. A record outside the actor's area answers
/// 404 like a missing one and the attempt is audited; a role the machine does not name
/// is refused (403, audited) before anything is read; a stale version is a conflict; and
/// if the machine or a write refuses, nothing of the step stays.
enum Kernel {
    /// The record `id` if it lies in the actor's area; otherwise 404, audited when it exists.
    static func visible<R: WorkflowRecord>(_ type: R.Type, _ id: R.IDValue?, ctx: ServiceContext, notFound key: String) async throws -> R {
        guard let id else { throw Abort(.notFound, reason: ctx.l10n(key)) }
        if let found = try await R.query(on: ctx.db).filter(\._$id == id).within(ctx.actor.area).first() { return found }
        if try await R.find(id, on: ctx.db) != nil {
            try await ctx.recordDenial(target: "jurisdiction", entityType: R.entityType, entityID: "\(id)")
        }
        throw Abort(.notFound, reason: ctx.l10n(key))
    }

    /// The actor's role must be one the machine names for `action`.
    static func allow<M: StateMachine>(_ machine: M.Type, _ action: M.Action, ctx: ServiceContext, entityType: String, entityID: String) async throws {
        guard M.roles(for: action).contains(ctx.actor.role) else {
            try await ctx.forbidden(target: "\(entityType).\(action.rawValue)", entityType: entityType, entityID: entityID)
        }
    }

    /// One step on the stored record `id`.
    ///
    /// - `record`: what the step records on the record itself (its inputs), before the judgement.
    /// - `facts`: what the machine looks at, read inside the transaction.
    /// - `effects`: the step's writes once the machine agreed (a decision row, a review
    ///   opened, dates the new stage sets); they may return more audit entries.
    @discardableResult
    static func perform<R: WorkflowRecord>(
        _ action: R.Machine.Action, on type: R.Type, id: R.IDValue?, ctx: ServiceContext, notFound: String,
        reason: String = "", detail: [String: String] = [:],
        record: @escaping @Sendable (R, any Database) async throws -> Void = { _, _ in },
        facts: @escaping @Sendable (R, any Database) async throws -> R.Machine.Facts,
        effects: @escaping @Sendable (R, any Database) async throws -> [AuditEntry] = { _, _ in [] }
    ) async throws -> R {
        let found = try await visible(R.self, id, ctx: ctx, notFound: notFound)
        try await allow(R.Machine.self, action, ctx: ctx, entityType: R.entityType, entityID: found.id.map { "\($0)" } ?? "")
        let policy = found.judgingPolicy(ctx)
        return try await ctx.audit.write(on: ctx.db) { tx in
            guard let r = try await R.find(found.id, on: tx), r.version == found.version else {
                throw Abort(.conflict, reason: ctx.l10n("error.stale"))
            }
            let entries = try await step(action, r, ctx: ctx, policy: policy, reason: reason, detail: detail, tx: tx,
                                         record: record, facts: facts, effects: effects)
            return (r, entries)
        }
    }

    /// The inside of a step, for callers that already hold the transaction (a batch: the
    /// county's draw judges every case of the batch in one). Throws the machine's refusal.
    static func step<R: WorkflowRecord>(
        _ action: R.Machine.Action, _ r: R, ctx: ServiceContext, policy: Policy, reason: String, detail: [String: String], tx: any Database,
        record: @Sendable (R, any Database) async throws -> Void = { _, _ in },
        facts: @Sendable (R, any Database) async throws -> R.Machine.Facts,
        effects: @Sendable (R, any Database) async throws -> [AuditEntry] = { _, _ in [] }
    ) async throws -> [AuditEntry] {
        let from = r.stage
        try await record(r, tx)
        let f = try await facts(r, tx)
        switch R.Machine.apply(action, at: from, by: ctx.actor.role, facts: f, policy: policy) {
        case .failure(let refusal): throw refusal
        case .success(let next): r.stage = next
        }
        let more = try await effects(r, tx)
        r.version += 1
        try await r.save(on: tx)
        var info = detail
        info["from"] = from.rawValue
        info["to"] = r.stage.rawValue
        return [event(R.self, action.rawValue, r, ctx: ctx, reason: reason, detail: info)] + more
    }

    /// A new record, judged by its machine's opening action and audited with it.
    static func open<R: WorkflowRecord>(
        _ r: R, action: R.Machine.Action, ctx: ServiceContext, policy: Policy, facts: R.Machine.Facts, reason: String = "",
        detail: [String: String] = [:], tx: any Database
    ) async throws -> AuditEntry {
        switch R.Machine.apply(action, at: r.stage, by: ctx.actor.role, facts: facts, policy: policy) {
        case .failure(let refusal): throw refusal
        case .success(let next): r.stage = next
        }
        try await r.create(on: tx)
        var info = detail
        info["to"] = r.stage.rawValue
        return event(R.self, action.rawValue, r, ctx: ctx, reason: reason, detail: info)
    }

    static func event<R: WorkflowRecord>(_ type: R.Type, _ action: String, _ r: R, ctx: ServiceContext, reason: String, detail: [String: String]) -> AuditEntry {
        AuditEntry(actor: ctx.actor.audit, action: "\(R.entityType).\(action)", entityType: R.entityType,
                   entityID: r.id.map { "\($0)" } ?? "", areaCode: r.villageCode, reason: reason, detail: detail)
    }
}
