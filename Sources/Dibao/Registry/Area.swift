import Fluent
import SQLKit
import Vapor
import DibaoCore

/// One node of the jurisdiction tree: 自治区 > 盟市 > 旗县市区 > 苏木乡镇/街道 > 嘎查村/社区.
public final class Area: Model, @unchecked Sendable {
    public static let schema = "areas"

    /// The 12-digit official code is the key: it is stable and already says where the area sits.
    @ID(custom: "code", generatedBy: .user) public var id: String?
    @Field(key: "name") public var name: String
    @Field(key: "level") public var level: Int
    @OptionalField(key: "parent_code") public var parentCode: String?
    /// 城市 or 农村牧区, for areas below the county; it picks the standard that applies.
    @OptionalField(key: "kind") public var kind: AreaKind?
    /// 常住人口 — the democratic-evaluation panel is sized against it (二.二.3).
    @Field(key: "resident_population") public var residentPopulation: Int
    /// 撤销 or 撤并: the day the area went out of use; it stays for the records that name it.
    @OptionalField(key: "retired_on") public var retiredOn: String?
    /// The village it was merged into, when it was merged.
    @OptionalField(key: "merged_into") public var mergedInto: String?
    @Field(key: "retired_reason") public var retiredReason: String

    public init() {}

    public init(code: AreaCode, name: String, kind: AreaKind?, residentPopulation: Int = 0) {
        self.id = code.value
        self.name = name
        self.level = code.level.rawValue
        self.parentCode = code.parent?.value
        self.kind = kind
        self.residentPopulation = residentPopulation
        self.retiredReason = ""
    }

    public var code: AreaCode? { id.flatMap { try? AreaCode($0) } }
    public var areaLevel: AreaLevel { AreaLevel(rawValue: level) ?? .village }
}

/// 低保标准: yuan per person per month for an area, urban or rural, from a date.
/// A standard set at a league applies to every county below it unless the county sets its own.
public final class Standard: Model, @unchecked Sendable {
    public static let schema = "standards"

    @ID(key: .id) public var id: UUID?
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "kind") public var kind: AreaKind
    @Field(key: "monthly_fen") public var monthlyFen: Int64
    /// ISO date text: sorts as dates on every database.
    @Field(key: "effective_from") public var effectiveFrom: String
    /// "pending" once entered, "approved" by a second person, or "rejected" (issue 15: 二.一
    /// standards are set by one and checked by another). Only approved standards are used.
    @Field(key: "status") public var status: String
    @Field(key: "entered_by") public var enteredBy: String
    @OptionalField(key: "entered_on") public var enteredOn: String?
    @Field(key: "approved_by") public var approvedBy: String
    @OptionalField(key: "approved_on") public var approvedOn: String?
    /// The document that set it (e.g. 呼政发〔2026〕3号), published with it.
    @Field(key: "document") public var document: String

    public init() {}

    /// An approved standard, as the demo seeds it and as standards stored before approval existed read.
    public init(area: AreaCode, kind: AreaKind, monthly: Money, effectiveFrom: CivilDate) {
        self.areaCode = area.value
        self.kind = kind
        self.monthlyFen = monthly.fen
        self.effectiveFrom = effectiveFrom.iso
        self.status = "approved"
        self.enteredBy = ""
        self.approvedBy = ""
        self.document = ""
    }

    /// The standard for a village's kind on a date: the most specific area with one wins,
    /// then the latest effective date not after `date`.
    public static func inForce(for village: AreaCode, kind: AreaKind, on date: CivilDate, db: any Database) async throws -> Standard? {
        let chain = village.chain
        let candidates = try await Standard.query(on: db)
            .filter(\.$status == "approved")
            .filter(\.$areaCode ~~ chain)
            .filter(\.$kind == kind)
            .filter(\.$effectiveFrom <= date.iso)
            .all()
        return pick(candidates, chain: chain)
    }

    /// The standards in force for many villages at once ("village|kind" keys, as a batch
    /// verification needs them): one read, the same choice as `inForce`.
    static func inForce(for keys: Set<String>, on date: CivilDate, db: any Database) async throws -> [String: Money?] {
        let all = try await Standard.query(on: db).filter(\.$status == "approved").filter(\.$effectiveFrom <= date.iso).all()
        var out: [String: Money?] = [:]
        for key in keys {
            let parts = key.split(separator: "|").map(String.init)
            guard parts.count == 2, let village = try? AreaCode(parts[0]) else { out[key] = Money?.none; continue }
            let kind = AreaKind(rawValue: parts[1]) ?? .urban
            let chain = village.chain
            out[key] = pick(all.filter { $0.kind == kind && chain.contains($0.areaCode) }, chain: chain).map { Money(fen: $0.monthlyFen) }
        }
        return out
    }

    private static func pick(_ candidates: [Standard], chain: [String]) -> Standard? {
        candidates.max { a, b in
            let da = chain.firstIndex(of: a.areaCode) ?? .max, db = chain.firstIndex(of: b.areaCode) ?? .max
            if da != db { return da > db }
            return a.effectiveFrom < b.effectiveFrom
        }
    }
}

