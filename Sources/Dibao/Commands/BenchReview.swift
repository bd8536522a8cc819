import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// `dibao bench review`: on a SQLite database of its own, loads `--households` enrolled
/// households (the payroll benchmark's synthetic caseload, moved into enrolled households
/// and decisions by the migration's own backfill, next reviews spread over the year), then
/// times the month's due list for every township of the region — the real `DueList.run`,
/// in its one transaction with its audit events — and, in the same run on the same
/// database, the yardstick: a plain `INSERT … SELECT` of the same rows into a table of the
/// same shape and indexes. Then it serves the database and measures a township
/// caseworker's review queue with `wrk` at `--connections`. Run it on a release build.
struct BenchReview: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "households", help: "Enrolled households to load (default 1550000)") var households: Int?
        @Option(name: "connections", help: "Concurrent connections for the queue (default 200)") var connections: Int?
        @Option(name: "duration", help: "Seconds of the queue measurement (default 20; 0 skips it)") var duration: Int?
        @Option(name: "township-user", help: "Township caseworker for the queue (default xc_township)") var user: String?
    }

    var help: String { "Time the monthly review due list against a plain INSERT … SELECT, and the township review queue under wrk" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        app.logger.logLevel = .warning
        let console = context.console
        guard case .sqlite = app.dibao.settings.database, let sql = app.db as? any SQLDatabase else {
            throw SettingsError("bench review runs on SQLite for now (DATABASE_URL=sqlite:PATH of a database of its own)")
        }
        let target = signature.households ?? 1_550_000
        let today = app.dibao.clock.today()
        let month = today.firstOfMonth

        if try await EnrolledHousehold.query(on: app.db).count() == 0 {
            let t = Date()
            if try await BenefitScheduleRecord.query(on: app.db).count() == 0 {
                _ = try await DemoData.seed(app: app, households: 0, password: DemoData.defaultPassword) { _ in }
                try await SyntheticCaseload.load(app: app, households: target, paidUpTo: month)
            }
            try await MoveSchedulesToDecisions.backfill(app.db)
            // Next reviews spread over the year from last month (overdue) on: about a sixth is due now.
            try await sql.raw("""
                UPDATE enrolled_households SET next_review_on = date(\(bind: month.iso), ((abs(random()) % 12) - 1) || ' months')
                WHERE status <> 'exited'
                """).run()
            console.print(String(format: "Loaded %d enrolled households in %.1f s", try await EnrolledHousehold.query(on: app.db).count(), Date().timeIntervalSince(t)))
        }
        let enrolled = try await EnrolledHousehold.query(on: app.db).filter(\.$status != .exited).count()
        let townships = try await BulkSQL.rows(app.db, "SELECT COUNT(DISTINCT township_code) FROM enrolled_households").first?.int(0) ?? 0
        // Nothing of an earlier run stays open, so both sides insert the same rows.
        try await sql.raw("DELETE FROM reviews WHERE opened_by = 'system:due-list' AND trigger_id LIKE 'due-%'").run()

        let t = Date()
        let run = try await DueList.run(month: month, area: try AreaCode(DemoData.region.0), app: app)
        let seconds = Date().timeIntervalSince(t)
        console.print(String(format: "Due list %@ for %d townships (%d enrolled): %d reviews opened in %.2f s, %d audit events",
                             String(month.iso.prefix(7)), townships, enrolled, run.opened, seconds, run.counties.count))

        let yardstick = try await Self.yardstick(sql, month: month)
        console.print(String(format: "Plain INSERT … SELECT of the same rows into a table of the same shape and indexes: %d rows in %.2f s",
                             yardstick.rows, yardstick.seconds))
        guard yardstick.rows == run.opened else { throw SettingsError("the due list opened \(run.opened) reviews, the yardstick \(yardstick.rows)") }

        let duration = signature.duration ?? 20
        if duration > 0 {
            try await measureQueue(app, user: signature.user ?? "xc_township", connections: signature.connections ?? 200, duration: duration, console: console)
        }
        try await sql.raw("DELETE FROM reviews WHERE trigger_id = \(bind: run.id)").run()
        let db = "sqlite"
        console.print(String(format: "RESULT bench=review db=%@ seconds=%.3f yardstick_seconds=%.3f ratio=%.2f", db, seconds, yardstick.seconds,
                             seconds / max(yardstick.seconds, 0.001)))
    }

    /// The same rows as the due list's statement, with no check for a review under way and
    /// no audit, into a copy of `reviews` with its indexes.
    static func yardstick(_ sql: any SQLDatabase, month: CivilDate) async throws -> (rows: Int, seconds: Double) {
        try await sql.raw("DROP TABLE IF EXISTS bench_reviews").run()
        let ddl = try await sql.raw("SELECT sql FROM sqlite_master WHERE tbl_name = 'reviews' AND sql IS NOT NULL").all()
            .map { try $0.decode(column: "sql", as: String.self) }
        for statement in ddl {
            let copy = statement.replacingOccurrences(of: "CREATE TABLE reviews", with: "CREATE TABLE bench_reviews")
                .replacingOccurrences(of: " ON reviews", with: " ON bench_reviews").replacingOccurrences(of: " ON \"reviews\"", with: " ON bench_reviews")
                .replacingOccurrences(of: "INDEX \"reviews_", with: "INDEX \"bench_reviews_").replacingOccurrences(of: "INDEX reviews_", with: "INDEX bench_reviews_")
            try await sql.raw(SQLQueryString(copy)).run()
        }
        let next = month.adding(months: 1).iso
        let t = Date()
        try await sql.raw("""
            INSERT INTO bench_reviews (\(unsafeRaw: DueList.columns))
            SELECT e.id, e.household_id, e.region_code, e.league_code, e.county_code, e.township_code, e.village_code,
              'opened', 1, 'schedule', 'yardstick', '', \(bind: month.iso), \(bind: month.iso), 'yardstick', '', '', 1, '', '', '', NULL
            FROM enrolled_households e WHERE e.status <> 'exited' AND e.next_review_on < \(bind: next)
            """).run()
        let seconds = Date().timeIntervalSince(t)
        let rows = try await BulkSQL.rows(sql as! any Database, "SELECT COUNT(*) FROM bench_reviews").first?.int(0) ?? 0
        try await sql.raw("DROP TABLE bench_reviews").run()
        return (Int(rows), seconds)
    }

    /// p50/p99 of the township caseworker's review queue, as `bench notice` measures its pages.
    private func measureQueue(_ app: Application, user: String, connections: Int, duration: Int, console: any Console) async throws {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            console.print("wrk is not installed (Debian: apt-get install wrk): queue not measured")
            return
        }
        app.http.client.configuration.redirectConfiguration = .disallow
        let port = 18_000 + Int.random(in: 0..<2_000)
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        let base = "http://127.0.0.1:\(port)"
        var failure: (any Error)?
        do {
            let cookie = try await BenchNotice.signIn(app, base: base, username: user, password: DemoData.defaultPassword)
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: cookie)
            let first = try await app.client.get(URI(string: base + "/reviews"), headers: headers)
            guard first.status == .ok else { throw SettingsError("/reviews answered \(first.status)") }
            let rows = (first.body.map { String(buffer: $0) } ?? "").components(separatedBy: "class=\"review-row").count - 1
            let r = try BenchNotice.wrk(wrk, url: base + "/reviews", headers: ["Cookie: \(cookie)"], connections: connections, seconds: duration)
            console.print("township review queue (/reviews as \(user), \(rows) rows shown, \(first.body?.readableBytes ?? 0) bytes): p50 \(r.p50) ms, p99 \(r.p99) ms, \(r.requestsPerSecond) req/s, \(r.non2xx) non-2xx, \(r.errors) socket errors (\(connections) connections, \(duration) s)")
            console.print(r.p99Milliseconds < 50 ? "PASS: queue p99 under 50 ms" : "OVER: queue p99 is \(r.p99) ms (target 50 ms)")
        } catch { failure = error }
        try await Task.sleep(for: .seconds(3))
        await app.server.shutdown()
        if let failure { throw failure }
    }
}
