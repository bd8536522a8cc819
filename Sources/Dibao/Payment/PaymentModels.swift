import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 代发金融机构: a bank that pays benefits into one-card accounts.
public final class Bank: Model, @unchecked Sendable {
    public static let schema = "banks"

    @ID(custom: "code", generatedBy: .user) public var id: String?
    @Field(key: "name") public var name: String

    public init() {}
    public init(code: String, name: String) {
        self.id = code
        self.name = name
    }
}

/// Which bank a bank operator's account works for: it sees that bank's files only.
public final class BankStaff: Model, @unchecked Sendable {
    public static let schema = "bank_staff"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "bank_code") public var bankCode: String

    public init() {}
    public init(userID: UUID, bankCode: String) {
        self.userID = userID
        self.bankCode = bankCode
    }
}

/// 一卡通账户: the account a household's benefit is paid into (二.二.5).
public final class PaymentAccount: Model, @unchecked Sendable {
    public static let schema = "payment_accounts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "bank_code") public var bankCode: String
    /// Shown in full only to roles with `viewSensitive` and to the paying bank; never logged.
    @Field(key: "account_number") public var accountNumber: String
    @Field(key: "holder_name") public var holderName: String
    @Field(key: "updated_on") public var updatedOn: String
    @Field(key: "updated_by") public var updatedBy: String

    public init() {}
}

/// A household's benefit over time (`DibaoCore.BenefitSchedule`), one per enrollment,
/// with the running total of what has been paid under it.
public final class BenefitScheduleRecord: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "benefit_schedules"

    @ID(key: .id) public var id: UUID?
    @Field(key: "household_id") public var householdID: UUID
    @OptionalField(key: "case_id") public var caseID: UUID?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    /// `BenefitSchedule.stored`.
    @Field(key: "steps") public var steps: String
    /// Paid under this schedule by released payrolls, less what the bank returned as failed.
    @Field(key: "settled_fen") public var settledFen: Int64
    /// Read by payrolls while true. An exit leaves it true: the payroll skips a household with
    /// nothing due, and one still owed (a failed last payment) is paid. Closing a schedule
    /// for good belongs to dynamic review (module 10), which is not built yet.
    @Field(key: "active") public var active: Bool

    public init() {}

    public var schedule: BenefitSchedule? { BenefitSchedule(stored: steps) }
}

/// How often a county pays (二.二.5 "按月（季）"): the policy's default unless the county
/// has decided otherwise.
public final class CountyPaymentSetting: Model, @unchecked Sendable {
    public static let schema = "county_payment_settings"

    @ID(custom: "county_code", generatedBy: .user) public var id: String?
    @Field(key: "frequency") public var frequency: PaymentFrequency
    @Field(key: "decided_on") public var decidedOn: String
    @Field(key: "decided_by") public var decidedBy: String

    public init() {}
}

/// 发放花名册: a county's payroll for one period.
public final class Payroll: Model, @unchecked Sendable {
    public static let schema = "payrolls"

    @ID(key: .id) public var id: UUID?
    /// "150102-2026-03": county and period, which is what a bank and an auditor quote.
    @Field(key: "number") public var number: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "period") public var period: String
    @Field(key: "stage") public var stage: PayrollStage
    @Field(key: "version") public var version: Int
    @Field(key: "drafted_by") public var draftedBy: String
    @Field(key: "drafted_on") public var draftedOn: String
    @Field(key: "released_by") public var releasedBy: String
    @OptionalField(key: "released_on") public var releasedOn: String?
    @OptionalField(key: "exported_on") public var exportedOn: String?
    @OptionalField(key: "closed_on") public var closedOn: String?
    /// Lines sent to banks, and their total.
    @Field(key: "line_count") public var lineCount: Int
    @Field(key: "total_fen") public var totalFen: Int64
    /// Lines held back for want of an account; their money stays owed.
    @Field(key: "held_count") public var heldCount: Int
    @Field(key: "held_fen") public var heldFen: Int64
    /// The payroll's lines have ids from `firstLine` to `lastLine` (written in one
    /// transaction, so in one run): every read of a payroll's lines is a range of the
    /// lines' own key. Zero when it has none.
    @Field(key: "first_line") public var firstLine: Int
    @Field(key: "last_line") public var lastLine: Int
    @Field(key: "paid_count") public var paidCount: Int
    @Field(key: "paid_fen") public var paidFen: Int64
    @Field(key: "failed_count") public var failedCount: Int
    @Field(key: "failed_fen") public var failedFen: Int64

    public init() {}

    public var payrollPeriod: PayrollPeriod? { PayrollPeriod.parse(period) }
}

