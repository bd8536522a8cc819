import Fluent
import Vapor
import DibaoCore

/// Household pages: list with search and paging, CSV export, detail with history, form.
struct HouseholdPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let h = routes.grouped("households")
        h.get(use: list)
        h.get("export.csv", use: export)
        h.get("new", use: newForm)
        h.write(guard: .permission(.writeHouseholds), use: create)
        h.get(":id", use: detail)
        h.get(":id", "edit", use: editForm)
        h.write(":id", guard: .permission(.writeHouseholds), use: update)
    }

    struct ListPage: Encodable {
        var q: String
        var area: String
        var areas: [HouseholdFormPage.Option]
        var rows: [HouseholdRow]
        var total: Int
        var page: Int
        var pages: Int
        var prev: String?
        var next: String?
        var canWrite: Bool
        var canExport: Bool
        var exportQuery: String
        /// The name search stopped at its limit: more people match than were looked at.
        var truncated: Bool
    }

    func list(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let search = try req.query.decode(HouseholdSearch.self)
        let query = try await search.query(for: actor, on: req)
        let countQuery = query.copy()
        let total = try await req.responseCache.value(area: actor.area, "households.count|\(actor.area.value)|\(search.area ?? "")|\(search.q ?? "")") { try await countQuery.count() }
        let page = try search.pageNumber()
        let size = HouseholdSearch.pageSize
        let households = try await query.sort(\.$headName).sort(\.$id).range((page - 1) * size ..< page * size).all()
        let rows = try await HouseholdRow.rows(households, for: actor, lang: req.lang, on: req.db)
        let pages = max(1, (total + size - 1) / size)
        func link(_ p: Int) -> String {
            var c = URLComponents()
            c.queryItems = [URLQueryItem(name: "q", value: search.q ?? ""), URLQueryItem(name: "area", value: search.area ?? ""), URLQueryItem(name: "page", value: String(p))]
            return "/households?" + (c.percentEncodedQuery ?? "")
        }
        var exportQuery = URLComponents()
        exportQuery.queryItems = [URLQueryItem(name: "q", value: search.q ?? ""), URLQueryItem(name: "area", value: search.area ?? "")]
        let areas = try await AreaQueries.selectable(below: actor.area, on: req.db)
        return try await req.render("households/list", title: req.l10n("households.title"), ListPage(
            q: search.q ?? "", area: search.area ?? "",
            areas: areas.map { .init(value: $0.id ?? "", label: $0.name, selected: $0.id == search.area) },
            rows: rows, total: total, page: page, pages: pages,
            prev: page > 1 ? link(page - 1) : nil, next: page < pages ? link(page + 1) : nil,
            canWrite: actor.may(.writeHouseholds), canExport: actor.may(.exportHouseholds),
            exportQuery: exportQuery.percentEncodedQuery ?? "", truncated: try await search.isTruncated(on: req)))
    }

    /// CSV for spreadsheet users (SPEC "Cross-cutting"): UTF-8 with BOM, or GB18030 with
    /// `?encoding=gb18030`. Masked as the list is; the export itself is an audit event.
    func export(req: Request) async throws -> Response {
        let actor = try await req.require(.exportHouseholds)
        let search = try req.query.decode(HouseholdSearch.self)
        let query = try await search.query(for: actor, on: req)
        let total = try await query.copy().count()
        guard total <= CSVExport.maxRows else {
            throw Abort(.unprocessableEntity, reason: Strings.format("households.export_too_many", req.lang, "\(total)", "\(CSVExport.maxRows)"))
        }
        let households = try await query.sort(\.$villageCode).sort(\.$headName).all()
        let rows = try await HouseholdRow.rows(households, for: actor, lang: req.lang, on: req.db)
        let header = [req.l10n("household.head"), req.l10n("household.village"), req.l10n("household.kind"), req.l10n("household.member_count"), req.l10n("household.status"), req.l10n("household.updated")]
        let lines = rows.map { [$0.headName, $0.villageName, $0.kind, String($0.memberCount), $0.status, $0.updatedAt] }
        let gb = req.query[String.self, at: "encoding"] == "gb18030"
        let body = try CSVExport.encode(header: header, rows: lines, gb18030: gb)
        try await req.audit.record([AuditEntry(actor: actor.audit, action: "household.exported", entityType: "household_list", entityID: search.area ?? actor.area.value,
                                               areaCode: actor.area.value, detail: ["rows": String(rows.count), "encoding": gb ? "gb18030" : "utf-8"])], on: req.db)
        let response = Response(status: .ok, body: .init(data: body))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": gb ? "GB18030" : "utf-8"])
        response.headers.attachment(filename: gb ? "households-gb18030.csv" : "households-utf8.csv")
        return response
    }

    struct DetailPage: Encodable {
        var household: HouseholdView
        var cases: [CaseRow]
        var history: [HistoryRow]
        var canWrite: Bool
        var saved: Bool
    }

    func detail(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let household = try await Household.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let view = try await HouseholdView.load(household, for: actor, lang: req.lang, on: req.db)
        let history = try await HistoryRow.of(entityType: "household", id: view.id.uuidString, lang: req.lang, on: req.db)
        let cases = try await ApplicationCase.query(on: req.db).filter(\.$householdID == view.id).sort(\.$submittedOn, .descending).all()
        return try await req.render("households/detail", title: view.headName, DetailPage(
            household: view, cases: try await CaseRow.rows(cases, for: actor, on: req), history: history, canWrite: actor.may(.writeHouseholds), saved: req.query[String.self, at: "saved"] == "1"))
    }

    func newForm(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let villages = try await AreaQueries.villages(below: actor.area, on: req.db)
        let draft = HouseholdDraft(villageCode: villages.count == 1 ? (villages[0].id ?? "") : "", address: "", members: [])
        return try await req.render("households/form", title: req.l10n("household.create_title"),
                                    HouseholdFormPage(draft: draft, villages: villages, lang: req.lang, action: "/households", editing: false))
    }

    func create(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let form = try HouseholdForm.parse(req)
        do {
            let household = try await HouseholdService.create(form.draft, by: actor, on: req)
            return req.redirect(to: "/households/\(household.id!.uuidString)?saved=1")
        } catch let refused as FormRefused {
            let villages = try await AreaQueries.villages(below: actor.area, on: req.db)
            let response = try await req.render("households/form", title: req.l10n("household.create_title"),
                HouseholdFormPage(draft: form.draft, villages: villages, lang: req.lang, action: "/households", editing: false, problems: refused.problems))
            response.status = .unprocessableEntity
            return response
        }
    }

    func editForm(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        let household = try await Household.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let draft = try await HouseholdView.draft(of: household, on: req.db)
        let villages = try await AreaQueries.villages(below: actor.area, on: req.db)
        let id = household.id!.uuidString
        return try await req.render("households/form", title: req.l10n("household.edit_title"),
            HouseholdFormPage(draft: draft, villages: villages, lang: req.lang, action: "/households/\(id)", editing: true, householdID: id, version: household.version))
    }

    func update(req: Request) async throws -> Response {
        let actor = try await req.require(.writeHouseholds)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let form = try HouseholdForm.parse(req)
        do {
            _ = try await HouseholdService.update(id, version: form.version, reason: form.reason, form.draft, by: actor, on: req)
            return req.redirect(to: "/households/\(id.uuidString)?saved=1")
        } catch let refused as FormRefused {
            let villages = try await AreaQueries.villages(below: actor.area, on: req.db)
            let response = try await req.render("households/form", title: req.l10n("household.edit_title"),
                HouseholdFormPage(draft: form.draft, villages: villages, lang: req.lang, action: "/households/\(id.uuidString)", editing: true,
                                  householdID: id.uuidString, version: form.version, reason: form.reason, problems: refused.problems))
            response.status = .unprocessableEntity
            return response
        }
    }
}

