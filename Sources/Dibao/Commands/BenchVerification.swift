import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// `dibao bench verification`: on an empty database, loads `--households` demo households,
/// writes department files of `--records` rows in all (every member of those households has
/// records; the rest belong to people the register does not hold), imports them with the
/// real importer, requests a check of every household, and then times, on the same
/// database, the plain SQL join that finds the matches and the whole check (join, rules,
/// one report and one audit event per household). Run it on a release build.
struct BenchVerification: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "households", help: "Households to load (default 100000)") var households: Int?
        @Option(name: "records", help: "Department records in all (default 10000000)") var records: Int?
        @Option(name: "files", help: "Folder for the generated files (default a temporary one, removed)") var files: String?
    }

    var help: String { "Time the batch verification check against a plain SQL join of the same matches" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        app.logger.logLevel = .warning
        let console = context.console
        let target = signature.households ?? 100_000
        let totalRecords = signature.records ?? 10_000_000
        let sql = app.db as! any SQLDatabase
        let league = try AreaCode(DemoData.league.0)
        // The benchmark the issue asks for is on the embedded database; say so before loading.
        guard case .sqlite(let path) = app.dibao.settings.database else { throw SettingsError("bench verification runs on SQLite (DATABASE_URL=sqlite:PATH)") }

        var households = try await Household.query(on: app.db).count()
        if households == 0 {
            let t = Date()
            let out = try await DemoData.seed(app: app, households: target, password: DemoData.defaultPassword) { _ in }
            households = out.households
            console.print(String(format: "Loaded %d households, %d members in %.1f s", out.households, out.members, Date().timeIntervalSince(t)))
        }
        let stored = try await sql.raw("SELECT COUNT(*) AS n FROM department_records").first()?.decode(column: "n", as: Int.self) ?? 0
        if stored == 0 {
            let dir = signature.files ?? NSTemporaryDirectory() + "dibao-bench-dept-" + UUID().uuidString
            defer { if signature.files == nil { try? FileManager.default.removeItem(atPath: dir) } }
            var t = Date()
            let people = try await sql.raw("SELECT id_number, name FROM members").all().map {
                (try $0.decode(column: "id_number", as: String.self), try $0.decode(column: "name", as: String.self))
            }
            let files = try DepartmentFileSet(directory: dir)
            var gen = DepartmentSampleData(seed: 20_130_701, today: app.dibao.clock.today())
            var written = 0, matched = 0
            for (id, name) in people {
                var chunk: [DepartmentSource: String] = [:]
                let n = gen.person(id, name: name, into: &chunk)
                written += n
                matched += n
                try files.append(chunk)
            }
            var i = 0
            while written < totalRecords {
                var chunk: [DepartmentSource: String] = [:]
                for _ in 0..<1_000 where written < totalRecords {
                    written += gen.person(gen.stranger(i), name: "某人", into: &chunk)
                    i += 1
                }
                try files.append(chunk)
            }
            try files.close()
            console.print(String(format: "Wrote %d rows (%d about the %d registered members, %d about %d other people) in %.1f s",
                                 written, matched, people.count, written - matched, i, Date().timeIntervalSince(t)))
            t = Date()
            var imported = 0
            for source in DepartmentSource.allCases {
                let s = Date()
                let out = try await DepartmentImport.importFile(at: files.path(source), source: source, period: nil, by: .system(), app: app)
                imported += out.batch.rowsTotal
                let secs = Date().timeIntervalSince(s)
                console.print(String(format: "  import %@: %d rows, %d refused, %.1f s, %.0f rows/s", source.rawValue, out.batch.rowsTotal, out.batch.rowsRejected,
                                     secs, Double(out.batch.rowsTotal) / max(secs, 0.001)))
            }
            let secs = Date().timeIntervalSince(t)
            console.print(String(format: "Imported %d rows in %.1f s: %.0f rows/s", imported, secs, Double(imported) / secs))
        }
        let records = try await sql.raw("SELECT COUNT(*) AS n FROM department_records").first()?.decode(column: "n", as: Int.self) ?? 0

        let r = Date()
        let request = try await VerificationRequests.create(households: [], scope: .all, caseID: nil, purpose: "batch", note: "bench",
                                                            by: Requester(area: league, username: "bench", audit: .system), app: app)
        console.print("Database \(app.dibao.settings.database): \(households) households, \(records) department records; request \(request.number) covers \(request.householdCount) households"
                      + String(format: " (created in %.2f s).", Date().timeIntervalSince(r)))

        // The yardstick: the hand-written join that finds the check's matches (the check's
        // own pass reads them with its households' members besides), every value of every
        // row read into Swift (text as strings, numbers as integers) and nothing else,
        // stepped on the file as the check steps its pass. Run once first to warm the caches. Through the driver, which hands each
        // row to the event loop, the same join takes longer; that figure is printed too.
        let rid = request.id!
        _ = try await SQLiteFile.onOwnThread { try Self.plainJoin(path: path, requestID: rid) }
        let j = Date()
        let joined = try await SQLiteFile.onOwnThread { try Self.plainJoin(path: path, requestID: rid) }
        let joinSeconds = Date().timeIntervalSince(j)
        console.print(String(format: "Plain SQL join: %d matching records read in %.2f s", joined.rows, joinSeconds))
        let d = Date()
        let throughDriver = try await BulkSQL.rows(app.db, VerificationRun.matchQuery(rid)).count
        console.print(String(format: "  (the same join read through the database driver: %d records in %.2f s)", throughDriver, Date().timeIntervalSince(d)))

        let out = try await VerificationRun.run(request.id!, by: .system, username: "bench", app: app)
        console.print(String(format: "Check: %d households, %d records matched, %d with contradictions, %d reports and %d audit events written in %.2f s",
                             out.households, out.matchedRecords, out.withContradictions, out.households, out.households + 1, out.seconds))
        for (name, secs) in out.phases { console.print(String(format: "  %-44@ %.2f s", name as NSString, secs)) }
        let c = Date()
        // Until a checkpoint has copied every frame of the log (its columns: busy, frames in
        // the log, frames copied). PASSIVE, as the server's own: the log file keeps its size.
        try await SQLiteFile.onOwnThread {
            let file = try SQLiteFile(path: path, readOnly: false)
            while true {
                let result = try file.prepare("PRAGMA wal_checkpoint(PASSIVE)")
                guard try result.step(), result.int(0) != 0 || result.int(1) != result.int(2) else { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        console.print(String(format: "After the check, the log's copy into the database (checkpoint, on its own thread) finished %.2f s later", Date().timeIntervalSince(c)))
        console.print(String(format: "Check / join = %.2f (target: check under 30 s and within 2x of the join)", out.seconds / joinSeconds))
    }

    /// The plain join: every row stepped, every value made a Swift value. Returns the
    /// rows and the bytes of text read (so nothing read can be optimised away).
    static func plainJoin(path: String, requestID: UUID) throws -> (rows: Int, bytes: Int) {
        let file = try SQLiteFile(path: path)
        let rows = try file.prepare(VerificationRun.matchSQL, [.text(requestID.uuidString)])
        var n = 0, bytes = 0
        while try rows.step() {
            let household = rows.text(0), source = rows.text(1), idNumber = rows.text(2), reference = rows.text(3)
            let label = rows.text(4), date = rows.text(5), amount = rows.int(6), quantity = rows.int(7), status = rows.text(8)
            n += 1
            bytes &+= household.utf8.count &+ source.utf8.count &+ idNumber.utf8.count &+ reference.utf8.count &+ label.utf8.count
                &+ date.utf8.count &+ status.utf8.count &+ Int(amount & 1) &+ Int(quantity & 1)
        }
        return (n, bytes)
    }
}
