import Fluent
import Foundation
import Logging
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 12's defects as an outsider found them, each reproduced against the running app.
@Suite("Hardening: no request crashes the server, gets around its rules or garbles its data")
struct HardeningTests {
    @Test("page and year beyond their bounds are a 422 naming the field, on the public notices, the household list and the budget")
    func boundedNumbers() async throws {
        try await withDibao(households: 4) { app in
            let anonymous = Client(app)
            for path in ["/public/notices?area=150102001000&page=9223372036854775807", "/api/v1/public/notices?area=150102001000&page=9223372036854775807"] {
                let res = try await anonymous.get(path)
                #expect(res.status == .unprocessableEntity, "\(path)")
                #expect(res.body.string.contains("page") || res.body.string.contains("页码"))
            }
            let d = try await CaseDriver.make(app, users: ["xc_township", "xc_finance"])
            let list = try await d.call("xc_township", .GET, "/api/v1/households?page=9223372036854775807")
            #expect(list.status == .unprocessableEntity && d.problems(list) == ["number.out_of_range"])
            let budget = try await d.call("xc_finance", .GET, "/api/v1/budget-execution?year=9223372036854775807")
            #expect(budget.status == .unprocessableEntity && d.problems(budget) == ["number.out_of_range"])
            let page = try await Client.signedIn(app, as: "xc_finance").get("/payments/budget?year=-9223372036854775808")
            #expect(page.status == .unprocessableEntity)
        }
    }

    @Test("a household with two incomes of 92,233,720,368,547,758 yuan is refused, so it can never poison later views")
    func poisonHousehold() async throws {
        try await withDibao(households: 0) { app in
            let d = try await CaseDriver.make(app, users: ["xc_township"])
            var draft = sampleDraft(seed: 3)
            draft.members[0].incomes = ["wages": "92233720368547758", "pension": "92233720368547758"]
            let res = try await d.call("xc_township", .POST, "/api/v1/households", draft)
            #expect(res.status == .unprocessableEntity)
            #expect(d.problems(res).allSatisfy { $0 == "money.above_limit" } && !d.problems(res).isEmpty)
            #expect(try await Household.query(on: app.db).count() == 0)
        }
    }

