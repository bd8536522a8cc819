import Crypto
import Fluent
import Vapor
import DibaoCore

/// Who acts: a staff account (signed in, or through an API token — a department's or a
/// bank's), or the system running a job for an area. One type for all, so the workflow
/// kernel and the audit log see every change the same way.
public struct StaffActor: Sendable {
    public enum Kind: String, Sendable { case staff, token, system }

    public let userID: UUID
    public let username: String
    public let displayName: String
    public let role: Role
    public let area: AreaCode
    public let viaToken: Bool
    /// A department token's sources; nil for sessions and tokens bound to no department.
    public var tokenSources: Set<DepartmentSource>? = nil
    public var kind: Kind

    public init(userID: UUID, username: String, displayName: String, role: Role, area: AreaCode, viaToken: Bool, kind: Kind? = nil) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.area = area
        self.viaToken = viaToken
        self.kind = kind ?? (viaToken ? .token : .staff)
    }

    public var audit: AuditActor {
        kind == .system ? AuditActor(id: "system", name: username, role: "system") : AuditActor(id: userID.uuidString, name: username, role: role.rawValue)
    }
    public func may(_ permission: Permission) -> Bool { role.may(permission) }
}

extension Request {
    private struct ActorKey: StorageKey { typealias Value = StaffActor }

    public var actor: StaffActor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    /// The signed-in actor, holding `permission`. A refusal is an audit event (SPEC
    /// "Security"): a forbidden attempt leaves a trace even though nothing changed.
    @discardableResult
    public func require(_ permission: Permission) async throws -> StaffActor {
        guard let actor else { throw Abort(.unauthorized) }
        guard actor.may(permission) else {
            try await recordDenial(actor, target: "permission:\(permission.rawValue)", entityType: "route", entityID: url.path)
            throw Abort(.forbidden, reason: l10n("error.forbidden"))
        }
        return actor
    }

    /// Records that `actor` was refused `target`. Never includes request bodies.
    public func recordDenial(_ actor: StaffActor, target: String, entityType: String, entityID: String) async throws {
        try await audit.record([AuditEntry(
            actor: actor.audit, action: "access.denied", entityType: entityType, entityID: entityID,
            areaCode: actor.area.value, reason: target, detail: ["method": method.rawValue, "path": url.path]
        )], on: db)
    }
}

/// Resolves the actor of every request: a bearer token (system callers) or the session.
struct IdentifyActor: Middleware {
    /// A signed-in page whose actor is remembered passes on the future chain; a token, or an
    /// actor to load from the database, is identified in a task.
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if request.headers.bearerAuthorization == nil, request.hasSession, let raw = request.session.data["uid"], let id = UUID(uuidString: raw),
           let actor = request.application.actorCache.cached(id) {
            request.actor = actor
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask { try await Self.identify(request) }.flatMap { next.respond(to: request) }
    }

    private static func identify(_ request: Request) async throws {
        if let bearer = request.headers.bearerAuthorization {
            let hash = TokenHashing.hash(bearer.token)
            guard let token = try await APIToken.query(on: request.db).filter(\.$tokenHash == hash).filter(\.$revoked == false).with(\.$user).first(),
                  token.expiresAt.map({ $0 > request.dibao.clock.now() }) ?? true,
                  let actor = StaffActor(token.user, viaToken: true)
            else { throw Abort(.unauthorized, reason: request.l10n("error.bad_token")) }
            var scoped = actor
            if let list = token.sources, !list.isEmpty {
                scoped.tokenSources = Set(list.split(separator: ",").compactMap { DepartmentSource(rawValue: String($0)) })
            }
            request.actor = scoped
        } else if request.hasSession, let raw = request.session.data["uid"], let id = UUID(uuidString: raw) {
            let cached = try await request.application.actorCache.actor(id) {
                try await User.find(id, on: request.db).flatMap { StaffActor($0, viaToken: false) }
            }
            if let actor = cached {
                request.actor = actor
            } else {
                request.session.destroy()
            }
        }
    }
}

extension StaffActor {
    init?(_ user: User, viaToken: Bool) {
        guard user.active, let id = user.id, let area = user.area else { return nil }
        self.init(userID: id, username: user.username, displayName: user.displayName, role: user.role, area: area, viaToken: viaToken)
    }
}

enum TokenHashing {
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func newToken() -> String {
        "dbt_" + [UInt8].random(count: 32).base64URLEncoded
    }
}

extension Array where Element == UInt8 {
    static func random(count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &g) }
    }

    var base64URLEncoded: String {
        Data(self).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Pages redirect a visitor without a session to sign-in; the API answers 401.
struct RequireSignedIn: AsyncMiddleware {
    let pages: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.actor != nil else {
            if pages {
                let back = request.url.path
                return request.redirect(to: "/login?next=\(back.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/")")
            }
            throw Abort(.unauthorized, reason: request.l10n("error.sign_in_required"))
        }
        return try await next.respond(to: request)
    }
}
