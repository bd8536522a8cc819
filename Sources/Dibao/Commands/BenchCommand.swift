import Fluent
import Foundation
import NIOCore
import Vapor
import DibaoCore

/// `dibao bench notice`: with a demo region loaded (`dibao demo --households 1550000`),
/// serves it on loopback and measures, with `wrk`, the public notice page of a township and
/// a county approver's work queue at 200 concurrent connections. Run it on a release build.
struct BenchCommands: AsyncCommandGroup {
    var help: String { "Benchmarks: notice, verification, payroll, review, relatives" }
    var commands: [String: any AnyAsyncCommand] { ["notice": BenchNotice(), "verification": BenchVerification(), "payroll": BenchPayroll(), "review": BenchReview(), "relatives": BenchRelatives()] }
}

struct BenchNotice: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "connections", help: "Concurrent connections (default 200)") var connections: Int?
        @Option(name: "duration", help: "Seconds per endpoint (default 20)") var duration: Int?
        @Option(name: "township", help: "Township code (default 150102001000)") var township: String?
        @Option(name: "approver", help: "Approver account (default xc_approver)") var approver: String?
        @Option(name: "password", help: "Its password (default the demo one)") var password: String?
    }

    var help: String { "p50/p99 of the public notice page and an approver's queue under wrk" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let connections = signature.connections ?? 200
        let duration = signature.duration ?? 20
        let township = signature.township ?? "150102001000"
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SettingsError("wrk is not installed (Debian: apt-get install wrk)")
        }
        let households = try await Household.query(on: app.db).count()
        let notices = try await Notice.query(on: app.db).filter(\.$townshipCode == township).filter(\.$active == true).count()
        let awaiting = try await ApplicationCase.query(on: app.db).filter(\.$countyCode == String(township.prefix(6)) + "000000")
            .filter(\.$stage ~~ [.awaitingApproval, .spotCheck]).count()
        guard households > 0 else { throw SettingsError("no households: load a demo region first (dibao demo --households 1550000)") }
        context.console.print("Database \(app.dibao.settings.database): \(households) households; township \(township): \(notices) notices up; county: \(awaiting) cases awaiting approval.")

        app.logger.logLevel = .warning
        app.http.client.configuration.redirectConfiguration = .disallow
        let port = 18_000 + Int.random(in: 0..<2_000)
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        let base = "http://127.0.0.1:\(port)"
        var failure: (any Error)?
        do {
            try await measure(app, base: base, signature: signature, connections: connections, duration: duration, township: township, wrk: wrk, console: context.console)
        } catch { failure = error }
        // Let answers still in flight when wrk stopped finish before the databases close.
        try await Task.sleep(for: .seconds(3))
        await app.server.shutdown()
        if let failure { throw failure }
    }

    private func measure(_ app: Application, base: String, signature: Signature, connections: Int, duration: Int, township: String, wrk: String, console: any Console) async throws {
        let cookie = try await Self.signIn(app, base: base, username: signature.approver ?? "xc_approver", password: signature.password ?? DemoData.defaultPassword)
        var results: [(String, WrkResult)] = []
        for (label, path, headers) in [("public notice page, township \(township)", "/public/notices?area=\(township)", [String]()),
                                       ("county approver's queue (/cases)", "/cases", ["Cookie: \(cookie)"])] {
            var warm = HTTPHeaders()
            for h in headers { let parts = h.split(separator: ":", maxSplits: 1); warm.add(name: String(parts[0]), value: parts[1].trimmingCharacters(in: .whitespaces)) }
            let first = try await app.client.get(URI(string: base + path), headers: warm)   // the first answer fills the cache, as in service
            guard first.status == .ok else { throw SettingsError("\(path) answered \(first.status)") }
            let result = try Self.wrk(wrk, url: base + path, headers: headers, connections: connections, seconds: duration)
            results.append((label, result))
            console.print("\(label): p50 \(result.p50) ms, p99 \(result.p99) ms, \(result.requestsPerSecond) req/s, \(result.non2xx) non-2xx, \(result.errors) socket errors (\(connections) connections, \(duration) s)")
        }
        let worst = results.map(\.1.p99Milliseconds).max() ?? .infinity
        console.print(worst < 50 ? "PASS: p99 under 50 ms on both" : "OVER: a p99 is \(worst) ms (target 50 ms)")
    }

    struct WrkResult { var p50: String; var p99: String; var p99Milliseconds: Double; var requestsPerSecond: String; var non2xx: Int; var errors: Int }

    static func wrk(_ path: String, url: String, headers: [String], connections: Int, seconds: Int) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "--timeout", "5s"] + headers.flatMap { ["-H", $0] } + [url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func field(_ prefix: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        func ms(_ s: String) -> Double {
            if s.hasSuffix("us") { return (Double(s.dropLast(2)) ?? .infinity) / 1000 }
            if s.hasSuffix("ms") { return Double(s.dropLast(2)) ?? .infinity }
            if s.hasSuffix("s") { return (Double(s.dropLast(1)) ?? .infinity) * 1000 }
            return .infinity
        }
        let p50 = field("50%") ?? "?", p99 = field("99%") ?? "?"
        let non2xx = Int(field("Non-2xx or 3xx responses:") ?? "0") ?? 0
        let errors = field("Socket errors:").map { $0.split(separator: ",").compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +) } ?? 0
        return WrkResult(p50: String(format: "%.2f", ms(p50)), p99: String(format: "%.2f", ms(p99)), p99Milliseconds: ms(p99),
                         requestsPerSecond: field("Requests/sec:") ?? "?", non2xx: non2xx, errors: errors)
    }

    /// Signs in through the real form and returns the session cookie.
    /// Call before the application's HTTP client is first used: the sign-in's answer carries the cookie, not the page it redirects to.
    static func signIn(_ app: Application, base: String, username: String, password: String) async throws -> String {
        let page = try await app.client.get(URI(string: base + "/login"))
        let html = page.body.map { String(buffer: $0) } ?? ""
        // The sign-in page pairs its form token with a cookie of its own (no session exists before sign-in).
        let cookies = page.headers.setCookie
        guard let r = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression),
              let first = cookies?["dibao-csrf"] ?? cookies?["dibao-session"] else { throw SettingsError("sign-in page has no form token") }
        let token = String(html[r].split(separator: "\"")[3])
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: (cookies?["dibao-csrf"] != nil ? "dibao-csrf=" : "dibao-session=") + first.string)
        let response = try await app.client.post(URI(string: base + "/login"), headers: headers) { req in
            try req.content.encode(["_csrf": token, "username": username, "password": password], as: .urlEncodedForm)
        }
        guard let session = response.headers.setCookie?["dibao-session"] else { throw SettingsError("sign-in as \(username) refused") }
        let cookie = "dibao-session=\(session.string)"
        var check = HTTPHeaders()
        check.add(name: .cookie, value: cookie)
        guard try await app.client.get(URI(string: base + "/api/v1/me"), headers: check).status == .ok else {
            throw SettingsError("sign-in as \(username) refused")
        }
        return cookie
    }
}