    @Test("ballots of Int.max are refused with the ballot rule (the sum once trapped)")
    func ballots() async throws {
        try await withDibao(households: 0) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 7))
            _ = try await d.step("xc_township", c.id, .accept)
            _ = try await d.step("xc_township", c.id, .completeInvestigation, .investigation)
            var input = StepInput.evaluation
            input.votesFor = Int.max; input.votesAgainst = Int.max
            let res = try await d.call("xc_township", .POST, "/api/v1/cases/\(c.id)/steps/recordEvaluation", input)
            #expect(res.status == .unprocessableEntity)
            #expect(d.problems(res).contains("case.ballots"))
        }
    }

    @Test("sign-in next: CR/LF and /\\evil.example never reach Location; the form carries / instead")
    func nextRedirect() async throws {
        try await withDibao(households: 0) { app in
            let form = try await Client(app).get("/login?next=%2F%5Cevil.example")
            #expect(form.body.string.contains(#"name="next" value="/""#))
            let c = Client(app)
            _ = try await c.get("/login")
            let res = try await c.postForm("/login", ["username": "xc_county", "password": fixturePassword, "next": "/x\r\nSet-Cookie: evil=1"])
            #expect(res.status == .seeOther)
            #expect(res.headers.first(name: .location) == "/")
            #expect(res.headers.setCookie?["evil"] == nil)
        }
    }

    @Test("40 parallel wrong passwords: exactly the lock-out threshold are checked, the rest refused as locked")
    func lockOutRace() async throws {
        try await withDibao(households: 0) { app in
            let c = Client(app)
            _ = try await c.get("/login")
            let cookie = c.cookie, csrf = c.csrf ?? ""
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        let other = Client(app)
                        other.cookie = cookie
                        other.csrf = csrf
                        let res = try await other.postForm("/login", ["username": "xc_county", "password": "wrong-password"])
                        #expect(res.status == .unauthorized, "every answer is the refusal, none a 500 (issue 12: SQLiteError under parallel sign-ins)")
                    }
                }
                try await group.waitForAll()
            }
            let actions = try await AuditEvent.query(on: app.db).filter(\.$actorName == "xc_county").all().map(\.action)
            let checked = actions.filter { $0 == "session.failed" || $0 == "session.locked" }.count
            #expect(checked == app.dibao.settings.maxFailedSignIns, "\(actions)")
            #expect(actions.filter { $0 == "session.refused_locked" }.count == 40 - app.dibao.settings.maxFailedSignIns)
        }
    }

    @Test("unknown, locked and wrong get the same answer; one client is limited per minute")
    func uniformAndLimited() async throws {
        try await withDibao(households: 0, settings: { $0.signInAttemptsPerMinute = 7 }) { app in
            let c = Client(app)
            _ = try await c.get("/login")
            let unknown = try await c.postForm("/login", ["username": "nobody-here", "password": "x"])
            for _ in 0..<app.dibao.settings.maxFailedSignIns { _ = try await c.postForm("/login", ["username": "xc_county", "password": "x"]) }
            let locked = try await c.postForm("/login", ["username": "xc_county", "password": fixturePassword])
            func message(_ r: TestingHTTPResponse) -> String? { r.body.string.range(of: #"role="alert">[^<]*"#, options: .regularExpression).map { String(r.body.string[$0]) } }
            #expect(unknown.status == locked.status && message(unknown) == message(locked) && message(unknown) != nil)
            let limited = try await c.postForm("/login", ["username": "xc_county", "password": fixturePassword])
            #expect(limited.status == .tooManyRequests)
        }
    }

    @Test("reading /login stores no session; a sign-in gets a new session id; expired sessions end and are purged")
    func sessions() async throws {
        try await withDibao(households: 0) { app in
            let before = try await SessionRecord.query(on: app.db).count()
            let c = Client(app)
            _ = try await c.get("/login")
            _ = try await c.get("/public/objections/new")
            #expect(try await SessionRecord.query(on: app.db).count() == before)
            #expect(c.cookies["dibao-session"] == nil)
            // Fixation: an attacker's own signed-in session id planted in the victim's browser.
            let attacker = try await Client.signedIn(app, as: "xc_village")
            _ = try await attacker.get("/")
            let planted = try #require(attacker.cookies["dibao-session"])
            let victim = Client(app)
            victim.cookies["dibao-session"] = planted
            victim.csrf = attacker.csrf
            let res = try await victim.postForm("/login", ["username": "xc_county", "password": fixturePassword])
            #expect(res.status == .seeOther)
            #expect(victim.cookies["dibao-session"] != planted)
            let me = try await attacker.get("/api/v1/me")
            #expect(!me.body.string.contains("xc_county"), "the planted id did not become the victim's session")
            // Expiry, idle and absolute, and the purge.
            var old = SessionData()
            old["created"] = String(Int(Date().timeIntervalSince1970) - 13 * 3600)
            old["seen"] = String(Int(Date().timeIntervalSince1970))
            #expect(CachedDatabaseSessions.expired(old, now: Date(), idle: 3600, absolute: 12 * 3600))
            old["created"] = String(Int(Date().timeIntervalSince1970)); old["seen"] = String(Int(Date().timeIntervalSince1970) - 2 * 3600)
            #expect(CachedDatabaseSessions.expired(old, now: Date(), idle: 3600, absolute: 12 * 3600))
            try await SessionRecord(key: SessionID(string: "stale"), data: old).create(on: app.db)
            #expect(try await CachedDatabaseSessions.purge(on: app.db, idle: 3600, absolute: 12 * 3600) >= 1)
            #expect(try await SessionRecord.query(on: app.db).filter(\.$key == SessionID(string: "stale")).count() == 0)
        }
    }

    @Test("a cookie-carrying POST without a token is refused before its body is read past a form's limit")
    func bodyNotCollected() async throws {
        try await withDibao(households: 0) { app in
            let c = try await Client.signedIn(app, as: "xc_township")
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 * 1024 * 1024)
            let res = try await c.send(.POST, "/households", headers: headers, body: big)
            #expect(res.status == .payloadTooLarge || res.status == .forbidden)
            var multipart = HTTPHeaders()
            multipart.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=x")
            let upload = try await c.send(.POST, "/verification/batches", headers: multipart, body: big)
            #expect(upload.status == .forbidden, "an upload without the token in its query is refused unread")
        }
    }

    @Test("objections: duplicates get the same reference, one client is limited, staff dismiss with a recorded reason")
    func objectionFlood() async throws {
        try await withDibao(households: 0, settings: { $0.objectionsPerClientPerHour = 3 }) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 9))
            try await d.step("xc_township", c.id, .accept)
            try await d.step("xc_township", c.id, .completeInvestigation, .investigation)
            try await d.step("xc_township", c.id, .recordEvaluation, .evaluation)
            try await d.step("xc_head", c.id, .townshipApprove, StepInput(opinion: "同意"))
            try await d.step("xc_township", c.id, .postFirstNotice)
            let body = Objections.RaiseInput(receipt: c.receipt, name: "村民", text: "该户有车辆")
            let first = try await d.call("nobody", .POST, "/api/v1/public/objections", body).decode(Objections.Raised.self)
            let again = try await d.call("nobody", .POST, "/api/v1/public/objections", Objections.RaiseInput(receipt: c.receipt, name: nil, text: "该户有车辆！")).decode(Objections.Raised.self)
            #expect(first.reference == again.reference)
            _ = try await d.call("nobody", .POST, "/api/v1/public/objections", Objections.RaiseInput(receipt: c.receipt, name: nil, text: "另一条"))
            let over = try await d.call("nobody", .POST, "/api/v1/public/objections", Objections.RaiseInput(receipt: c.receipt, name: nil, text: "第四条"))
            #expect(over.status == .tooManyRequests)
            #expect(try await Objection.query(on: app.db).filter(\.$caseID == c.id).count() == 2)
            let o = try #require(try await Objection.query(on: app.db).filter(\.$reference == first.reference).first())
            let noReason = try await d.call("xc_township", .POST, "/api/v1/cases/\(c.id)/objections/\(o.id!)/dismiss", Objections.DismissInput(kind: "duplicate", reason: " "))
            #expect(noReason.status == .unprocessableEntity)
            let done = try await d.call("xc_township", .POST, "/api/v1/cases/\(c.id)/objections/\(o.id!)/dismiss", Objections.DismissInput(kind: "abusive", reason: "同一人反复提交相同内容"))
            #expect(done.status == .ok)
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "objection.dismissed").first())
            #expect(event.reason == "同一人反复提交相同内容")
        }
    }

    @Test("every write route carries its guard, and a role without the permission is refused 403 and audited before any lookup")
    func writeRoutesByRole() async throws {
        try await withDibao(households: 2) { app in
            let writes = app.routes.all.filter { $0.method != .GET && $0.method != .HEAD }
            #expect(writes.count >= 30)
            let unguarded = writes.filter { $0.writeGuard == nil }.map { "\($0.method) \($0.path)" }
            #expect(unguarded.isEmpty, "write routes without a guard: \(unguarded)")
            let d = try await CaseDriver.make(app)
            var checked = 0
            for route in writes {
                guard case .permission(let permission) = route.writeGuard, route.path.first?.description == "api" else { continue }
                let path = "/" + route.path.map { c -> String in if case .parameter = c { return UUID().uuidString }; return c.description }.joined(separator: "/")
                for account in DemoData.accounts where !account.role.may(permission) {
                    let denials = try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").count()
                    let res = try await d.call(account.username, route.method, path, ["x": "y"])
                    #expect(res.status == .forbidden, "\(account.username) (\(account.role.rawValue)) \(route.method) \(path): \(res.status)")
                    #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").count() == denials + 1)
                    checked += 1
                }
            }
            #expect(checked > 100)
            // The page offers recording an objection by the same permission the route asks.
            let supervisor = try await Client.signedIn(app, as: "supervisor")
            let caseID = try #require(try await ApplicationCase.query(on: app.db).first()?.id)
            let page = try await supervisor.get("/cases/\(caseID)")
            #expect(!page.body.string.contains("id=\"record-objection\""))
        }
    }

    @Test("approval: above members × standard is refused; another amount than the calculated one needs a reason, kept with the decision")
    func approvalAmount() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(households: 0, clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 21))
            try await d.step("xc_township", c.id, .accept)
            try await d.step("xc_township", c.id, .completeInvestigation, .investigation)
            try await d.step("xc_township", c.id, .recordEvaluation, .evaluation)
            let proposal = try await d.call("xc_head", .POST, "/api/v1/cases/\(c.id)/steps/townshipApprove", StepInput(amount: "900", firstMonth: "2026-04"))
            #expect(d.problems(proposal) == ["amount.reason_required"], "the township's proposal is checked too")
            try await d.step("xc_head", c.id, .townshipApprove, StepInput(opinion: "同意"))
            try await d.step("xc_township", c.id, .postFirstNotice)
            clock.advance(days: 7)
            try await d.step("xc_township", c.id, .submitToCounty)
            _ = try await d.call("xc_approver", .POST, "/api/v1/spot-checks", CaseAPI.DrawBody(seed: "42"))
            var visit = StepInput()
            visit.findings = "与调查一致"
            try await d.step("xc_county", c.id, .recordSpotCheckVisit, visit)
            let view = try await d.call("xc_approver", .GET, "/api/v1/cases/\(c.id)").decode(CaseView.self)
            #expect(view.ruleCeiling != nil, "the approver sees what the rules allow")
            let tooMuch = try await d.call("xc_approver", .POST, "/api/v1/cases/\(c.id)/steps/approve", StepInput(amount: "5000", firstMonth: "2026-04"))
            #expect(d.problems(tooMuch) == ["amount.above_rule_ceiling"])
            let bare = try await d.call("xc_approver", .POST, "/api/v1/cases/\(c.id)/steps/approve", StepInput(amount: "800", firstMonth: "2026-04"))
            #expect(d.problems(bare) == ["amount.reason_required"])
            var input = StepInput(amount: "800", firstMonth: "2026-04")
            input.reason = "入户抽查核实赡养费每月多付12元"
            let approved = try #require(try await d.step("xc_approver", c.id, .approve, input))
            #expect(approved.approvedAmount == "¥800.00")
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "case.approve").first())
            #expect(event.detailObject["amount_reason"] == "入户抽查核实赡养费每月多付12元")
        }
    }

    @Test("the review class and category top-up labels are withheld from roles that do not see health detail")
    func reviewClassMasked() async throws {
        try await withDibao(households: 40) { app in
            let enrolled = try await ApplicationCase.query(on: app.db).filter(\.$reviewClass == .severeStable).first()
            let c = try #require(enrolled, "the demo has households in the yearly review class")
            let d = try await CaseDriver.make(app, users: ["supervisor", "xc_county"])
            let supervisor = try await d.call("supervisor", .GET, "/api/v1/cases/\(c.id!)").decode(CaseView.self)
            #expect(supervisor.reviewClass == Masking.sensitiveLabel(.zh))
            let county = try await d.call("xc_county", .GET, "/api/v1/cases/\(c.id!)").decode(CaseView.self)
            #expect(county.reviewClass == ReviewClass.severeStable.zh)
        }
    }

    @Test("pages carry anti-framing and no-sniff headers; /healthz shows no file path; a .. path gets an answer")
    func headers() async throws {
        try await withDibao(households: 0) { app in
            let res = try await Client(app).get("/login")
            #expect(res.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(res.headers.first(name: .contentSecurityPolicy)?.contains("frame-ancestors 'none'") == true)
            let dots = try await Client(app).get("/css/../../Package.swift")
            #expect(dots.status == .notFound || dots.status == .forbidden)
        }
    }

    @Test("no log level writes below info: a debug line with an ID number never reaches the handler")
    func logFloor() {
        final class Sink: LogHandler, @unchecked Sendable {
            var lines: [String] = []
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { nil } set {} }
            func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) { lines.append("\(message)") }
        }
        let sink = Sink()
        var handler = InfoFloorLogHandler(sink)
        handler.logLevel = .trace
        #expect(handler.logLevel == .info)
        let logger = Logger(label: "test") { _ in handler }
        logger.debug("bind 150102199001011234")
        logger.trace("cookie dibao-session=abc")
        logger.info("GET /households")
        #expect(sink.lines == ["GET /households"])
        #expect(RequestLog.printable("/a\r\nforged") == "/a\\u{d}\\u{a}forged")
    }
}
