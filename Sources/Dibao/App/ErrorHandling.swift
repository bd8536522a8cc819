import PostgresNIO
import Vapor
import DibaoCore

/// Turns every error into an answer in the user's language: JSON under `/api`, a page
/// elsewhere. Internal errors are logged without request bodies (which may hold ID numbers).
/// On the event loop's future chain, not an async middleware: an answer without error
/// passes through with no hop to a task (the cost of every page under load, measured by
/// `dibao bench review`); only an error is turned into its page in a task.
struct DibaoErrorMiddleware: Middleware {
    struct Problem: Content {
        var field: String
        var rule: String
        var message: String
    }

    struct ErrorBody: Content {
        var error: String
        var reason: String
        var problems: [Problem]?
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // NUL never belongs in a URL (issue 12: PostgreSQL refuses it in any text, which
        // came back as a 500; SQLite stored it and read the text back cut short).
        let answered: EventLoopFuture<Response>
        if request.url.string.range(of: "%00", options: .caseInsensitive) != nil || request.url.string.contains("\u{0}") {
            answered = request.eventLoop.makeFailedFuture(FieldRefusal(field: "url", rule: "text.control_character", Phrase("error.refusal_url_control")))
        } else {
            answered = next.respond(to: request)
        }
        return answered.flatMapError { error in
            request.eventLoop.makeFutureWithTask { try await Self.answer(error, to: request) }
        }
    }

    static func answer(_ error: any Error, to request: Request) async throws -> Response {
        let status: HTTPResponseStatus
        var reason: String
        var problems: [Problem]?
        switch error {
        case let refused as FormRefused:
            status = .unprocessableEntity
            reason = request.l10n("household.fix_errors")
            problems = refused.problems.map { Problem(field: $0.field, rule: $0.rule, message: $0.message(request.lang)) }
        case let refusal as any Refusal:
            status = .unprocessableEntity
            reason = refusal.message(request.lang)
            problems = [Problem(field: refusal.field, rule: refusal.rule, message: refusal.message(request.lang))]
        case let decoding as DecodingError:
            // Before AbortError: Vapor makes DecodingError an AbortError whose reason is
            // Swift's English description, whatever the person's language (issue 12).
            status = .badRequest
            let (field, rule) = Self.describe(decoding)
            reason = field.isEmpty ? request.l10n("error.malformed")
                : Strings.format(rule == "request.missing" ? "error.malformed_field_missing" : "error.malformed_field_type", request.lang, field)
            problems = [Problem(field: field.isEmpty ? "body" : field, rule: rule, message: reason)]
        case let abort as any AbortError:
            status = abort.status
            reason = abort.reason
        case let db as PSQLError where db.serverInfo?[.sqlState] == "22021" || db.serverInfo?[.sqlState] == "22P05":
            // A text PostgreSQL cannot store (a NUL from a JSON "\u0000"): the input's fault.
            _ = db
            status = .unprocessableEntity
            reason = request.l10n("error.unstorable_character")
            problems = [Problem(field: "body", rule: "text.control_character", message: reason)]

        default:
            status = .internalServerError
            reason = request.l10n("error.internal")
            request.logger.error("unhandled error on \(request.method) \(RequestLog.printable(request.url.path)): \(String(reflecting: type(of: error)))")
        }
        if reason == status.reasonPhrase || reason.isEmpty {
            // Vapor's own refusals (413, 415, 404 …) carry only the English phrase.
            reason = Self.generic(status, request.lang)
        }
        if request.url.path.hasPrefix("/api/") || request.headers.accept.mediaTypes.first == .json {
            let response = Response(status: status)
            try response.content.encode(ErrorBody(error: status.reasonPhrase, reason: reason, problems: problems))
            return response
        }
        struct ErrorPage: Encodable { var status: Int; var reason: String; var problems: [Problem]? }
        let response = try await request.render("error", title: Strings.text("error.title", request.lang),
                                                ErrorPage(status: Int(status.code), reason: reason, problems: problems),
                                                publicPage: request.url.path.hasPrefix("/public"))
        response.status = status
        return response
    }

    /// The field path and the rule of a decoding failure, without Swift's wording.
    static func describe(_ error: DecodingError) -> (field: String, rule: String) {
        func path(_ keys: [any CodingKey]) -> String { keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "request.missing")
        case .valueNotFound(_, let context): return (path(context.codingPath), "request.missing")
        case .typeMismatch(_, let context): return (path(context.codingPath), "request.wrong_type")
        case .dataCorrupted(let context): return (path(context.codingPath), "request.malformed")
        @unknown default: return ("", "request.malformed")
        }
    }

    static func generic(_ status: HTTPResponseStatus, _ lang: Language) -> String {
        let known: Set<UInt> = [400, 401, 403, 404, 405, 409, 413, 415, 429]
        return Strings.text(known.contains(status.code) ? "error.status_\(status.code)" : "error.status_other", lang)
    }
}
