import Fluent
import Vapor
import DibaoCore

/// The papers an applicant is handed (issue 16, part 6), one A4 page each, printed from
/// the page (the print stylesheet drops the menus; `@page` numbers the pages):
/// - 受理回执: the township accepted the application (二.二.1) — number, dates, the
///   materials received, the time limit (二.二.4) and how to follow it;
/// - 不予受理告知书 / 不予批准告知书: a refusal, with its reason and the applicant's
///   remedies (二.二.1, 二.二.4: "书面告知并说明理由");
/// - for an approved application, the 准予纳入通知书 of the enrolled household.
/// Each is read through the case's visibility check; the applicant's name is whole only
/// for staff who see personal data (the ones who hand the paper over).
struct CaseDocuments: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", ":id", "receipt", use: receipt)
        routes.get("cases", ":id", "decision-letter", use: decisionLetter)
    }

    struct Fact: Encodable { var label: String; var value: String; var id: String }

    struct Document: Encodable {
        var caseID: String
        var receipt: String
        var kind: String
        var title: String
        var number: String
        var to: String
        var body: String
        var facts: [Fact]
        var reason: String
        var remedy: String
        var note: String
        var office: IssuingOffice
        var date: String
        var signatures: [String]
    }

    func receipt(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        guard let accepted = c.acceptedOn, c.stage != .refusedAtIntake else {
            throw Abort(.notFound, reason: req.l10n("print.receipt_not_accepted"))
        }
        let lang = req.lang
        func t(_ key: String, _ args: String...) -> String { Strings.text(key, lang, args) }
        let policy = CaseWorkflow.judgingPolicy(of: c, env: req.dibao, today: req.dibao.clock.today())
        let office = try await IssuingOffice.township(c.townshipCode, lang: lang, policy: policy, on: req.db)
        let head = try await applicantName(c, for: actor, on: req.db)
        let evidence = try await EvidenceFile.query(on: req.db).filter(\.$caseID == c.id!).all()
        let materials = Dictionary(grouping: evidence, by: \.kind).sorted { $0.key < $1.key }
            .map { t("print.receipt_material", Strings.text("evidence.\($0.key)", lang), "\($0.value.count)") }
        let days = policy.countyDecisionWorkingDays
        let deadline = CaseWorkflow.deadline(of: c, policy: policy, calendar: req.dibao.calendar)
        var facts = [
            Fact(label: t("print.receipt_number"), value: c.receipt, id: "doc-receipt"),
            Fact(label: t("print.receipt_applicant"), value: head, id: "doc-applicant"),
            Fact(label: t("print.receipt_kind"), value: t("print.receipt_kind_value", c.kind.name(lang)), id: "doc-kind"),
            Fact(label: t("print.receipt_window"), value: c.windowName.isEmpty ? Strings.text("channel.\(c.channel)", lang) : c.windowName, id: "doc-window"),
            Fact(label: t("print.receipt_submitted"), value: DocumentDate.text(c.submittedOn, lang), id: "doc-submitted"),
            Fact(label: t("print.receipt_accepted"), value: DocumentDate.text(accepted, lang), id: "doc-accepted"),
            Fact(label: t("print.receipt_materials"), value: materials.isEmpty ? t("print.receipt_materials_none") : materials.joined(separator: t("print.list_separator")), id: "doc-materials"),
        ]
        facts.append(Fact(label: t("print.receipt_deadline"),
                          value: deadline.map { t("print.receipt_deadline_value", "\(days)", DocumentDate.text($0, lang)) } ?? t("print.receipt_deadline_days", "\(days)"),
                          id: "doc-deadline"))
        let doc = Document(
            caseID: c.id!.uuidString, receipt: c.receipt, kind: "receipt", title: t("print.receipt_title"), number: c.receipt,
            to: t("print.letter_to", head), body: t("print.receipt_body", DocumentDate.text(c.submittedOn, lang), DocumentDate.text(accepted, lang), "\(days)"),
            facts: facts, reason: "", remedy: "", note: t("print.receipt_lookup"), office: office, date: DocumentDate.text(accepted, lang),
            signatures: [t("print.handled_by"), t("print.applicant_signature")])
        return try await req.render("print/document", title: doc.title, doc)
    }

    /// The decision on the application as a letter: a refusal's 告知书 here, an approval's
    /// 纳入通知书 on the enrolled household (the letter its payments follow).
    func decisionLetter(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let c = try await CaseWorkflow.visible(req.parameters.get("id", as: UUID.self), to: actor, on: req)
        let lang = req.lang
        func t(_ key: String, _ args: String...) -> String { Strings.text(key, lang, args) }
        switch c.stage {
        case .approved, .secondNotice, .enrolled:
            guard let enrolled = try await EnrolledHousehold.query(on: req.db).filter(\.$caseID == c.id!).first(),
                  let first = try await BenefitDecisionRecord.query(on: req.db).filter(\.$enrolledID == enrolled.id!).filter(\.$kind == .enrolled).sort(\.$id).first()
            else { throw Abort(.notFound, reason: req.l10n("print.no_letter")) }
            return req.redirect(to: "/enrolled/\(enrolled.householdID.uuidString)/decisions/\(first.id!)/letter")
        case .refused, .refusedAtIntake:
            break
        default:
            throw Abort(.notFound, reason: req.l10n("print.no_letter"))
        }
        let decided = c.decidedOn ?? c.townshipReviewedOn ?? c.acceptedOn ?? c.submittedOn
        let policy = CaseWorkflow.judgingPolicy(of: c, env: req.dibao, today: req.dibao.clock.today())
        // 不予受理 and a township's 审核不同意 (before the first notice) are the township's
        // decisions; a refusal after the first notice is the county's (二.二.4).
        let byCounty = c.stage == .refused && (c.firstNoticePostedOn != nil || c.countyReceivedOn != nil)
        let office = byCounty ? try await IssuingOffice.county(c.countyCode, lang: lang, policy: policy, on: req.db)
            : try await IssuingOffice.township(c.townshipCode, lang: lang, policy: policy, on: req.db)
        let county = try await Area.find(c.countyCode, on: req.db)?.name ?? c.countyCode
        let head = try await applicantName(c, for: actor, on: req.db)
        let kind = c.stage == .refusedAtIntake ? "not_accepted" : "refused"
        let year = CivilDate(iso: decided)?.year ?? 0
        let doc = Document(
            caseID: c.id!.uuidString, receipt: c.receipt, kind: kind, title: t("print.\(kind)_title"),
            number: "\(c.countyCode.prefix(6))-\(year)-\(c.receipt)",
            to: t("print.letter_to", head), body: t("print.\(kind)_body", DocumentDate.text(c.submittedOn, lang)),
            facts: [Fact(label: t("print.receipt_number"), value: c.receipt, id: "doc-receipt"),
                    Fact(label: t("print.receipt_submitted"), value: DocumentDate.text(c.submittedOn, lang), id: "doc-submitted")],
            reason: c.reason,
            remedy: t("enr.letter_remedy", "\(policy.appealDays)", county, "\(policy.litigationMonths)", policy.supervisionPhone),
            note: "", office: office, date: DocumentDate.text(decided, lang),
            signatures: [t("enr.letter_signature")])
        return try await req.render("print/document", title: doc.title, doc)
    }

    /// The head's name as this reader may see it.
    private func applicantName(_ c: ApplicationCase, for actor: StaffActor, on db: any Database) async throws -> String {
        let name = try await Household.find(c.householdID, on: db)?.headName ?? ""
        return actor.may(.viewSensitive) ? name : Masking.name(name)
    }
}
