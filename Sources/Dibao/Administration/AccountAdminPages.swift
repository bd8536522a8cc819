import Fluent
import Vapor
import DibaoCore

/// 账号管理 (issue 15): the administrator's pages for staff accounts (create, role, area,
/// disable, reset password, unlock, last sign-ins), paying banks and their operators, and
/// issuing system tokens. A new password or token is shown once, on the page that made it.
struct AccountAdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "accounts", use: accounts)
        routes.write("admin", "accounts", guard: .permission(.manageUsers), use: create)
        routes.get("admin", "accounts", ":id", use: account)
        routes.write("admin", "accounts", ":id", guard: .permission(.manageUsers), use: change)
        routes.write("admin", "accounts", ":id", "disable", guard: .permission(.manageUsers), use: disable)
        routes.write("admin", "accounts", ":id", "enable", guard: .permission(.manageUsers), use: enable)
        routes.write("admin", "accounts", ":id", "reset-password", guard: .permission(.manageUsers), use: reset)
        routes.write("admin", "accounts", ":id", "unlock", guard: .permission(.manageUsers), use: unlock)
        routes.get("admin", "banks", use: banks)
        routes.write("admin", "banks", guard: .permission(.manageUsers), use: createBank)
        routes.write("admin", "tokens", guard: .permission(.manageUsers), use: issueToken)
    }

    struct RoleOption: Encodable { var value: String; var label: String; var selected: Bool }
    struct BankOption: Encodable { var value: String; var label: String; var selected: Bool }

    static func roleOptions(_ lang: Language, selected: String?) -> [RoleOption] {
        Role.allCases.map { RoleOption(value: $0.rawValue, label: $0.name(lang), selected: $0.rawValue == selected) }
    }

    static func bankOptions(_ db: any Database, selected: String?) async throws -> [BankOption] {
        try await Bank.query(on: db).sort(\.$id).all().map { BankOption(value: $0.id ?? "", label: "\($0.id ?? "") \($0.name)", selected: $0.id == selected) }
    }

    struct AccountsPage: Encodable {
        var rows: [Accounts.Row]
        var roles: [RoleOption]
        var filterRoles: [RoleOption]
        var banks: [BankOption]
        var q: String
        var input: Accounts.Input
        var error: String?
        var created: Accounts.Created?
        var truncated: Bool
    }

    static let pageLimit = 500

    func accounts(req: Request) async throws -> Response {
        try await accountsPage(req, input: Accounts.Input(), error: nil, created: nil)
    }

    func accountsPage(_ req: Request, input: Accounts.Input, error: String?, created: Accounts.Created?) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let roleFilter = req.query[String.self, at: "role"].flatMap(Role.init(rawValue:))
        let q = String((req.query[String.self, at: "q"] ?? "").prefix(50))
        let rows = try await Accounts.list(ctx: req.context(actor), role: roleFilter, q: q, limit: Self.pageLimit + 1)
        let page = AccountsPage(rows: Array(rows.prefix(Self.pageLimit)), roles: Self.roleOptions(req.lang, selected: input.role),
                                filterRoles: Self.roleOptions(req.lang, selected: roleFilter?.rawValue),
                                banks: try await Self.bankOptions(req.db, selected: input.bank), q: q,
                                input: Accounts.Input(username: input.username, displayName: input.displayName, role: input.role, area: input.area ?? actor.area.value,
                                                      password: nil, bank: input.bank),
                                error: error, created: created, truncated: rows.count > Self.pageLimit)
        let r = try await req.render("admin/accounts", title: req.l10n("acct.title"), page)
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func create(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let input = try req.content.decode(Accounts.Input.self)
        do {
            let made = try await Accounts.create(input, ctx: req.context(actor), app: req.application)
            return try await accountsPage(req, input: Accounts.Input(), error: nil, created: made)
        } catch let refusal as any Refusal {
            return try await accountsPage(req, input: input, error: refusal.message(req.lang), created: nil)
        }
    }

    struct AccountPage: Encodable {
        var row: Accounts.Row
        var roles: [RoleOption]
        var banks: [BankOption]
        var signIns: [Accounts.SignIn]
        var error: String?
        var done: String?
        var password: String?
        var isSelf: Bool
    }

    func account(req: Request) async throws -> Response {
        try await accountPage(req, error: nil, done: req.query[String.self, at: "done"].map { req.l10n("acct.done.\($0)") }, password: nil)
    }

    func accountPage(_ req: Request, error: String?, done: String?, password: String?) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let ctx = req.context(actor)
        let user = try await Accounts.find(req.parameters.get("id", as: UUID.self), ctx: ctx)
        guard let row = try await Accounts.rows([user], ctx: ctx).first else { throw Abort(.notFound) }
        let page = AccountPage(row: row, roles: Self.roleOptions(req.lang, selected: row.role), banks: try await Self.bankOptions(req.db, selected: row.bank),
                               signIns: try await Accounts.signIns(of: user, ctx: ctx), error: error, done: done, password: password,
                               isSelf: user.id == actor.userID)
        let r = try await req.render("admin/account", title: "\(req.l10n("acct.title")) · \(user.username)", page)
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    /// Runs an account change; a refusal re-shows the account page with its message.
    func acting(_ req: Request, done: String, _ body: (ServiceContext, UUID?) async throws -> Void) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let id = req.parameters.get("id", as: UUID.self)
        do {
            try await body(req.context(actor), id)
            return req.redirect(to: "/admin/accounts/\(id?.uuidString ?? "")?done=\(done)")
        } catch let refusal as any Refusal {
            return try await accountPage(req, error: refusal.message(req.lang), done: nil, password: nil)
        }
    }

    func change(req: Request) async throws -> Response {
        let input = try req.content.decode(Accounts.Change.self)
        return try await acting(req, done: "changed") { ctx, id in try await Accounts.change(id, input, ctx: ctx, app: req.application) }
    }

    struct ReasonInput: Content { var reason: String? }

    func disable(req: Request) async throws -> Response {
        let input = try req.content.decode(ReasonInput.self)
        return try await acting(req, done: "disabled") { ctx, id in
            try await Accounts.setActive(id, false, reason: input.reason ?? "", ctx: ctx, app: req.application)
        }
    }

    func enable(req: Request) async throws -> Response {
        try await acting(req, done: "enabled") { ctx, id in try await Accounts.setActive(id, true, reason: "", ctx: ctx, app: req.application) }
    }

    func unlock(req: Request) async throws -> Response {
        try await acting(req, done: "unlocked") { ctx, id in try await Accounts.unlock(id, ctx: ctx) }
    }

    /// Not a redirect: the new password is on this page only.
    func reset(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let password = try await Accounts.resetPassword(req.parameters.get("id", as: UUID.self), ctx: req.context(actor), app: req.application)
        return try await accountPage(req, error: nil, done: req.l10n("acct.done.reset"), password: password)
    }

    // MARK: Banks

    struct BanksPage: Encodable { var rows: [Banks.Row]; var input: Banks.Input; var error: String? }

    func banks(req: Request) async throws -> Response { try await banksPage(req, input: Banks.Input(), error: nil) }

    func banksPage(_ req: Request, input: Banks.Input, error: String?) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let r = try await req.render("admin/banks", title: req.l10n("acct.banks"), BanksPage(rows: try await Banks.list(ctx: req.context(actor)), input: input, error: error))
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func createBank(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let input = try req.content.decode(Banks.Input.self)
        do {
            try await Banks.create(input, ctx: req.context(actor))
            return req.redirect(to: "/admin/banks")
        } catch let refusal as any Refusal {
            return try await banksPage(req, input: input, error: refusal.message(req.lang))
        }
    }

    // MARK: Tokens

    /// The token appears once, on the tokens page the issue returns to.
    func issueToken(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let input = try req.content.decode(Accounts.TokenInput.self)
        do {
            let issued = try await Accounts.issueToken(input, ctx: req.context(actor))
            return try await AccountPages.tokensPage(req, issued: issued, input: Accounts.TokenInput(), error: nil)
        } catch let refusal as any Refusal {
            return try await AccountPages.tokensPage(req, issued: nil, input: input, error: refusal.message(req.lang))
        }
    }
}

