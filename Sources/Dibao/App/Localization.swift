import Vapor
import DibaoCore

/// UI text from the catalogues, in the reader's language. Pages get the table of
/// their language as `t`; code uses `req.l10n(key)`.
enum Strings {
    /// The catalogues (`Catalogue.shared`, read from `Resources/Text`).
    static var catalogue: Catalogue { Catalogue.shared }

    static func text(_ key: String, _ lang: Language, _ args: [String] = []) -> String {
        catalogue.text(key, lang, args)
    }

    /// `key`'s text with `{1}`, `{2}` … replaced by `args`, in order.
    static func format(_ key: String, _ lang: Language, _ args: String...) -> String {
        catalogue.text(key, lang, args)
    }

    static func all(_ lang: Language) -> [String: String] {
        var out = catalogue.texts[.zh] ?? [:]
        for (k, v) in catalogue.texts[lang] ?? [:] { out[k] = v }
        return out
    }

    /// Each language's table as pages read it (`t.app_name` for `app.name`), made once.
    static let pageTables: [Language: [String: String]] = Dictionary(uniqueKeysWithValues: Language.allCases.map { lang in
        (lang, Dictionary(all(lang).map { ($0.key.replacingOccurrences(of: ".", with: "_"), $0.value) }, uniquingKeysWith: { a, _ in a }))
    })
}

private struct ChosenLanguageKey: StorageKey { typealias Value = Language }

extension Request {
    /// The visitor's language: `?lang=` (remembered in the session and a cookie), then the
    /// session's, then the cookie's, then Chinese.
    var lang: Language {
        // Read once per request: a page asks for its language hundreds of times, and the
        // query can be as long as a client makes it (the fuzz test's are megabytes).
        if let known = storage[ChosenLanguageKey.self] { return known }
        let chosen = languageAsked ?? {
            if hasSession, let s = session.data["lang"], let l = Language(rawValue: s) { return l }
            if let c = cookies["lang"]?.string, let l = Language(rawValue: c) { return l }
            return .zh
        }()
        storage[ChosenLanguageKey.self] = chosen
        return chosen
    }

    /// The language this request asks for by `?lang=`, if it names one.
    var languageAsked: Language? {
        guard url.query?.contains("lang=") == true, let q = query[String.self, at: "lang"] else { return nil }
        return Language(rawValue: q)
    }

    func l10n(_ key: String) -> String { Strings.text(key, lang) }
}

/// Remembers an explicit `?lang=` choice.
struct LanguageCookie: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let asked = request.languageAsked
        if let asked, request.hasSession { request.session.data["lang"] = asked.rawValue }
        return next.respond(to: request).map { response in
            if let asked {
                response.cookies["lang"] = HTTPCookies.Value(string: asked.rawValue, maxAge: 365 * 24 * 3600, path: "/", isHTTPOnly: true, sameSite: .lax)
            }
            return response
        }
    }
}
