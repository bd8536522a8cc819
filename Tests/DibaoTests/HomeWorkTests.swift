import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 16: each role's home leads to its own work — finance to the payrolls waiting for
/// release, the bank to the files to collect and results to return, civil affairs to the
/// failed payments to settle; nothing is listed that is not waiting.
@Suite("Each role's home leads to its work")
struct HomeWorkTests {
    static func item(_ page: String, _ id: String) -> String? {
        guard let start = page.range(of: "id=\"\(id)\"") else { return nil }
        return String(page[start.upperBound...].prefix(400))
    }

    @Test("A drafted payroll waits on finance's home; exported, on the bank's; neither shows where nothing waits")
    func payrollWork() async throws {
        try await withDibao(households: 20) { app in
            let finance = try await Client.signedIn(app, as: "xc_finance")
            let bank = try await Client.signedIn(app, as: "xc_bank")
            let otherFinance = try await Client.signedIn(app, as: "tk_finance")
            #expect(Self.item(try await finance.get("/").body.string, "work-release") == nil, "nothing drafted yet")

            let drafted = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: try await paymentOperator(app, "xc_county"), app: app).payroll
            let home = try await finance.get("/").body.string
            let release = try #require(Self.item(home, "work-release"), "finance's home lists the payroll to release")
            #expect(release.contains("data-count=\"1\""))
            #expect(release.contains("2026-03"), "the oldest period waiting")
            #expect(release.contains("href=\"/payments\""))
            #expect(Self.item(try await otherFinance.get("/").body.string, "work-release") == nil, "another county's finance has nothing waiting")
            #expect(Self.item(try await bank.get("/").body.string, "work-bank") == nil, "not yet exported")

            _ = try await Payrolls.release(drafted.id, by: try await paymentOperator(app, "xc_finance"), app: app)
            _ = try await Payrolls.export(drafted.id, by: try await paymentOperator(app, "xc_finance"), app: app)
            #expect(Self.item(try await finance.get("/").body.string, "work-release") == nil, "released: no longer waiting on finance")
            let files = try #require(Self.item(try await bank.get("/").body.string, "work-bank"), "the bank's home lists the files to collect")
            #expect(files.contains("data-count=\"1\""))
        }
    }

    @Test("A pending verification request waits on its centre's home, and leaves it once run")
    func verificationWork() async throws {
        try await withDibao(households: 20) { app in
            let centre = try await Client.signedIn(app, as: "xc_verify")
            let before = try await VerificationRequests.list(for: try await staffActor(app, "xc_verify"), status: "pending", on: app.db, limit: 10_000).count
            let household = try #require(try await Household.query(on: app.db).filter(\.$countyCode == urbanCounty.value).first())
            let driver = try await CaseDriver.make(app, users: ["xc_county"])
            let res = try await driver.call("xc_county", .POST, "/api/v1/verification/requests", VerificationAPI.RequestInput(households: [household.id!]))
            #expect(res.status == .ok || res.status == .created, "\(res.status)")
            let item = try #require(Self.item(try await centre.get("/").body.string, "work-verify"), "the centre's home lists the request to run")
            #expect(item.contains("data-count=\"\(before + 1)\""))
            #expect(item.contains("href=\"/verification\""))
        }
    }
}
