import Fluent
import Vapor
import DibaoCore

/// One complaint as a page and the API show it. The complainant's name, phone and ID number
/// are shown in full only to those who handle complaints; everyone else reads them masked.
struct ComplaintView: Content {
    struct Option: Content { var value: String; var label: String }
    struct Candidate: Content { var id: Int; var reference: String; var receivedOn: String; var excerpt: String; var answer: String }
    struct HouseholdOption: Content { var id: String; var head: String; var village: String }

    var id: Int
    var reference: String
    var channel: String
    var channelName: String
    var stage: String
    var stageName: String
    var receivedOn: String
    var receivedBy: String
    var complainant: String
    var phone: String
    var idNumber: String
    var masked: Bool
    var subject: String
    var subjectName: String
    var subjectText: String
    var subjectHouseholdID: String?
    var area: String
    var areaName: String
    var text: String
    var recordNote: String
    var owner: String
    var ownerName: String
    var missingItems: [String]
    var materialsRequestedOn: String?
    var materialsCompletedOn: String?
    var acceptedOn: String?
    var deadline: String?
    var daysLeft: Int?
    var timeState: String
    var timeStateName: String
    var guidance: String
    var repeatOf: String?
    var reviewID: Int?
    var referredOn: String?
    var referralReason: String
    var answer: String
    var answerOutcome: String?
    var answeredOn: String?
    var publicResult: String
    var steps: [Option]
    var candidates: [Candidate]
    var households: [HouseholdOption]
    var history: [HistoryRow]

    static func load(_ c: Complaint, ctx: ServiceContext, full: Bool) async throws -> ComplaintView {
        let lang = ctx.lang
        let actor = ctx.actor
        let policy = ctx.policy(on: CivilDate(iso: c.receivedOn) ?? ctx.today)
        let (state, deadline) = c.timeState(on: ctx.today, policy: policy, calendar: ctx.calendar)
        let left = c.stage.isOpen ? c.clock(policy: policy).daysLeft(on: ctx.today, calendar: ctx.calendar) : nil
        let sees = actor.may(.handleComplaints)
        let areaName = try await Area.find(c.areaCode, on: ctx.db)?.name ?? c.areaCode
        var steps = ComplaintMachine.actions(at: c.stage, for: actor.role).map { Option(value: $0.rawValue, label: $0.name(lang)) }
        let owns = c.ownerUsername == actor.username
        // Only the owner is offered the work; the county approver may take it over by a hand-over.
        if c.stage != .received && !owns { steps = steps.filter { $0.value == ComplaintAction.handOver.rawValue && actor.role == .countyApprover } }
        var candidates: [Candidate] = []
        var households: [HouseholdOption] = []
        var history: [HistoryRow] = []
        if full {
            if c.stage == .registered {
                candidates = try await ComplaintWorkflow.repeatCandidates(of: c, on: ctx.db).map {
                    Candidate(id: $0.id ?? 0, reference: $0.reference, receivedOn: $0.receivedOn, excerpt: String($0.text.prefix(80)),
                              answer: answerText($0, lang: lang))
                }
                if c.subjectHouseholdID == nil, c.subject == .household || c.subject == .none, let area = c.area, !c.subjectText.isEmpty {
                    let found = try await Household.query(on: ctx.db).within(area).within(actor.area).filter(\.$headName == c.subjectText).limit(20).all()
                    let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ found.map(\.villageCode)).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
                    households = found.map { HouseholdOption(id: $0.id!.uuidString, head: sees ? $0.headName : Masking.name($0.headName), village: names[$0.villageCode] ?? $0.villageCode) }
                }
            }
            history = try await HistoryRow.of(entityType: Complaint.entityType, id: String(c.id ?? 0), lang: lang, on: ctx.db)
        }
        var earlier: Complaint?
        if let id = c.repeatOf { earlier = try await Complaint.find(id, on: ctx.db) }
        return ComplaintView(
            id: c.id ?? 0, reference: c.reference, channel: c.channel.rawValue, channelName: c.channel.name(lang), stage: c.stage.rawValue,
            stageName: c.stage.name(lang), receivedOn: c.receivedOn, receivedBy: c.receivedBy,
            complainant: c.complainantName.isEmpty ? ctx.l10n("cmp.anonymous") : (sees ? c.complainantName : Masking.name(c.complainantName)),
            phone: sees ? c.complainantPhone : Masking.phone(c.complainantPhone),
            idNumber: c.complainantIDNumber.isEmpty ? "" : (sees && actor.may(.viewSensitive) ? c.complainantIDNumber : Masking.idNumber(c.complainantIDNumber)),
            masked: !sees, subject: c.subject.rawValue, subjectName: c.subject.name(lang),
            subjectText: sees ? c.subjectText : Masking.name(c.subjectText),
            subjectHouseholdID: c.subjectHouseholdID?.uuidString, area: c.areaCode, areaName: areaName, text: c.text, recordNote: c.recordNote,
            owner: c.ownerUsername ?? "", ownerName: c.ownerName, missingItems: c.missingList, materialsRequestedOn: c.materialsRequestedOn,
            materialsCompletedOn: c.materialsCompletedOn, acceptedOn: c.acceptedOn, deadline: deadline?.iso, daysLeft: left,
            timeState: state.rawValue, timeStateName: state.name(lang), guidance: c.guidance, repeatOf: earlier?.reference, reviewID: c.reviewID,
            referredOn: c.referredOn, referralReason: c.referralReason, answer: answerText(c, lang: lang),
            answerOutcome: c.answerOutcome.flatMap(ReviewOutcome.init(rawValue:))?.name(lang), answeredOn: c.answeredOn, publicResult: c.publicResult,
            steps: steps, candidates: candidates, households: households, history: history)
    }

    /// The answer as the complainant reads it: a review's decision in the reader's words and
    /// the decider's reason, or what the handler wrote.
    static func answerText(_ c: Complaint, lang: Language) -> String {
        if let o = c.answerOutcome.flatMap(ReviewOutcome.init(rawValue:)) {
            return Strings.text("cmp.review_answer", lang) + o.name(lang) + (c.answer.isEmpty ? "" : Strings.text("app.full_stop", lang) + c.answer)
        }
        return c.answer
    }
}

