import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 低保申请/保障家庭: a household of the register, placed in one village/community.
/// The codes of every level above the village are stored with it, so that "this area
/// and below" is one indexed equality on every database (see `Jurisdiction`).
public final class Household: Model, @unchecked Sendable {
    public static let schema = "households"

    @ID(key: .id) public var id: UUID?
    @Field(key: "head_name") public var headName: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "kind") public var kind: AreaKind
    @Field(key: "address") public var address: String
    @Field(key: "phone") public var phone: String
    @Field(key: "member_count") public var memberCount: Int
    @Field(key: "status") public var status: String
    /// Optimistic lock: an edit made from a stale form is refused, not silently merged.
    @Field(key: "version") public var version: Int
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    @Children(for: \.$household) public var members: [Member]
    @Children(for: \.$household) public var supporters: [Supporter]
    @Children(for: \.$household) public var assets: [AssetRecord]

    public init() {}

    func place(in village: AreaCode, kind: AreaKind) {
        villageCode = village.value
        townshipCode = village.ancestor(at: .township)?.value ?? ""
        countyCode = village.ancestor(at: .county)?.value ?? ""
        leagueCode = village.ancestor(at: .league)?.value ?? ""
        regionCode = village.ancestor(at: .region)?.value ?? ""
        self.kind = kind
    }
}

/// 家庭成员
public final class Member: Model, @unchecked Sendable {
    public static let schema = "members"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "household_id") public var household: Household
    @Field(key: "position") public var position: Int
    @Field(key: "name") public var name: String
    /// 公民身份号码: sensitive; shown in full only to roles with `viewSensitive`, never logged.
    @Field(key: "id_number") public var idNumber: String
    @Field(key: "relation") public var relation: Kinship
    @Field(key: "sex") public var sex: Sex
    @Field(key: "birth_date") public var birthDate: String
    @Field(key: "disability_level") public var disabilityLevel: Int
    @Field(key: "severe_illness") public var severeIllness: Bool
    @Field(key: "illness_note") public var illnessNote: String
    @Field(key: "work_capacity") public var workCapacity: WorkCapacity
    @Field(key: "employment") public var employment: Employment

    @Children(for: \.$member) public var incomes: [IncomeRecord]

    public init() {}
}

/// One income item of a member, monthly, in fen.
public final class IncomeRecord: Model, @unchecked Sendable {
    public static let schema = "income_items"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "member_id") public var member: Member
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "kind") public var kind: IncomeKind
    @Field(key: "monthly_fen") public var monthlyFen: Int64
    @Field(key: "note") public var note: String

    public init() {}
}

/// 赡养/抚养/扶养义务人: a legally obligated relative outside the household, whose owed
/// support counts as household income (二.一).
public final class Supporter: Model, @unchecked Sendable {
    public static let schema = "supporters"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "household_id") public var household: Household
    @Field(key: "name") public var name: String
    @Field(key: "id_number") public var idNumber: String
    @Field(key: "duty") public var duty: SupportDuty
    @Field(key: "monthly_support_fen") public var monthlySupportFen: Int64
    @Field(key: "note") public var note: String

    public init() {}
}

/// A declared asset of the household.
public final class AssetRecord: Model, @unchecked Sendable {
    public static let schema = "assets"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "household_id") public var household: Household
    @Field(key: "kind") public var kind: AssetKind
    @Field(key: "description") public var description: String
    @Field(key: "value_fen") public var valueFen: Int64

    public init() {}
}

struct CreateHouseholdTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Household.schema)
            .id()
            .field("head_name", .string, .required)
            .field("region_code", .string, .required)
            .field("league_code", .string, .required)
            .field("county_code", .string, .required)
            .field("township_code", .string, .required)
            .field("village_code", .string, .required)
            .field("kind", .string, .required)
            .field("address", .string, .required)
            .field("phone", .string, .required)
            .field("member_count", .int, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(Member.schema)
            .id()
            .field("household_id", .uuid, .required, .references(Household.schema, .id))
            .field("position", .int, .required)
            .field("name", .string, .required)
            .field("id_number", .string, .required)
            .field("relation", .string, .required)
            .field("sex", .string, .required)
            .field("birth_date", .string, .required)
            .field("disability_level", .int, .required)
            .field("severe_illness", .bool, .required)
            .field("illness_note", .string, .required)
            .field("work_capacity", .string, .required)
            .field("employment", .string, .required)
            .unique(on: "id_number", name: "members_id_number_unique")
            .create()
        try await database.schema(IncomeRecord.schema)
            .id()
            .field("member_id", .uuid, .required, .references(Member.schema, .id))
            .field("household_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("monthly_fen", .int64, .required)
            .field("note", .string, .required)
            .create()
        try await database.schema(Supporter.schema)
            .id()
            .field("household_id", .uuid, .required, .references(Household.schema, .id))
            .field("name", .string, .required)
            .field("id_number", .string, .required)
            .field("duty", .string, .required)
            .field("monthly_support_fen", .int64, .required)
            .field("note", .string, .required)
            .create()
        try await database.schema(AssetRecord.schema)
            .id()
            .field("household_id", .uuid, .required, .references(Household.schema, .id))
            .field("kind", .string, .required)
            .field("description", .string, .required)
            .field("value_fen", .int64, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // One index per jurisdiction level, each with the head's name so that the
        // household list of any area pages and searches by name from the index.
        for level in ["league_code", "county_code", "township_code", "village_code"] {
            // With the tie-break column, a page of the list is read straight off the index.
            try await sql.create(index: "households_\(level)").on(Household.schema).column(level).column("head_name").column("id").run()
        }
        try await sql.create(index: "members_household").on(Member.schema).column("household_id").run()
        try await sql.create(index: "members_name").on(Member.schema).column("name").run()
        try await sql.create(index: "income_items_member").on(IncomeRecord.schema).column("member_id").run()
        try await sql.create(index: "income_items_household").on(IncomeRecord.schema).column("household_id").run()
        try await sql.create(index: "supporters_household").on(Supporter.schema).column("household_id").run()
        try await sql.create(index: "assets_household").on(AssetRecord.schema).column("household_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [AssetRecord.schema, Supporter.schema, IncomeRecord.schema, Member.schema, Household.schema] {
            try await database.schema(schema).delete()
        }
    }
}
