import Fluent
import Foundation
import SQLKit
import Vapor
import FluentSQLiteDriver
import VaporCSQLite
import DibaoCore

/// `dibao bench payroll`: on an empty SQLite database, loads `--households` enrolled
/// households (schedules, one-card accounts; a few with changes, exits and no account),
/// then times the monthly payroll of every county — drafted by the real service in its
/// one transaction — and the writing of its bank files, and, in the same run on the same
/// database, the insert of the same number of payroll rows with one prepared statement
/// in one transaction through SQLite's C interface. Run it on a release build.
struct BenchPayroll: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "households", help: "Enrolled households to load (default 1550000)") var households: Int?
        @Option(name: "period", help: "Payroll period (default the current month)") var period: String?
        @Flag(name: "load-only", help: "Load the households and stop (for the crash test)") var loadOnly: Bool
    }

    var help: String { "Time the monthly payroll and bank files against a plain prepared-statement insert" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        app.logger.logLevel = .warning
        let console = context.console
        guard case .sqlite(let path) = app.dibao.settings.database else { throw SettingsError("bench payroll runs on SQLite (DATABASE_URL=sqlite:PATH)") }
        let target = signature.households ?? 1_550_000
        let today = app.dibao.clock.today()
        let period = signature.period ?? PayrollPeriod.containing(today, frequency: .monthly).label

        if try await BenefitScheduleRecord.query(on: app.db).count() == 0 {
            let t = Date()
            _ = try await DemoData.seed(app: app, households: 0, password: DemoData.defaultPassword) { _ in }
            try await SyntheticCaseload.load(app: app, households: target, paidUpTo: today.firstOfMonth)
            console.print(String(format: "Loaded %d enrolled households in %.1f s", target, Date().timeIntervalSince(t)))
        }
        if signature.loadOnly { return }

        let counties = try await BulkSQL.rows(app.db, "SELECT DISTINCT county_code FROM benefit_schedules ORDER BY county_code").map { $0.text(0) }
        let dir = NSTemporaryDirectory() + "dibao-bench-bank-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var lines = 0, total: Int64 = 0, draftSecs = 0.0, exportSecs = 0.0, releaseSecs = 0.0, bytes = 0
        for county in counties {
            let area = try AreaCode(county)
            let drafter = PaymentOperator(username: "bench_county", role: .countyCaseworker, area: area)
            let finance = PaymentOperator(username: "bench_finance", role: .financeOfficer, area: area)
            var t = Date()
            let out = try await Payrolls.draft(county: area, period: period, by: drafter, app: app)
            let d = Date().timeIntervalSince(t)
            draftSecs += d
            console.print(String(format: "  %@ %@: %d lines (%d held), ¥%@; drafted in %.2f s (lines %.2f, compute apart %.2f, totals %.2f)",
                                 out.payroll.number, county, out.payroll.lineCount, out.payroll.heldCount, Money(fen: out.payroll.totalFen).plain,
                                 d, out.seconds.read, out.seconds.compute, out.seconds.write))
            lines += out.payroll.lineCount + out.payroll.heldCount
            total += out.payroll.totalFen
            t = Date()
            _ = try await Payrolls.release(out.payroll.id, by: finance, app: app)
            releaseSecs += Date().timeIntervalSince(t)
            t = Date()
            for file in try await Payrolls.export(out.payroll.id, by: finance, app: app) {
                let data = Data(file.text.utf8)
                bytes += data.count
                try data.write(to: URL(fileURLWithPath: dir + "/" + file.fileName))
            }
            exportSecs += Date().timeIntervalSince(t)
        }
        let payrollSecs = draftSecs + exportSecs
        console.print(String(format: "Payroll %@: %d lines, ¥%@ — drafted in %.2f s, bank files (%.1f MB) in %.2f s: %.2f s in all (release, not counted: %.2f s)",
                             period, lines, Money(fen: total).plain, draftSecs, Double(bytes) / 1e6, exportSecs, payrollSecs, releaseSecs))

        let plain = try await PlainInsert.run(app: app, path: path)
        console.print(String(format: "Plain insert of the same %d rows (one prepared statement, one transaction, same table shape and indexes): %.2f s",
                             plain.rows, plain.seconds))
        console.print(String(format: "Payroll / plain insert: %.2f×", payrollSecs / max(plain.seconds, 0.001)))
    }
}

