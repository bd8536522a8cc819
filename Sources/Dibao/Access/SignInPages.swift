import Fluent
import Vapor
import DibaoCore

/// Password sign-in with lock-out after repeated failures. Every sign-in, failure and
/// lock is an audit event.
struct SignInPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.post("login", use: signIn)
        routes.post("logout", use: signOut)
    }

    struct FormBody: Encodable { var username: String; var error: String?; var next: String }

    func form(req: Request) async throws -> Response {
        if req.actor != nil { return req.redirect(to: "/") }
        return try await req.render("login", title: req.l10n("login.title"), FormBody(username: "", error: nil, next: safeNext(req.query[String.self, at: "next"])))
    }

    struct Credentials: Content { var username: String; var password: String; var next: String? }

    func signIn(req: Request) async throws -> Response {
        let c = try req.content.decode(Credentials.self)
        let next = safeNext(c.next)
        switch try await SignIn.attempt(username: c.username, password: c.password, on: req) {
        case .success(let user):
            req.session.data["uid"] = user.id?.uuidString
            return req.redirect(to: next)
        case .failure(let key):
            let response = try await req.render("login", title: req.l10n("login.title"), FormBody(username: c.username, error: req.l10n(key), next: next))
            response.status = .unauthorized
            return response
        }
    }

    func signOut(req: Request) async throws -> Response {
        if let actor = req.actor {
            try await req.audit.record([AuditEntry(actor: actor.audit, action: "session.signed_out", entityType: "user", entityID: actor.userID.uuidString, areaCode: actor.area.value)], on: req.db)
        }
        req.session.destroy()
        return req.redirect(to: "/login")
    }

    /// Only local paths: a sign-in link must not bounce the user to another site.
    private func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//") else { return "/" }
        return next
    }
}

enum SignIn {
    enum Outcome { case success(User), failure(String) }

    static func attempt(username: String, password: String, on req: Request) async throws -> Outcome {
        let settings = req.dibao.settings
        let now = req.dibao.clock.now()
        guard let user = try await User.query(on: req.db).filter(\.$username == username).first(), user.active else {
            // Same answer as a wrong password: the form does not reveal which accounts exist.
            _ = try? await req.password.async.hash(password)
            return .failure("login.failed")
        }
        let who = AuditActor(id: user.id?.uuidString ?? "", name: user.username, role: user.role.rawValue)
        if let until = user.lockedUntil, until > now {
            try await req.audit.record([AuditEntry(actor: who, action: "session.refused_locked", entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
            return .failure("login.locked")
        }
        if try await req.password.async.verify(password, created: user.passwordHash) {
            user.failedSignIns = 0
            user.lockedUntil = nil
            try await user.save(on: req.db)
            try await req.audit.record([AuditEntry(actor: who, action: "session.signed_in", entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
            return .success(user)
        }
        user.failedSignIns += 1
        var action = "session.failed"
        if user.failedSignIns >= settings.maxFailedSignIns {
            user.lockedUntil = now.addingTimeInterval(Double(settings.lockoutMinutes) * 60)
            user.failedSignIns = 0
            action = "session.locked"
        }
        try await user.save(on: req.db)
        try await req.audit.record([AuditEntry(actor: who, action: action, entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
        return .failure(action == "session.locked" ? "login.locked" : "login.failed")
    }
}
