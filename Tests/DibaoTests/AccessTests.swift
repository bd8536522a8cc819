import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

@Suite("Access: sign-in, lock-out, CSRF, tokens, jurisdiction")
struct AccessTests {
    @Test("Wrong passwords are refused and audited; repeated failures lock the account even against the right password")
    func lockOut() async throws {
        try await withDibao { app in
            let client = Client(app)
            _ = try await client.get("/login")
            for _ in 0..<app.dibao.settings.maxFailedSignIns {
                let res = try await client.postForm("/login", ["username": "xc_county", "password": "wrong-password"])
                #expect(res.status == .unauthorized)
            }
            let locked = try await client.postForm("/login", ["username": "xc_county", "password": fixturePassword])
            #expect(locked.status == .unauthorized)
            #expect(locked.body.string.contains("锁定"))
            let actions = try await AuditEvent.query(on: app.db).filter(\.$actorName == "xc_county").all().map(\.action)
            #expect(actions.filter { $0 == "session.failed" }.count == app.dibao.settings.maxFailedSignIns - 1)
            #expect(actions.contains("session.locked"))
            #expect(actions.contains("session.refused_locked"))
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "xc_county").first())
            #expect(user.passwordHash.hasPrefix("$2"), "passwords are stored as bcrypt hashes")
        }
    }

    @Test("A form post without the session's CSRF token is refused")
    func csrf() async throws {
        try await withDibao { app in
            let client = try await Client.signedIn(app, as: "xc_township")
            let res = try await client.postForm("/households", ["address": "x"], csrf: false)
            #expect(res.status == .forbidden)
            let forged = try await client.postForm("/logout", ["_csrf": "forged"], csrf: false)
            #expect(forged.status == .forbidden)
            let api = try await { () async throws -> TestingHTTPResponse in
                let saved = client.csrf
                client.csrf = nil
                defer { client.csrf = saved }
                return try await client.json(.POST, "/api/v1/households", sampleDraft(seed: 30))
            }()
            #expect(api.status == .forbidden, "a cookie-authenticated API write needs X-CSRF-Token")
        }
    }

    @Test("Bearer tokens identify system callers; a bad token is refused")
    func tokens() async throws {
        try await withDibao { app in
            let headers = try await tokenHeaders(app, for: "xc_bank")
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { res in
                #expect(res.status == .ok)
                let me = try? res.decode(HouseholdAPI.Me.self)
                #expect(me?.role == "bank_operator")
            }
            var bad = HTTPHeaders()
            bad.bearerAuthorization = .init(token: "dbt_not-a-token")
            try await app.testing().test(.GET, "/api/v1/me", headers: bad) { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "/api/v1/me") { res in #expect(res.status == .unauthorized) }
            try await app.testing().test(.GET, "/households") { res in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location)?.hasPrefix("/login") == true)
            }
        }
    }

    /// What a role may do to a household of 新城区 海拉尔东路街道 光明社区 (150102001001).
    enum Expect { case allowed, forbidden, notFound }

    static let readers: [String: Expect] = [
        "xc_village": .allowed, "xc_township": .allowed, "xc_head": .allowed, "xc_county": .allowed, "xc_approver": .allowed,
        "xc_finance": .allowed, "xc_bank": .forbidden, "verify": .allowed, "supervisor": .allowed, "admin": .allowed,
        "tk_village": .notFound, "tk_township": .notFound, "tk_head": .notFound, "tk_county": .notFound, "tk_approver": .notFound,
        "tk_finance": .notFound, "tk_bank": .forbidden,
        "xc_verify": .allowed, "tk_verify": .notFound, "dept_gongan": .forbidden, "xc_discipline": .forbidden,
    ]
    static let writers: [String: Expect] = [
        "xc_village": .allowed, "xc_township": .allowed, "xc_head": .allowed, "xc_county": .allowed, "xc_approver": .forbidden,
        "xc_finance": .forbidden, "xc_bank": .forbidden, "verify": .forbidden, "supervisor": .forbidden, "admin": .forbidden,
        "tk_village": .notFound, "tk_township": .notFound, "tk_head": .notFound, "tk_county": .notFound, "tk_approver": .forbidden,
        "tk_finance": .forbidden, "tk_bank": .forbidden,
        "xc_verify": .forbidden, "tk_verify": .forbidden, "dept_gongan": .forbidden, "xc_discipline": .forbidden,
    ]

    @Test("Every household route, page and API, as every role: exactly the allowed ones succeed, and every refusal is audited",
          arguments: DemoData.accounts.map(\.username))
    func jurisdictionTable(username: String) async throws {
        try await withDibao { app in
            let target = try #require(try await Household.query(on: app.db).filter(\.$villageCode == "150102001001").first())
            let id = try target.requireID()
            let draft = try await HouseholdView.draft(of: target, on: app.db)
            let client = try await Client.signedIn(app, as: username)
            let tokenHeaders = try await tokenHeaders(app, for: username)
            let read = try #require(Self.readers[username])
            let write = try #require(Self.writers[username])

            func check(_ label: String, _ status: HTTPResponseStatus, _ expected: Expect, okStatuses: [HTTPResponseStatus]) async throws {
                switch expected {
                case .allowed: #expect(okStatuses.contains(status), "\(username) \(label): expected success, got \(status)")
                case .forbidden: #expect(status == .forbidden, "\(username) \(label): expected 403, got \(status)")
                case .notFound: #expect(status == .notFound, "\(username) \(label): expected 404, got \(status)")
                }
            }

            var refusals = 0
            func denials() async throws -> Int {
                try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == username).count()
            }

            // Reads: page and API.
            for path in ["/households/\(id)", "/api/v1/households/\(id)", "/api/v1/households/\(id)/history"] {
                let viaSession = try await client.get(path)
                try await check("GET \(path) (session)", viaSession.status, read, okStatuses: [.ok])
                var viaToken: HTTPResponseStatus = .ok
                try await app.testing().test(.GET, path, headers: tokenHeaders) { viaToken = $0.status }
                try await check("GET \(path) (token)", viaToken, read, okStatuses: [.ok])
                if read != .allowed { refusals += 2 }
                if read == .allowed && path == "/api/v1/households/\(id)" {
                    let view = try viaSession.decode(HouseholdView.self)
                    let member = try #require(try await Member.query(on: app.db).filter(\.$household.$id == id).sort(\.$position).first())
                    let role = try #require(DemoData.accounts.first { $0.username == username }?.role)
                    #expect(view.masked == !role.may(.viewSensitive))
                    #expect(view.members[0].idNumber == (role.may(.viewSensitive) ? member.idNumber : Masking.idNumber(member.idNumber)))
                    if view.masked { #expect(!viaSession.body.string.contains(member.idNumber)) }
                }
            }
            // The enrolled household of the same village, its page and a decision letter (page
            // and API): the same readers; a letter shows the address only to who sees personal data.
            let enrolled = try #require(try await EnrolledHousehold.query(on: app.db).filter(\.$villageCode == "150102001001").sort(\.$id).first())
            let decision = try #require(try await BenefitDecisionRecord.query(on: app.db).filter(\.$enrolledID == enrolled.id!).first())
            let home = try #require(try await Household.find(enrolled.householdID, on: app.db))
            let hid = enrolled.householdID.uuidString
            for path in ["/enrolled/\(hid)", "/enrolled/\(hid)/decisions/\(decision.id!)/letter", "/api/v1/enrolled/\(hid)/decisions/\(decision.id!)/letter"] {
                let res = try await client.get(path)
                try await check("GET \(path)", res.status, read, okStatuses: [.ok])
                if read != .allowed { refusals += 1 }
                if read == .allowed, path.contains("/api/") {
                    let letter = try res.decode(DecisionLetter.self)
                    let role = try #require(DemoData.accounts.first { $0.username == username }?.role)
                    #expect(letter.address == (role.may(.viewSensitive) ? home.address : ""), "\(username) letter address")
                    #expect(letter.head == (role.may(.viewSensitive) ? home.headName : Masking.name(home.headName)), "\(username) letter name")
                }
            }
            // The application's papers (受理回执, and its decision as a letter, which for an
            // enrolled household is the 纳入通知书 above): the same readers.
            let caseID = try #require(enrolled.caseID)
            for path in ["/cases/\(caseID)/receipt", "/cases/\(caseID)/decision-letter"] {
                let res = try await client.get(path)
                try await check("GET \(path)", res.status, read, okStatuses: [.ok, .seeOther])
                if read != .allowed { refusals += 1 }
                if read == .allowed, path.hasSuffix("decision-letter") {
                    let first = try #require(try await BenefitDecisionRecord.query(on: app.db).filter(\.$enrolledID == enrolled.id!)
                        .filter(\.$kind == .enrolled).sort(\.$id).first())
                    #expect(res.headers.first(name: .location) == "/enrolled/\(hid)/decisions/\(first.id!)/letter")
                }
            }
            // A decision of another household is not reached through this one's letter route.
            let stranger = try #require(try await BenefitDecisionRecord.query(on: app.db).filter(\.$householdID != enrolled.householdID).first())
            if read == .allowed {
                #expect(try await client.get("/enrolled/\(hid)/decisions/\(stranger.id!)/letter").status == .notFound)
            }

            // The list: the household shows up only inside the jurisdiction.
            let list = try await client.get("/api/v1/households?area=150102001001")
            switch read {
            case .allowed: #expect(try list.decode(HouseholdAPI.ListResponse.self).items.contains { $0.id == id })
            case .forbidden: #expect(list.status == .forbidden); refusals += 1
            case .notFound: #expect(list.status == .badRequest, "an area outside the jurisdiction is refused as a filter")
            }
            let page = try await client.get("/households")
            if read == .forbidden { #expect(page.status == .forbidden); refusals += 1 } else {
                #expect(page.status == .ok)
                if read == .notFound { #expect(!page.body.string.contains(id.uuidString), "another county's household is not in \(username)'s list") }
            }

            // Writes: edit page, form post, API put.
            let edit = try await client.get("/households/\(id)/edit")
            try await check("GET edit", edit.status, write, okStatuses: [.ok])
            var fields = ["village_code": draft.villageCode, "address": draft.address + "（改）", "phone": draft.phone, "reason": "table test", "version": String(target.version)]
            for (i, m) in draft.members.enumerated() {
                fields["m\(i).name"] = m.name
                fields["m\(i).id_number"] = m.idNumber
                fields["m\(i).relation"] = m.relation
                fields["m\(i).disability_level"] = String(m.disabilityLevel)
                fields["m\(i).work_capacity"] = m.workCapacity
                fields["m\(i).employment"] = m.employment
                for (k, v) in m.incomes { fields["m\(i).income.\(k)"] = v }
            }
            for (i, s) in draft.supporters.enumerated() {
                fields["s\(i).name"] = s.name
                fields["s\(i).duty"] = s.duty
                fields["s\(i).monthly_support"] = s.monthlySupport
            }
            let post = try await client.postForm("/households/\(id)", fields)
            try await check("POST form", post.status, write, okStatuses: [.seeOther])
            var put: HTTPResponseStatus = .ok
            let body = HouseholdAPI.UpdateBody(version: write == .allowed ? target.version + 1 : target.version, reason: "table test 2", household: draft)
            try await app.testing().test(.PUT, "/api/v1/households/\(id)", headers: tokenHeaders, body: ByteBuffer(data: try JSONEncoder().encode(body))) { put = $0.status }
            try await check("PUT api", put, write, okStatuses: [.ok])
            if write != .allowed { refusals += 3 }
            let created = try await client.json(.POST, "/api/v1/households", sampleDraft(village: "150102001001", seed: 40))
            let createExpect: Expect = write == .notFound ? .notFound : write
            if createExpect == .notFound {
                #expect(created.status == .unprocessableEntity, "\(username) may register households, but not in another county's village")
            } else {
                try await check("POST api create", created.status, createExpect, okStatuses: [.created])
                if createExpect != .allowed { refusals += 1 }
            }

            let denied = try await denials()
            #expect(denied == refusals, "\(username): every refusal is an audit event (\(denied) audited, \(refusals) refused)")
            let unchanged = try await Household.find(id, on: app.db)
            #expect((unchanged?.version ?? 0) == (write == .allowed ? target.version + 2 : target.version), "\(username): writes landed exactly when allowed")
            let chain = try await AuditVerifier.verify(on: app.db)
            #expect(chain == .intact(events: try await AuditEvent.query(on: app.db).count()))
        }
    }

    @Test("A league supervisor reads both counties and changes nothing")
    func supervisorReadsBothCounties() async throws {
        try await withDibao { app in
            let headers = try await tokenHeaders(app, for: "supervisor")
            for county in ["150102000000", "150122000000"] {
                let h = try #require(try await Household.query(on: app.db).filter(\.$countyCode == county).first())
                try await app.testing().test(.GET, "/api/v1/households/\(try h.requireID())", headers: headers) { res in #expect(res.status == .ok) }
                let draft = try await HouseholdView.draft(of: h, on: app.db)
                let body = HouseholdAPI.UpdateBody(version: h.version, reason: "x", household: draft)
                try await app.testing().test(.PUT, "/api/v1/households/\(try h.requireID())", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(body))) { res in
                    #expect(res.status == .forbidden)
                }
            }
        }
    }
}

