import Fluent
import Vapor
import DibaoCore

/// What the public sees, without signing in (二.三 "完善面向公众的低保对象信息查询机制，
/// 无正当理由不得拒绝公众查询"): the notices of an area, the stage of an application by
/// its receipt number, and the answer to an objection by its reference.
struct PublicPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("public")
        p.get("notices", use: noticesPage)
        p.get("lookup", use: lookupPage)
        p.get("objections", "new", use: objectionForm)
        p.write("objections", guard: .open("public objection (二.三): limited per client and per case"), use: raiseObjection)
        p.get("objections", ":reference", use: objectionPage)
        let api = routes.grouped("api", "v1", "public")
        api.get("notices", use: noticesAPI)
        api.get("cases", ":receipt", use: lookupAPI)
        api.write("objections", guard: .open("public objection (二.三): limited per client and per case"), use: raiseObjectionAPI)
        api.get("objections", ":reference", use: objectionAPI)
    }

    struct NoticeRow: Content {
        var village: String
        var head: String
        var members: String
        var memberCount: Int
        var monthlyIncome: String
        var amount: String
        var postedOn: String
        var endsOn: String?
        var summary: String
        var receipt: String?
    }

    struct NoticeList: Content {
        var area: String
        var areaName: String
        var first: [NoticeRow]
        var second: [NoticeRow]
        var page: Int
        var totalSecond: Int
        var next: String?
        var prev: String?
        /// The areas one level down, to narrow the list (a county's townships, a township's villages).
        var children: [AreaLink] = []
        /// The notices as printed for the board (by township or village only).
        var printFirst: String?
        var printSecond: String?
    }

    struct AreaLink: Content { var code: String; var name: String; var href: String }

    /// The public notices without an area: the visitor chooses a league's county (二.三:
    /// the public can read the notices of any place), then a township or a village.
    struct AreaChooser: Encodable {
        struct League: Encodable { var name: String; var counties: [AreaLink] }
        var leagues: [League]
    }

    func chooser(_ req: Request) async throws -> AreaChooser {
        let all = try await Area.query(on: req.db).filter(\.$level ~~ [AreaLevel.league.rawValue, AreaLevel.county.rawValue])
            .filter(\.$retiredOn == nil).sort(\.$id).all()
        let counties = Dictionary(grouping: all.filter { $0.level == AreaLevel.county.rawValue }, by: { $0.parentCode ?? "" })
        return AreaChooser(leagues: all.filter { $0.level == AreaLevel.league.rawValue }.map { league in
            .init(name: league.name, counties: (counties[league.id ?? ""] ?? []).map { .init(code: $0.id ?? "", name: $0.name, href: "/public/notices?area=\($0.id ?? "")") })
        })
    }

    static let pageSize = 100

    func notices(_ req: Request) async throws -> NoticeList {
        let raw = req.query[String.self, at: "area"] ?? ""
        guard let area = try? AreaCode(raw, field: "area"), area.level >= .county else {
            throw FieldRefusal(field: "area", rule: "notice.area", .labelled(Phrase("registry.refusal_area_label"), Phrase("case.refusal_notice_area")))
        }
        let page = try req.boundedQuery(.page, fallback: 1)
        let today = req.dibao.clock.today().iso
        let first = try await Notice.query(on: req.db).within(area).filter(\.$kind == .first).filter(\.$active == true)
            .filter(\.$endsOn >= today).sort(\.$postedOn, .descending).limit(200).all()
        let secondQuery = Notice.query(on: req.db).within(area).filter(\.$kind == .second).filter(\.$active == true)
        let total = try await secondQuery.copy().count()
        let second = try await secondQuery.sort(\.$villageCode).sort(\.$id).range((page - 1) * Self.pageSize ..< page * Self.pageSize).all()
        let codes = Array(Set((first + second).map(\.villageCode)))
        let names = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ codes).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        let receipts = Dictionary(try await ApplicationCase.query(on: req.db).filter(\.$id ~~ first.map(\.caseID)).all().map { ($0.id!, $0.receipt) }, uniquingKeysWith: { a, _ in a })
        func row(_ n: Notice) -> NoticeRow {
            NoticeRow(village: names[n.villageCode] ?? n.villageCode, head: n.maskedHead, members: n.maskedMembers, memberCount: n.memberCount,
                      monthlyIncome: Money(fen: n.monthlyIncomeFen).formatted, amount: Money(fen: n.amountFen).formatted,
                      postedOn: n.postedOn, endsOn: n.endsOn, summary: n.summary, receipt: n.kind == .first ? receipts[n.caseID] : nil)
        }
        let pages = (total + Self.pageSize - 1) / Self.pageSize
        let areaName = try await Area.find(area.value, on: req.db)?.name ?? area.value
        var list = NoticeList(area: area.value, areaName: areaName, first: first.map(row), second: second.map(row), page: page, totalSecond: total,
                              next: page < pages ? "/public/notices?area=\(area.value)&page=\(page + 1)" : nil,
                              prev: page > 1 ? "/public/notices?area=\(area.value)&page=\(page - 1)" : nil)
        if area.level < .village {
            list.children = try await Area.query(on: req.db).filter(\.$parentCode == area.value).filter(\.$retiredOn == nil).sort(\.$id).all()
                .map { AreaLink(code: $0.id ?? "", name: $0.name, href: "/public/notices?area=\($0.id ?? "")") }
        }
        if area.level >= .township {
            list.printFirst = "/public/notices/print?area=\(area.value)&kind=first"
            list.printSecond = "/public/notices/print?area=\(area.value)&kind=second"
        }
        return list
    }

    /// The same for everyone who reads it, so it is served from the response cache.
    func noticesPage(req: Request) async throws -> Response {
        // Without an area (or with one above a county) the visitor chooses one first.
        let asked = req.query[String.self, at: "area"] ?? ""
        if asked.isEmpty || (try? AreaCode(asked, field: "area")).map({ $0.level < .county }) == true {
            return try await req.responseCache.response(area: nil, "notices.choose|\(req.lang)", for: req) {
                try await req.render("public/notices-choose", title: req.l10n("public.notices"), try await chooser(req), publicPage: true)
            }
        }
        return try await req.responseCache.response(area: try? AreaCode(req.query[String.self, at: "area"] ?? ""), "notices|\(req.dibao.clock.today().iso)|\(req.lang)|\(req.query[String.self, at: "area"] ?? "")|\(try req.boundedQuery(.page, fallback: 1))", for: req) {
            try await req.render("public/notices", title: req.l10n("public.notices"), try await notices(req), publicPage: true)
        }
    }

    func noticesAPI(req: Request) async throws -> Response {
        try await req.responseCache.response(area: try? AreaCode(req.query[String.self, at: "area"] ?? ""), "notices.json|\(req.dibao.clock.today().iso)|\(req.lang)|\(req.query[String.self, at: "area"] ?? "")|\(try req.boundedQuery(.page, fallback: 1))", for: req) {
            let r = try await notices(req).encodeResponse(for: req)
            r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=60")
            return r
        }
    }

    struct Lookup: Content {
        var receipt: String
        var stage: String
        var stageName: String
        var village: String?
        var head: String?
        var submittedOn: String
        var decidedOn: String?
        /// A refusal or withdrawal gives its reason (二.二.4: refused with reasons).
        var reason: String?
        var amount: String?
        var firstMonth: String?
    }

    /// Anyone with a receipt number sees the stage; the rest (the masked head, the village,
    /// a refusal's reason, the amount) needs the last four digits of the phone number the
    /// household registered (issue 12: 72 guessed receipt numbers found 11 applications).
    func lookup(_ req: Request, receipt text: String) async throws -> Lookup {
        try req.limit("lookup", key: req.clientKey, max: req.dibao.settings.lookupsPerClientPerHour, per: 3600)
        let receipt = try ReceiptNumber(text, field: "receipt")
        guard let c = try await ApplicationCase.query(on: req.db).filter(\.$receipt == receipt.value).first() else {
            throw Abort(.notFound, reason: req.l10n("public.no_such_receipt"))
        }
        let household = try await Household.find(c.householdID, on: req.db)
        let head = household?.headName ?? ""
        let village = try await Area.find(c.villageCode, on: req.db)?.name ?? ""
        let tail = (req.query[String.self, at: "phone"] ?? "").trimmingCharacters(in: .whitespaces)
        let phone = household?.phone.filter(\.isNumber) ?? ""
        let verified = tail.count == 4 && phone.count >= 4 && CSRFProtection.constantTimeEqual(String(phone.suffix(4)), tail)
        // A refusal must be explained to the applicant (二.二.1, 二.二.4); a return for re-review
        // is the county's instruction to the township, not a decision, and stays internal.
        let showsReason: Set<CaseStage> = [.refusedAtIntake, .refused, .withdrawn]
        let decided: Set<CaseStage> = [.approved, .secondNotice, .enrolled]
        guard verified else {
            return Lookup(receipt: c.receipt, stage: c.stage.rawValue, stageName: c.stage.name(req.lang), village: nil, head: nil,
                          submittedOn: c.submittedOn, decidedOn: nil, reason: nil, amount: nil, firstMonth: nil)
        }
        return Lookup(receipt: c.receipt, stage: c.stage.rawValue, stageName: c.stage.name(req.lang), village: village, head: Masking.name(head),
                      submittedOn: c.submittedOn, decidedOn: c.decidedOn, reason: showsReason.contains(c.stage) ? c.reason : nil,
                      amount: decided.contains(c.stage) ? c.approvedAmountFen.map { Money(fen: $0).formatted } : nil,
                      firstMonth: decided.contains(c.stage) ? c.firstMonth.map { String($0.prefix(7)) } : nil)
    }

    struct LookupPage: Encodable { var receipt: String; var phone: String; var result: Lookup?; var error: String?; var reference = ""; var referenceError: String? }

    func lookupPage(req: Request) async throws -> Response {
        let receipt = (req.query[String.self, at: "receipt"] ?? "").trimmingCharacters(in: .whitespaces)
        let reference = (req.query[String.self, at: "reference"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        var page = LookupPage(receipt: receipt, phone: String((req.query[String.self, at: "phone"] ?? "").prefix(4)), result: nil, error: nil)
        // An objection's reference (YY and ten letters or digits, as `Objections.raise` makes
        // it) leads to its answer; anything else is told so beside the field.
        if !reference.isEmpty {
            if reference.count <= 12, reference.hasPrefix("YY"), reference.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                return req.redirect(to: "/public/objections/\(reference)")
            }
            page.reference = String(reference.prefix(12))
            page.referenceError = req.l10n("public.no_such_reference")
        }
        if !receipt.isEmpty {
            do { page.result = try await lookup(req, receipt: receipt) } catch let r as any Refusal { page.error = r.message(req.lang) } catch let a as any AbortError { page.error = a.reason }
        }
        return try await req.render("public/lookup", title: req.l10n("public.lookup"), page, publicPage: true)
    }

    func lookupAPI(req: Request) async throws -> Lookup {
        try await lookup(req, receipt: req.parameters.get("receipt") ?? "")
    }

    struct ObjectionForm: Encodable { var receipt: String; var name: String; var text: String; var error: String? }

    func objectionForm(req: Request) async throws -> Response {
        try await req.render("public/objection-form", title: req.l10n("public.object"),
                             ObjectionForm(receipt: req.query[String.self, at: "receipt"] ?? "", name: "", text: "", error: nil), publicPage: true, withForm: true)
    }

    func raiseObjection(req: Request) async throws -> Response {
        let input = try req.content.decode(Objections.RaiseInput.self)
        do {
            let raised = try await Objections.raise(input, recordedBy: req.actor, on: req)
            return req.redirect(to: "/public/objections/\(raised.reference)")
        } catch let r as any Refusal {
            let response = try await req.render("public/objection-form", title: req.l10n("public.object"),
                                                ObjectionForm(receipt: input.receipt, name: input.name ?? "", text: input.text, error: r.message(req.lang)), publicPage: true, withForm: true)
            response.status = .unprocessableEntity
            return response
        }
    }

    func raiseObjectionAPI(req: Request) async throws -> Response {
        let raised = try await Objections.raise(try req.content.decode(Objections.RaiseInput.self), recordedBy: req.actor, on: req)
        return try await raised.encodeResponse(status: .created, for: req)
    }

    struct ObjectionView: Content {
        var reference: String
        var receipt: String
        var raisedOn: String
        var text: String
        var status: String
        var statusName: String
        var answerDue: String
        var answer: String?
        var answeredOn: String?
    }

    func objection(_ req: Request) async throws -> ObjectionView {
        let reference = req.parameters.get("reference") ?? ""
        guard let o = try await Objection.query(on: req.db).filter(\.$reference == reference).first(),
              let c = try await ApplicationCase.find(o.caseID, on: req.db) else { throw Abort(.notFound, reason: req.l10n("public.no_such_reference")) }
        return ObjectionView(reference: o.reference, receipt: c.receipt, raisedOn: o.raisedOn, text: o.text, status: o.status,
                             statusName: req.l10n("objection.\(o.status)"), answerDue: o.answerDue,
                             answer: o.isOpen ? nil : o.answer, answeredOn: o.answeredOn)
    }

    func objectionPage(req: Request) async throws -> Response {
        try await req.render("public/objection", title: req.l10n("public.objection"), try await objection(req), publicPage: true)
    }

    func objectionAPI(req: Request) async throws -> ObjectionView { try await objection(req) }
}
