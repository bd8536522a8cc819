import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 分类复核的月度到期名单 (二.六): each month, every enrolled or suspended household whose
/// next review falls in the month (or before it, not yet reviewed) and has no review under
/// way gets one, opened by the system for the county. One statement per run appends the
/// reviews; every one of them carries the run's id, and the run is one audit event per
/// county naming it and its count, so each stored review traces to its event.
enum DueList {
    struct Run: Sendable, Equatable { var id: String; var month: CivilDate; var opened: Int; var counties: [String: Int] }

    /// The rows the run adds, as the `SELECT` of an `INSERT … SELECT`. The plain reference
    /// version (`runPlain`) reaches the same rows one household at a time through the
    /// kernel, and a test compares the two.
    static func select(area: AreaCode, month: CivilDate, runID: String, by: String, today: CivilDate, sqlite: Bool) -> (String, [any Encodable & Sendable]) {
        let next = month.firstOfMonth.adding(months: 1).iso
        let open = ReviewWorkflow.openStages.map { "'\($0.rawValue)'" }.joined(separator: ",")
        let sql = """
            SELECT e.id, e.household_id, e.region_code, e.league_code, e.county_code, e.township_code, e.village_code,
              'opened', 1, 'schedule', ?, '', ?, ?, ?, '', '', \(sqlite ? "1" : "TRUE"), '', '', '', NULL
            FROM enrolled_households e
            WHERE e.\(area.householdColumn) = ? AND e.status <> 'exited' AND e.next_review_on < ?
              AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.enrolled_id = e.id AND r.stage IN (\(open)))
            """
        return (sql, [runID, month.firstOfMonth.iso, today.iso, by, area.value, next])
    }

    static let columns = """
        enrolled_id, household_id, region_code, league_code, county_code, township_code, village_code,
        stage, version, trigger, trigger_id, finding, due_month, opened_on, opened_by, visitors, notes, income_stable,
        breakdown, reason, decided_by, decision_id
        """

    /// Opens the month's reviews in `area` (a county, league or region) as the system.
    static func run(month: CivilDate, area: AreaCode, app: Application, actingOn: CivilDate? = nil) async throws -> Run {
        let runID = "due-\(month.iso.prefix(7))-\(UUID().uuidString.prefix(8))"
        let actor = StaffActor.system(area: area, actingAs: .countyCaseworker, job: "due-list")
        let ctx = actingOn.map { app.context(actor).on($0) } ?? app.context(actor)
        return try await ctx.audit.write(on: ctx.db) { tx in
            guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
            let (select, binds) = select(area: area, month: month, runID: runID, by: actor.username, today: ctx.today,
                                         sqlite: sql.dialect.name == "sqlite")
            try await sql.raw(SQLQueryString("INSERT INTO reviews (\(unsafeRaw: columns)) ") + bound(select, binds)).run()
            let counts = try await sql.raw("SELECT county_code, COUNT(*) AS n FROM reviews WHERE trigger_id = \(bind: runID) GROUP BY county_code").all()
            var byCounty: [String: Int] = [:]
            for row in counts { byCounty[try row.decode(column: "county_code", as: String.self)] = try row.decode(column: "n", as: Int.self) }
            let events = byCounty.sorted { $0.key < $1.key }.map { county, n in
                AuditEntry(actor: actor.audit, action: "review.due_list", entityType: "due_list", entityID: runID, areaCode: county,
                           detail: ["month": month.firstOfMonth.iso, "opened": String(n)])
            }
            let run = Run(id: runID, month: month.firstOfMonth, opened: byCounty.values.reduce(0, +), counties: byCounty)
            return (run, events)
        }
    }

    /// The plain reference version: the same rows, one `ReviewWorkflow.open` per household
    /// through the kernel. Tests compare it with `run`; it is the slow, obvious way.
    static func runPlain(month: CivilDate, area: AreaCode, app: Application) async throws -> Int {
        let actor = StaffActor.system(area: area, actingAs: .countyCaseworker, job: "due-list")
        let ctx = app.context(actor)
        let next = month.firstOfMonth.adding(months: 1).iso
        let due = try await EnrolledHousehold.query(on: ctx.db).within(area).filter(\.$status != .exited)
            .filter(\.$nextReviewOn < next).sort(\.$id).all()
        var opened = 0
        for e in due {
            let ok = try await ctx.audit.write(on: ctx.db) { tx in
                do {
                    let (_, event) = try await ReviewWorkflow.open(e, trigger: .schedule, triggerID: "plain", ctx: ctx, tx: tx)
                    return (true, [event])
                } catch let r as ReviewRefusal where r.reason == .reviewOpen {
                    return (false, [])
                }
            }
            if ok { opened += 1 }
        }
        return opened
    }

    private static func bound(_ sql: String, _ binds: [any Encodable & Sendable]) -> SQLQueryString {
        var q = SQLQueryString("")
        var rest = Substring(sql)
        var i = 0
        while let mark = rest.firstIndex(of: "?") {
            q.appendInterpolation(unsafeRaw: String(rest[..<mark]))
            q.appendInterpolation(bind: binds[i])
            i += 1
            rest = rest[rest.index(after: mark)...]
        }
        q.appendInterpolation(unsafeRaw: String(rest))
        return q
    }
}