/// One household's line in a payroll. Its id is the line's reference in the bank files.
public final class PayrollLine: Model, @unchecked Sendable {
    public static let schema = "payroll_lines"

    /// A number the database gives in order: a province's payroll appends its lines to the
    /// end of the table's own key, with no second key to keep.
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "payroll_id") public var payrollID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "schedule_id") public var scheduleID: UUID
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "head_name") public var headName: String
    @Field(key: "member_count") public var memberCount: Int
    @Field(key: "bank_code") public var bankCode: String
    @Field(key: "account_number") public var accountNumber: String
    @Field(key: "holder_name") public var holderName: String
    /// The period's own amount, and what earlier periods still owed (negative: overpaid).
    @Field(key: "period_fen") public var periodFen: Int64
    @Field(key: "adjustment_fen") public var adjustmentFen: Int64
    @Field(key: "amount_fen") public var amountFen: Int64
    @Field(key: "status") public var status: PayrollLineStatus
    @Field(key: "note") public var note: String

    public init() {}
}

public enum PayrollLineStatus: String, Sendable, Codable, CaseIterable {

    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).

    public var textKey: String { "payroll_line_status.\(self)" }

    /// In a bank file, no result yet.
    case pending
    /// Not sent: the household has no account on file. The money stays owed.
    case held
    case paid
    /// The bank could not pay; waits for a decision.
    case failed
    /// Failed, account corrected: the amount is owed again and the next payroll pays it.
    case repay
    /// Failed, payment suspended until the household is reached.
    case suspended


}

/// A payroll's payment file for one bank, and that bank's result.
public final class PayrollBankFile: Model, @unchecked Sendable {
    public static let schema = "payroll_bank_files"

    @ID(key: .id) public var id: UUID?
    @Field(key: "payroll_id") public var payrollID: UUID
    @Field(key: "bank_code") public var bankCode: String
    @Field(key: "line_count") public var lineCount: Int
    @Field(key: "total_fen") public var totalFen: Int64
    @Field(key: "sha256") public var sha256: String
    @Field(key: "exported_on") public var exportedOn: String
    @Field(key: "exported_by") public var exportedBy: String
    @OptionalField(key: "result_sha256") public var resultSHA256: String?
    @OptionalField(key: "result_on") public var resultOn: String?
    @Field(key: "result_by") public var resultBy: String
    @Field(key: "paid_count") public var paidCount: Int
    @Field(key: "paid_fen") public var paidFen: Int64
    @Field(key: "failed_count") public var failedCount: Int
    @Field(key: "failed_fen") public var failedFen: Int64

    public init() {}
}

/// 年度预算: a county's dibao budget for a year from one fund source.
public final class BudgetAllocation: Model, @unchecked Sendable {
    public static let schema = "budgets"

    @ID(key: .id) public var id: UUID?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "year") public var year: Int
    @Field(key: "source") public var source: FundSource
    @Field(key: "amount_fen") public var amountFen: Int64
    @Field(key: "set_by") public var setBy: String
    @Field(key: "set_on") public var setOn: String

    public init() {}
}

