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
}
