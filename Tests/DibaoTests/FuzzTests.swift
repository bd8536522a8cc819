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
        String(repeating: "9", count: 1_000), String(repeating: "名", count: 300),
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
        "address", "hours", "phone", "squareMetres", "oneStop", "window", "windowName",
    ]

    @Test("every route × extreme values × three callers: no 500, /healthz answers after each route")
    func fuzzEveryRoute() async throws {
        try await withDibao(households: 6) { app in try await Self.run(app) }
    }

    static func run(_ app: Application) async throws {
        let doc = try JSONSerialization.jsonObject(with: try OpenAPIDocument.data()) as? [String: Any] ?? [:]
        let names = Set(pageFields + openAPINames(doc)).sorted()
        let household = try #require(try await Household.query(on: app.db).first()?.id)
        let caseID = try await ApplicationCase.query(on: app.db).first()?.id
        let anonymous = Client(app)
        _ = try await anonymous.get("/login")
        let callers = [anonymous, try await Client.signedIn(app, as: "xc_township"), try await Client.signedIn(app, as: "supervisor")]
        let routes = app.routes.all.filter { r in r.path.first?.description != "logout" && !r.path.contains { $0.description == "**" } }
        #expect(routes.count > 60, "the application's routes are all here")
        var sent = 0
        for route in routes {
            for i in texts.indices {
                let real = i % 3 == 0 ? household.uuidString : (caseID?.uuidString ?? household.uuidString)
                let caller = callers[i % callers.count]
                let (target, headers, body) = request(route, i, names: names, realID: real, csrf: caller.csrf)
                let res = try await caller.send(route.method, target, headers: headers, body: body)
                sent += 1
                let where_ = "\(route.method) /\(route.path.map(\.description).joined(separator: "/")) value #\(i) caller \(i % callers.count)"
                #expect(res.status.code < 500, "\(where_): \(res.status) \(res.body.string.prefix(200))")
                #expect(res.headers[.location].allSatisfy(safeLocation), "\(where_): Location \(res.headers[.location])")
            }
            let health = try await anonymous.get("/healthz")
            #expect(health.status == .ok, "the server still answers after \(route.method) \(route.path)")
        }
        // One number at a time, every other field valid, so a check on another field cannot
        // stop the request before the number is used (page=Int.max with a good area).
        let receipt = try await ApplicationCase.query(on: app.db).first()?.receipt ?? ""
        let baseline = ["area": "150102001000", "year": "2026", "page": "1", "receipt": receipt, "q": "测试", "period": "2026-03"]
        for route in routes {
            for (n, name) in numericFields.enumerated() {
                let value = ["9223372036854775807", "-9223372036854775808", "1e30"][n % 3]
                var fields = baseline
                fields[name] = value
                let caller = callers[n % callers.count]
                let pairs = fields.sorted { $0.key < $1.key }.map { escape($0.key) + "=" + escape($0.value) }.joined(separator: "&")
                var parts: [String] = []
                for component in route.path {
                    if case .parameter = component { parts.append(n % 2 == 0 ? household.uuidString : (caseID?.uuidString ?? value)) } else { parts.append(component.description) }
                }
                var headers = HTTPHeaders()
                if let csrf = caller.csrf { headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
                var body: ByteBuffer?
                if route.method != .GET {
                    headers.contentType = .json
                    body = ByteBuffer(string: "{" + fields.map { "\"\($0.key)\":" + ($0.key == name ? value : jsonString($0.value)) }.joined(separator: ",") + "}")
                }
                let res = try await caller.send(route.method, "/" + parts.joined(separator: "/") + "?" + pairs, headers: headers, body: body)
                sent += 1
                #expect(res.status.code < 500, "\(route.method) /\(route.path.map(\.description).joined(separator: "/")) \(name)=\(value): \(res.status) \(res.body.string.prefix(200))")
            }
            let health = try await anonymous.get("/healthz")
            #expect(health.status == .ok, "the server still answers after \(route.method) \(route.path)")
        }
        #expect(sent > 2_000)
    }

    /// Fields that carry whole numbers somewhere in the pages or the API.
    static let numericFields = ["page", "year", "panelSize", "votesFor", "votesAgainst", "votesAbstain", "seed", "line", "pageSize", "version",
                                "amount", "declarationsSigned", "investigators", "residentPopulation", "population", "size"]

    static func safeLocation(_ value: String) -> Bool {
        !value.contains("\r") && !value.contains("\n") && !value.hasPrefix("//") && !value.contains("\\")
    }

    /// The i-th hostile request for a route: path parameters, every known query name and
    /// (for writes) a body in one of four shapes, all carrying the i-th value.
    static func request(_ route: Route, _ i: Int, names: [String], realID: String, csrf: String?) -> (String, HTTPHeaders, ByteBuffer?) {
        let value = texts[i]
        var parts: [String] = []
        for component in route.path {
            if case .parameter = component { parts.append(i % 2 == 0 ? realID : escape(value)) } else { parts.append(component.description) }
        }
        let pairs = names.map { escape($0) + "=" + escape(value) }.joined(separator: "&")
        let target = "/" + parts.joined(separator: "/") + "?" + pairs
        var headers = HTTPHeaders()
        if let csrf { headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
        guard route.method != .GET else { return (target, headers, nil) }
        switch i % 4 {
        case 0:
            headers.contentType = .urlEncodedForm
            return (target, headers, ByteBuffer(string: pairs))
        case 1:
            headers.contentType = .json
            let json = jsonValues[i % jsonValues.count]
            let fields = names.map { "\"\($0)\":" + (i % 2 == 0 ? json : jsonString(value)) }
            return (target, headers, ByteBuffer(string: "{" + fields.joined(separator: ",") + "}"))
        case 2:
            headers.contentType = .json
            return (target, headers, ByteBuffer(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0xC0, 0x80, 0x7D]))   // not UTF-8
        default:
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=x")
            let part = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(value.prefix(200))\"\r\n\r\n\(value.prefix(500))\r\n--x--\r\n"
            return (target, headers, ByteBuffer(string: part))
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
