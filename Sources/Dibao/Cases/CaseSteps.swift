import Fluent
import Vapor
import DibaoCore

/// What a step may carry. Pages post it as a form, the API as JSON; each step reads
/// the fields it needs and the rules refuse what is missing.
struct StepInput: Content {
    var reason: String?
    // Investigation (二.二.2)
    var investigators: String?
    var visitedOn: String?
    var notes: String?
    var applicantSigned: String?
    /// By declaration kind: "true" or "false".
    var truth: [String: String]?
    var truthNote: [String: String]?
    /// Verified monthly income by "<member id>.<income kind>", yuan text.
    var incomes: [String: String]?
    var blacklist: String?
    /// "true": take each member's income from the household's latest verification report
    /// where the report has a figure for that kind (二.五).
    var useVerifiedIncome: String?
    var blacklistReason: String?
    // Democratic evaluation (二.二.3)
    var heldOn: String?
    var panelSize: Int?
    var votesFor: Int?
    var votesAgainst: Int?
    var votesAbstain: Int?
    var evaluationSigned: String?
    // Township review, county decision
    var opinion: String?
    var amount: String?
    var firstMonth: String?
    // Spot check visit
    var findings: String?
    // Enrollment
    var incomeStable: String?

    init() {}

    static func flag(_ value: String?) -> Bool { ["on", "true", "1", "yes"].contains((value ?? "").lowercased()) }
}

/// Runs one step of a case: the records the step writes, then `CaseWorkflow` judges it.
enum CaseSteps {
    static func run(_ action: CaseAction, caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        try await req.requireCaseRole(for: action, actor)
        let reason = input.reason ?? ""
        switch action {
        case .completeInvestigation:
            return try await Investigation.complete(caseID: caseID, input: input, by: actor, on: req)
        case .recordEvaluation:
            return try await Evaluation.record(caseID: caseID, input: input, by: actor, on: req)
        case .townshipApprove:
            return try await TownshipReview.approve(caseID: caseID, input: input, by: actor, on: req)
        case .postFirstNotice:
            return try await Notices.postFirst(caseID: caseID, by: actor, on: req)
        case .drawSpotCheck:
            throw Abort(.badRequest, reason: req.l10n("cases.spot_check_batch_only"))
        case .recordSpotCheckVisit:
            return try await CountyApproval.recordVisit(caseID: caseID, input: input, by: actor, on: req)
        case .approve:
            return try await CountyApproval.approve(caseID: caseID, input: input, by: actor, on: req)
        case .postSecondNotice:
            return try await Notices.postSecond(caseID: caseID, by: actor, on: req)
        case .enroll:
            return try await Notices.enroll(caseID: caseID, input: input, by: actor, on: req)
        case .accept, .refuseIntake, .townshipRefuse, .submitToCounty, .refuse, .returnForReview, .reinvestigate, .withdraw, .extendTimeLimit:
            return try await CaseWorkflow.perform(action, caseID: caseID, by: actor, reason: reason, on: req) { c, _ in
                if action == .refuse { c.decidedOn = req.dibao.clock.today().iso; c.decidedBy = actor.username }
                if action == .returnForReview {
                    // A re-review starts over from the investigation: the earlier draw and visit no longer stand.
                    c.spotCheckBatchID = nil
                    c.spotCheckDrawID = nil
                    c.spotCheckVisitedOn = nil
                }
            }
        }
    }

    static func money(_ text: String?, field: String) throws -> Money? {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        return try Money.parse(t, field: field)
    }

    /// `label` names the date on the step's form; the refusal is `label：reason` so a form can
    /// put it beside the field.
    static func date(_ text: String?, field: String, label: Phrase) throws -> CivilDate? {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        guard let d = CivilDate(iso: t) else {
            throw FieldRefusal(field: field, rule: "date.format", .labelled(label, Phrase("case.refusal_date_format")))
        }
        return d
    }
}
