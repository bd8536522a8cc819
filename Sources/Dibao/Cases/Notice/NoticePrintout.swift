import Fluent
import Vapor
import DibaoCore

/// The notice as it is posted on the village board (二.三, issue 16 part 6): the whole list
/// of a township or a village on A4 — not one screen page — under its title (关于…的公示),
/// the issuing office, the period, where to object (phone and address), the date and the
/// seal and signature block; the table's header repeats on every printed page and the
/// pages are numbered (the print stylesheet). The first notice is the township's (审核结果),
/// the second the county's (审批结果, long-term). What it lists is what the public notice
/// page lists, masked when it was posted.
struct NoticePrintout: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("public", "notices").get("print", use: page)
    }

    /// A printed list longer than this is printed village by village: a board holds a few
    /// hundred lines, and a township's second notice stays far below this.
    static let maxLines = 5_000

    struct Row: Encodable {
        var no: Int; var village: String; var head: String; var members: String; var memberCount: Int
        var monthlyIncome: String; var amount: String; var postedOn: String; var endsOn: String
    }

    struct Page: Encodable {
        var kind: String
        var area: String
        var title: String
        var intro: String
        var period: String
        var objection: String
        var rows: [Row]
        var total: String
        /// Said only when the list is longer than the sheet prints (`maxLines`).
        var truncated: String?
        var office: IssuingOffice
        var date: String
        var back: String
    }

    func page(req: Request) async throws -> Response {
        let raw = req.query[String.self, at: "area"] ?? ""
        let kind: NoticeKind = req.query[String.self, at: "kind"] == "second" ? .second : .first
        guard let area = try? AreaCode(raw, field: "area"), area.level >= .township else {
            // Printing is by township or village: send the visitor to choose one.
            return req.redirect(to: "/public/notices")
        }
        return try await req.responseCache.response(area: area, "notices.print|\(req.dibao.clock.today().iso)|\(req.lang)|\(area.value)|\(kind.rawValue)", for: req) {
            let sheet = try await make(kind, area: area, req: req)
            return try await req.render("print/notice", title: sheet.title, sheet, publicPage: true)
        }
    }

    func make(_ kind: NoticeKind, area: AreaCode, req: Request) async throws -> Page {
        let lang = req.lang
        func t(_ key: String, _ args: String...) -> String { Strings.text(key, lang, args) }
        let today = req.dibao.clock.today()
        let policy = req.dibao.policy(on: today)
        var query = Notice.query(on: req.db).within(area).filter(\.$kind == kind).filter(\.$active == true)
        if kind == .first { query = query.filter(\.$endsOn >= today.iso) }
        let notices = try await query.sort(\.$villageCode).sort(\.$postedOn).sort(\.$id).limit(Self.maxLines + 1).all()
        let shown = Array(notices.prefix(Self.maxLines))
        guard let township = area.ancestor(at: .township), let county = area.ancestor(at: .county) else { throw Abort(.notFound) }
        let names = try await PaymentPages.areaNames(Set(shown.map(\.villageCode) + [area.value, township.value, county.value]), on: req.db)
        // A village's notice is titled with its township too, unless its name already carries it.
        let townshipName = names[township.value] ?? township.value
        let ownName = names[area.value] ?? area.value
        let areaName = area == township || ownName.hasPrefix(townshipName) ? ownName : townshipName + ownName
        let office = kind == .first ? try await IssuingOffice.township(township.value, lang: lang, policy: policy, on: req.db)
            : try await IssuingOffice.county(county.value, lang: lang, policy: policy, on: req.db)
        let rows = shown.enumerated().map { i, n in
            Row(no: i + 1, village: names[n.villageCode] ?? n.villageCode, head: n.maskedHead, members: n.maskedMembers, memberCount: n.memberCount,
                monthlyIncome: Money(fen: n.monthlyIncomeFen).formatted, amount: Money(fen: n.amountFen).formatted,
                postedOn: DocumentDate.text(n.postedOn, lang), endsOn: DocumentDate.text(n.endsOn, lang))
        }
        let people = shown.map(\.memberCount).reduce(0, +)
        let amount = Money(fen: shown.map(\.amountFen).reduce(0, +)).formatted
        let from = shown.map(\.postedOn).min()
        let period: String
        let intro: String
        if kind == .first {
            let until = shown.compactMap(\.endsOn).max()
            period = from.map { t("print.notice_first_period", DocumentDate.text($0, lang), DocumentDate.text(until, lang)) } ?? ""
            intro = t("print.notice_first_intro", policy.title, office.name, "\(shown.count)", "\(people)")
        } else {
            period = from.map { t("print.notice_second_period", DocumentDate.text($0, lang)) } ?? ""
            intro = t("print.notice_second_intro", office.name, "\(shown.count)", "\(people)")
        }
        return Page(kind: kind.rawValue, area: area.value, title: t("print.notice_\(kind.rawValue)_title", areaName), intro: intro, period: period,
                    objection: t("print.notice_\(kind.rawValue)_objection", office.name), rows: rows,
                    total: t("print.notice_total", "\(shown.count)", "\(people)", amount), truncated: notices.count > Self.maxLines ? t("print.notice_truncated", "\(Self.maxLines)") : nil,
                    office: office, date: DocumentDate.text(today, lang), back: "/public/notices?area=\(area.value)")
    }
}
