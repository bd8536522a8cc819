import Fluent
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao

@Suite("Audit log: hash chain and verification")
struct AuditTests {
    @Test("An untouched log verifies; changing one byte of any one stored event names that event")
    func tamper() async throws {
        try await withDibao { app in
            let headers = try await tokenHeaders(app, for: "xc_township")
            for seed in 20..<24 {
                try await app.testing().test(.POST, "/api/v1/households", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(sampleDraft(seed: seed)))) { res in
                    #expect(res.status == .created)
                }
            }
            let count = try await AuditEvent.query(on: app.db).count()
            #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: count))
            try await runVerifyCommand(app)   // exits cleanly

            let sql = app.db as! any SQLDatabase
            // Each column in turn, on a different event: any altered byte is found.
            let columns = ["reason", "detail", "actor_name", "action", "entity_id", "area_code", "occurred_at_ms"]
            for (i, column) in columns.enumerated() {
                let seq = 2 + i
                let original = try #require(try await AuditEvent.find(seq, on: app.db))
                if column == "occurred_at_ms" {
                    try await sql.raw("UPDATE audit_events SET occurred_at_ms = occurred_at_ms + 1 WHERE seq = \(bind: seq)").run()
                } else {
                    try await sql.raw("UPDATE audit_events SET \(unsafeRaw: column) = \(unsafeRaw: column) || 'x' WHERE seq = \(bind: seq)").run()
                }
                let result = try await AuditVerifier.verify(on: app.db)
                guard case .broken(let broken, _) = result else { Issue.record("tampered \(column) not detected"); continue }
                #expect(broken == seq, "tampering \(column) of event \(seq) is named")
                await #expect(throws: AuditChainBroken.self) { try await runVerifyCommand(app) }
                // Put it back so the next column is tested on an otherwise intact chain.
                try await sql.raw("UPDATE audit_events SET reason = \(bind: original.reason), detail = \(bind: original.detail), actor_name = \(bind: original.actorName), action = \(bind: original.action), entity_id = \(bind: original.entityID), area_code = \(bind: original.areaCode), occurred_at_ms = \(bind: original.occurredAtMs) WHERE seq = \(bind: seq)").run()
                #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: count))
            }

            // A deleted event breaks the chain at the gap.
            try await sql.raw("DELETE FROM audit_events WHERE seq = 3").run()
            #expect(try await AuditVerifier.verify(on: app.db) == .broken(seq: 3, reason: "event 3 is missing (next stored event is 4)"))
        }
    }

    @Test("Concurrent writers never fork the chain")
    func concurrentAppends() async throws {
        try await withDibao { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await app.audit.record([AuditEntry(actor: .system, action: "test.concurrent", entityType: "test", entityID: String(i), areaCode: "150000000000")], on: app.db)
                    }
                }
                try await group.waitForAll()
            }
            let n = try await AuditEvent.query(on: app.db).count()
            #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: n))
        }
    }

    @Test("A bulk write on the file that fails after its pages went to the log leaves nothing, and the chain goes on")
    func bulkWriteRollsBackWhole() async throws {
        try await withDibao(households: 5) { app in
            // The direct-file writer exists on the embedded database only.
            guard case .sqlite(let path) = app.dibao.settings.database else { return }
            let before = try await AuditEvent.query(on: app.db).count()
            struct Midway: Error {}
            // More events than one write-behind step, so pages of the failed change were
            // already in the log (and synced) when it failed.
            let entries = (0..<25_000).map { AuditEntry(actor: .system, action: "test.bulk", entityType: "test", entityID: String($0), areaCode: "150000000000") }
            await #expect(throws: Midway.self) {
                let _: Int = try await app.audit.write(file: path) { _, append in
                    for start in stride(from: 0, to: entries.count, by: 1_000) { try append(Array(entries[start..<start + 1_000])) }
                    throw Midway()
                }
            }
            #expect(try await AuditEvent.query(on: app.db).count() == before)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "test.bulk").count() == 0)

            // The same writer then commits, and the chain is whole across both.
            let done: Int = try await app.audit.write(file: path) { _, append in
                try append(Array(entries[0..<12_000]))
                return (1, [AuditEntry(actor: .system, action: "test.bulk.done", entityType: "test", entityID: "end", areaCode: "150000000000")])
            }
            #expect(done == 1)
            #expect(try await AuditEvent.query(on: app.db).count() == before + 12_001)
            #expect(try await AuditVerifier.verify(on: app.db) == .intact(events: before + 12_001))
        }
    }

    @Test("A UUID bound by the file writer reads as Fluent writes it")
    func uuidText() {
        for u in [UUID(), UUID(), UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!] {
            #expect(SQLiteFile.withUpperText(u) { String(cString: $0) } == u.uuidString)
        }
    }

    private func runVerifyCommand(_ app: Application) async throws {
        var context = CommandContext(console: app.console, input: CommandInput(arguments: ["dibao", "verify"]))
        context.application = app
        try await AuditCommands().run(using: &context)
    }
}