/// One line of a record's history, from the audit log.
struct HistoryRow: Content {
    var seq: Int
    var when: String
    var who: String
    var action: String
    var reason: String
    var detail: String

    static func of(entityType: String, id: String, lang: Language, on db: any Database) async throws -> [HistoryRow] {
        try await AuditEvent.query(on: db).filter(\.$entityType == entityType).filter(\.$entityID == id).sort(\.$id).all().map {
            HistoryRow(seq: $0.id ?? 0, when: ShanghaiTime.minute($0.occurredAt), who: $0.actorName,
                       action: AuditActions.label($0.action, lang), reason: $0.reason,
                       detail: $0.detailObject.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
    }
}

enum AuditActions {
    static func label(_ action: String, _ lang: Language) -> String {
        if action.hasPrefix("case."), let step = CaseAction(rawValue: String(action.dropFirst(5))) { return step.name(lang) }
        if action.hasPrefix("complaint."), let step = ComplaintAction(rawValue: String(action.dropFirst(10))) { return step.name(lang) }
        let key = "audit.\(action)"
        return Strings.catalogue.has(key) ? Strings.text(key, lang) : action
    }
}

enum CSVExport {
    static let maxRows = 200_000

    /// A long number a spreadsheet must keep as text (an account number: Excel and WPS show
    /// 6217990000123456789 as 6.21799E+18 and lose its last digits, issue 12). A leading tab
    /// makes both read the cell as text; the digits stay as they are.
    static func asText(_ digits: String) -> String {
        digits.isEmpty || !digits.allSatisfy(\.isNumber) ? digits : "\t" + digits
    }

    static func encode(header: [String], rows: [[String]], gb18030: Bool) throws -> Data {
        func cell(_ s: String) -> String {
            // A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
            var s = s
            if let f = s.first, "=+-@".contains(f) { s = "'" + s }
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let text = ([header] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        if gb18030 {
            guard let data = text.data(using: .gb18030) else { throw Abort(.internalServerError, reason: "GB18030 encoding unavailable") }
            return data
        }
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }
}

extension String.Encoding {
    /// GB 18030-2000: CoreFoundation's kCFStringEncodingGB_18030_2000 (0x0632) in
    /// NSStringEncoding form, which Foundation on Linux converts as well.
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)
}