@Suite("System: health, OpenAPI, languages")
struct SystemTests {
    @Test("/healthz names the database in use")
    func health() async throws {
        try await withDibao(households: 0) { app in
            try await app.testing().test(.GET, "/healthz") { res in
                #expect(res.status == .ok)
                let body = try? res.decode(Health.Body.self)
                #expect(body?.status == "ok")
                let expected = (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").hasPrefix("postgres") ? "postgresql" : "sqlite"
                #expect(body?.databaseKind == expected)
                #expect(body?.database.contains(":" + "password@") == false)
                #expect(body?.database == expected, "no file path or host to anonymous callers (issue 12)")
            }
        }
    }

    @Test("Every /api/v1 route is described in /openapi.json")
    func openAPIComplete() async throws {
        try await withDibao(households: 0) { app in
            let described = OpenAPIDocument.describedPaths
            for route in app.routes.all where route.path.first?.description == "api" {
                let path = "/" + route.path.map { c -> String in
                    if case .parameter(let p) = c { return "{\(p)}" }
                    return c.description
                }.joined(separator: "/")
                #expect(described.contains(path), "\(route.method) \(path) is missing from the OpenAPI document")
                let doc = try #require(OpenAPIDocument.json()["paths"] as? [String: Any])
                let ops = doc[path] as? [String: Any] ?? [:]
                #expect(ops[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) has no operation")
            }
            try await app.testing().test(.GET, "/openapi.json") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"openapi\" : \"3.1.0\""))
            }
        }
    }

    @Test("Pages speak Chinese by default and English on request")
    func languages() async throws {
        try await withDibao(households: 0) { app in
            try await app.testing().test(.GET, "/login") { res in #expect(res.body.string.contains("登录")) }
            try await app.testing().test(.GET, "/login?lang=en") { res in
                #expect(res.body.string.contains("Sign in"))
                #expect(res.headers.setCookie?["lang"]?.string == "en")
            }
        }
    }
}
