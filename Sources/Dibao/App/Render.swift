import Leaf
import Vapor
import DibaoCore

/// What every page gets besides its own content: the text table of its language, the
/// signed-in account, the CSRF token for its forms.
struct PageFrame<Body: Encodable>: Encodable {
    struct Badge: Encodable {
        var name: String
        var role: String
        var area: String
    }

    /// One entry of the language menu: the same page in that language.
    struct LanguageLink: Encodable {
        var code: String
        var name: String
        var href: String
        var current: Bool
    }

    var t: [String: String]
    var lang: String
    /// The page's `lang` attribute (`mn-Mong` for Mongolian in its script).
    var langTag: String
    var languages: [LanguageLink]
    var title: String
    var user: Badge?
    /// The header's menu for the signed-in role (`Menu`); empty on public pages.
    var menu: [Menu.Link]
    var csrf: String
    var publicPage: Bool
    var body: Body
}

extension Request {
    /// Renders a page. Public pages (no sign-in) carry no account badge and create no
    /// session — so reading a notice leaves nothing behind — unless they hold a form.
    func render<Body: Encodable>(_ template: String, title: String, _ body: Body, publicPage: Bool = false, withForm: Bool = false) async throws -> Response {
        var badge: PageFrame<Body>.Badge?
        if let actor, !publicPage {
            let areaName = try await Area.find(actor.area.value, on: db)?.name ?? actor.area.value
            badge = .init(name: actor.displayName, role: actor.role.name(lang), area: areaName)
        }
        let frame = PageFrame(
            t: Strings.pageTables[lang] ?? [:],
            lang: lang.rawValue, langTag: lang.tag, languages: languageLinks(), title: title, user: badge,
            menu: badge == nil ? [] : actor.map { Menu.links(for: $0, lang) } ?? [],
            csrf: (!publicPage || withForm) ? csrfToken : "", publicPage: publicPage, body: body
        )
        let view = try await view.render(template, frame)
        let response = try await view.encodeResponse(for: self)
        response.headers.replaceOrAdd(name: .cacheControl, value: publicPage && !withForm ? "public, max-age=60" : "no-store")
        return response
    }
}

extension Request {
    /// The language menu: this page, with its query kept, in each language.
    func languageLinks<Body>() -> [PageFrame<Body>.LanguageLink] {
        let current = lang
        var items = (url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") && !$0.hasPrefix("_csrf=") }.map(String.init)
        let path = url.path
        return Language.allCases.map { l in
            items.append("lang=\(l.rawValue)")
            defer { items.removeLast() }
            return .init(code: l.rawValue, name: l.ownName, href: path + "?" + items.joined(separator: "&"), current: l == current)
        }
    }
}
