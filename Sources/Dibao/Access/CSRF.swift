import Vapor

/// Every form carries a token; a state-changing request made with a cookie must echo it
/// (form field `_csrf`, header `X-CSRF-Token`, or — for file uploads, whose body is too
/// large to read before the check — the `_csrf` query item). Callers with a bearer token
/// send no cookie and are not exposed to cross-site forgery.
///
/// Signed-in people's token lives in their session. Anonymous forms (sign-in, a public
/// objection) use a token cookie instead (double submit), so reading the sign-in page
/// stores nothing on the server (issue 12: every GET of /login stored a session row).
///
/// Nothing of the body is read before it is known there is a token to compare with, and
/// then at most what a non-upload route accepts anyway (issue 12: a cookie and a 26 MB
/// body per request took the server from 85 MB to 626 MB).
struct CSRFProtection: Middleware {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"
    static let cookie = "dibao-csrf"

    /// A read passes on the future chain (no task hop); a write is checked in a task, as it
    /// may have to read the form body for its token.
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let unsafe: [HTTPMethod] = [.POST, .PUT, .PATCH, .DELETE]
        guard unsafe.contains(request.method), request.headers.bearerAuthorization == nil else {
            return next.respond(to: request).map { Self.withPendingToken($0, request) }
        }
        return request.eventLoop.makeFutureWithTask { try await Self.check(request) }
            .flatMap { next.respond(to: request) }
            .map { Self.withPendingToken($0, request) }
    }

    private static func check(_ request: Request) async throws {
        let hasSessionCookie = request.cookies[request.application.sessions.configuration.cookieName] != nil
        let anonymousToken = request.cookies[Self.cookie]?.string
        // Forgery rides on the victim's cookies: a request without any cannot act as
        // anybody, so only cookie-carrying requests (and every sign-in) must echo a token.
        if hasSessionCookie || anonymousToken != nil || request.url.path == "/login" {
            let sessionToken = request.hasSession ? request.session.data["csrf"] : nil
            guard let expected = sessionToken ?? anonymousToken, !expected.isEmpty else {
                throw Abort(.forbidden, reason: request.l10n("error.csrf"))
            }
            guard let sent = try await Self.sentToken(request), Self.constantTimeEqual(expected, sent) else {
                throw Abort(.forbidden, reason: request.l10n("error.csrf"))
            }
        }
    }

    private static func withPendingToken(_ response: Response, _ request: Request) -> Response {
        if let fresh = request.storage[PendingToken.self] {
            response.cookies[Self.cookie] = HTTPCookies.Value(string: fresh, maxAge: 2 * 3600, path: "/", isSecure: request.dibao.settings.secureCookies,
                                                             isHTTPOnly: true, sameSite: .strict)
        }
        return response
    }

    private static func sentToken(_ request: Request) async throws -> String? {
        if let header = request.headers.first(name: Self.header) { return header }
        if let query = request.query[String.self, at: Self.field] { return query }
        guard request.headers.contentType == .urlEncodedForm else { return nil }
        let limit = request.application.routes.defaultMaxBodySize.value
        if let data = request.body.data {
            guard data.readableBytes <= limit else { throw Abort(.payloadTooLarge) }
        } else {
            do { _ = try await request.body.collect(max: limit).get() } catch { throw Abort(.payloadTooLarge) }
        }
        return try? request.content.get(String.self, at: Self.field)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    struct PendingToken: StorageKey { typealias Value = String }
}

extension Request {
    /// The token for this page's forms. A signed-in person's comes from the session; for
    /// anyone else it is the token cookie, set on this response if it is not there yet.
    var csrfToken: String {
        if hasSession, session.data["uid"] != nil {
            if let token = session.data["csrf"] { return token }
            let token = [UInt8].random(count: 24).base64URLEncoded
            session.data["csrf"] = token
            return token
        }
        if let token = cookies[CSRFProtection.cookie]?.string, !token.isEmpty { return token }
        if let pending = storage[CSRFProtection.PendingToken.self] { return pending }
        let token = [UInt8].random(count: 24).base64URLEncoded
        storage[CSRFProtection.PendingToken.self] = token
        return token
    }
}
