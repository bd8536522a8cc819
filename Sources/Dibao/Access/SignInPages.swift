import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import DibaoCore

/// Password sign-in with lock-out after repeated failures. Every sign-in, failure and
/// lock is an audit event.
struct SignInPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.write("login", guard: .open("sign-in: limited per client and per account"), use: signIn)
        routes.write("logout", guard: .open("sign-out ends only the caller's own session"), use: signOut)
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
            req.startSession(uid: user.id?.uuidString ?? "")
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
    private func safeNext(_ next: String?) -> String { LocalPath.safe(next) }
}

enum SignIn {
    enum Outcome { case success(User), failure(String) }

    /// A bcrypt hash of nothing anyone knows, checked for accounts that do not exist or are
    /// locked, so every refusal costs the same time as a wrong password (issue 12).
    private static let decoy = NIOLockedValueBox<String?>(nil)

    private static func spendDecoy(_ password: String, on req: Request) async {
        let hash: String
        if let made = decoy.withLockedValue({ $0 }) { hash = made } else {
            hash = (try? await req.password.async.hash([UInt8].random(count: 16).base64URLEncoded)) ?? ""
            decoy.withLockedValue { $0 = hash }
        }
        _ = try? await req.password.async.verify(password, created: hash)
    }

    /// Every failure gets the same words whether the account is unknown, locked or the
    /// password wrong: the answer must not tell a guesser which usernames exist.
    static func attempt(username: String, password: String, on req: Request) async throws -> Outcome {
        let settings = req.dibao.settings
        let now = req.dibao.clock.now()
        try req.limit("sign-in", key: req.clientKey, max: settings.signInAttemptsPerMinute, per: 60)
        guard username.utf8.count <= 64, password.utf8.count <= 256, !username.isEmpty,
              let user = try await User.query(on: req.db).filter(\.$username == username).first(), user.active, let id = user.id else {
            await spendDecoy(password, on: req)
            return .failure("login.failed")
        }
        let who = AuditActor(id: id.uuidString, name: user.username, role: user.role.rawValue)
        if let until = user.lockedUntil, until > now {
            await spendDecoy(password, on: req)
            try await req.audit.record([AuditEntry(actor: who, action: "session.refused_locked", entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
            return .failure("login.failed")
        }
        // The attempt is counted before the password is checked, in one statement, so
        // parallel guesses cannot all read the same count (issue 12: 39 of 40 were checked).
        // The count stays up while the account is locked and starts again once the lock ran out.
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        if let until = user.lockedUntil, until <= now {
            user.lockedUntil = nil
            user.failedSignIns = 0
            try await user.save(on: req.db)
        }
        let attempt = try await sql.raw("""
            UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = \(bind: id) RETURNING failed_sign_ins
            """).first()?.decode(column: "failed_sign_ins", as: Int.self) ?? Int.max
        if attempt > settings.maxFailedSignIns {
            // Past the threshold the account is locked; should the attempt that reached it
            // have failed before locking (a crash mid-request), this one locks it instead,
            // so the account is never stuck refusing without an end.
            if let fresh = try await User.find(id, on: req.db), fresh.lockedUntil == nil {
                fresh.lockedUntil = now.addingTimeInterval(Double(settings.lockoutMinutes) * 60)
                try await fresh.save(on: req.db)
            }
            await spendDecoy(password, on: req)
            try await req.audit.record([AuditEntry(actor: who, action: "session.refused_locked", entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
            return .failure("login.failed")
        }
        if try await req.password.async.verify(password, created: user.passwordHash) {
            try await sql.raw("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = \(bind: id)").run()
            try await req.audit.record([AuditEntry(actor: who, action: "session.signed_in", entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
            return .success(user)
        }
        var action = "session.failed"
        if attempt == settings.maxFailedSignIns {
            let fresh = try await User.find(id, on: req.db) ?? user
            fresh.lockedUntil = now.addingTimeInterval(Double(settings.lockoutMinutes) * 60)
            try await fresh.save(on: req.db)
            action = "session.locked"
        }
        try await req.audit.record([AuditEntry(actor: who, action: action, entityType: "user", entityID: who.id, areaCode: user.areaCode)], on: req.db)
        return .failure("login.failed")
    }
}
