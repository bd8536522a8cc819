import Fluent
import Vapor
import DibaoCore

/// The account's own password (issue 12: no way to change one) and, for administrators,
/// the API tokens of every system caller with their ends and a revoke button (tokens
/// could be revoked only in the database). Every change is an audit event.
struct AccountPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "password", use: passwordForm)
        routes.write("account", "password", guard: .permission(.changeOwnPassword), use: changePassword)
        routes.get("admin", "tokens", use: tokens)
        routes.write("admin", "tokens", ":id", "revoke", guard: .permission(.manageUsers), use: revoke)
    }

    struct PasswordPage: Encodable { var error: String?; var done: Bool }

    func passwordForm(req: Request) async throws -> Response {
        try await req.require(.changeOwnPassword)
        return try await req.render("account/password", title: req.l10n("account.password"), PasswordPage(error: nil, done: req.query[String.self, at: "done"] == "1"))
    }

    struct PasswordInput: Content { var current: String; var new: String; var confirm: String }

    func changePassword(req: Request) async throws -> Response {
        let actor = try await req.require(.changeOwnPassword)
        let input = try req.content.decode(PasswordInput.self)
        func refuse(_ message: String) async throws -> Response {
            let r = try await req.render("account/password", title: req.l10n("account.password"), PasswordPage(error: message, done: false))
            r.status = .unprocessableEntity
            return r
        }
        guard let user = try await User.find(actor.userID, on: req.db),
              input.current.utf8.count <= 256, try await req.password.async.verify(input.current, created: user.passwordHash) else {
            return try await refuse(req.l10n("account.current_wrong"))
        }
        guard input.new == input.confirm else { return try await refuse(req.l10n("account.confirm_differs")) }
        if let problem = PasswordRule.problem(input.new, username: user.username, displayName: user.displayName) {
            return try await refuse(problem.message(req.lang))
        }
        user.passwordHash = try await req.password.async.hash(input.new)
        try await req.audit.write(on: req.db) { tx in
            try await user.save(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: "user.password_changed", entityType: "user", entityID: actor.userID.uuidString, areaCode: actor.area.value)])
        }
        // Other sessions of the account end; this one goes on under a new id.
        try await Passwords.endSessions(of: actor.userID, on: req.application)
        req.startSession(uid: actor.userID.uuidString)
        return req.redirect(to: "/account/password?done=1")
    }

    struct TokenRow: Encodable { var id: String; var name: String; var user: String; var created: String; var expires: String; var state: String; var active: Bool }
    struct TokensPage: Encodable {
        var rows: [TokenRow]
        var issued: Accounts.Issued?
        var input: Accounts.TokenInput
        var error: String?
        var sources: [String]
    }

    func tokens(req: Request) async throws -> Response {
        try await Self.tokensPage(req, issued: nil, input: Accounts.TokenInput(), error: nil)
    }

    static func tokensPage(_ req: Request, issued: Accounts.Issued?, input: Accounts.TokenInput, error: String?) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        let now = req.dibao.clock.now()
        let all = try await APIToken.query(on: req.db).with(\.$user).sort(\.$createdAt, .descending).limit(1_000).all()
        let rows = all.filter { (try? AreaCode($0.user.areaCode)).map(actor.area.contains) ?? false }.map { t in
            let expired = t.expiresAt.map { $0 <= now } ?? false
            return TokenRow(id: t.id!.uuidString, name: t.name, user: t.user.username, created: t.createdAt.map(Self.day) ?? "",
                            expires: t.expiresAt.map(Self.day) ?? "—",
                            state: req.l10n(t.revoked ? "account.token_revoked" : expired ? "account.token_expired" : "account.token_active"),
                            active: !t.revoked && !expired)
        }
        let r = try await req.render("account/tokens", title: req.l10n("account.tokens"),
                                     TokensPage(rows: rows, issued: issued, input: input, error: error, sources: DepartmentSource.allCases.map(\.rawValue)))
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func revoke(req: Request) async throws -> Response {
        let actor = try await req.require(.manageUsers)
        guard let id = req.parameters.get("id", as: UUID.self), let token = try await APIToken.query(on: req.db).filter(\.$id == id).with(\.$user).first(),
              actor.area.contains(try AreaCode(token.user.areaCode)) else { throw Abort(.notFound) }
        try await Passwords.revoke(token, by: actor.audit, on: req.application)
        return req.redirect(to: "/admin/tokens")
    }

    static func day(_ d: Date) -> String { CivilDate.today(now: d).iso }
}

/// The account operations shared by the pages and the commands.
enum Passwords {
    static func revoke(_ token: APIToken, by who: AuditActor, on app: Application) async throws {
        token.revoked = true
        try await app.audit.write(on: app.db) { tx in
            try await token.save(on: tx)
            return ((), [AuditEntry(actor: who, action: "token.revoked", entityType: "user", entityID: token.$user.id.uuidString,
                                    areaCode: token.user.areaCode, detail: ["token": token.id!.uuidString, "name": token.name])])
        }
    }

    /// Ends every session of the account (a reset, a change of password).
    static func endSessions(of userID: UUID, on app: Application) async throws {
        let rows = try await SessionRecord.query(on: app.db).all()
        let mine = rows.filter { $0.data["uid"] == userID.uuidString }
        for row in mine { app.sessionMemory.remove(row.key.string) }
        if !mine.isEmpty { try await SessionRecord.query(on: app.db).filter(\.$id ~~ mine.compactMap(\.id)).delete() }
    }
}
