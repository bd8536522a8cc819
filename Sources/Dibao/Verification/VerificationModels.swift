import Fluent
import SQLKit
import Vapor
import DibaoCore

/// One delivery of one department's file to the verification platform (二.五 "批量上传"):
/// its source, period, counts and checksum. A file already accepted (same source, same
/// SHA-256) is not imported again.
public final class DepartmentBatch: Model, @unchecked Sendable {
    public static let schema = "department_batches"

    @ID(key: .id) public var id: UUID?
    @Field(key: "source") public var source: DepartmentSource
    /// The period the department says the data is for, e.g. "2026-10".
    @Field(key: "period") public var period: String
    @Field(key: "file_name") public var fileName: String
    @Field(key: "checksum") public var checksum: String
    @Field(key: "encoding") public var encoding: String
    @Field(key: "rows_total") public var rowsTotal: Int
    @Field(key: "rows_accepted") public var rowsAccepted: Int
    @Field(key: "rows_rejected") public var rowsRejected: Int
    /// "accepted", or "refused" when the error share was over the policy's threshold.
    @Field(key: "status") public var status: String
    @Field(key: "delivered_by") public var deliveredBy: String
    /// "command", "page" or "api".
    @Field(key: "channel") public var channel: String
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "created_at_ms") public var createdAtMs: Int64
    @Field(key: "duration_ms") public var durationMs: Int64

    public init() {}
}

/// A row that was not accepted, with its line and reason (the batch's error report).
public final class DepartmentBatchError: Model, @unchecked Sendable {
    public static let schema = "department_batch_errors"

    @ID(key: .id) public var id: UUID?
    @Field(key: "batch_id") public var batchID: UUID
    @Field(key: "line") public var line: Int
    @Field(key: "field") public var field: String
    @Field(key: "rule") public var rule: String
    /// What the report tells, as a phrase (key and arguments, JSON), never a sentence.
    @Field(key: "message") public var message: String

    public init() {}
}

/// 核对请求: households sent to a verification centre for checking, from an application
/// (one household) or a periodic review (a batch). It goes to the centre of the
/// requester's level: a township's or county's request to the county centre, a league's
/// to the league centre, the region's to the region centre (二.五 "分别成立核对中心").
public final class VerificationRequest: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "verification_requests"

    @ID(key: .id) public var id: UUID?
    @Field(key: "number") public var number: String
    @Field(key: "centre_code") public var centreCode: String
    /// The requesting area, placed in the tree so requesters see their area's requests.
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    /// "application", "review" or "batch".
    @Field(key: "purpose") public var purpose: String
    @OptionalField(key: "case_id") public var caseID: UUID?
    @Field(key: "household_count") public var householdCount: Int
    /// "pending" → "done".
    @Field(key: "status") public var status: String
    @Field(key: "requested_by") public var requestedBy: String
    @Field(key: "requested_at_ms") public var requestedAtMs: Int64
    @Field(key: "note") public var note: String
    @OptionalField(key: "run_by") public var runBy: String?
    @OptionalField(key: "run_at_ms") public var runAtMs: Int64?
    @Field(key: "duration_ms") public var durationMs: Int64
    @Field(key: "contradiction_households") public var contradictionHouseholds: Int

    public init() {}
}

/// A household named in a request (and the application it is checked for, if any).
public final class VerificationSubjectRecord: Model, @unchecked Sendable {
    public static let schema = "verification_subjects"

    @ID(key: .id) public var id: UUID?
    @Field(key: "request_id") public var requestID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @OptionalField(key: "case_id") public var caseID: UUID?

    public init() {}
}

/// 核对报告 of one household from one request: the figures the lists need as columns, the
/// whole `VerificationReport` in its stored JSON form (`VerificationReport.stored`). Written once, never changed.
public final class VerificationReportRecord: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "verification_reports"

    @ID(key: .id) public var id: UUID?
    @Field(key: "request_id") public var requestID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @OptionalField(key: "case_id") public var caseID: UUID?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "checked_on") public var checkedOn: String
    @Field(key: "contradictions") public var contradictions: Int
    @Field(key: "verified_income_fen") public var verifiedIncomeFen: Int64
    @Field(key: "financial_assets_fen") public var financialAssetsFen: Int64
    @Field(key: "body") public var body: String

    public init() {}

    public func decoded() throws -> VerificationReport {
        try VerificationReport(stored: body)
    }
}

/// Department records live in one table shaped like `DepartmentRecord`; it is written
/// and read with SQLKit only (tens of millions of rows, no per-row objects). The unique
/// key is also the look-up index: the ID number first.
enum DepartmentRecordTable {
    static let name = "department_records"
    static let columns = ["id_number", "source", "reference", "on_date", "label", "amount_fen", "quantity", "status", "batch_id"]
}

