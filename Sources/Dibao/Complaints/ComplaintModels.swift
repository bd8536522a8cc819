import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 投诉举报、信访 (二.八) — one complaint (`DibaoCore.ComplaintMachine`). It belongs to the most
/// specific area it concerns (a village, a township, or a county office); staff of that area
/// and above see it. Only `ComplaintWorkflow` writes it.
public final class Complaint: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "complaints"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// What the complainant is given to read the answer by: unguessable (72 random bits).
    @Field(key: "reference") public var reference: String
    @Field(key: "channel") public var channel: ComplaintChannel
    @Field(key: "stage") public var stage: ComplaintStage
    @Field(key: "version") public var version: Int
    @Field(key: "received_on") public var receivedOn: String
    /// The staff member who recorded it, or "public" for the online form.
    @Field(key: "received_by") public var receivedBy: String
    // The complainant: sensitive, shown only to those who handle it; may be anonymous.
    @Field(key: "complainant_name") public var complainantName: String
    @Field(key: "complainant_phone") public var complainantPhone: String
    @Field(key: "complainant_id_number") public var complainantIDNumber: String
    @Field(key: "subject") public var subject: ComplaintSubject
    @OptionalField(key: "subject_household_id") public var subjectHouseholdID: UUID?
    /// Who or what it names, as written (a head of household's name, a staff member, an office).
    @Field(key: "subject_text") public var subjectText: String
    /// The most specific area the complaint concerns.
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageColumn: String
    /// The facts and the request, as the complainant gave them.
    @Field(key: "text") public var text: String
    /// 笔录: the record of the call or the visit.
    @Field(key: "record_note") public var recordNote: String
    /// 首问责任人.
    @OptionalField(key: "owner_username") public var ownerUsername: String?
    @Field(key: "owner_name") public var ownerName: String
    /// The one notice of missing materials (一次性告知), one item per line.
    @Field(key: "missing_items") public var missingItems: String
    @OptionalField(key: "materials_requested_on") public var materialsRequestedOn: String?
    @OptionalField(key: "materials_completed_on") public var materialsCompletedOn: String?
    @OptionalField(key: "accepted_on") public var acceptedOn: String?
    @Field(key: "guidance") public var guidance: String
    @OptionalField(key: "repeat_of") public var repeatOf: Int?
    @OptionalField(key: "review_id") public var reviewID: Int?
    @OptionalField(key: "referred_on") public var referredOn: String?
    @Field(key: "referral_reason") public var referralReason: String
    @Field(key: "answer") public var answer: String
    /// The review's outcome when a review answered it (`ReviewOutcome`), rendered in the reader's language.
    @OptionalField(key: "answer_outcome") public var answerOutcome: String?
    @OptionalField(key: "answered_on") public var answeredOn: String?
    @Field(key: "answered_by") public var answeredBy: String
    /// What is published of a media or public complaint's result (二.八), without names.
    @Field(key: "public_result") public var publicResult: String
    /// The handling limit was extended (信访工作条例 第三十二条), with the reason in the audit event.
    @Field(key: "extended") public var extended: Bool

    public init() {}

    public var area: AreaCode? { try? AreaCode(areaCode) }

    func place(in area: AreaCode) {
        areaCode = area.value
        regionCode = area.ancestor(at: .region)?.value ?? ""
        leagueCode = area.ancestor(at: .league)?.value ?? ""
        countyCode = area.ancestor(at: .county)?.value ?? ""
        townshipCode = area.ancestor(at: .township)?.value ?? ""
        villageColumn = area.ancestor(at: .village)?.value ?? ""
    }

    var missingList: [String] { missingItems.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    var pauses: [ClockPause] {
        guard let from = materialsRequestedOn.flatMap({ CivilDate(iso: $0) }) else { return [] }
        return [ClockPause(from: from, until: materialsCompletedOn.flatMap { CivilDate(iso: $0) })]
    }

    /// The running limit and its state (二.八 "严格按照规定时限处理信访事项").
    func clock(policy: Policy) -> ComplaintClock {
        ComplaintClock.of(receivedOn: CivilDate(iso: receivedOn) ?? CivilDate(year: 2000, month: 1, day: 1)!,
                          acceptedOn: acceptedOn.flatMap { CivilDate(iso: $0) }, extended: extended, pauses: pauses, limits: policy.complaintLimits)
    }

    func timeState(on today: CivilDate, policy: Policy, calendar: WorkingDayCalendar) -> (state: TimeLimitState, deadline: CivilDate?) {
        let c = clock(policy: policy)
        let concluded = stage.isOpen ? nil : (answeredOn.flatMap { CivilDate(iso: $0) } ?? today)
        return (c.state(on: today, concludedOn: concluded, atRiskDays: policy.complaintLimits.atRiskDays, calendar: calendar), c.deadline(calendar: calendar))
    }
}

extension Complaint: WorkflowRecord {
    typealias Machine = ComplaintMachine
    static var entityType: String { "complaint" }
    /// The audit log files a complaint under its most specific area.
    var villageCode: String { areaCode }
}

/// The extension of a complaint's handling limit (appended after the complaint tables).
struct AddComplaintExtension: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Complaint.schema).field("extended", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Complaint.schema).deleteField("extended").update()
    }
}

struct CreateComplaintTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Complaint.schema)
            .field("id", .int, .identifier(auto: true))
            .field("reference", .string, .required)
            .field("channel", .string, .required)
            .field("stage", .string, .required)
            .field("version", .int, .required)
            .field("received_on", .string, .required)
            .field("received_by", .string, .required)
            .field("complainant_name", .string, .required)
            .field("complainant_phone", .string, .required)
            .field("complainant_id_number", .string, .required)
            .field("subject", .string, .required)
            .field("subject_household_id", .uuid)
            .field("subject_text", .string, .required)
            .field("area_code", .string, .required)
            .field("region_code", .string, .required)
            .field("league_code", .string, .required)
            .field("county_code", .string, .required)
            .field("township_code", .string, .required)
            .field("village_code", .string, .required)
            .field("text", .string, .required)
            .field("record_note", .string, .required)
            .field("owner_username", .string)
            .field("owner_name", .string, .required)
            .field("missing_items", .string, .required)
            .field("materials_requested_on", .string)
            .field("materials_completed_on", .string)
            .field("accepted_on", .string)
            .field("guidance", .string, .required)
            .field("repeat_of", .int)
            .field("review_id", .int)
            .field("referred_on", .string)
            .field("referral_reason", .string, .required)
            .field("answer", .string, .required)
            .field("answer_outcome", .string)
            .field("answered_on", .string)
            .field("answered_by", .string, .required)
            .field("public_result", .string, .required)
            .unique(on: "reference")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX complaints_county ON complaints (county_code, stage)").run()
            try await sql.raw("CREATE INDEX complaints_township ON complaints (township_code, stage)").run()
            try await sql.raw("CREATE INDEX complaints_subject ON complaints (subject_household_id)").run()
            try await sql.raw("CREATE INDEX complaints_review ON complaints (review_id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Complaint.schema).delete()
    }
}
