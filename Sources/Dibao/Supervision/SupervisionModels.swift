import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 近亲属备案 (二.七): one close relative of a caseworker or village cadre. Filed under the
/// registrant's area; the ID number is sensitive like any member's.
public final class RegisteredRelative: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "registered_relatives"

    @ID(key: .id) public var id: UUID?
    @Field(key: "registrant_name") public var registrantName: String
    @Field(key: "registrant_kind") public var registrantKind: RegistrantKind
    /// The registrant's post (职务), as written.
    @Field(key: "registrant_post") public var registrantPost: String
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "relation") public var relation: CloseRelation
    @Field(key: "relative_name") public var relativeName: String
    @Field(key: "relative_id_number") public var relativeIDNumber: String
    @Field(key: "registered_on") public var registeredOn: String
    @Field(key: "registered_by") public var registeredBy: String
    @Field(key: "active") public var active: Bool

    public init() {}

    func place(in area: AreaCode) {
        areaCode = area.value
        placeColumns(in: area)
    }
}

/// A registered relative found as a member of an applying or enrolled household: the flag on
/// the household (and so on its cases and reviews). Filed under the household's village.
public final class RelativeFlag: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "relative_flags"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "relative_id") public var relativeID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "flagged_on") public var flaggedOn: String
    /// What found it: a registration or an application.
    @Field(key: "source") public var source: String

    public init() {}
}

/// 重点核查 of a flagged household: for an application (before approval), for a review, or on
/// its own (an enrolled household found by a registration).
public final class FocusedCheck: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "focused_checks"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "household_id") public var householdID: UUID
    @OptionalField(key: "case_id") public var caseID: UUID?
    @OptionalField(key: "review_id") public var reviewID: Int?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "checked_on") public var checkedOn: String
    @Field(key: "checked_by") public var checkedBy: String
    @Field(key: "finding") public var finding: FocusedCheckFinding
    @Field(key: "note") public var note: String

    public init() {}
}

/// 监督检查 (二.七): one inspection plan of a level's area for a year, with its recorded draw.
public final class InspectionPlan: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "inspection_plans"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "year") public var year: Int
    @Field(key: "kind") public var kind: InspectionKind
    @Field(key: "title") public var title: String
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    /// The share of townships, and of villages under the drawn townships, checked at random.
    @Field(key: "share_percent") public var sharePercent: Int
    /// The draw's seed as decimal text (a UInt64 does not fit every database's integer).
    @OptionalField(key: "seed") public var seed: String?
    @OptionalField(key: "drawn_on") public var drawnOn: String?
    @Field(key: "drawn_by") public var drawnBy: String
    @Field(key: "township_population") public var townshipPopulation: Int
    @Field(key: "village_population") public var villagePopulation: Int
    /// The drawn codes, comma-separated, ascending.
    @Field(key: "townships") public var townships: String
    @Field(key: "villages") public var villages: String
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_on") public var createdOn: String

    public init() {}

    func place(in area: AreaCode) {
        areaCode = area.value
        placeColumns(in: area)
    }
}

/// A finding of an inspection about a household, a case or a place, and its rectification
/// (整改): what must change, by whom, by when, and the evidence it was closed with.
public final class InspectionFinding: Model, @unchecked Sendable {
    public static let schema = "inspection_findings"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "plan_id") public var planID: Int
    @Field(key: "area_code") public var areaCode: String
    @OptionalField(key: "household_id") public var householdID: UUID?
    @Field(key: "finding") public var finding: String
    @Field(key: "rectification") public var rectification: String
    @Field(key: "owner") public var owner: String
    @Field(key: "deadline") public var deadline: String
    @OptionalField(key: "closed_on") public var closedOn: String?
    @Field(key: "closing_evidence") public var closingEvidence: String
    @Field(key: "recorded_by") public var recordedBy: String
    @Field(key: "recorded_on") public var recordedOn: String

    public init() {}
}

extension RegisteredRelative: AreaColumns {}
extension InspectionPlan: AreaColumns {}

struct CreateSupervisionTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let areaFields: (SchemaBuilder) -> SchemaBuilder = { s in
            s.field("region_code", .string, .required).field("league_code", .string, .required).field("county_code", .string, .required)
                .field("township_code", .string, .required).field("village_code", .string, .required)
        }
        try await areaFields(database.schema(RegisteredRelative.schema)
            .id()
            .field("registrant_name", .string, .required)
            .field("registrant_kind", .string, .required)
            .field("registrant_post", .string, .required)
            .field("area_code", .string, .required))
            .field("relation", .string, .required)
            .field("relative_name", .string, .required)
            .field("relative_id_number", .string, .required)
            .field("registered_on", .string, .required)
            .field("registered_by", .string, .required)
            .field("active", .bool, .required)
            .create()
        try await areaFields(database.schema(RelativeFlag.schema)
            .field("id", .int, .identifier(auto: true))
            .field("relative_id", .uuid, .required)
            .field("household_id", .uuid, .required))
            .field("flagged_on", .string, .required)
            .field("source", .string, .required)
            .unique(on: "relative_id", "household_id")
            .create()
        try await areaFields(database.schema(FocusedCheck.schema)
            .field("id", .int, .identifier(auto: true))
            .field("household_id", .uuid, .required)
            .field("case_id", .uuid)
            .field("review_id", .int))
            .field("checked_on", .string, .required)
            .field("checked_by", .string, .required)
            .field("finding", .string, .required)
            .field("note", .string, .required)
            .create()
        try await areaFields(database.schema(InspectionPlan.schema)
            .field("id", .int, .identifier(auto: true))
            .field("year", .int, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("area_code", .string, .required))
            .field("share_percent", .int, .required)
            .field("seed", .string)
            .field("drawn_on", .string)
            .field("drawn_by", .string, .required)
            .field("township_population", .int, .required)
            .field("village_population", .int, .required)
            .field("townships", .string, .required)
            .field("villages", .string, .required)
            .field("created_by", .string, .required)
            .field("created_on", .string, .required)
            .create()
        try await database.schema(InspectionFinding.schema)
            .field("id", .int, .identifier(auto: true))
            .field("plan_id", .int, .required)
            .field("area_code", .string, .required)
            .field("household_id", .uuid)
            .field("finding", .string, .required)
            .field("rectification", .string, .required)
            .field("owner", .string, .required)
            .field("deadline", .string, .required)
            .field("closed_on", .string)
            .field("closing_evidence", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_on", .string, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            // Relatives are matched by ID number against every member (二.七, in bulk).
            try await sql.raw("CREATE INDEX members_id_number ON members (id_number)").run()
            try await sql.raw("CREATE INDEX registered_relatives_id_number ON registered_relatives (relative_id_number)").run()
            try await sql.raw("CREATE INDEX registered_relatives_county ON registered_relatives (county_code)").run()
            try await sql.raw("CREATE INDEX relative_flags_household ON relative_flags (household_id)").run()
            try await sql.raw("CREATE INDEX relative_flags_county ON relative_flags (county_code)").run()
            try await sql.raw("CREATE INDEX focused_checks_household ON focused_checks (household_id)").run()
            try await sql.raw("CREATE INDEX inspection_findings_plan ON inspection_findings (plan_id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for s in [InspectionFinding.schema, InspectionPlan.schema, FocusedCheck.schema, RelativeFlag.schema, RegisteredRelative.schema] {
            try await database.schema(s).delete()
        }
        if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX members_id_number").run() }
    }
}
