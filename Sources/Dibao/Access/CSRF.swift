import Vapor

/// Every form carries a per-session token; a state-changing request made with the
/// session cookie must echo it (form field `_csrf` or header `X-CSRF-Token`). Callers
/// with a bearer token send no cookie and are not exposed to cross-site forgery.
struct CSRFProtection: AsyncMiddleware {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"
    /// The largest body any route takes (the application form with its evidence files).
    static let maxBody = 26 * 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let unsafe: [HTTPMethod] = [.POST, .PUT, .PATCH, .DELETE]
        // Forgery rides on the victim's session cookie: a request without one cannot act as
        // anybody, so only cookie-carrying requests (and every sign-in) must echo the token.
        let carriesSession = request.cookies["dibao-session"] != nil || request.url.path == "/login"
        if unsafe.contains(request.method), request.headers.bearerAuthorization == nil, carriesSession {
            // Middleware runs before the route collects its body; a form that arrived in
            // several chunks (an upload) is collected here, within the largest route limit.
            if request.body.data == nil, request.headers.first(name: Self.header) == nil {
                _ = try await request.body.collect(max: Self.maxBody).get()
            }
            let expected = request.hasSession ? request.session.data["csrf"] : nil
            let sent = request.headers.first(name: Self.header) ?? (try? request.content.get(String.self, at: Self.field))
            guard let expected, let sent, !expected.isEmpty, constantTimeEqual(expected, sent) else {
                throw Abort(.forbidden, reason: request.l10n("error.csrf"))
            }
        }
        return try await next.respond(to: request)
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The session's CSRF token, made on first use (only pages with a form create a session).
    var csrfToken: String {
        if let token = session.data["csrf"] { return token }
        let token = [UInt8].random(count: 24).base64URLEncoded
        session.data["csrf"] = token
        return token
    }
}