/// `/api/v1/admin/…`: the same services for an administrator's script (a bearer token of an
/// administrator account), in the OpenAPI document.
struct AdminAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "accounts", use: accounts)
        routes.write("admin", "accounts", guard: .permission(.manageUsers), use: create)
        routes.get("admin", "banks", use: banks)
        routes.write("admin", "banks", guard: .permission(.manageUsers), use: createBank)
        routes.write("admin", "tokens", guard: .permission(.manageUsers), use: issueToken)
    }

    func accounts(req: Request) async throws -> [Accounts.Row] {
        let actor = try await req.require(.manageUsers)
        let role = req.query[String.self, at: "role"].flatMap(Role.init(rawValue:))
        return try await Accounts.list(ctx: req.context(actor), role: role, q: String((req.query[String.self, at: "q"] ?? "").prefix(50)))
    }

    func create(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let made = try await Accounts.create(try req.content.decode(Accounts.Input.self), ctx: req.context(actor), app: req.application)
        let r = try await made.encodeResponse(for: req)
        r.status = .created
        return r
    }

    func banks(req: Request) async throws -> [Banks.Row] {
        try await Banks.list(ctx: req.context(try await req.require(.manageUsers)))
    }

    func createBank(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let bank = try await Banks.create(try req.content.decode(Banks.Input.self), ctx: req.context(actor))
        let r = try await Banks.Row(code: bank.id ?? "", name: bank.name, operators: []).encodeResponse(for: req)
        r.status = .created
        return r
    }

    func issueToken(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let issued = try await Accounts.issueToken(try req.content.decode(Accounts.TokenInput.self), ctx: req.context(actor))
        let r = try await issued.encodeResponse(for: req)
        r.status = .created
        return r
    }
}
