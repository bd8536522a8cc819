import Vapor
import DibaoCore

/// What a route that changes something requires, attached to the route itself so that the
/// route × role test reads it from the running application (issue 12: objection routes
/// checked only `readHouseholds`, and any role could record objections). A write route is
/// registered only through `write(…)`; the test fails for any write route without a guard.
enum WriteGuard: Sendable, Hashable {
    /// The permission, checked before the body is read or any record looked up.
    case permission(Permission)
    /// Open to anyone (the public objection form, sign-in, sign-out), each limited by
    /// its own rules; the string says why.
    case open(String)

    static let key = "dibao.writeGuard"
}

/// Checks the route's permission before the handler (and before a collected body is read).
struct RequirePermission: AsyncMiddleware {
    let permission: Permission
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await request.require(permission)
        return try await next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// Registers a route that changes something, with the guard it needs.
    @discardableResult
    func write<R: AsyncResponseEncodable>(method: HTTPMethod = .POST, _ path: PathComponent..., body: HTTPBodyStreamStrategy = .collect,
                                          guard writeGuard: WriteGuard, use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        let builder: any RoutesBuilder
        if case .permission(let p) = writeGuard { builder = grouped(RequirePermission(permission: p)) } else { builder = self }
        let route = builder.on(method, path, body: body, use: closure)
        route.userInfo[AnySendableHashable(WriteGuard.key)] = writeGuard
        return route
    }
}

extension Route {
    var writeGuard: WriteGuard? { userInfo[AnySendableHashable(WriteGuard.key)] as? WriteGuard }
}

extension Request {
    /// The role may take this step of a case (`CaseMachine.roles(for:)`, the same table the
    /// case page reads to offer the step); otherwise 403, audited, before anything is read.
    func requireCaseRole(for action: CaseAction, _ actor: StaffActor) async throws {
        guard CaseMachine.roles(for: action).contains(actor.role) else {
            try await recordDenial(actor, target: "case.\(action.rawValue)", entityType: "route", entityID: url.path)
            throw Abort(.forbidden, reason: l10n("error.forbidden"))
        }
    }
}