struct CreatePaymentTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Bank.schema)
            .field("code", .string, .identifier(auto: false)).field("name", .string, .required).create()
        try await database.schema(BankStaff.schema)
            .id().field("user_id", .uuid, .required).field("bank_code", .string, .required)
            .unique(on: "user_id").create()
        try await database.schema(PaymentAccount.schema)
            .id().field("household_id", .uuid, .required, .references(Household.schema, .id))
            .field("bank_code", .string, .required).field("account_number", .string, .required)
            .field("holder_name", .string, .required)
            .field("updated_on", .string, .required).field("updated_by", .string, .required)
            .unique(on: "household_id").create()
        try await database.schema(BenefitScheduleRecord.schema)
            .id().field("household_id", .uuid, .required).field("case_id", .uuid)
            .field("region_code", .string, .required).field("league_code", .string, .required)
            .field("county_code", .string, .required).field("township_code", .string, .required)
            .field("village_code", .string, .required)
            .field("steps", .string, .required).field("settled_fen", .int64, .required).field("active", .bool, .required)
            .create()
        try await database.schema(CountyPaymentSetting.schema)
            .field("county_code", .string, .identifier(auto: false)).field("frequency", .string, .required)
            .field("decided_on", .string, .required).field("decided_by", .string, .required).create()
        try await database.schema(Payroll.schema)
            .id().field("number", .string, .required)
            .field("region_code", .string, .required).field("league_code", .string, .required).field("county_code", .string, .required)
            .field("period", .string, .required).field("stage", .string, .required).field("version", .int, .required)
            .field("drafted_by", .string, .required).field("drafted_on", .string, .required)
            .field("released_by", .string, .required).field("released_on", .string)
            .field("exported_on", .string).field("closed_on", .string)
            .field("line_count", .int, .required).field("total_fen", .int64, .required)
            .field("held_count", .int, .required).field("held_fen", .int64, .required)
            .field("first_line", .int, .required).field("last_line", .int, .required)
            .field("paid_count", .int, .required).field("paid_fen", .int64, .required)
            .field("failed_count", .int, .required).field("failed_fen", .int64, .required)
            .unique(on: "county_code", "period").unique(on: "number").create()
        // Written by hand for the key: SQLite's own row number (no AUTOINCREMENT table to
        // update per row), PostgreSQL's identity column.
        guard let sql = database as? any SQLDatabase else { return }
        let key = sql.dialect.name == "sqlite" ? "id INTEGER PRIMARY KEY" : "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        let uuid = sql.dialect.name == "sqlite" ? "TEXT" : "UUID"
        try await sql.raw("""
            CREATE TABLE payroll_lines (\(unsafeRaw: key), payroll_id \(unsafeRaw: uuid) NOT NULL, household_id \(unsafeRaw: uuid) NOT NULL,
              schedule_id \(unsafeRaw: uuid) NOT NULL, township_code TEXT NOT NULL, village_code TEXT NOT NULL, head_name TEXT NOT NULL,
              member_count BIGINT NOT NULL, bank_code TEXT NOT NULL, account_number TEXT NOT NULL, holder_name TEXT NOT NULL,
              period_fen BIGINT NOT NULL, adjustment_fen BIGINT NOT NULL, amount_fen BIGINT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL)
            """).run()
        try await database.schema(PayrollBankFile.schema)
            .id().field("payroll_id", .uuid, .required).field("bank_code", .string, .required)
            .field("line_count", .int, .required).field("total_fen", .int64, .required)
            .field("sha256", .string, .required).field("exported_on", .string, .required).field("exported_by", .string, .required)
            .field("result_sha256", .string).field("result_on", .string).field("result_by", .string, .required)
            .field("paid_count", .int, .required).field("paid_fen", .int64, .required)
            .field("failed_count", .int, .required).field("failed_fen", .int64, .required)
            .unique(on: "payroll_id", "bank_code").create()
        try await database.schema(BudgetAllocation.schema)
            .id().field("region_code", .string, .required).field("league_code", .string, .required)
            .field("county_code", .string, .required).field("year", .int, .required).field("source", .string, .required)
            .field("amount_fen", .int64, .required).field("set_by", .string, .required).field("set_on", .string, .required)
            .unique(on: "county_code", "year", "source").create()
        // A payroll reads a county's active schedules in the order they were written, so its
        // lines take schedule ids in order and `payroll_lines_schedule` grows in one sweep.
        try await sql.create(index: "benefit_schedules_county").on(BenefitScheduleRecord.schema).column("county_code").column("active").run()
        try await sql.create(index: "benefit_schedules_household").on(BenefitScheduleRecord.schema).column("household_id").run()
        // A household's payments are found through its schedules (schedule ids are time-ordered
        // and read in order: each payroll goes into this index as one sweep, not 1.5 M random writes).
        // Everything else reads a payroll's lines as the range `first_line…last_line` of the key.
        try await sql.create(index: "payroll_lines_schedule").on(PayrollLine.schema).column("schedule_id").run()
        try await sql.create(index: "payrolls_league").on(Payroll.schema).column("league_code").column("period").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [BudgetAllocation.schema, PayrollBankFile.schema, PayrollLine.schema, Payroll.schema, CountyPaymentSetting.schema,
                       BenefitScheduleRecord.schema, PaymentAccount.schema, BankStaff.schema, Bank.schema] {
            try await database.schema(schema).delete()
        }
    }
}

extension PayrollLineStatus: Labelled {}