/// What the public reads by reference: the stage, the time limit, what is missing and the
/// answer — never the complainant's or anyone's name, phone, ID number or address.
struct PublicComplaintView: Content {
    var reference: String
    var receivedOn: String
    var channelName: String
    var stage: String
    var stageName: String
    var deadline: String?
    var missingItems: [String]
    var guidance: String
    var answer: String?
    var answeredOn: String?
    var earlierAnswer: String?
    var notAcceptedNote: String?

    static func load(_ c: Complaint, env: AppEnvironment, db: any Database, lang: Language) async throws -> PublicComplaintView {
        let today = env.clock.today()
        let policy = env.policy(on: CivilDate(iso: c.receivedOn) ?? today)
        let (_, deadline) = c.timeState(on: today, policy: policy, calendar: env.calendar)
        var earlier: String?
        if c.stage == .notAccepted, let id = c.repeatOf, let e = try await Complaint.find(id, on: db) {
            earlier = ComplaintView.answerText(e, lang: lang)
        }
        return PublicComplaintView(
            reference: c.reference, receivedOn: c.receivedOn, channelName: c.channel.name(lang), stage: c.stage.rawValue, stageName: c.stage.name(lang),
            deadline: c.stage.isOpen ? deadline?.iso : nil, missingItems: c.stage == .awaitingMaterials ? c.missingList : [],
            guidance: c.stage == .redirected ? c.guidance : "",
            answer: c.stage == .answered ? ComplaintView.answerText(c, lang: lang) : nil, answeredOn: c.stage.isOpen ? nil : c.answeredOn,
            earlierAnswer: earlier, notAcceptedNote: c.stage == .notAccepted ? Strings.text("cmp.not_accepted_note", lang) : nil)
    }
}
