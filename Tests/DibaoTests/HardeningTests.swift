import Fluent
import Foundation
import Logging
import SQLKit
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

    @Test("an account whose count passed the threshold without a lock (a crash mid-request) is locked, not refused for ever")
    func countWithoutLock() async throws {
        try await withDibao(households: 0) { app in
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "xc_county").first())
            user.failedSignIns = 99
            try await user.save(on: app.db)
            let c = Client(app)
            _ = try await c.get("/login")
            _ = try await c.postForm("/login", ["username": "xc_county", "password": fixturePassword])
            let after = try #require(try await User.find(user.id, on: app.db))
            #expect(after.lockedUntil != nil, "locked with an end, so the count starts again when it runs out")
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
            #expect(res.status == .payloadTooLarge, "read only up to a form's limit (16 KB), not the 26 MB of the largest upload")
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
            // The pages' write routes, through a signed-in browser session with its token.
            var clients: [String: Client] = [:]
            var pageChecks = 0
            for route in writes {
                guard case .permission(let permission) = route.writeGuard, route.path.first?.description != "api" else { continue }
                let path = "/" + route.path.map { c -> String in if case .parameter = c { return UUID().uuidString }; return c.description }.joined(separator: "/")
                for account in DemoData.accounts where !account.role.may(permission) {
                    if clients[account.username] == nil { clients[account.username] = try await Client.signedIn(app, as: account.username) }
                    let client = try #require(clients[account.username])
                    let res = try await client.postForm(path, ["x": "y"])
                    #expect(res.status == .forbidden, "\(account.username) (\(account.role.rawValue)) POST \(path): \(res.status)")
                    pageChecks += 1
                }
            }
            #expect(pageChecks > 100)
            // The token list is the administrator's alone.
            for account in DemoData.accounts where account.role != .administrator {
                if clients[account.username] == nil { clients[account.username] = try await Client.signedIn(app, as: account.username) }
                #expect(try await clients[account.username]!.get("/admin/tokens").status == .forbidden, "\(account.username) /admin/tokens")
            }
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

    @Test("a name search narrows by area before its cap: another county's 2,001 namesakes neither hide the county's own nor show as truncated")
    func nameSearchByAreaFirst() async throws {
        try await withDibao(households: 0) { app in
            let d = try await CaseDriver.make(app, users: ["xc_township"])
            var own = sampleDraft(seed: 61)
            own.members[0].name = "重名户主"
            #expect(try await d.call("xc_township", .POST, "/api/v1/households", own).status == .created)
            // Another county's village, loaded past the form (a register import would do the same).
            let county = try AreaCode(DemoData.ruralCounty.0)
            let village = try #require(try await Area.query(on: app.db).all()
                .first { (try? AreaCode($0.id ?? "")).map { $0.level == .village && county.contains($0) } ?? false })
            let far = Household()
            far.place(in: try AreaCode(village.id!), kind: .rural)
            far.headName = "重名0"; far.address = "x"; far.phone = ""; far.memberCount = 2_001; far.status = "registered"; far.version = 1
            try await far.create(on: app.db)
            var people: [Member] = []
            for i in 0..<2_001 {
                let m = Member()
                m.$household.id = far.id!; m.position = i; m.name = "重名\(i)"; m.idNumber = "X\(i)"; m.relation = i == 0 ? .head : .other
                m.sex = .male; m.birthDate = "1970-01-01"; m.disabilityLevel = 0; m.severeIllness = false; m.illnessNote = ""
                m.workCapacity = .full; m.employment = .employed
                people.append(m)
            }
            try await people.create(on: app.db)
            let found = try await d.call("xc_township", .GET, "/api/v1/households?q=%E9%87%8D%E5%90%8D").decode(HouseholdAPI.ListResponse.self)
            #expect(found.items.map(\.headName).contains { $0.contains("户主") || $0.hasPrefix("重") }, "the township's own household is found")
            #expect(found.total == 1)
            #expect(found.truncated == false, "other counties' matches do not show through `truncated`")
        }
    }

    @Test("a database made before token expiry existed migrates forward with its tokens intact and working")
    func tokenExpiryMigratesForward() async throws {
        try await withDibao(households: 0) { app in
            let headers = try await tokenHeaders(app, for: "xc_bank")
            let sql = try #require(app.db as? any SQLDatabase)
            // Back to the schema of the earlier main: no column, no migration recorded.
            try await sql.raw("ALTER TABLE api_tokens DROP COLUMN expires_at").run()
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name LIKE '%AddTokenExpiry'").run()
            try await app.autoMigrate()
            let tokens = try await APIToken.query(on: app.db).all()
            #expect(tokens.count == 1 && tokens[0].expiresAt == nil && !tokens[0].revoked)
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { #expect($0.status == .ok) }
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

@Suite("Hardening: payments, files, accounts and tokens (issue 12, items 14–15)")
struct HardeningAccountTests {
    @Test("a GB18030 result file is read as such, one that is neither encoding is refused; CSV keeps account numbers as text; downloads name their encoding")
    func bankFilesAndCSV() async throws {
        try await withDibao { app in
            let p = try await PaymentTests().exported(app)
            let bank = DemoData.banks[0].code
            let payments = try await Payrolls.payments(p, bank: bank, on: app.db)
            let header = BankFile.Header(payroll: p.number, county: p.countyCode, period: p.period, bank: bank)
            let text = BankFile.resultFile(header, payments: payments) { $0.reference == payments[0].reference ? (.failed, "账户已销户") : (.paid, "") }
            let gb = try #require(text.data(using: .gb18030))
            #expect(String(decoding: gb, as: UTF8.self) != text, "the file really is GB18030, not UTF-8")
            #expect(try BankResultText.decode(ByteBuffer(data: gb)) == text)
            #expect(throws: FieldRefusal.self) { try BankResultText.decode(ByteBuffer(bytes: [0x48, 0xFF, 0xFF, 0xFF, 0x80])) }
            let headers = try await tokenHeaders(app, for: "xc_bank")
            var res: TestingHTTPResponse?
            try await app.testing().test(.POST, "/api/v1/payrolls/\(p.id!)/files/\(bank)/result", headers: headers, body: ByteBuffer(data: gb)) { res = $0 }
            #expect(res?.status == .ok)
            let line = try #require(try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$status == .failed).first())
            #expect(line.note == "账户已销户", "the reason is stored as the bank wrote it, not as mojibake")

            let c = try await Client.signedIn(app, as: "xc_township")
            let csv = try await c.get("/payments/payrolls/\(p.id!.uuidString)/list?township=150102001000&format=csv")
            let account = try #require(try await PayrollLine.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$townshipCode == "150102001000").first()?.accountNumber)
            #expect(csv.body.string.contains(",\t\(account),"), "a leading tab keeps the account a text cell")
            let gbCSV = try await c.get("/payments/payrolls/\(p.id!.uuidString)/list?township=150102001000&format=csv&encoding=gb18030")
            #expect(csv.headers.first(name: .contentDisposition) != gbCSV.headers.first(name: .contentDisposition))
        }
    }

    @Test("another bank's operator in the same county gets 404 before any stage is told")
    func bankBeforeStage() async throws {
        try await withDibao { app in
            let drafted = try await Payrolls.draft(county: urbanCounty, period: "2026-03", by: try await paymentOperator(app, "xc_county"), app: app).payroll
            let other = User(username: "xc_bank_nmrc", displayName: "农商行新城支行", passwordHash: "-", role: .bankOperator, areaCode: urbanCounty)
            try await other.create(on: app.db)
            try await BankStaff(userID: other.id!, bankCode: DemoData.banks[1].code).create(on: app.db)
            let op = try await paymentOperator(app, "xc_bank_nmrc")
            // A drafted payroll takes no result yet: the stage refusal would tell that it is drafted.
            do {
                _ = try await Payrolls.importResult(drafted.id, bank: DemoData.banks[0].code, text: "x", by: op, app: app)
                Issue.record("imported")
            } catch let a as Abort {
                #expect(a.status == .notFound)
            } catch {
                Issue.record("refused by \(error) instead of 404: the refusal tells the stage")
            }
        }
    }

    @Test("an evidence file name in Chinese goes out as RFC 8187 filename*, with an ASCII fallback")
    func contentDisposition() {
        var h = HTTPHeaders()
        h.attachment(filename: "收入证明\r\n.png")
        let value = try! #require(h.first(name: .contentDisposition))
        #expect(value == "attachment; filename=\"____.png\"; filename*=UTF-8''%E6%94%B6%E5%85%A5%E8%AF%81%E6%98%8E.png")
    }

    @Test("a malformed body is refused in the person's language, naming the field")
    func decodingErrors() async throws {
        try await withDibao(households: 0) { app in
            let d = try await CaseDriver.make(app, users: ["xc_township"])
            let res = try await d.call("xc_township", .POST, "/api/v1/households", ["villageCode": 5])
            #expect(res.status == .badRequest)
            let body = try res.decode(DibaoErrorMiddleware.ErrorBody.self)
            #expect(body.reason.hasPrefix("请求格式不正确"))
            #expect(body.problems?.first?.field.isEmpty == false)
        }
    }

    @Test("passwords: common and account-derived ones are refused; the change works and ends other sessions; an expired or revoked token identifies no one")
    func passwordsAndTokens() async throws {
        try await withDibao(households: 0) { app in
            #expect(PasswordRule.problem("password", username: "xc_county") == .tooShort(10))
            #expect(PasswordRule.problem("password123!", username: "xc_county") == .common)
            #expect(PasswordRule.problem("xc_county2026", username: "xc_county") == .fromAccount)
            #expect(PasswordRule.problem("aaaaaaaaaaaa", username: "xc_county") == .common)
            #expect(PasswordRule.problem("草原上的马头琴2026", username: "xc_county") == nil)
            let other = try await Client.signedIn(app, as: "xc_county")
            let c = try await Client.signedIn(app, as: "xc_county")
            _ = try await c.get("/account/password")
            let weak = try await c.postForm("/account/password", ["current": fixturePassword, "new": "xc_county2026", "confirm": "xc_county2026"])
            #expect(weak.status == .unprocessableEntity && weak.body.string.contains("用户名"))
            let good = try await c.postForm("/account/password", ["current": fixturePassword, "new": "草原上的马头琴2026", "confirm": "草原上的马头琴2026"])
            #expect(good.status == .seeOther)
            #expect(try await c.get("/account/password?done=1").body.string.contains("id=\"password-changed\""))
            #expect(try await other.get("/api/v1/me").status == .unauthorized, "the account's other session ended")
            _ = try await Client.signedIn(app, as: "xc_county", password: "草原上的马头琴2026")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.password_changed").count() == 1)

            // Tokens: an expired one is refused; the admin page revokes an active one.
            var headers = try await tokenHeaders(app, for: "xc_bank")
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { #expect($0.status == .ok) }
            let token = try #require(try await APIToken.query(on: app.db).sort(\.$createdAt, .descending).first())
            token.expiresAt = app.dibao.clock.now().addingTimeInterval(-1)
            try await token.save(on: app.db)
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { #expect($0.status == .unauthorized) }
            headers = try await tokenHeaders(app, for: "xc_bank")
            let fresh = try #require(try await APIToken.query(on: app.db).filter(\.$revoked == false).filter(\.$expiresAt == nil).first())
            let admin = try await Client.signedIn(app, as: "admin")
            let page = try await admin.get("/admin/tokens")
            #expect(page.status == .ok && page.body.string.contains("/admin/tokens/\(fresh.id!)/revoke"))
            let county = try await Client.signedIn(app, as: "xc_county", password: "草原上的马头琴2026")
            #expect(try await county.postForm("/admin/tokens/\(fresh.id!)/revoke", [:]).status == .forbidden)
            #expect(try await admin.postForm("/admin/tokens/\(fresh.id!)/revoke", [:]).status == .seeOther)
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { #expect($0.status == .unauthorized) }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "token.revoked").count() == 1)
        }
    }
}