/// Enrolled households made straight into the tables, for benchmarks and the crash test:
/// the demo region's villages, one schedule and (mostly) one account each.
enum SyntheticCaseload {
    static func load(app: Application, households target: Int, paidUpTo: CivilDate) async throws {
        let villages = try await Area.query(on: app.db).filter(\.$level == AreaLevel.village.rawValue).all()
            .filter { $0.id?.hasPrefix(String(DemoData.league.0.prefix(4))) ?? false }
        guard !villages.isEmpty else { throw SettingsError("no demo villages") }
        var rng = SplitMix64(seed: 550_000)
        var ids = TimeOrderedID(stream: 9)
        let batch = 50_000
        var made = 0
        while made < target {
            let n = min(batch, target - made)
            var households: [[SQLCell]] = [], schedules: [[SQLCell]] = [], accounts: [[SQLCell]] = []
            for i in 0..<n {
                let v = villages[(made + i) % villages.count]
                let code = try AreaCode(v.id!)
                let hid = ids.next()
                let size = 1 + rng.below(4)
                let head = DemoGenerator.surnames[rng.below(DemoGenerator.surnames.count)] + DemoGenerator.given[rng.below(DemoGenerator.given.count)]
                let county = code.ancestor(at: .county)!.value, township = code.ancestor(at: .township)!.value
                households.append([.uuid(hid), .text(head), .text(DemoData.region.0), .text(DemoData.league.0), .text(county), .text(township), .text(code.value),
                                   .text(v.kind?.rawValue ?? AreaKind.urban.rawValue), .text(""), .text(""), .int(Int64(size)), .text("enrolled"), .int(1),
                                   .null, .null])
                let first = paidUpTo.adding(months: -(1 + rng.below(60)))
                let monthly = Money(fen: Int64(10_000 + rng.below(200_000)))
                var schedule = try BenefitSchedule.enrolled(firstMonth: first, monthly: monthly)
                let r = rng.below(100)
                if r < 2 { try? schedule.change(to: Money(fen: monthly.fen / 2), decidedOn: paidUpTo.adding(months: -1), effectMonths: 1) }
                else if r < 3 { try? schedule.exit(decidedOn: paidUpTo.adding(months: -1), effectMonths: 1) }
                let months = (paidUpTo.year - first.year) * 12 + paidUpTo.month - first.month
                schedules.append([.uuid(ids.next()), .uuid(hid), .null, .text(DemoData.region.0), .text(DemoData.league.0), .text(county), .text(township),
                                  .text(code.value), .text(schedule.stored), .int(monthly.fen * Int64(months)), .int(1)])
                if rng.below(50) != 0 {
                    let bank = code.value.hasPrefix(DemoData.urbanCounty.0.prefix(6)) ? DemoData.banks[0].code : DemoData.banks[1].code
                    accounts.append([.uuid(ids.next()), .uuid(hid), .text(bank), .text("6217" + String(format: "%015llu", rng.next() % 1_000_000_000_000_000)),
                                     .text(head), .text(first.iso), .text("bench")])
                }
            }
            let (hs, ss, acs) = (households, schedules, accounts)
            try await app.db.transaction { tx in
                try await BulkSQL.prepareForBulkWrite(tx)
                try await BulkSQL.insert(tx, into: Household.schema, columns: ["id", "head_name", "region_code", "league_code", "county_code", "township_code",
                                                                              "village_code", "kind", "address", "phone", "member_count", "status", "version",
                                                                              "created_at", "updated_at"], rows: hs)
                try await BulkSQL.insert(tx, into: BenefitScheduleRecord.schema, columns: DemoGenerator.scheduleColumns, rows: ss)
                try await BulkSQL.insert(tx, into: PaymentAccount.schema, columns: DemoGenerator.accountColumns, rows: acs)
            }
            made += n
        }
    }
}

