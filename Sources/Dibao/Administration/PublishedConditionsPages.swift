import Fluent
import Vapor
import DibaoCore

/// An area's own part of its published conditions (二.一): its local provisions and its
/// requirements on supporters (对赡养、抚养、扶养义务人履行相关法定义务提出具体要求). The rest of
/// the page is generated from the policy version and standards in force. Each save is audited
/// with the text it replaced, so the history of what was published stays readable.
final class AreaConditions: Model, @unchecked Sendable {
    static let schema = "area_conditions"

    @ID(custom: "area_code", generatedBy: .user) var id: String?
    @Field(key: "local_text") var localText: String
    @Field(key: "supporters_text") var supportersText: String
    @Field(key: "document") var document: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_on") var updatedOn: String

    init() {}
}

struct CreateAreaConditions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AreaConditions.schema)
            .field("area_code", .string, .identifier(auto: false))
            .field("local_text", .string, .required)
            .field("supporters_text", .string, .required)
            .field("document", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_on", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AreaConditions.schema).delete()
    }
}

enum Conditions {
    static let maxText = 4_000

    struct Input: Content {
        var area: String?
        var localText: String?
        var supportersText: String?
        var document: String?
    }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// `label` is the form's own label of the field, so the refusal names what the person sees.
    static func text(_ raw: String?, field: String, label: Phrase, max: Int) throws -> String {
        // Paragraphs stay; other invisible control characters are refused.
        let t = (raw ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.count <= max else { throw refuse(field, "conditions.\(field)_length", .labelled(label, Phrase("admin.refusal_at_most_chars", max))) }
        guard !t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) else {
            throw refuse(field, "conditions.\(field)_characters", .labelled(label, Phrase("admin.refusal_control_characters")))
        }
        return t
    }

    @discardableResult
    static func save(_ input: Input, ctx: ServiceContext) async throws -> AreaConditions {
        let actor = ctx.actor
        guard actor.may(.manageStandards) else { try await ctx.forbidden(target: "conditions.save", entityType: "area_conditions", entityID: input.area ?? "") }
        let area = try await AreaInput.resolve(input.area, levels: [.league, .county], rule: "conditions.area",
                                               label: Phrase("admin.refusal_label_area"), reason: Phrase("admin.refusal_area_league_county"), ctx: ctx)
        let local = try text(input.localText, field: "local_text", label: Phrase("conditions.own_text"), max: maxText)
        let supporters = try text(input.supportersText, field: "supporters_text", label: Phrase("conditions.supporters_text"), max: maxText)
        let document = try text(input.document, field: "document", label: Phrase("conditions.document"), max: 200)
        let existing = try await AreaConditions.find(area.value, on: ctx.db)
        let record = existing ?? AreaConditions()
        let before = existing.map { ["old_local_text": $0.localText, "old_supporters_text": $0.supportersText, "old_document": $0.document] } ?? [:]
        record.id = area.value
        record.localText = local
        record.supportersText = supporters
        record.document = document
        record.updatedBy = actor.username
        record.updatedOn = ctx.today.iso
        let detail = before.merging(["local_text": local, "supporters_text": supporters, "document": document]) { a, _ in a }
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await record.save(on: tx)
            return (record, [AuditEntry(actor: actor.audit, action: "conditions.published", entityType: "area_conditions", entityID: area.value,
                                        areaCode: area.value, detail: detail)])
        }
    }

    struct Line: Content { var text: String; var citation: String? }
    struct Section: Content { var title: String; var lines: [Line] }

    /// The whole public page of `area` (a league or county; a township or village reads its
    /// county's): the generated sections in the reader's language, then the area's own text.
    struct Page: Content {
        var area: String
        var areaName: String
        var title: String
        var basis: String
        var generated: String
        var sections: [Section]
        var localText: [String]
        var supportersText: [String]
        var localDocument: String
        var networkLink: String
        var regionOnly: Bool
        var error: String?
    }

    static func page(for requested: AreaCode, ctx: ServiceContext, error: String? = nil) async throws -> Page {
        let area = requested.level > .county ? (requested.ancestor(at: .county) ?? requested) : requested
        let today = ctx.today
        let policy = ctx.policy(on: today)
        let name = try await Area.find(area.value, on: ctx.db)?.name ?? (area == Installation.region ? Installation.regionName : area.value)
        var standards = PublishedConditions.Standards(urban: nil, rural: nil)
        if area.level >= .league {
            standards.urban = try await Standard.inForce(for: area, kind: .urban, on: today, db: ctx.db).map { Money(fen: $0.monthlyFen) }
            standards.rural = try await Standard.inForce(for: area, kind: .rural, on: today, db: ctx.db).map { Money(fen: $0.monthlyFen) }
        }
        let lang = ctx.lang
        let sections = PublishedConditions.sections(policy: policy, standards: standards).map { s in
            Section(title: Strings.text(s.key, lang), lines: s.lines.map { l in
                var text = Strings.text(l.key, lang)
                for (i, a) in l.args.enumerated() { text = text.replacingOccurrences(of: "{\(i + 1)}", with: a) }
                return Line(text: text, citation: l.citation)
            })
        }
        // The county's own text, then the league's (a county page shows both levels' rules).
        let own = try await AreaConditions.query(on: ctx.db).filter(\.$id ~~ area.chain).all()
            .sorted { ($0.id ?? "") > ($1.id ?? "") }
        func paragraphs(_ s: String) -> [String] { s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        return Page(area: area.value, areaName: name, title: Strings.format("conditions.title", lang, name),
                    basis: Strings.format("conditions.policy", lang, policy.source, policy.version, policy.effectiveFrom.iso),
                    generated: Strings.format("conditions.printed", lang, today.iso), sections: sections,
                    localText: own.flatMap { paragraphs($0.localText) }, supportersText: own.flatMap { paragraphs($0.supportersText) },
                    localDocument: own.map(\.document).filter { !$0.isEmpty }.joined(separator: "；"),
                    networkLink: "/public/network?area=\(area.value)", regionOnly: area.level < .league, error: error)
    }
}

