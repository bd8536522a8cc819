import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Accounts, banks and tokens administered through the pages and the API (issue 15), within
/// the administrator's own area; every change audited.
@Suite("Administration: accounts, banks, tokens")
struct AccountAdminTests {
    static let pages = ["/admin", "/admin/accounts", "/admin/banks", "/admin/tokens", "/admin/policies", "/admin/calendars", "/admin/areas"]
    static let api = ["/api/v1/admin/accounts", "/api/v1/admin/banks"]

    @Test("The administration pages and API, as every role: the administrator opens them, every other role gets 403, audited",
          arguments: DemoData.accounts.map(\.username))
    func routeTable(username: String) async throws {
        try await withDibao(households: 0) { app in
            let isAdmin = DemoData.accounts.first { $0.username == username }?.role == .administrator
            let client = try await Client.signedIn(app, as: username)
            let headers = try await tokenHeaders(app, for: username)
            var refused = 0
            for path in Self.pages {
                let status = try await client.get(path).status
                #expect(status == (isAdmin ? .ok : .forbidden), "\(username) GET \(path): \(status)")
                if !isAdmin { refused += 1 }
            }
            for path in Self.api {
                var status: HTTPResponseStatus = .ok
                try await app.testing().test(.GET, path, headers: headers) { status = $0.status }
                #expect(status == (isAdmin ? .ok : .forbidden), "\(username) GET \(path): \(status)")
                if !isAdmin { refused += 1 }
            }
            let denials = try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == username).count()
            #expect(denials == refused)
        }
    }

    @Test("An account's life through the pages: created with a one-time password, signs in, locked and unlocked, disabled and enabled, its password reset; each step audited")
    func lifecycle() async throws {
        try await withDibao(households: 0) { app in
            let admin = try await Client.signedIn(app, as: "admin")
            // Refusals name the field and the rule and keep what was typed.
            let wrongLevel = try await admin.postForm("/admin/accounts", ["username": "hl_case", "displayName": "海拉尔东路新经办人", "role": "township_caseworker", "area": "150102000000"])
            #expect(wrongLevel.status == .unprocessableEntity)
            #expect(wrongLevel.body.string.contains("id=\"account-error\""))
            #expect(wrongLevel.body.string.contains("value=\"hl_case\""))
            let badName = try await admin.postForm("/admin/accounts", ["username": "X!", "displayName": "x", "role": "township_caseworker", "area": "150102001000"])
            #expect(badName.status == .unprocessableEntity)
            let taken = try await admin.postForm("/admin/accounts", ["username": "xc_township", "displayName": "x", "role": "township_caseworker", "area": "150102001000"])
            #expect(taken.status == .unprocessableEntity)

            let made = try await admin.postForm("/admin/accounts", ["username": "hl_case", "displayName": "海拉尔东路新经办人", "role": "township_caseworker", "area": "150102001000"])
            #expect(made.status == .ok)
            let html = made.body.string
            let password = try #require(html.firstMatch(of: #/id="created-password">([^<]+)</#)?.1).description
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "hl_case").first())
            #expect(user.role == .townshipCaseworker && user.areaCode == "150102001000")
            #expect(!(try await admin.get("/admin/accounts/\(user.id!)").body.string.contains(password)), "the password is shown once")

            let worker = try await Client.signedIn(app, as: "hl_case", password: password)
            #expect(try await worker.get("/cases").status == .ok)
            let listed = try await admin.get("/admin/accounts?q=hl_case")
            #expect(listed.body.string.contains("data-username=\"hl_case\""))
            #expect(!listed.body.string.contains("data-username=\"xc_township\""))
            #expect(try await Accounts.lastSignIns([user.id!.uuidString], on: app.db)[user.id!.uuidString] != nil)

            // Locked by wrong passwords, unlocked by the administrator.
            let guesser = Client(app)
            _ = try await guesser.get("/login")
            for _ in 0...app.dibao.settings.maxFailedSignIns {
                _ = try await guesser.postForm("/login", ["username": "hl_case", "password": "wrong-wrong-wrong"])
            }
            #expect(try await User.find(user.id, on: app.db)?.lockedUntil != nil)
            let page = try await admin.get("/admin/accounts/\(user.id!)")
            #expect(page.body.string.contains("data-locked=\"true\""))
            #expect(page.body.string.contains("data-action=\"session.locked\""))
            #expect(try await admin.postForm("/admin/accounts/\(user.id!)/unlock", [:]).status == .seeOther)
            _ = try await Client.signedIn(app, as: "hl_case", password: password)

            // Disabled: no sign-in, no session, no token; a reason is required.
            let token = try await tokenHeaders(app, for: "hl_case")
            #expect(try await admin.postForm("/admin/accounts/\(user.id!)/disable", ["reason": ""]).status == .unprocessableEntity)
            #expect(try await admin.postForm("/admin/accounts/\(user.id!)/disable", ["reason": "调离岗位"]).status == .seeOther)
            #expect(try await worker.get("/cases").status == .seeOther, "the session ended")
            var status: HTTPResponseStatus = .ok
            try await app.testing().test(.GET, "/api/v1/me", headers: token) { status = $0.status }
            #expect(status == .unauthorized)
            let refusedSignIn = Client(app)
            _ = try await refusedSignIn.get("/login")
            #expect(try await refusedSignIn.postForm("/login", ["username": "hl_case", "password": password]).status == .unauthorized)
            #expect(try await admin.postForm("/admin/accounts/\(user.id!)/enable", [:]).status == .seeOther)

            // Reset: the old password stops working, the new one (shown once) works.
            let reset = try await admin.postForm("/admin/accounts/\(user.id!)/reset-password", [:])
            let fresh = try #require(reset.body.string.firstMatch(of: #/id="new-password">([^<]+)</#)?.1).description
            #expect(fresh != password)
            let old = Client(app)
            _ = try await old.get("/login")
            #expect(try await old.postForm("/login", ["username": "hl_case", "password": password]).status == .unauthorized)
            _ = try await Client.signedIn(app, as: "hl_case", password: fresh)

            // Transfer to the head's role in the same township; the administrator cannot change its own role.
            #expect(try await admin.postForm("/admin/accounts/\(user.id!)", ["displayName": "海拉尔东路审核人二", "role": "township_head", "area": "150102001000"]).status == .seeOther)
            #expect(try await User.find(user.id, on: app.db)?.role == .townshipHead)
            let me = try #require(try await User.query(on: app.db).filter(\.$username == "admin").first())
            #expect(try await admin.postForm("/admin/accounts/\(me.id!)", ["displayName": "x", "role": "supervisor", "area": "150000000000"]).status == .unprocessableEntity)

            let actions = try await AuditEvent.query(on: app.db).filter(\.$entityID == user.id!.uuidString).filter(\.$actorName == "admin").all().map(\.action)
            #expect(Set(actions).isSuperset(of: ["user.created", "user.unlocked", "user.disabled", "user.enabled", "user.password_reset", "user.updated"]))
            for a in actions { #expect(AuditActions.label(a, .zh) != a, "\(a) has a label") }
        }
    }

    @Test("A bank is registered, its operator's account needs the bank and sees that bank; a token is issued once and identifies the account")
    func banksAndTokens() async throws {
        try await withDibao(households: 0) { app in
            let admin = try await Client.signedIn(app, as: "admin")
            #expect(try await admin.postForm("/admin/banks", ["code": "bad code", "name": "x"]).status == .unprocessableEntity)
            #expect(try await admin.postForm("/admin/banks", ["code": "ICBC", "name": "中国工商银行"]).status == .seeOther)
            #expect(try await Bank.find("ICBC", on: app.db)?.name == "中国工商银行")
            let noBank = try await admin.postForm("/admin/accounts", ["username": "xc_icbc", "displayName": "工商银行新城区支行", "role": "bank_operator", "area": "150102000000"])
            #expect(noBank.status == .unprocessableEntity)
            #expect(noBank.body.string.contains(Strings.text("acct.bank", .zh)))
            #expect(try await admin.postForm("/admin/accounts", ["username": "xc_icbc", "displayName": "工商银行新城区支行", "role": "bank_operator", "area": "150102000000", "bank": "ICBC", "password": "Icbc-Teller-2026"]).status == .ok)
            let banks = try await admin.get("/admin/banks").body.string
            #expect(banks.contains("xc_icbc"))
            let operatorUser = try #require(try await User.query(on: app.db).filter(\.$username == "xc_icbc").first())
            #expect(try await BankStaff.query(on: app.db).filter(\.$userID == operatorUser.id!).first()?.bankCode == "ICBC")

            #expect(try await admin.postForm("/admin/tokens", ["username": "xc_icbc", "name": "", "days": "30"]).status == .unprocessableEntity)
            #expect(try await admin.postForm("/admin/tokens", ["username": "xc_icbc", "name": "代发系统", "days": "99999"]).status == .unprocessableEntity)
            let issued = try await admin.postForm("/admin/tokens", ["username": "xc_icbc", "name": "代发系统", "days": "30"])
            let token = try #require(issued.body.string.firstMatch(of: #/id="issued-token">([^<]+)</#)?.1).description
            #expect(!(try await admin.get("/admin/tokens").body.string.contains(token)))
            var h = HTTPHeaders()
            h.bearerAuthorization = .init(token: token)
            var me: HouseholdAPI.Me?
            try await app.testing().test(.GET, "/api/v1/me", headers: h) { me = try? $0.decode(HouseholdAPI.Me.self) }
            #expect(me?.role == "bank_operator")
            let stored = try #require(try await APIToken.query(on: app.db).filter(\.$name == "代发系统").first())
            #expect(stored.tokenHash == TokenHashing.hash(token) && stored.tokenHash != token)
        }
    }

    @Test("A county's administrator manages only its county: another county's accounts are 404 and audited, an account above it is refused")
    func countyAdministrator() async throws {
        try await withDibao(households: 0) { app in
            let region = app.context(try await actor(app, "admin"))
            let made = try await Accounts.create(.init(username: "xc_admin", displayName: "新城区民政局系统管理员", role: "administrator", area: "150102000000"), ctx: region, app: app)
            let county = app.context(try await actor(app, "xc_admin"))
            let rows = try await Accounts.list(ctx: county)
            #expect(!rows.isEmpty && rows.allSatisfy { $0.area.hasPrefix("150102") })
            #expect(rows.contains { $0.username == "xc_township" } && !rows.contains { $0.username == "tk_township" })

            let other = try #require(try await User.query(on: app.db).filter(\.$username == "tk_township").first())
            await #expect(throws: Abort.self) { try await Accounts.unlock(other.id, ctx: county) }
            await #expect(throws: Abort.self) {
                try await Accounts.create(.init(username: "tk_new", displayName: "托县新人", role: "township_caseworker", area: "150122100000"), ctx: county, app: app)
            }
            await #expect(throws: Abort.self) {
                try await Accounts.create(.init(username: "league_sup", displayName: "盟市监督", role: "supervisor", area: "150100000000"), ctx: county, app: app)
            }
            let denied = try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == "xc_admin").count()
            #expect(denied == 3)
            // Within its county it may.
            let own = try await Accounts.create(.init(username: "xc_new", displayName: "新城区新经办人", role: "county_caseworker", area: "150102000000"), ctx: county, app: app)
            #expect(own.password.count >= PasswordRule.minimumLength)
            _ = made
        }
    }

    @Test("The token API takes days as a JSON number or as text; an account search treats % and _ as the characters typed")
    func tokenDaysAndLiteralSearch() async throws {
        try await withDibao(households: 0) { app in
            let headers = try await tokenHeaders(app, for: "admin")
            for (days, status) in [("30", HTTPResponseStatus.created), ("\"45\"", .created), ("99999", .unprocessableEntity)] {
                let body = "{\"username\":\"xc_bank\",\"name\":\"脚本\(days.count)\",\"days\":\(days)}"
                try await app.testing().test(.POST, "/api/v1/admin/tokens", headers: headers, body: ByteBuffer(string: body)) {
                    #expect($0.status == status, "days \(days): \($0.body.string.prefix(200))")
                }
            }
            let expiry = try #require(try await APIToken.query(on: app.db).filter(\.$name == "脚本2").first()?.expiresAt)
            #expect(abs(expiry.timeIntervalSince(app.dibao.clock.now()) - 30 * 86_400) < 120)
            let ctx = app.context(try await actor(app, "admin"))
            #expect(try await Accounts.list(ctx: ctx, q: "%").isEmpty, "no account has % in its name")
            let underscored = try await Accounts.list(ctx: ctx, q: "_")
            #expect(!underscored.isEmpty && underscored.allSatisfy { $0.username.contains("_") || $0.displayName.contains("_") })
            #expect(try await Accounts.list(ctx: ctx, q: "x_t").isEmpty, "x_t is not xc_township")
        }
    }
}
