import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// 三.二, 三.三, 三.五: staffing and work funds recorded per county and township; the
/// performance page beside the budget's execution.
@Suite("Work guarantees and performance (三.二, 三.三, 三.五)")
struct PerformanceTests {
    @Test("Route × role: the performance page for county civil affairs, finance, supervisors and the administrator; the staffing page for county civil affairs and the administrator; others 403, audited",
)
    func routeTable() async throws {
        // One application, every account in turn.
        try await withDibao(households: 0) { app in
          for username in DemoData.accounts.map(\.username) {
            let role = try #require(DemoData.accounts.first { $0.username == username }?.role)
            let client = try await Client.signedIn(app, as: username)
            let readOK = Permission.readPerformance.roles.contains(role), editOK = Permission.manageWorkGuarantees.roles.contains(role)
            #expect(try await client.get("/performance").status == (readOK ? .ok : .forbidden), "\(username)")
            #expect(try await client.get("/admin/staffing").status == (editOK ? .ok : .forbidden), "\(username)")
            var api: HTTPResponseStatus = .ok
            try await app.testing().test(.GET, "/api/v1/performance", headers: try await tokenHeaders(app, for: username)) { api = $0.status }
            #expect(api == (readOK ? .ok : .forbidden), "\(username)")
            let refused = (readOK ? 0 : 2) + (editOK ? 0 : 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == username).count() == refused)
          }
        }
    }

    @Test("Staffing and funds recorded by the county show on its performance row with households per worker; decisions in time match the cases; bad input named and refused")
    func countyRow() async throws {
        try await withDibao(households: 40) { app in
            let county = try await Client.signedIn(app, as: "xc_county")
            #expect(try await county.postForm("/admin/staffing", ["area": "150102000000", "year": "2026", "posts": "3", "filled": "3", "fullTime": "2", "purchased": "1"]).status == .seeOther)
            #expect(try await county.postForm("/admin/staffing", ["area": "150102001000", "year": "2026", "posts": "2", "filled": "1", "fullTime": "1", "purchased": "2"]).status == .seeOther)
            let over = try await county.postForm("/admin/staffing", ["area": "150102002000", "year": "2026", "posts": "1", "filled": "2"])
            #expect(over.status == .unprocessableEntity && over.body.string.contains("在岗人数：不能多于编制数"))
            #expect(over.body.string.contains("value=\"2\""), "what was typed stays")
            #expect(try await county.postForm("/admin/staffing", ["area": "150122100000", "year": "2026", "posts": "1"]).status == .forbidden)
            #expect(try await county.postForm("/admin/staffing", ["area": "150102000000", "year": "2031", "posts": "1"]).status == .unprocessableEntity)
            #expect(try await county.postForm("/admin/work-funds", ["county": "150102000000", "year": "2026", "allocated": "120000", "spent": "45000.50"]).status == .seeOther)
            #expect(try await county.postForm("/admin/work-funds", ["county": "150102000000", "year": "2026", "allocated": "-1"]).status == .unprocessableEntity)
            #expect(try await county.postForm("/admin/work-funds", ["county": "150102000000", "year": "2026", "allocated": "12.345"]).body.string.contains("安排的工作经费（元）"))
            // A second save keeps the old numbers in the audit trail.
            #expect(try await county.postForm("/admin/staffing", ["area": "150102000000", "year": "2026", "posts": "4", "filled": "3", "fullTime": "2", "purchased": "1"]).status == .seeOther)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "staffing.saved").filter(\.$entityID == "150102000000-2026").sort(\.$id, .descending).first()
            #expect(audit?.detail.contains("\"old_posts\":\"3\"") == true)

            var rows: [WorkGuarantees.CountyPerformance] = []
            try await app.testing().test(.GET, "/api/v1/performance?year=2026", headers: try await tokenHeaders(app, for: "xc_county")) {
                rows = (try? $0.content.decode([WorkGuarantees.CountyPerformance].self)) ?? []
            }
            let row = try #require(rows.first)
            #expect(rows.count == 1 && row.county == "150102000000")
            #expect(row.staffing == Staffing(posts: 6, filled: 4, fullTime: 3, purchased: 3))
            let enrolled = try await EnrolledHousehold.query(on: app.db).filter(\.$countyCode == "150102000000").filter(\.$status != .exited).count()
            #expect(enrolled > 0 && row.households == enrolled)
            #expect(row.householdsPerWorker == StaffingRules.householdsPerWorker(households: enrolled, staffing: row.staffing))
            let spent = try Money.parse("45000.50")
            #expect(row.fundsAllocated == Money(yuan: 120_000).formatted && row.fundsSpent == spent.formatted)

            // Decisions of the year, counted the plain way.
            var seen = 0
            for year in [2025, 2026] {
                let decided = try await ApplicationCase.query(on: app.db).filter(\.$countyCode == "150102000000")
                    .filter(\.$decidedOn >= "\(year)-01-01").filter(\.$decidedOn < "\(year + 1)-01-01").all()
                var expected = OnTimeCount()
                for c in decided { expected.add(onTime: c.deadline.map { c.decidedOn! <= $0 } ?? true) }
                var got: [WorkGuarantees.CountyPerformance] = []
                try await app.testing().test(.GET, "/api/v1/performance?year=\(year)", headers: try await tokenHeaders(app, for: "xc_county")) {
                    got = (try? $0.content.decode([WorkGuarantees.CountyPerformance].self)) ?? []
                }
                #expect(got.first?.decisions == expected, "\(year)")
                seen += expected.concluded
            }
            #expect(seen > 0, "the demo has decided cases to count")

            // The league's supervisor sees both counties; the page shows the numbers.
            let supervisor = try await Client.signedIn(app, as: "supervisor")
            let page = try await supervisor.get("/performance?year=2026").body.string
            #expect(page.contains("data-county=\"150102000000\"") && page.contains("data-county=\"150122000000\""))
            #expect(page.contains("¥45,000.50 / ¥120,000.00"))
            #expect(try await supervisor.get("/performance?year=99999").status == .unprocessableEntity)
            let staffing = try await county.get("/admin/staffing?year=2026").body.string
            #expect(staffing.contains("data-area=\"150102001000\"") && staffing.contains("value=\"120000.00\""))
        }
    }
}
