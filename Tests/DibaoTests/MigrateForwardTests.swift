import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Migrations are append-only: a database made by an earlier main — before the procedure
/// columns, standards' approval, the service network, the published conditions and the work
/// guarantees — migrates forward with its households, cases and standards intact and working.
@Suite("Migrating forward (issue 15)")
struct MigrateForwardTests {
    @Test("A database from before issue 15's tables and columns migrates forward: its cases, households and standards are kept and the new pages work")
    func issue15MigratesForward() async throws {
        try await withDibao(households: 40) { app in
            let cases = try await ApplicationCase.query(on: app.db).count()
            let households = try await Household.query(on: app.db).count()
            let standards = try await Standard.query(on: app.db).count()
            let decided = try await ApplicationCase.query(on: app.db).filter(\.$decidedOn != nil).count()
            #expect(cases > 0 && standards > 0 && decided > 0)
            // Back to the earlier schema: each migration undone, newest first, and forgotten.
            let older: [(String, any AsyncMigration)] = [
                ("AddSinglePersonEnrollment", AddSinglePersonEnrollment()), ("AddAreaRetirement", AddAreaRetirement()), ("CreateWorkGuarantees", CreateWorkGuarantees()), ("CreateAreaConditions", CreateAreaConditions()),
                ("CreateServicePoints", CreateServicePoints()), ("AddStandardApproval", AddStandardApproval()), ("AddCaseProcedure", AddCaseProcedure()),
            ]
            let sql = try #require(app.db as? any SQLDatabase)
            for (name, m) in older {
                try await m.revert(on: app.db)
                try await sql.raw("DELETE FROM _fluent_migrations WHERE name LIKE \(bind: "%" + name)").run()
            }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM _fluent_migrations WHERE name LIKE '%ServicePoints'").first()?.decode(column: "n", as: Int.self) == 0)

            try await app.autoMigrate()
            #expect(try await ApplicationCase.query(on: app.db).count() == cases)
            #expect(try await ApplicationCase.query(on: app.db).filter(\.$decidedOn != nil).count() == decided)
            #expect(try await Household.query(on: app.db).count() == households)
            // Standards in use before approval existed count as approved, and still decide amounts.
            #expect(try await Standard.query(on: app.db).filter(\.$status == "approved").count() == standards)
            #expect(try await Standard.inForce(for: try AreaCode("150102001001"), kind: .urban, on: CivilDate(iso: "2026-03-02")!, db: app.db) != nil)
            #expect(try await ApplicationCase.query(on: app.db).filter(\.$windowID != nil).count() == 0, "old cases carry only their typed window name")

            let county = try await Client.signedIn(app, as: "xc_county")
            for path in ["/cases", "/admin/network", "/admin/conditions", "/admin/staffing", "/performance", "/admin/standards"] {
                #expect(try await county.get(path).status == .ok, "\(path)")
            }
            #expect(try await Client(app).get("/public/conditions?area=150102000000").body.string.contains(Money(yuan: 906).formatted))
            // A township with no registered window yet takes applications with the typed name.
            let household = try #require(try await Household.query(on: app.db).filter(\.$townshipCode == "150102001000").first())
            let page = try await Client.signedIn(app, as: "xc_township").get("/households/\(household.id!)/apply").body.string
            #expect(page.contains("id=\"no-windows\""))
        }
    }

    @Test("A batch error report stored as Chinese and English sentences migrates to phrases: no sentence is kept, and the report reads in every language")
    func batchErrorsMigrateToPhrases() async throws {
        try await withDibao(households: 10) { app in
            var lines = ["id_number,institution,account,balance_yuan,as_of"]
            for i in 0..<20 { lines.append("\(DepartmentImportTests.person(i)),工商银行,6222\(i),10.00,2026-10-31") }
            lines[7] = "\(DepartmentImportTests.person(6)),工商银行,62226,10.00,2026-02-30"
            let outcome = try await DepartmentImport.importFile(at: try departmentFile(lines), source: .deposit, period: "2026-10", by: .system(), app: app)
            let batch = try #require(outcome.batch.id)
            let sql = try #require(app.db as? any SQLDatabase)
            // Back to the sentences an earlier main stored, with one more row of them.
            try await StoreRowProblemsAsPhrases().revert(on: app.db)
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name LIKE '%StoreRowProblemsAsPhrases'").run()
            try await sql.raw("""
                INSERT INTO department_batch_errors (id, batch_id, line, field, rule, message_zh, message_en)
                VALUES (\(bind: UUID()), \(bind: batch), 12, 'balance_yuan', 'import.negative', '第 12 行“余额（元）”：不能为负数', 'line 12 balance_yuan: must not be negative')
                """).run()
            try await sql.raw("UPDATE department_batch_errors SET message_zh = '第 8 行“余额日期”：“2026-02-30”不是有效日期', message_en = 'line 8 as_of: not a date' WHERE line = 8").run()

            try await app.autoMigrate()
            let errors = try await DepartmentBatchError.query(on: app.db).filter(\.$batchID == batch).sort(\.$line).all()
            #expect(errors.map(\.line) == [8, 12])
            #expect(!errors.contains { StoredTextTests.han($0.message) }, "\(errors.map(\.message))")
            let told = errors.map { RowProblem.stored(line: $0.line, field: $0.field, rule: $0.rule, message: $0.message) }
            #expect(told.map(\.zh) == ["第 8 行 as_of：日期无效", "第 12 行 balance_yuan：金额为负数"])
            #expect(told[1].en == "line 12 balance_yuan: a negative amount")
            #expect(told.allSatisfy { !$0.message(.mn).contains("import.") && !StoredTextTests.han($0.message(.mn)) })
            // The sentence columns are gone (asked by name: a pooled connection's `SELECT *` may
            // still describe the table as it was).
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT message_zh FROM department_batch_errors").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT message_en FROM department_batch_errors").run() }

            // The report's page, in Mongolian, tells both rows.
            let response = try await Client.signedIn(app, as: "verify").get("/verification/batches/\(batch)?lang=mn")
            #expect(response.status == .ok)
            let page = response.body.string
            #expect(page.contains("balance_yuan") && !page.contains("import.rule_") && !page.contains("import.row"))
        }
    }
}
