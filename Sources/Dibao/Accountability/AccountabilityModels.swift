import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 骗取低保待遇 (三.六): a household found to have obtained the allowance by fraud, the amount,
/// what has been recovered, and the decision. Filed under the household's village.
public final class FraudCase: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "fraud_cases"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    /// The applicant put on the integrity blacklist (their ID number is sensitive).
    @Field(key: "person_name") public var personName: String
    @Field(key: "person_id_number") public var personIDNumber: String
    @Field(key: "finding") public var finding: String
    @Field(key: "obtained_fen") public var obtainedFen: Int64
    @Field(key: "recovered_fen") public var recoveredFen: Int64
    @Field(key: "status") public var status: FraudStatus
    @Field(key: "decision") public var decision: String
    @Field(key: "found_on") public var foundOn: String
    @Field(key: "recorded_by") public var recordedBy: String
    @OptionalField(key: "closed_on") public var closedOn: String?

    public init() {}
}

/// 出具虚假证明的单位和个人 (三.六), recorded for the social credit system (see docs/credit-export.md).
public final class FalseCertificateIssuer: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "false_certificate_issuers"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "kind") public var kind: IssuerKind
    @Field(key: "name") public var name: String
    /// 统一社会信用代码 of a unit, or the ID number of a person.
    @Field(key: "identifier") public var identifier: String
    @Field(key: "certificate") public var certificate: String
    @OptionalField(key: "fraud_case_id") public var fraudCaseID: Int?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "recorded_on") public var recordedOn: String
    @Field(key: "recorded_by") public var recordedBy: String

    public init() {}
}

/// 责任追究 (三.六): an action against a staff member, with its reason and the body that decided it.
public final class AccountabilityAction: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "accountability_actions"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "staff_name") public var staffName: String
    @Field(key: "post") public var post: String
    @Field(key: "kind") public var kind: AccountabilityKind
    @Field(key: "reason") public var reason: String
    @Field(key: "decided_by_body") public var decidedByBody: String
    @Field(key: "decided_on") public var decidedOn: String
    @OptionalField(key: "complaint_id") public var complaintID: Int?
    @OptionalField(key: "fraud_case_id") public var fraudCaseID: Int?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "recorded_by") public var recordedBy: String

    public init() {}
}

protocol AreaColumns: AnyObject {
    var regionCode: String { get set }
    var leagueCode: String { get set }
    var countyCode: String { get set }
    var townshipCode: String { get set }
    var villageCode: String { get set }
}

extension AreaColumns {
    /// The ancestor columns of `area` (below its level: empty), as `within` reads them.
    func placeColumns(in area: AreaCode) {
        regionCode = area.ancestor(at: .region)?.value ?? ""
        leagueCode = area.ancestor(at: .league)?.value ?? ""
        countyCode = area.ancestor(at: .county)?.value ?? ""
        townshipCode = area.ancestor(at: .township)?.value ?? ""
        villageCode = area.ancestor(at: .village)?.value ?? ""
    }
}

extension FraudCase: AreaColumns {}
extension FalseCertificateIssuer: AreaColumns {}
extension AccountabilityAction: AreaColumns {}

struct CreateAccountabilityTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        func area(_ s: SchemaBuilder) -> SchemaBuilder {
            s.field("region_code", .string, .required).field("league_code", .string, .required).field("county_code", .string, .required)
                .field("township_code", .string, .required).field("village_code", .string, .required)
        }
        try await area(database.schema(FraudCase.schema).field("id", .int, .identifier(auto: true))
            .field("household_id", .uuid, .required).field("person_name", .string, .required).field("person_id_number", .string, .required)
            .field("finding", .string, .required).field("obtained_fen", .int64, .required).field("recovered_fen", .int64, .required)
            .field("status", .string, .required).field("decision", .string, .required).field("found_on", .string, .required)
            .field("recorded_by", .string, .required).field("closed_on", .string)).create()
        try await area(database.schema(FalseCertificateIssuer.schema).field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required).field("name", .string, .required).field("identifier", .string, .required)
            .field("certificate", .string, .required).field("fraud_case_id", .int).field("recorded_on", .string, .required)
            .field("recorded_by", .string, .required)).create()
        try await area(database.schema(AccountabilityAction.schema).field("id", .int, .identifier(auto: true))
            .field("staff_name", .string, .required).field("post", .string, .required).field("kind", .string, .required)
            .field("reason", .string, .required).field("decided_by_body", .string, .required).field("decided_on", .string, .required)
            .field("complaint_id", .int).field("fraud_case_id", .int).field("recorded_by", .string, .required)).create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX fraud_cases_county ON fraud_cases (county_code)").run()
            try await sql.raw("CREATE INDEX false_certificate_issuers_county ON false_certificate_issuers (county_code)").run()
            try await sql.raw("CREATE INDEX accountability_actions_county ON accountability_actions (county_code)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for s in [AccountabilityAction.schema, FalseCertificateIssuer.schema, FraudCase.schema] { try await database.schema(s).delete() }
    }
}
