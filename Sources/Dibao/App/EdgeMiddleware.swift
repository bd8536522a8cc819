import Logging
import Vapor

/// One line per request, with the path as sent (still percent-encoded) and any control
/// character escaped: the stock route logger printed the decoded path, so `%0d%0a` in a
/// URL wrote forged lines into the log (issue 12). The query is never logged — a search
/// carries names and ID numbers there.
struct RequestLog: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        request.logger.info("\(request.method) \(Self.printable(request.url.path))")
        return next.respond(to: request)
    }

    static func printable(_ s: String) -> String {
        var out = ""
        for scalar in s.prefix(300).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || (0x2028...0x2029).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Headers every answer carries (issue 12): no framing by another site (clickjacking a
/// caseworker into approving), no type sniffing of a download, no referrer to elsewhere.
struct SecurityHeaders: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in Self.add(response) }
    }

    static func add(_ response: Response) -> Response {
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if response.headers[.contentSecurityPolicy].isEmpty {
            response.headers.replaceOrAdd(name: .contentSecurityPolicy, value: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        }
        return response
    }
}

/// The files of `Public/`, served only for paths that could name one: a path with `..`,
/// a NUL or a component longer than a file name can be is passed on to the routes (which
/// answer 404) instead of reaching the file system, where it failed with an error that
/// dropped the connection (issue 12).
struct StaticFiles: Middleware {
    let files: FileMiddleware
    /// The public folder's top-level entries (css, js, fonts …), read at start. Only a path
    /// under one of them is looked up on disk: every page request would otherwise cost a
    /// file-system round trip on the I/O pool before reaching its route (measured by
    /// `dibao bench review`: the township queue under 200 connections).
    let roots: Set<Substring>

    init(files: FileMiddleware, publicDirectory: String) {
        self.files = files
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: publicDirectory)) ?? []
        self.roots = Set(entries.map { Substring($0) })
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let path = request.url.path
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let plausible = (request.method == .GET || request.method == .HEAD) && path.utf8.count <= 512
            && components.count > 1 && roots.contains(components[1])
            && !components.contains { $0 == ".." || $0.utf8.count > 200 } && !path.contains("\0") && !path.contains("%")
        guard plausible else { return next.respond(to: request) }
        return files.respond(to: request, chainingTo: next).map { response in
            // Vapor's table of types has no fonts: the served Mongolian font went out as
            // application/octet-stream, which a strict browser (nosniff) may refuse to use.
            if response.status == .ok, let type = Self.fontTypes[path.split(separator: ".").last.map(String.init) ?? ""] {
                response.headers.replaceOrAdd(name: .contentType, value: type)
            }
            return response
        }
    }

    static let fontTypes = ["ttf": "font/ttf", "otf": "font/otf", "woff": "font/woff", "woff2": "font/woff2"]
}

extension HTTPHeaders {
    /// `Content-Disposition: attachment` for any file name (RFC 6266 with RFC 8187): an ASCII
    /// fallback in `filename` and the real name percent-encoded in `filename*` (issue 12:
    /// evidence named 收入证明.png went out raw, which clients read as mojibake or not at all).
    mutating func attachment(filename: String) {
        let safe = filename.unicodeScalars.filter { !$0.properties.isWhitespace || $0 == " " }.filter { $0.value >= 0x20 && $0.value != 0x7F }
        let name = String(String.UnicodeScalarView(safe))
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0 != "/" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
    }
}