/// The yardstick: the payroll's rows inserted again with one prepared statement, bound
/// and stepped row by row inside one transaction, on a connection of its own to the same
/// SQLite file — as fast as SQLite takes rows, with no layer above its C interface.
enum PlainInsert {
    struct Outcome { var rows: Int; var seconds: Double }

    static func run(app: Application, path: String) async throws -> Outcome {
        let sql = app.db as! any SQLDatabase
        // The same table and the same indexes as payroll_lines, copied from its own schema.
        try await sql.raw("DROP TABLE IF EXISTS bench_plain_lines").run()
        let schema = try await BulkSQL.rows(app.db, """
            SELECT type, sql FROM sqlite_master WHERE tbl_name = 'payroll_lines' AND sql IS NOT NULL ORDER BY type DESC
            """)
        for row in schema {
            let statement = row.text(1).replacingOccurrences(of: "\"payroll_lines\"", with: "\"bench_plain_lines\"")
                .replacingOccurrences(of: " payroll_lines ", with: " bench_plain_lines ")
                .replacingOccurrences(of: "INDEX \"payroll_lines_", with: "INDEX \"bench_plain_lines_")
                .replacingOccurrences(of: "INDEX payroll_lines_", with: "INDEX bench_plain_lines_")
            try await sql.raw(SQLQueryString(statement)).run()
        }
        let copied = try await BulkSQL.rows(app.db, "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'bench_plain_lines'").first?.int(0) ?? 0
        let original = try await BulkSQL.rows(app.db, "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'payroll_lines'").first?.int(0) ?? 0
        guard copied == original else { throw SettingsError("could not copy payroll_lines' schema (\(copied) of \(original) objects)") }
        let rows = try await BulkSQL.rows(app.db, "SELECT \(unsafeRaw: Payrolls.lineColumns.joined(separator: ", ")) FROM payroll_lines")
        let integers: Set<Int> = [6, 10, 11, 12]
        let values: [[SQLiteData]] = rows.map { r in
            (0..<Payrolls.lineColumns.count).map { i in integers.contains(i) ? .integer(Int(r.int(i))) : .text(r.text(i)) }
        }
        let columns = Payrolls.lineColumns
        let seconds = try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Double, any Error>) in
            Thread.detachNewThread {
                do { cont.resume(returning: try insert(path: path, columns: columns, rows: values)) } catch { cont.resume(throwing: error) }
            }
        }
        try await sql.raw("DROP TABLE bench_plain_lines").run()
        return Outcome(rows: values.count, seconds: seconds)
    }

    private static func insert(path: String, columns: [String], rows: [[SQLiteData]]) throws -> Double {
        var db: OpaquePointer?
        guard sqlite_nio_sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { throw SettingsError("cannot open \(path)") }
        defer { sqlite_nio_sqlite3_close(db) }
        sqlite_nio_sqlite3_busy_timeout(db, 10_000)
        func exec(_ s: String) throws {
            guard sqlite_nio_sqlite3_exec(db, s, nil, nil, nil) == SQLITE_OK else { throw SettingsError("sqlite: \(s) failed") }
        }
        try exec("PRAGMA cache_size = -524288")
        let text = "INSERT INTO bench_plain_lines (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        let start = Date()
        try exec("BEGIN IMMEDIATE")
        var stmt: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, text, -1, &stmt, nil) == SQLITE_OK else { throw SettingsError("prepare failed") }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for row in rows {
            for (i, v) in row.enumerated() {
                switch v {
                case .integer(let n): sqlite_nio_sqlite3_bind_int64(stmt, Int32(i + 1), Int64(n))
                case .text(let s): sqlite_nio_sqlite3_bind_text(stmt, Int32(i + 1), s, -1, transient)
                default: sqlite_nio_sqlite3_bind_null(stmt, Int32(i + 1))
                }
            }
            guard sqlite_nio_sqlite3_step(stmt) == SQLITE_DONE else { throw SettingsError("insert failed") }
            sqlite_nio_sqlite3_reset(stmt)
        }
        sqlite_nio_sqlite3_finalize(stmt)
        try exec("COMMIT")
        return Date().timeIntervalSince(start)
    }
}