/// `/admin/conditions`: county civil affairs writes its local provisions and its requirements
/// on supporters; `/public/conditions`: the printable page anyone reads.
struct ConditionsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "conditions", use: edit)
        routes.write("admin", "conditions", body: .collect(maxSize: "128kb"), guard: .permission(.manageStandards), use: save)
    }

    struct EditPage: Encodable {
        var input: Conditions.Input
        var error: String?
        var done: Bool
        var updated: String?
    }

    func edit(req: Request) async throws -> Response {
        try await editPage(req, input: nil, error: nil)
    }

    func editPage(_ req: Request, input: Conditions.Input?, error: String?) async throws -> Response {
        let actor = try await req.require(.manageStandards)
        let asked = String((req.query[String.self, at: "area"] ?? input?.area ?? "").prefix(12))
        let code = (try? AreaCode(asked)).flatMap { actor.area.contains($0) && [.league, .county].contains($0.level) ? $0 : nil }
            ?? ([.league, .county].contains(actor.area.level) ? actor.area : nil)
        var stored: AreaConditions? = nil
        if let code { stored = try await AreaConditions.find(code.value, on: req.db) }
        let shown = input ?? Conditions.Input(area: code?.value, localText: stored?.localText, supportersText: stored?.supportersText, document: stored?.document)
        let r = try await req.render("admin/conditions", title: req.l10n("conditions.admin_title"),
                                     EditPage(input: shown, error: error, done: req.query[String.self, at: "done"] == "saved",
                                              updated: stored.map { Strings.format("conditions.updated", req.lang, $0.updatedOn, $0.updatedBy) }))
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func save(req: Request) async throws -> Response {
        let actor = try await req.require(.manageStandards)
        let input = try req.content.decode(Conditions.Input.self)
        do {
            let saved = try await Conditions.save(input, ctx: req.context(actor))
            return req.redirect(to: "/admin/conditions?area=\(saved.id ?? "")&done=saved")
        } catch let refusal as any Refusal {
            return try await editPage(req, input: input, error: refusal.message(req.lang))
        }
    }
}

struct ConditionsPublicPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("public", "conditions", use: page)
        routes.get("api", "v1", "public", "conditions", use: api)
    }

    struct Shown: Encodable { var page: Conditions.Page; var choices: [AreaChoice] }

    func load(_ req: Request) async throws -> Conditions.Page {
        let ctx = req.context(.system(area: Installation.region, actingAs: .supervisor, job: "public-conditions"))
        let typed = String((req.query[String.self, at: "area"] ?? "").trimmingCharacters(in: .whitespaces).prefix(12))
        guard !typed.isEmpty else { return try await Conditions.page(for: Installation.region, ctx: ctx) }
        if let a = try? AreaCode(typed), Installation.region.contains(a), try await Area.find(a.value, on: req.db) != nil {
            return try await Conditions.page(for: a, ctx: ctx)
        }
        let message = FieldRefusal(field: "area", rule: "conditions.area", Phrase("conditions.refusal_public_area")).message(req.lang)
        return try await Conditions.page(for: Installation.region, ctx: ctx, error: message)
    }

    func page(req: Request) async throws -> Response {
        let page = try await load(req)
        let choices = try await AreaChoice.leaguesAndCounties(selected: page.area, on: req.db)
        let r = try await req.render("public/conditions", title: page.title, Shown(page: page, choices: choices), publicPage: true)
        if page.error != nil { r.status = .unprocessableEntity }
        return r
    }

    func api(req: Request) async throws -> Response {
        let page = try await load(req)
        let r = try await page.encodeResponse(for: req)
        if page.error != nil { r.status = .unprocessableEntity }
        return r
    }
}
