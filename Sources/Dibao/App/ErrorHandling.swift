import PostgresNIO
import Vapor
import DibaoCore

/// Turns every error into an answer in the user's language: JSON under `/api`, a page
/// elsewhere. Internal errors are logged without request bodies (which may hold ID numbers).
struct DibaoErrorMiddleware: AsyncMiddleware {
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

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            // NUL never belongs in a URL (issue 12: PostgreSQL refuses it in any text, which
            // came back as a 500; SQLite stored it and read the text back cut short).
            if request.url.string.range(of: "%00", options: .caseInsensitive) != nil || request.url.string.contains("\u{0}") {
                throw FieldRefusal(field: "url", rule: "text.control_character", zh: "地址：含有控制字符", en: "Address: contains a control character")
            }
            return try await next.respond(to: request)
        } catch {
            let status: HTTPResponseStatus
            let reason: String
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
            case let abort as any AbortError:
                status = abort.status
                reason = abort.reason
            case let db as PSQLError where db.serverInfo?[.sqlState] == "22021" || db.serverInfo?[.sqlState] == "22P05":
                // A text PostgreSQL cannot store (a NUL from a JSON "\u0000"): the input's fault.
                _ = db
                status = .unprocessableEntity
                reason = request.lang == .zh ? "输入含有无法保存的字符（如控制字符）" : "The input contains a character that cannot be stored (such as a control character)"
                problems = [Problem(field: "body", rule: "text.control_character", message: reason)]
            case is DecodingError:
                status = .badRequest
                reason = request.lang == .zh ? "请求格式不正确" : "The request body is malformed"
            default:
                status = .internalServerError
                reason = request.lang == .zh ? "系统内部错误" : "Internal error"
                request.logger.error("unhandled error on \(request.method) \(RequestLog.printable(request.url.path)): \(String(reflecting: type(of: error)))")
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
    }
}
