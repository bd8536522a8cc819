import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// `dibao bench relatives` (二.七 近亲属备案): on a SQLite database of its own, the review
/// benchmark's 1,550,000 enrolled households get their members (about 4 million, as the
/// households' member counts say), and 200,000 registered relatives — three in four of them
/// members of a household, the rest nobody's — are registered. Timed: the registry's real
/// matching (`RelativesRegistry.match`, one `INSERT … SELECT` into the flags with their
/// indexes, in a transaction); yardstick, in the same run on the same database: the plain SQL
/// join of relatives, members and live households that finds the same matches. Release build.
struct BenchRelatives: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "households", help: "Enrolled households to load if the database has none (default 1550000)") var households: Int?
        @Option(name: "relatives", help: "Registered relatives (default 200000)") var relatives: Int?
    }

    var help: String { "Time the relatives registry's bulk match against a plain SQL join finding the same matches" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        app.logger.logLevel = .warning
        let console = context.console
        guard case .sqlite = app.dibao.settings.database, let sql = app.db as? any SQLDatabase else {
            throw SettingsError("bench relatives runs on SQLite (DATABASE_URL=sqlite:PATH of a database of its own)")
        }
        let today = app.dibao.clock.today()
        let total = max(1, min(signature.relatives ?? 200_000, 5_000_000))
        if try await EnrolledHousehold.query(on: app.db).count() == 0 {
            let t = Date()
            if try await BenefitScheduleRecord.query(on: app.db).count() == 0 {
                _ = try await DemoData.seed(app: app, households: 0, password: DemoData.defaultPassword) { _ in }
                try await SyntheticCaseload.load(app: app, households: signature.households ?? 1_550_000, paidUpTo: today.firstOfMonth)
            }
            try await MoveSchedulesToDecisions.backfill(app.db)
            console.print(String(format: "Loaded %d enrolled households in %.1f s", try await EnrolledHousehold.query(on: app.db).count(), Date().timeIntervalSince(t)))
        }
        let uuid = "upper(substr(u,1,8)||'-'||substr(u,9,4)||'-'||substr(u,13,4)||'-'||substr(u,17,4)||'-'||substr(u,21))"
        if try await BulkSQL.rows(app.db, "SELECT COUNT(*) FROM members").first?.int(0) ?? 0 == 0 {
            let t = Date()
            try await app.db.transaction { tx in
                try await BulkSQL.prepareForBulkWrite(tx)
                try await (tx as! any SQLDatabase).raw(SQLQueryString("""
                    WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 12)
                    INSERT INTO members (id, household_id, position, name, id_number, relation, sex, birth_date, disability_level, severe_illness,
                                         illness_note, work_capacity, employment)
                    SELECT \(unsafeRaw: uuid), hid, n, name, idn, CASE WHEN n = 1 THEN 'head' ELSE 'child' END, 'male', '1980-01-01', 0, 0, '', 'full', 'unemployed'
                    FROM (SELECT hex(randomblob(16)) AS u, h.id AS hid, k.n AS n, h.head_name AS name, printf('15%016d', h.rowid * 16 + k.n) AS idn
                          FROM households h JOIN k ON k.n <= h.member_count)
                    """)).run()
            }
            console.print(String(format: "Gave the households %d members in %.1f s", try await BulkSQL.rows(app.db, "SELECT COUNT(*) FROM members").first?.int(0) ?? 0,
                                 Date().timeIntervalSince(t)))
        }
        let members = try await BulkSQL.rows(app.db, "SELECT COUNT(*) FROM members").first?.int(0) ?? 0
        let enrolled = try await EnrolledHousehold.query(on: app.db).filter(\.$status != .exited).count()
        // A fresh registry each run: three in four relatives are members somewhere.
        try await sql.raw("DELETE FROM relative_flags").run()
        try await sql.raw("DELETE FROM registered_relatives").run()
        let matching = total * 3 / 4, stride = max(1, Int(members) / max(1, matching))
        try await app.db.transaction { tx in
            let s = tx as! any SQLDatabase
            try await s.raw(SQLQueryString("""
                INSERT INTO registered_relatives (id, registrant_name, registrant_kind, registrant_post, area_code, region_code, league_code, county_code,
                                                  township_code, village_code, relation, relative_name, relative_id_number, registered_on, registered_by, active)
                SELECT \(unsafeRaw: uuid), '两委成员' || (rid % 9973), 'village_cadre', '', village_code, region_code, league_code, county_code, township_code,
                       village_code, 'sibling', name, id_number, \(bind: today.iso), 'bench', 1
                FROM (SELECT hex(randomblob(16)) AS u, m.rowid AS rid, m.name, m.id_number, h.village_code, h.region_code, h.league_code, h.county_code, h.township_code
                      FROM members m JOIN households h ON h.id = m.household_id WHERE m.rowid % \(unsafeRaw: String(stride)) = 0 LIMIT \(unsafeRaw: String(matching)))
                """)).run()
            try await s.raw(SQLQueryString("""
                WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < \(unsafeRaw: String(total - matching)))
                INSERT INTO registered_relatives (id, registrant_name, registrant_kind, registrant_post, area_code, region_code, league_code, county_code,
                                                  township_code, village_code, relation, relative_name, relative_id_number, registered_on, registered_by, active)
                SELECT \(unsafeRaw: uuid), '经办人' || (n % 997), 'caseworker', '', \(bind: DemoData.urbanCounty.0), \(bind: DemoData.region.0), \(bind: DemoData.league.0),
                       \(bind: DemoData.urbanCounty.0), '', '', 'spouse', '无名', printf('99%016d', n), \(bind: today.iso), 'bench', 1
                FROM (SELECT hex(randomblob(16)) AS u, n FROM k)
                """)).run()
        }
        let registered = try await RegisteredRelative.query(on: app.db).count()
        try await sql.raw("ANALYZE").run()

        let t = Date()
        let flagged = try await app.db.transaction { tx in
            try await RelativesRegistry.match(source: "bench", on: today, tx: tx)
        }
        let seconds = Date().timeIntervalSince(t)
        console.print(String(format: "Matched %d registered relatives against %d members of %d enrolled households: %d households flagged in %.2f s",
                             registered, members, enrolled, flagged, seconds))

        let y = Date()
        let plain = try await BulkSQL.rows(app.db, SQLQueryString("""
            SELECT COUNT(*) FROM (SELECT DISTINCT r.id, h.id FROM registered_relatives r
            JOIN members m ON m.id_number = r.relative_id_number JOIN households h ON h.id = m.household_id
            WHERE r.active = 1 AND (\(unsafeRaw: RelativesRegistry.liveHousehold(sql))))
            """)).first?.int(0) ?? -1
        let yardstick = Date().timeIntervalSince(y)
        console.print(String(format: "Plain SQL join of relatives, members and live households finding the same matches: %d pairs in %.2f s", plain, yardstick))
        guard plain == flagged else { throw SettingsError("the registry flagged \(flagged) pairs, the plain join found \(plain)") }
        console.print(String(format: "RESULT bench=relatives db=sqlite seconds=%.3f yardstick_seconds=%.3f ratio=%.2f", seconds, yardstick,
                             seconds / max(yardstick, 0.001)))
    }
}
