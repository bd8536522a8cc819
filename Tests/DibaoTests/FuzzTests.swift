import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 12: one anonymous request with `page=9223372036854775807` trapped and took the
/// server down with every open request. This sends every route of the running application
/// (pages and API alike, with the parameter and field names of `/openapi.json` and of the
/// page forms) the values that break arithmetic, parsers and headers, as an anonymous
/// visitor, a township caseworker and the supervisor. Every answer must be below 500, and
/// `/healthz` must still answer after each route. A trap ends the test process itself, so
/// the run fails loudly rather than quietly.
@Suite("Fuzz: extreme input never gets a 500 or stops the server")
struct FuzzTests {
    /// Values sent in place of every path parameter, query parameter and body field.
    static let texts: [String] = [
        "-9223372036854775808", "9223372036854775807", "1000000000000000000000000000000", "-1", "0",
        String(repeating: "9", count: 4_096), String(repeating: "名", count: 3_000),
        "a\u{0}b", "x\r\nSet-Cookie: dibao-session=evil", "/\\evil.example", "../../etc/passwd",
        "\u{202E}gpj.exe", "a\u{200B}\u{200B}b", "e" + String(repeating: "\u{0301}", count: 40), "",
    ]
    /// The same as JSON values of the wrong or extreme kind.
    static let jsonValues: [String] = ["9223372036854775807", "-9223372036854775808", "1e30", "-1", "true", "null", "[]", "{}", "[[[[[]]]]]"]
    /// Names every page form and query uses, besides those the OpenAPI document lists.
    static let pageFields = [
        "q", "area", "page", "year", "stage", "status", "receipt", "next", "encoding", "format", "township", "village", "done", "saved",
        "username", "password", "name", "text", "answer", "reason", "kind", "amount", "central", "region", "league", "county",
        "action", "bank", "account", "holder", "period", "source", "seed", "findings", "opinion", "first_month", "firstMonth",
        "panelSize", "votesFor", "votesAgainst", "votesAbstain", "heldOn", "version", "members[0][name]", "members[0][id_number]",
        "members[0][incomes][wages]", "assets[0][value]", "supporters[0][monthly_support]", "file_name", "line", "channel",
    ]

    @Test("every route × extreme values × three callers: no 500, /healthz answers after each route")
    func fuzzEveryRoute() async throws {
        try await withDibao(households: 6) { app in
            let doc = try JSONSerialization.jsonObject(with: try OpenAPIDocument.data()) as? [String: Any] ?? [:]
            let names = Set(Self.pageFields + Self.openAPINames(doc)).sorted()
            let household = try #require(try await Household.query(on: app.db).first()?.id)
            let caseID = try await ApplicationCase.query(on: app.db).first()?.id
            let anonymous = Client(app)
            _ = try await anonymous.get("/login")
            let callers = [anonymous, try await Client.signedIn(app, as: "xc_township"), try await Client.signedIn(app, as: "supervisor")]
            let routes = app.routes.all.filter { !$0.path.contains(where: { if case .catchall = $0 { return true }; return false }) }
            #expect(routes.count > 60, "the application's routes are all here")
            var sent = 0, statuses: [UInt: Int] = [:]
            for route in routes where route.path.first?.description != "logout" {
                for (i, value) in Self.texts.enumerated() {
                    // Path parameters: the extreme value, and real ids so handlers run past the lookup.
                    let real = i % 3 == 0 ? household.uuidString : (caseID?.uuidString ?? household.uuidString)
                    let path = "/" + route.path.map { component -> String in
                        if case .parameter = component { return i % 2 == 0 ? real : Self.escape(value) }
                        return component.description
                    }.joined(separator: "/")
                    let query = names.map { "\(Self.escape($0))=\(Self.escape(value))" }.joined(separator: "&")
                    let target = path + "?" + query
                    let caller = callers[i % callers.count]
                    var headers = HTTPHeaders()
                    if let csrf = caller.csrf { headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
                    var body: ByteBuffer?
                    if route.method != .GET {
                        switch i % 4 {
                        case 0:
                            headers.contentType = .urlEncodedForm
                            body = ByteBuffer(string: names.map { "\(Self.escape($0))=\(Self.escape(value))" }.joined(separator: "&"))
                        case 1:
                            headers.contentType = .json
                            let json = Self.jsonValues[i % Self.jsonValues.count]
                            body = ByteBuffer(string: "{" + names.map { "\"\($0)\":\(i % 2 == 0 ? json : Self.jsonString(value))" }.joined(separator: ",") + "}")
                        case 2:
                            headers.contentType = .json
                            body = ByteBuffer(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0xC0, 0x80, 0x7D])   // {"\xFF\xFE":\xC0\x80} — not UTF-8
                        default:
                            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=x")
                            body = ByteBuffer(string: "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(value.prefix(200))\"\r\n\r\n\(value.prefix(500))\r\n--x--\r\n")
                        }
                    }
                    let res = try await caller.send(route.method, target, headers: headers, body: body)
                    sent += 1
                    statuses[res.status.code, default: 0] += 1
                    #expect(res.status.code < 500, "\(route.method) \(route.path.map(\.description).joined(separator: "/")) value #\(i) as caller \(i % callers.count): \(res.status) \(res.body.string.prefix(200))")
                    #expect(res.headers[.location].allSatisfy { !$0.contains("\r") && !$0.contains("\n") && !$0.hasPrefix("//") && !$0.contains("\\") })
                }
                let health = try await anonymous.get("/healthz")
                #expect(health.status == .ok, "the server still answers after \(route.method) \(route.path)")
            }
            #expect(sent > 1_000)
            #expect(statuses.keys.allSatisfy { $0 < 500 })
        }
    }

    /// Every parameter and property name the API document declares.
    static func openAPINames(_ doc: [String: Any]) -> [String] {
        var names: Set<String> = []
        for (_, ops) in doc["paths"] as? [String: [String: Any]] ?? [:] {
            for (_, op) in ops {
                for p in (op as? [String: Any])?["parameters"] as? [[String: Any]] ?? [] { if let n = p["name"] as? String { names.insert(n) } }
            }
        }
        let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]] ?? [:]
        for (_, schema) in schemas { for (name, _) in schema["properties"] as? [String: Any] ?? [:] { names.insert(name) } }
        return Array(names)
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    static func jsonString(_ s: String) -> String {
        String(data: try! JSONEncoder().encode(s), encoding: .utf8)!
    }
}