struct CreateVerificationTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DepartmentBatch.schema)
            .id()
            .field("source", .string, .required).field("period", .string, .required)
            .field("file_name", .string, .required).field("checksum", .string, .required).field("encoding", .string, .required)
            .field("rows_total", .int, .required).field("rows_accepted", .int, .required).field("rows_rejected", .int, .required)
            .field("status", .string, .required).field("delivered_by", .string, .required).field("channel", .string, .required)
            .field("area_code", .string, .required).field("created_at_ms", .int64, .required).field("duration_ms", .int64, .required)
            .create()
        try await database.schema(DepartmentBatchError.schema)
            .id()
            .field("batch_id", .uuid, .required).field("line", .int, .required).field("field", .string, .required)
            .field("rule", .string, .required).field("message_zh", .string, .required).field("message_en", .string, .required)
            .create()
        try await database.schema(VerificationRequest.schema)
            .id()
            .field("number", .string, .required).field("centre_code", .string, .required)
            .field("region_code", .string, .required).field("league_code", .string, .required).field("county_code", .string, .required)
            .field("township_code", .string, .required).field("village_code", .string, .required)
            .field("purpose", .string, .required).field("case_id", .uuid).field("household_count", .int, .required)
            .field("status", .string, .required).field("requested_by", .string, .required).field("requested_at_ms", .int64, .required)
            .field("note", .string, .required).field("run_by", .string).field("run_at_ms", .int64)
            .field("duration_ms", .int64, .required).field("contradiction_households", .int, .required)
            .unique(on: "number")
            .create()
        try await database.schema(VerificationSubjectRecord.schema)
            .id()
            .field("request_id", .uuid, .required).field("household_id", .uuid, .required).field("case_id", .uuid)
            .create()
        try await database.schema(VerificationReportRecord.schema)
            .id()
            .field("request_id", .uuid, .required).field("household_id", .uuid, .required).field("case_id", .uuid)
            .field("region_code", .string, .required).field("league_code", .string, .required).field("county_code", .string, .required)
            .field("township_code", .string, .required).field("village_code", .string, .required)
            .field("checked_on", .string, .required).field("contradictions", .int, .required)
            .field("verified_income_fen", .int64, .required).field("financial_assets_fen", .int64, .required)
            .field("body", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(table: DepartmentRecordTable.name)
            .column("id_number", type: .text, .notNull)
            .column("source", type: .text, .notNull)
            .column("reference", type: .text, .notNull)
            .column("on_date", type: .text, .notNull)
            .column("label", type: .text, .notNull)
            .column("amount_fen", type: .bigint, .notNull)
            .column("quantity", type: .bigint, .notNull)
            .column("status", type: .text, .notNull)
            .column("batch_id", type: .text, .notNull)
            .run()
        try await sql.create(index: "department_records_key").unique().on(DepartmentRecordTable.name)
            .column("id_number").column("source").column("reference").column("on_date").run()
        try await sql.create(index: "department_batches_checksum").on(DepartmentBatch.schema).column("source").column("checksum").run()
        try await sql.create(index: "department_batch_errors_batch").on(DepartmentBatchError.schema).column("batch_id").column("line").run()
        try await sql.create(index: "verification_requests_centre").on(VerificationRequest.schema).column("centre_code").column("status").run()
        try await sql.create(index: "verification_requests_case").on(VerificationRequest.schema).column("case_id").run()
        try await sql.create(index: "verification_subjects_request").on(VerificationSubjectRecord.schema).column("request_id").column("household_id").run()
        try await sql.create(index: "verification_reports_household").on(VerificationReportRecord.schema).column("household_id").run()
        try await sql.create(index: "verification_reports_request").on(VerificationReportRecord.schema).column("request_id").run()
        // Bearer tokens of departments may deliver only their own sources.
        try await database.schema(APIToken.schema).field("sources", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIToken.schema).deleteField("sources").update()
        if let sql = database as? any SQLDatabase { try await sql.drop(table: DepartmentRecordTable.name).run() }
        for schema in [VerificationReportRecord.schema, VerificationSubjectRecord.schema, VerificationRequest.schema,
                       DepartmentBatchError.schema, DepartmentBatch.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// Issue 16: a batch's error report kept each problem as two sentences, Chinese and
/// English. It now keeps the phrase (key and arguments) and is written in the reader's
/// language. Rows stored before keep their line, column and rule; their sentences become
/// the rule's name (`RowProblem.legacy`) — the values quoted in them were the department's
/// data, which the batch's records already hold.
struct StoreRowProblemsAsPhrases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DepartmentBatchError.schema).field("message", .string, .required, .sql(.default(""))).update()
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the batch errors migrate on an SQL database") }
        struct Row: Decodable { var id: UUID; var line: Int; var field: String; var rule: String }
        var converted = 0
        while true {
            let rows = try await sql.raw("SELECT id, line, field, rule FROM department_batch_errors WHERE message = '' LIMIT 1000").all(decoding: Row.self)
            if rows.isEmpty { break }
            for r in rows {
                let phrase = StoredPhrase.encode(RowProblem.legacy(line: r.line, field: r.field, rule: r.rule))
                try await sql.raw("UPDATE department_batch_errors SET message = \(bind: phrase) WHERE id = \(bind: r.id)").run()
            }
            converted += rows.count
        }
        // Plain SQL, one column at a time: Fluent's SQLite driver does not drop columns, and
        // SQLite (3.35 on) alters a table one change per statement.
        try await sql.raw("ALTER TABLE department_batch_errors DROP COLUMN message_zh").run()
        try await sql.raw("ALTER TABLE department_batch_errors DROP COLUMN message_en").run()
        database.logger.info("department_batch_errors: \(converted) stored problems converted to phrases")
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DepartmentBatchError.schema).field("message_zh", .string, .required, .sql(.default(""))).update()
        try await database.schema(DepartmentBatchError.schema).field("message_en", .string, .required, .sql(.default(""))).update()
        if let sql = database as? any SQLDatabase { try await sql.raw("ALTER TABLE department_batch_errors DROP COLUMN message").run() }
    }
}
