import Fluent
import SQLKit
import Vapor
import DibaoCore

/// What the enrollment pages and API read, shared by both so they cannot disagree.
enum ReviewQueries {
    struct Row: Content, Equatable {
        var id: Int
        var enrolledID: String
        var householdID: String
        var villageCode: String
        var head: String
        var stage: String
        var stageName: String
        var trigger: String
        var triggerName: String
        var dueMonth: String
        var overdue: Bool
        var openedOn: String
    }

    static let maxRows = 500
    /// Rows per page of the review queue: enough for a day's work, small enough to read.
    static let pageRows = 100

    /// The reviews under way in the actor's area that wait for the actor's role, oldest due month
    /// first (what breaches first comes first); `all` lists every stage.
    static func queue(ctx: ServiceContext, all: Bool = false, search: String = "", offset: Int = 0, limit: Int = maxRows) async throws -> [Row] {
        let stages = all ? ReviewWorkflow.openStages : ReviewWorkflow.openStages.filter { stage in
            ReviewAction.allCases.contains { ReviewMachine.from($0).contains(stage) && ReviewMachine.roles(for: $0).contains(ctx.actor.role) && $0 != .cancel }
        }
        guard !stages.isEmpty else { return [] }
        var q = ReviewCase.query(on: ctx.db).within(ctx.actor.area).filter(\.$stage ~~ stages).sort(\.$dueMonth).sort(\.$id)
        let heads = try await headNames(search: search, ctx: ctx)
        if let heads { q = q.filter(\.$householdID ~~ Array(heads.keys)) }
        let reviews = try await q.offset(max(0, offset)).limit(limit).all()
        let names: [UUID: String]
        if let heads { names = heads } else { names = try await Self.names(for: reviews.map(\.householdID), ctx: ctx) }
        return reviews.map { row($0, head: names[$0.householdID] ?? "", ctx: ctx) }
    }

    static func row(_ r: ReviewCase, head: String, ctx: ServiceContext) -> Row {
        Row(id: r.id ?? 0, enrolledID: r.enrolledID.uuidString, householdID: r.householdID.uuidString, villageCode: r.villageCode, head: head,
            stage: r.stage.rawValue, stageName: r.stage.name(ctx.lang), trigger: r.trigger.rawValue, triggerName: r.trigger.name(ctx.lang),
            dueMonth: String(r.dueMonth.prefix(7)),
            overdue: !r.stage.isTerminal && ReviewCalendar.isOverdue(nextReviewOn: CivilDate(iso: r.dueMonth) ?? ctx.today, today: ctx.today),
            openedOn: r.openedOn)
    }

    /// Heads' names for display: whole for staff who see personal data, masked otherwise.
    static func names(for households: [UUID], ctx: ServiceContext) async throws -> [UUID: String] {
        guard !households.isEmpty else { return [:] }
        let sensitive = ctx.actor.may(.viewSensitive)
        var out: [UUID: String] = [:]
        for h in try await Household.query(on: ctx.db).filter(\.$id ~~ Array(Set(households))).all() {
            out[h.id!] = sensitive ? h.headName : Masking.name(h.headName)
        }
        return out
    }

    /// Households of the area whose head's name contains `search` (nil: no search).
    private static func headNames(search: String, ctx: ServiceContext) async throws -> [UUID: String]? {
        let s = search.trimmingWhitespace()
        guard !s.isEmpty else { return nil }
        let found = try await Household.query(on: ctx.db).within(ctx.actor.area).filter(\.$headName, .custom("LIKE"), "%\(s.replacingOccurrences(of: "%", with: ""))%")
            .limit(maxRows).all()
        let sensitive = ctx.actor.may(.viewSensitive)
        return Dictionary(uniqueKeysWithValues: found.map { ($0.id!, sensitive ? $0.headName : Masking.name($0.headName)) })
    }

    struct EarlyRow: Content {
        var id: Int; var enrolledID: String; var head: String; var villageCode: String; var reason: String
        var requestedBy: String; var requestedOn: String; var stage: String; var stageName: String
    }

    /// Early-review requests in the actor's area waiting for the county's answer.
    static func earlyRequests(ctx: ServiceContext, limit: Int = maxRows) async throws -> [EarlyRow] {
        let rows = try await EarlyReviewRequest.query(on: ctx.db).within(ctx.actor.area).filter(\.$stage == .requested).sort(\.$id).limit(limit).all()
        let names = try await names(for: rows.map(\.householdID), ctx: ctx)
        return rows.map { r in
            EarlyRow(id: r.id ?? 0, enrolledID: r.enrolledID.uuidString, head: names[r.householdID] ?? "", villageCode: r.villageCode, reason: r.reason,
                     requestedBy: r.requestedBy, requestedOn: r.requestedOn, stage: r.stage.rawValue, stageName: r.stage.name(ctx.lang))
        }
    }

    /// The township's review calendar: reviews falling due in each of the next twelve months.
    static func calendar(ctx: ServiceContext) async throws -> [(month: CivilDate, due: Int)] {
        guard let sql = ctx.db as? any SQLDatabase else { return [] }
        let area = ctx.actor.area
        let rows = try await sql.raw("""
            SELECT substr(next_review_on, 1, 7) AS m, COUNT(*) AS n FROM enrolled_households
            WHERE \(ident: area.householdColumn) = \(bind: area.value) AND status <> 'exited' AND next_review_on IS NOT NULL
            GROUP BY substr(next_review_on, 1, 7)
            """).all()
        var dates: [CivilDate] = []
        for row in rows {
            let m = try row.decode(column: "m", as: String.self), n = try row.decode(column: "n", as: Int.self)
            if let d = CivilDate(iso: m + "-01") { dates += Array(repeating: d, count: n) }
        }
        return ReviewCalendar.counts(dates, from: ctx.today)
    }
}