extension AreaCode {
    /// This area's code and its ancestors', nearest first.
    var chain: [String] {
        var out: [String] = []
        var cursor: AreaCode? = self
        while let c = cursor { out.append(c.value); cursor = c.parent }
        return out
    }
}

/// A stored policy version (SPEC "Policy is data"). The body is the `Policy` record as JSON.
public final class PolicyVersion: Model, @unchecked Sendable {
    public static let schema = "policy_versions"

    @ID(custom: "version", generatedBy: .user) public var id: String?
    @Field(key: "effective_from") public var effectiveFrom: String
    @Field(key: "body") public var body: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// "draft" once loaded from its file, "active" once put in force (issue 15).
    @Field(key: "status") public var status: String
    @Field(key: "loaded_by") public var loadedBy: String
    @Field(key: "activated_by") public var activatedBy: String
    @OptionalField(key: "activated_on") public var activatedOn: String?
    /// The file as loaded, kept with the version so an auditor reads what was signed off.
    @Field(key: "file_text") public var fileText: String

    public init() {}

    public init(_ policy: Policy) throws {
        self.id = policy.version
        self.effectiveFrom = policy.effectiveFrom.iso
        self.status = "active"
        self.loadedBy = ""
        self.activatedBy = ""
        self.fileText = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.body = String(decoding: try encoder.encode(policy), as: UTF8.self)
    }

    public func decoded() throws -> Policy {
        try JSONDecoder().decode(Policy.self, from: Data(body.utf8))
    }
}

struct CreateRegistryReference: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Area.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("parent_code", .string)
            .field("kind", .string)
            .field("resident_population", .int, .required)
            .create()
        try await database.schema(Standard.schema)
            .id()
            .field("area_code", .string, .required)
            .field("kind", .string, .required)
            .field("monthly_fen", .int64, .required)
            .field("effective_from", .string, .required)
            .create()
        try await database.schema(PolicyVersion.schema)
            .field("version", .string, .identifier(auto: false))
            .field("effective_from", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "areas_parent").on(Area.schema).column("parent_code").run()
            try await sql.create(index: "standards_area").on(Standard.schema).column("area_code").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PolicyVersion.schema).delete()
        try await database.schema(Standard.schema).delete()
        try await database.schema(Area.schema).delete()
    }
}

/// The source text's numbers are the first policy version of every new database.
struct SeedDefaultPolicy: AsyncMigration {
    /// Written as the columns stood at this migration: the model has grown columns since
    /// (`AddPolicyVersionStatus`), which a fresh database does not have yet at this point.
    func prepare(on database: any Database) async throws {
        let row = try PolicyVersion(.default2013)
        try await (database as! any SQLDatabase).insert(into: PolicyVersion.schema)
            .columns("version", "effective_from", "body", "created_at")
            .values(SQLBind(row.id!), SQLBind(row.effectiveFrom), SQLBind(row.body), SQLBind(Date()))
            .run()
    }

    func revert(on database: any Database) async throws {
        try await PolicyVersion.query(on: database).filter(\.$id == Policy.default2013.version).delete()
    }
}
