import Fluent
import FluentPostgresDriver
import Foundation
import NIOHTTP1
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Every test gets its own real database: a new SQLite file, or — when `DATABASE_URL`
/// names a PostgreSQL server — a new database on it, dropped afterwards. So the same
/// suite runs on both, in parallel, with nothing shared between tests.
enum TestDatabase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func make() async throws -> (DatabaseChoice, cleanup: @Sendable () async throws -> Void) {
        let env = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
        let name = "dibao_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        if env.hasPrefix("postgres") {
            try await admin(env) { try await $0.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            var parts = URLComponents(string: env)!
            parts.path = "/" + name
            return (.postgres(url: parts.string!), {
                try await admin(env) { try await $0.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
            })
        }
        let path = NSTemporaryDirectory() + name + ".sqlite"
        return (.sqlite(path: path), {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        })
    }

    private static func admin(_ url: String, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            app.databases.use(try .postgres(url: url), as: .psql)
            try await body(app.db as! any SQLDatabase)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// 40 demo households put one in each village of the demo region (20 urban, 20 rural).
/// The demo password of the fixture accounts.
let fixturePassword = "Test-Pass-1"

/// Starts the system on a fresh database with the demo region and `households` demo
/// households, runs `test`, and tears everything down.
@discardableResult
func withDibao<T>(households: Int = 40, now: String = "2026-03-02", clock: TestClock? = nil, settings tweak: (inout Settings) -> Void = { _ in },
                  _ test: (Application) async throws -> T) async throws -> T {
    let (database, cleanup) = try await TestDatabase.make()
    let app = try await Application.make(.testing)
    app.directory = DirectoryConfiguration(workingDirectory: TestDatabase.packageRoot + "/")
    app.logger.logLevel = .warning
    let result: T
    do {
        let storage = NSTemporaryDirectory() + "dibao-evidence-" + UUID().uuidString
        var settings = Settings(database: database, clock: clock ?? TestClock(now), passwordCost: 4, storageDirectory: storage)
        // Tests sign in many accounts from one test client; the per-client limit has its own test.
        settings.signInAttemptsPerMinute = 10_000
        tweak(&settings)
        try await configure(app, settings: settings)
        _ = try await DemoData.seed(app: app, households: households, password: fixturePassword) { _ in }
        result = try await test(app)
    } catch {
        try? await app.asyncShutdown()
        try? await cleanup()
        throw error
    }
    try await app.asyncShutdown()
    try await cleanup()
    return result
}

/// A clock a test can move forward (notice periods, deadlines).
final class TestClock: DibaoClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ iso: String) { current = FixedClock(iso: iso).now() }

    func now() -> Date { lock.lock(); defer { lock.unlock() }; return current }

    func advance(days: Int) {
        lock.lock()
        current = current.addingTimeInterval(Double(days) * 86_400)
        lock.unlock()
    }
}

/// A browser-like client: keeps the session cookie and the CSRF token of its last page.
final class Client: @unchecked Sendable {
    let app: Application
    /// The cookies the server set, by name (the session, and the anonymous form token).
    var cookies: [String: String] = [:]
    var cookie: String? {
        get { cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        set { cookies = [:]; for part in (newValue ?? "").split(separator: ";") { let kv = part.split(separator: "=", maxSplits: 1); if kv.count == 2 { cookies[kv[0].trimmingCharacters(in: .whitespaces)] = String(kv[1]) } } }
    }
    var csrf: String?

    init(_ app: Application) { self.app = app }

    /// Signs in through the real sign-in form.
    static func signedIn(_ app: Application, as username: String, password: String = fixturePassword) async throws -> Client {
        let c = Client(app)
        _ = try await c.get("/login")
        let res = try await c.postForm("/login", ["username": username, "password": password, "next": "/"])
        #expect(res.status == .seeOther, "sign-in of \(username) should redirect, got \(res.status)")
        // A sign-in starts a new session with a token of its own; the page it leads to carries it.
        _ = try await c.get("/")
        return c
    }

    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    func postForm(_ path: String, _ fields: [String: String], csrf send: Bool = true) async throws -> TestingHTTPResponse {
        var all = fields
        if send, let csrf { all["_csrf"] = csrf }
        let body = all.map { "\(Client.encode($0.key))=\(Client.encode($0.value))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await self.send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    func json(_ method: HTTPMethod, _ path: String, _ body: some Encodable) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = .json
        if let csrf { headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
        return try await send(method, path, headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(body)))
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        if let cookie { headers.replaceOrAdd(name: .cookie, value: cookie) }
        var captured: TestingHTTPResponse?
        try await app.testing().test(method, path, headers: headers, body: body) { res in captured = res }
        let res = captured!
        for name in ["dibao-session", "dibao-csrf"] {
            if let set = res.headers.setCookie?[name] {
                if set.expires.map({ $0 < Date() }) ?? false || set.string.isEmpty { cookies[name] = nil } else { cookies[name] = set.string }
            }
        }
        if let html = res.body.string.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            let token = res.body.string[html].split(separator: "\"")[3]
            csrf = String(token)
        }
        return res
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// A bearer-token client, as a bank or department system calls the API.
func tokenHeaders(_ app: Application, for username: String) async throws -> HTTPHeaders {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    let token = TokenHashing.newToken()
    try await APIToken(userID: try user.requireID(), name: "test", tokenHash: TokenHashing.hash(token)).create(on: app.db)
    var h = HTTPHeaders()
    h.bearerAuthorization = .init(token: token)
    h.contentType = .json
    return h
}

/// A valid household draft in a village, with fresh valid ID numbers.
func sampleDraft(village: String = "150102001001", seed: Int = 1, members: Int = 2) -> HouseholdDraft {
    let born = CivilDate(year: 1960 + seed % 30, month: 1 + seed % 12, day: 1 + seed % 28)!
    var list: [HouseholdDraft.Member] = []
    for i in 0..<members {
        let id = ResidentID.make(regionCode: "150102", birthDate: born.adding(days: i * 400), sequence: 400 + (seed % 90), sex: i % 2 == 0 ? .male : .female)
        list.append(.init(name: i == 0 ? "测试户主\(seed)" : "测试成员\(seed)\(i)", idNumber: id.value,
                          relation: i == 0 ? Kinship.head.rawValue : Kinship.spouse.rawValue,
                          disabilityLevel: i == 1 ? 2 : 0, severeIllness: i == 1, illnessNote: i == 1 ? "尿毒症" : "",
                          incomes: i == 0 ? ["wages": "800.00"] : [:]))
    }
    return HouseholdDraft(villageCode: village, address: "新华东街\(seed)号", phone: "13812345678", members: list,
                          supporters: [.init(name: "测试子女", duty: SupportDuty.elders.rawValue, monthlySupport: "200")],
                          assets: [.init(kind: AssetKind.deposit.rawValue, description: "活期存款", value: "3000")])
}

extension TestingHTTPResponse {
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }
}

/// The shipped 2025 and 2026 calendars, as the server loads them at start.
extension WorkingDayCalendar {
    static let official = WorkingDayCalendar(years: [2025, 2026].map {
        try! CalendarFile.parse(try! String(contentsOfFile: TestDatabase.packageRoot + "/calendars/\($0).toml", encoding: .utf8)).year
    })
}
