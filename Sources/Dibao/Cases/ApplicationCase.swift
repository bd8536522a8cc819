import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 低保申请案件: one household's application, from intake to enrollment (二.二, 二.三).
/// The stage and everything the stage rules look at live here; records that come in
/// numbers (declarations, verified incomes, evidence, notices, objections) have their own
/// tables. Every change goes through `CaseWorkflow`, which checks `CaseMachine`.
public final class ApplicationCase: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "cases"

    @ID(key: .id) public var id: UUID?
    @Field(key: "receipt") public var receipt: String
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "kind") public var kind: AreaKind
    @Field(key: "stage") public var stage: CaseStage
    @Field(key: "version") public var version: Int

    // Intake (二.二.1)
    /// "window" (at the township's service window) or "village_committee" (submitted on the household's behalf).
    @Field(key: "channel") public var channel: String
    @Field(key: "window_name") public var windowName: String
    /// The service window (二.四) chosen from the township's list; nil for a case submitted
    /// by the village committee, or taken before windows were registered.
    @OptionalField(key: "window_id") public var windowID: UUID?
    /// 单人保: the member applying alone, as a one-person household (2021 第十条); nil for the
    /// whole household.
    @OptionalField(key: "single_person_id") public var singlePersonID: UUID?
    @Field(key: "submitted_by") public var submittedBy: String
    @Field(key: "submitted_on") public var submittedOn: String
    @OptionalField(key: "accepted_on") public var acceptedOn: String?
    /// The county's 30-working-day clock: acceptance, or the latest return for re-review.
    @OptionalField(key: "clock_started_on") public var clockStartedOn: String?
    @OptionalField(key: "deadline") public var deadline: String?
    /// The policy version that judges this case: the one in force on the day it was
    /// accepted, kept to its end (issue 15; nil for cases accepted before the column existed,
    /// which are judged by the version in force on their acceptance day, the same one).
    @OptionalField(key: "policy_version") public var policyVersion: String?
    /// The day the township's file reached the county: the county's own limit counts from
    /// it where the version says so (2021 第二十四条).
    @OptionalField(key: "county_received_on") public var countyReceivedOn: String?
    /// The whole procedure's time limit was extended, with the reason in the case's history.
    @OptionalField(key: "time_limit_extended") public var timeLimitExtended: Bool?
    @Field(key: "blacklist_hit") public var blacklistHit: Bool
    @Field(key: "blacklist_note") public var blacklistNote: String

    // Investigation (二.二.2)
    @OptionalField(key: "investigated_on") public var investigatedOn: String?
    @Field(key: "investigators") public var investigators: String
    @Field(key: "investigation_notes") public var investigationNotes: String
    @Field(key: "applicant_signed") public var applicantSigned: Bool
    @OptionalField(key: "household_income_fen") public var householdIncomeFen: Int64?
    @OptionalField(key: "standard_fen") public var standardFen: Int64?
    @OptionalField(key: "computed_amount_fen") public var computedAmountFen: Int64?
    /// The core calculation's result as JSON: the amount and every input that made it.
    @Field(key: "breakdown") public var breakdown: String

    // Democratic evaluation (二.二.3): counts only, never who voted how.
    @OptionalField(key: "evaluated_on") public var evaluatedOn: String?
    @Field(key: "panel_size") public var panelSize: Int
    @Field(key: "resident_population") public var residentPopulation: Int
    @Field(key: "votes_for") public var votesFor: Int
    @Field(key: "votes_against") public var votesAgainst: Int
    @Field(key: "votes_abstain") public var votesAbstain: Int
    @Field(key: "evaluation_signed") public var evaluationSigned: Bool

    // Township review (二.二)
    @Field(key: "township_opinion") public var townshipOpinion: String
    @OptionalField(key: "proposed_amount_fen") public var proposedAmountFen: Int64?
    @OptionalField(key: "township_reviewed_on") public var townshipReviewedOn: String?
    @OptionalField(key: "first_notice_posted_on") public var firstNoticePostedOn: String?

    // County approval (二.二.4)
    /// The draw whose batch this case was in (picked or not): every case the county
    /// decides must have been in a drawn batch, so no batch escapes the 30 % spot check.
    @OptionalField(key: "spot_check_batch_id") public var spotCheckBatchID: UUID?
    /// Set only when this case was picked for a home visit.
    @OptionalField(key: "spot_check_draw_id") public var spotCheckDrawID: UUID?
    @OptionalField(key: "spot_check_visited_on") public var spotCheckVisitedOn: String?
    @Field(key: "spot_check_findings") public var spotCheckFindings: String
    @OptionalField(key: "decided_on") public var decidedOn: String?
    @Field(key: "decided_by") public var decidedBy: String
    @OptionalField(key: "approved_amount_fen") public var approvedAmountFen: Int64?
    @OptionalField(key: "first_month") public var firstMonth: String?
    /// Why a case was refused, returned or withdrawn — shown to the applicant.
    @Field(key: "reason") public var reason: String

    // Second notice and enrollment (二.三, 二.六)
    @OptionalField(key: "second_notice_posted_on") public var secondNoticePostedOn: String?
    @OptionalField(key: "review_class") public var reviewClass: ReviewClass?
    @OptionalField(key: "next_review_on") public var nextReviewOn: String?

    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    /// A new case for `household`, filed today.
    init(household: Household, receipt: ReceiptNumber, channel: String, windowName: String, submittedBy: String, on date: CivilDate) {
        self.receipt = receipt.value
        self.householdID = household.id!
        self.regionCode = household.regionCode
        self.leagueCode = household.leagueCode
        self.countyCode = household.countyCode
        self.townshipCode = household.townshipCode
        self.villageCode = household.villageCode
        self.kind = household.kind
        self.stage = .submitted
        self.version = 1
        self.channel = channel
        self.windowName = windowName
        self.submittedBy = submittedBy
        self.submittedOn = date.iso
        self.blacklistHit = false
        self.blacklistNote = ""
        self.investigators = ""
        self.investigationNotes = ""
        self.applicantSigned = false
        self.breakdown = ""
        self.panelSize = 0
        self.residentPopulation = 0
        self.votesFor = 0
        self.votesAgainst = 0
        self.votesAbstain = 0
        self.evaluationSigned = false
        self.townshipOpinion = ""
        self.spotCheckFindings = ""
        self.decidedBy = ""
        self.reason = ""
    }

    public var area: AreaCode? { try? AreaCode(villageCode) }
}

