import Fluent
import Foundation
import SQLKit
import Testing
@testable import Dibao
import DibaoCore

/// Issue 16: nothing stored is a sentence in one language. The database keeps keys, rules,
/// codes and arguments; a sentence is made when a page is read, in the reader's language.
/// What may hold Chinese is what people and places are called and what people typed —
/// names, addresses, notes and opinions written by staff, titles of the files as issued.
/// Every other text column of the demo is searched for Chinese.
@Suite("Stored text is data, not sentences")
struct StoredTextTests {
    /// The columns whose Chinese is data, each with why; any other column holding Chinese
    /// after the demo fails the test, so a new one is looked at before it is let in.
    static let dataColumns: [String: String] = [
        "users.display_name": "an account's name", "areas.name": "an area's official name",
        "banks.name": "a bank's name", "payment_accounts.holder_name": "the account holder's name",
        "households.head_name": "the head of household's name", "households.address": "an address",
        "members.name": "a member's name", "members.illness_note": "typed by the caseworker",
        "income_items.note": "typed by the caseworker", "supporters.name": "a supporter's name", "supporters.note": "typed by the caseworker",
        "cases.window_name": "a window's name as registered", "cases.investigators": "who visited, as typed",
        "cases.township_opinion": "typed by the township head", "case_declarations.signer_name": "who signed",
        "notices.masked_head": "a name, masked as posted", "notices.masked_members": "names, masked as posted",
        "policy_versions.body": "a policy file as issued (its titles and sources)",
        "holiday_calendars.source": "the State Council notice's title", "holiday_calendars.names": "the holidays' names as issued",
        "service_points.name": "a hall's name", "service_points.address": "an address", "service_points.hours": "opening hours as written",
        "audit_events.detail": "the values an event changed: names and titles as typed or issued (never a sentence of the system)",
    ]

    static func han(_ s: String) -> Bool { s.unicodeScalars.contains { (0x3400...0x9FFF).contains($0.value) } }

    @Test("After the demo, no text column outside people's names and typed words holds Chinese")
    func noStoredSentences() async throws {
        try await withDibao(households: 40) { app in
            let sql = app.db as! any SQLDatabase
            struct Column: Decodable { var table_name: String; var column_name: String }
            var columns: [Column] = []
            if app.db is any SQLDatabase, sql.dialect.name == "sqlite" {
                struct T: Decodable { var name: String }
                struct C: Decodable { var name: String; var type: String }
                for t in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all(decoding: T.self) {
                    for c in try await sql.raw("SELECT name, type FROM pragma_table_info(\(bind: t.name))").all(decoding: C.self)
                    where c.type.uppercased().contains("TEXT") || c.type.uppercased().contains("CHAR") || c.type.isEmpty {
                        columns.append(.init(table_name: t.name, column_name: c.name))
                    }
                }
            } else {
                columns = try await sql.raw("""
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json')
                    """).all(decoding: Column.self)
            }
            #expect(columns.count > 100, "\(columns.count) text columns listed")
            var sentences: [String] = []
            var checked = 0
            for c in columns where Self.dataColumns["\(c.table_name).\(c.column_name)"] == nil {
                struct V: Decodable { var v: String? }
                let rows = try await sql.raw("SELECT CAST(\(ident: c.column_name) AS TEXT) AS v FROM \(ident: c.table_name) LIMIT 2000").all(decoding: V.self)
                checked += 1
                if let hit = rows.compactMap(\.v).first(where: Self.han) {
                    sentences.append("\(c.table_name).\(c.column_name): \(hit.prefix(60))")
                }
            }
            #expect(checked > 80)
            #expect(sentences.isEmpty, "\(sentences.count) columns hold Chinese that is not a name or typed text: \(sentences.joined(separator: " | "))")
        }
    }
}
