import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 16: the header's menu offers each role only what it may open.
@Suite("The menu shows only what the role may open")
struct MenuTests {
    @Test("Every account: each entry its menu shows answers 200, each it hides answers 403; a bank operator sees home and payments")
    func menuMatchesGuards() async throws {
        try await withDibao(households: 6) { app in
            for account in DemoData.accounts {
                let client = try await Client.signedIn(app, as: account.username)
                let home = try await client.get("/").body.string
                let start = try #require(home.range(of: "<nav id=\"menu\">"))
                let end = try #require(home.range(of: "</nav>", range: start.upperBound..<home.endIndex))
                let nav = String(home[start.upperBound..<end.lowerBound])
                let shown = Set(Menu.entries.filter { nav.contains("id=\"\($0.id)\"") }.map(\.id))
                for entry in Menu.entries {
                    let status = try await client.get(entry.href).status
                    if shown.contains(entry.id) {
                        #expect(status == .ok, "\(account.username) is offered \(entry.href) but gets \(status)")
                    } else {
                        #expect(status == .forbidden, "\(account.username) is not offered \(entry.href) but gets \(status)")
                    }
                }
                if account.role == .bankOperator { #expect(shown == ["nav-home", "nav-payments"], "\(shown)") }
            }
        }
    }
}