/// One of the three signed declarations of 二.二.1, and — after the investigation —
/// whether it held true.
public final class CaseDeclaration: Model, @unchecked Sendable {
    public static let schema = "case_declarations"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "kind") public var kind: DeclarationKind
    @Field(key: "signer_name") public var signerName: String
    @Field(key: "signed_at_ms") public var signedAtMs: Int64
    @Field(key: "recorded_by") public var recordedBy: String
    /// nil until the investigation judges it.
    @OptionalField(key: "held_true") public var heldTrue: Bool?
    @Field(key: "truth_note") public var truthNote: String

    public init() {}
}

/// 家庭收入和财产状况声明, 授权核对委托书, 诚信承诺书 (二.二.1).
public enum DeclarationKind: String, Sendable, Codable, CaseIterable {

    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).

    public var textKey: String { "declaration_kind.\(self)" }

    case incomeAndAssets = "income_assets"
    case verificationAuthorization = "verification_authorization"
    case integrityPledge = "integrity_pledge"


}

/// A member's income as the investigation found it (二.二.2), monthly.
public final class VerifiedIncome: Model, @unchecked Sendable {
    public static let schema = "verified_incomes"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "kind") public var kind: IncomeKind
    @Field(key: "monthly_fen") public var monthlyFen: Int64

    public init() {}
}

/// 诚信黑名单: people found to have declared falsely (二.二.1). Intake checks it.
public final class BlacklistEntry: Model, @unchecked Sendable {
    public static let schema = "blacklist"

    @ID(key: .id) public var id: UUID?
    @Field(key: "id_number") public var idNumber: String
    @Field(key: "name") public var name: String
    @Field(key: "reason") public var reason: String
    @OptionalField(key: "case_id") public var caseID: UUID?
    @Field(key: "decided_by") public var decidedBy: String
    @Field(key: "added_on") public var addedOn: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "active") public var active: Bool

    public init() {}
}

/// A file attached to an application (户籍、收入、财产证明). Stored outside the database
/// under a random name; served only to roles that may read the case.
public final class EvidenceFile: Model, @unchecked Sendable {
    public static let schema = "evidence_files"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "kind") public var kind: String
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "stored_name") public var storedName: String
    @Field(key: "uploaded_by") public var uploadedBy: String
    @Timestamp(key: "uploaded_at", on: .create) public var uploadedAt: Date?

    public init() {}
}

/// A posted notice (二.三): the first in the village (7 days), the second long-term.
/// What it shows is fixed when posted, already masked.
public final class Notice: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "notices"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "kind") public var kind: NoticeKind
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "posted_on") public var postedOn: String
    @OptionalField(key: "ends_on") public var endsOn: String?
    @Field(key: "masked_head") public var maskedHead: String
    @Field(key: "masked_members") public var maskedMembers: String
    @Field(key: "member_count") public var memberCount: Int
    @Field(key: "monthly_income_fen") public var monthlyIncomeFen: Int64
    @Field(key: "amount_fen") public var amountFen: Int64
    @Field(key: "summary") public var summary: String
    @Field(key: "active") public var active: Bool

    public init() {}
}

