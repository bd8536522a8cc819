import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 16: no page of the demo, in any language, shows a raw key. Every account walks
/// its menu and the pages those link to, in Chinese, English and Mongolian; the visible
/// text of each page is searched for what a key looks like (`status.enrolled`,
/// `verification.report_viewed`).
@Suite("Pages show words, not keys")
struct PageTextTests {
    /// Visible text: no scripts or styles, no tags, the common entities decoded.
    static func visibleText(_ html: String) -> String {
        var s = html.replacingOccurrences(of: #"<script[\s\S]*?</script>"#, with: " ", options: .regularExpression)
        s = s.replacingOccurrences(of: #"<style[\s\S]*?</style>"#, with: " ", options: .regularExpression)
        s = s.replacingOccurrences(of: #"<[^>]+>"#, with: " ", options: .regularExpression)
        for (e, c) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'")] { s = s.replacingOccurrences(of: e, with: c) }
        return s
    }

    /// What looks like a catalogue key: lower-case words joined by a dot, the first with no
    /// capital and no digit-only part (`case.submitted`, `pay.released_at`), that is one of
    /// the catalogue's prefixes or a key of it. Prose, amounts and file names do not match.
    static func rawKeys(in text: String) -> [String] {
        let prefixes = Set(Strings.catalogue.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
            .union(["status", "audit", "case", "complaint", "review", "payroll", "verification", "refusal", "field", "role", "intake"])
        let re = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9_./-])([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\.([a-z][a-z0-9_]*)(?![A-Za-z0-9_/(-])"#)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            guard let r = Range(m.range, in: text), let p = Range(m.range(at: 1), in: text) else { return nil }
            return prefixes.contains(String(text[p])) ? String(text[r]) : nil
        }
    }

    @Test("The key finder finds keys and leaves prose, amounts, addresses and file names alone")
    func finderFindsKeys() {
        #expect(Self.rawKeys(in: "状态 status.enrolled 共 3 户") == ["status.enrolled"])
        #expect(Self.rawKeys(in: "verification.report_viewed; payroll.closed") == ["verification.report_viewed", "payroll.closed"])
        #expect(Self.rawKeys(in: "¥906.00 docs/verification-formats.md dibao.css e.g. the end. Next").isEmpty)
    }

    @Test("Every account's pages, in every language, show no raw key")
    func noRawKeyOnAnyPage() async throws {
        try await withDibao(households: 30) { app in
            var problems: [String] = []
            var pages = 0
            for account in DemoData.accounts {
                let client = try await Client.signedIn(app, as: account.username)
                for lang in Language.allCases {
                    var queue = Menu.entries.map(\.href) + ["/"]
                    var seen = Set<String>()
                    var shapes = Set<String>()
                    var budget = 14
                    while let path = queue.first, budget > 0 {
                        queue.removeFirst()
                        let bare = path.components(separatedBy: "#")[0]
                        guard seen.insert(bare).inserted else { continue }
                        let sep = bare.contains("?") ? "&" : "?"
                        let res = try await client.get(bare + sep + "lang=\(lang.rawValue)")
                        guard res.status == .ok else { continue }
                        budget -= 1
                        pages += 1
                        let body = res.body.string
                        let isHTML = res.headers.contentType?.subType == "html"
                        let text = isHTML ? Self.visibleText(body) : body
                        for key in Self.rawKeys(in: text) { problems.append("\(account.username) \(lang.rawValue) \(bare): \(key)") }
                        guard isHTML else { continue }
                        // The pages this page leads to: its own links, one of each shape.
                        for href in CatalogueTests.matches(##"href="(/[^"#?]*(?:\?[^"#]*)?)""##, in: body) {
                            let h = href.replacingOccurrences(of: "&amp;", with: "&")
                            if h.hasPrefix("/css") || h.hasPrefix("/js") || h.hasPrefix("/fonts") || h.contains("lang=") || h.hasPrefix("/logout") { continue }
                            let shape = h.replacingOccurrences(of: #"[0-9a-fA-F-]{36}|\d{6,}"#, with: "#", options: .regularExpression)
                            if shapes.insert(shape).inserted { queue.append(h) }
                        }
                    }
                }
            }
            #expect(pages > 300, "\(pages) pages walked")
            #expect(problems.isEmpty, "\(problems.count) raw keys: \(problems.prefix(40).joined(separator: " | "))")
        }
    }

    @Test("The Mongolian font is served as a font, with its licence beside it")
    func fontIsServedAsFont() async throws {
        try await withDibao(households: 0) { app in
            let font = try await Client(app).get("/fonts/NotoSansMongolian-Regular.ttf")
            #expect(font.status == .ok)
            #expect(font.headers.first(name: .contentType) == "font/ttf")
            #expect(font.body.readableBytes > 100_000)
            let licence = try await Client(app).get("/fonts/OFL.txt")
            #expect(licence.status == .ok && licence.body.string.contains("SIL Open Font License"))
        }
    }
}
