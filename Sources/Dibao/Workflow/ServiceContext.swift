import Fluent
import Vapor
import DibaoCore

/// Everything a service needs, built once from a request or from a command (issue 13):
/// the database, the clock and calendar, the policy in force, the audit log, the actor
/// and the language. A page, an API call, a night job and the demo hand the same
/// context to the same service, so none of them has a second way to change a record.
struct ServiceContext: Sendable {
    let db: any Database
    let env: AppEnvironment
    let audit: AuditLog
    let actor: StaffActor
    let lang: Language
    /// Method and path of the request, recorded with a refusal; empty for a command.
    let origin: (method: String, path: String)
    /// Set only by the demo, which replays a past year's work on the days it happened so
    /// that its payrolls reflect it; every other caller acts today.
    var actingOn: CivilDate? = nil

    var today: CivilDate { actingOn ?? env.clock.today() }

    /// The same context acting on `date` (the demo's replay).
    func on(_ date: CivilDate) -> ServiceContext {
        var c = self
        c.actingOn = date
        return c
    }
    var calendar: WorkingDayCalendar { env.calendar }
    func policy(on date: CivilDate) -> Policy { env.policy(on: date) }
    func l10n(_ key: String) -> String { Strings.text(key, lang) }

    /// A refusal is an audit event (SPEC "Security"), whatever the caller.
    func recordDenial(target: String, entityType: String, entityID: String) async throws {
        try await audit.record([AuditEntry(actor: actor.audit, action: "access.denied", entityType: entityType, entityID: entityID,
                                           areaCode: actor.area.value, reason: target,
                                           detail: origin.path.isEmpty ? ["origin": "command"] : ["method": origin.method, "path": origin.path])], on: db)
    }

    func forbidden(target: String, entityType: String, entityID: String) async throws -> Never {
        try await recordDenial(target: target, entityType: entityType, entityID: entityID)
        throw Abort(.forbidden, reason: l10n("error.forbidden"))
    }
}

extension Request {
    func context(_ actor: StaffActor) -> ServiceContext {
        ServiceContext(db: db, env: dibao, audit: audit, actor: actor, lang: lang, origin: (method.rawValue, url.path))
    }
}

extension Application {
    /// The context of a command, a job or the demo.
    func context(_ actor: StaffActor, lang: Language = .zh) -> ServiceContext {
        ServiceContext(db: db, env: dibao, audit: audit, actor: actor, lang: lang, origin: ("", ""))
    }
}

extension StaffActor {
    /// The system acting for an area in a role's stead — the monthly due list opens reviews
    /// for the county — and audited as the system, not as any person.
    static func system(area: AreaCode, actingAs role: Role, job: String) -> StaffActor {
        StaffActor(userID: UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, username: "system:\(job)",
                   displayName: "system", role: role, area: area, viaToken: false, kind: .system)
    }
}