public enum NoticeKind: String, Sendable, Codable, CaseIterable {

    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).

    public var textKey: String { "notice_kind.\(self)" }

    case first, second

}

/// 异议 raised against a notice, and its 复核 answer (二.三).
public final class Objection: Model, @unchecked Sendable {
    public static let schema = "objections"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "notice_kind") public var noticeKind: NoticeKind
    /// What the objector uses to read the answer; random, not guessable.
    @Field(key: "reference") public var reference: String
    @Field(key: "raised_on") public var raisedOn: String
    @Field(key: "objector_name") public var objectorName: String
    @Field(key: "text") public var text: String
    @Field(key: "answer_due") public var answerDue: String
    @Field(key: "status") public var status: String
    @Field(key: "answer") public var answer: String
    @Field(key: "answered_by") public var answeredBy: String
    @OptionalField(key: "answered_on") public var answeredOn: String?

    public init() {}

    public var isOpen: Bool { status == "open" }
}

/// A county's recorded spot-check draw (二.二.4): the batch in order, the seed, the picks —
/// everything an auditor needs to redo it.
public final class SpotCheckDrawRecord: Model, @unchecked Sendable {
    public static let schema = "spot_check_draws"

    @ID(key: .id) public var id: UUID?
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "drawn_on") public var drawnOn: String
    @Field(key: "drawn_by") public var drawnBy: String
    /// UInt64 as decimal text: it does not fit a signed 64-bit column.
    @Field(key: "seed") public var seed: String
    @Field(key: "share") public var share: Int
    @Field(key: "population") public var population: Int
    /// JSON arrays of case IDs: the batch in draw order, and those picked.
    @Field(key: "batch") public var batch: String
    @Field(key: "picked") public var picked: String

    public init() {}
}

struct CreateCaseTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationCase.schema)
            .id()
            .field("receipt", .string, .required)
            .field("household_id", .uuid, .required, .references(Household.schema, .id))
            .field("region_code", .string, .required).field("league_code", .string, .required)
            .field("county_code", .string, .required).field("township_code", .string, .required)
            .field("village_code", .string, .required).field("kind", .string, .required)
            .field("stage", .string, .required).field("version", .int, .required)
            .field("channel", .string, .required).field("window_name", .string, .required)
            .field("submitted_by", .string, .required).field("submitted_on", .string, .required)
            .field("accepted_on", .string).field("clock_started_on", .string).field("deadline", .string)
            .field("blacklist_hit", .bool, .required).field("blacklist_note", .string, .required)
            .field("investigated_on", .string).field("investigators", .string, .required)
            .field("investigation_notes", .string, .required).field("applicant_signed", .bool, .required)
            .field("household_income_fen", .int64).field("standard_fen", .int64).field("computed_amount_fen", .int64)
            .field("breakdown", .string, .required)
            .field("evaluated_on", .string).field("panel_size", .int, .required).field("resident_population", .int, .required)
            .field("votes_for", .int, .required).field("votes_against", .int, .required).field("votes_abstain", .int, .required)
            .field("evaluation_signed", .bool, .required)
            .field("township_opinion", .string, .required).field("proposed_amount_fen", .int64)
            .field("township_reviewed_on", .string).field("first_notice_posted_on", .string)
            .field("spot_check_batch_id", .uuid).field("spot_check_draw_id", .uuid).field("spot_check_visited_on", .string).field("spot_check_findings", .string, .required)
            .field("decided_on", .string).field("decided_by", .string, .required)
            .field("approved_amount_fen", .int64).field("first_month", .string).field("reason", .string, .required)
            .field("second_notice_posted_on", .string).field("review_class", .string).field("next_review_on", .string)
            .field("created_at", .datetime).field("updated_at", .datetime)
            .unique(on: "receipt")
            .create()
        try await database.schema(CaseDeclaration.schema)
            .id()
            .field("case_id", .uuid, .required, .references(ApplicationCase.schema, .id))
            .field("kind", .string, .required).field("signer_name", .string, .required)
            .field("signed_at_ms", .int64, .required).field("recorded_by", .string, .required)
            .field("held_true", .bool).field("truth_note", .string, .required)
            .unique(on: "case_id", "kind")
            .create()
        try await database.schema(VerifiedIncome.schema)
            .id()
            .field("case_id", .uuid, .required, .references(ApplicationCase.schema, .id))
            .field("member_id", .uuid, .required).field("kind", .string, .required).field("monthly_fen", .int64, .required)
            .create()
        try await database.schema(BlacklistEntry.schema)
            .id()
            .field("id_number", .string, .required).field("name", .string, .required).field("reason", .string, .required)
            .field("case_id", .uuid).field("decided_by", .string, .required).field("added_on", .string, .required)
            .field("county_code", .string, .required).field("active", .bool, .required)
            .create()
        try await database.schema(EvidenceFile.schema)
            .id()
            .field("case_id", .uuid, .required, .references(ApplicationCase.schema, .id))
            .field("kind", .string, .required).field("filename", .string, .required).field("content_type", .string, .required)
            .field("size", .int, .required).field("sha256", .string, .required).field("stored_name", .string, .required)
            .field("uploaded_by", .string, .required).field("uploaded_at", .datetime)
            .create()
        try await database.schema(Notice.schema)
            .id()
            .field("case_id", .uuid, .required, .references(ApplicationCase.schema, .id))
            .field("kind", .string, .required)
            .field("region_code", .string, .required).field("league_code", .string, .required)
            .field("county_code", .string, .required).field("township_code", .string, .required)
            .field("village_code", .string, .required)
            .field("posted_on", .string, .required).field("ends_on", .string)
            .field("masked_head", .string, .required).field("masked_members", .string, .required)
            .field("member_count", .int, .required).field("monthly_income_fen", .int64, .required)
            .field("amount_fen", .int64, .required).field("summary", .string, .required).field("active", .bool, .required)
            .create()
        try await database.schema(Objection.schema)
            .id()
            .field("case_id", .uuid, .required, .references(ApplicationCase.schema, .id))
            .field("notice_kind", .string, .required).field("reference", .string, .required)
            .field("raised_on", .string, .required).field("objector_name", .string, .required).field("text", .string, .required)
            .field("answer_due", .string, .required).field("status", .string, .required)
            .field("answer", .string, .required).field("answered_by", .string, .required).field("answered_on", .string)
            .unique(on: "reference")
            .create()
        try await database.schema(SpotCheckDrawRecord.schema)
            .id()
            .field("county_code", .string, .required).field("drawn_on", .string, .required).field("drawn_by", .string, .required)
            .field("seed", .string, .required).field("share", .int, .required).field("population", .int, .required)
            .field("batch", .string, .required).field("picked", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        for level in ["county_code", "township_code", "village_code"] {
            // Queues read one area's cases of a few stages, oldest deadline first.
            try await sql.create(index: "cases_\(level)_stage").on(ApplicationCase.schema).column(level).column("stage").column("deadline").run()
        }
        try await sql.create(index: "cases_household").on(ApplicationCase.schema).column("household_id").run()
        try await sql.create(index: "case_declarations_case").on(CaseDeclaration.schema).column("case_id").run()
        try await sql.create(index: "verified_incomes_case").on(VerifiedIncome.schema).column("case_id").run()
        try await sql.create(index: "blacklist_id_number").on(BlacklistEntry.schema).column("id_number").run()
        try await sql.create(index: "evidence_files_case").on(EvidenceFile.schema).column("case_id").run()
        // The public notice page of a township or village reads active notices of a kind there.
        for level in ["county_code", "township_code", "village_code"] {
            try await sql.create(index: "notices_\(level)").on(Notice.schema).column(level).column("kind").column("active").run()
        }
        try await sql.create(index: "notices_case").on(Notice.schema).column("case_id").run()
        try await sql.create(index: "objections_case").on(Objection.schema).column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [SpotCheckDrawRecord.schema, Objection.schema, Notice.schema, EvidenceFile.schema, BlacklistEntry.schema,
                       VerifiedIncome.schema, CaseDeclaration.schema, ApplicationCase.schema] {
            try await database.schema(schema).delete()
        }
    }
}

extension ApplicationCase {
    /// The investigation's calculation as stored with the case (nil before it).
    var benefitResult: BenefitResult? {
        breakdown.isEmpty ? nil : try? JSONDecoder().decode(BenefitResult.self, from: Data(breakdown.utf8))
    }
}


/// Issue 15: the version that judges a case, where the county's limit starts, and the
/// one extension of the whole procedure's limit. Appended; older cases keep nulls.
struct AddCaseProcedure: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema(ApplicationCase.schema).field("policy_version", .string).update()
        try await database.schema(ApplicationCase.schema).field("county_received_on", .string).update()
        try await database.schema(ApplicationCase.schema).field("time_limit_extended", .bool).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ApplicationCase.schema).deleteField("time_limit_extended").update()
        try await database.schema(ApplicationCase.schema).deleteField("county_received_on").update()
        try await database.schema(ApplicationCase.schema).deleteField("policy_version").update()
    }
}

extension DeclarationKind: Labelled {}

extension NoticeKind: Labelled {}
