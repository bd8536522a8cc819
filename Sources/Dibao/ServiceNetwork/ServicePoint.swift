import Fluent
import SQLKit
import Vapor
import DibaoCore

/// One place of the service network (二.四): a county's service hall or a township's window.
/// A point is never deleted: one closed is kept as "not in use" with the day and the reason,
/// so the history of where applications were taken stays readable.
final class ServicePoint: Model, @unchecked Sendable {
    static let schema = "service_points"

    @ID(key: .id) var id: UUID?
    /// `ServicePointKind`: hall (county) or window (township).
    @Field(key: "kind") var kind: String
    /// The county of a hall, the township of a window.
    @Field(key: "area_code") var areaCode: String
    @Field(key: "name") var name: String
    @Field(key: "address") var address: String
    @Field(key: "hours") var hours: String
    @Field(key: "phone") var phone: String
    /// Halls only: 建设面积 in whole m².
    @OptionalField(key: "square_metres") var squareMetres: Int?
    /// Halls only: 窗口式受理“一站式”服务.
    @Field(key: "one_stop") var oneStop: Bool
    @Field(key: "in_use") var inUse: Bool
    @OptionalField(key: "closed_on") var closedOn: String?
    @Field(key: "closed_reason") var closedReason: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_on") var createdOn: String

    init() {}

    var pointKind: ServicePointKind { ServicePointKind(rawValue: kind) ?? .window }

    func apply(_ facts: ServicePointFacts) {
        name = facts.name
        address = facts.address
        hours = facts.hours
        phone = facts.phone
        squareMetres = facts.squareMetres
        oneStop = facts.oneStop
    }
}

struct CreateServicePoints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ServicePoint.schema)
            .id()
            .field("kind", .string, .required)
            .field("area_code", .string, .required)
            .field("name", .string, .required)
            .field("address", .string, .required)
            .field("hours", .string, .required)
            .field("phone", .string, .required)
            .field("square_metres", .int)
            .field("one_stop", .bool, .required)
            .field("in_use", .bool, .required)
            .field("closed_on", .string)
            .field("closed_reason", .string, .required)
            .field("created_by", .string, .required)
            .field("created_on", .string, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX service_points_area ON service_points (area_code, kind)").run()
        }
        // The window a case was taken at (二.四 "推行窗口式受理"): appended to the cases;
        // cases taken before carry only the typed window name they always had.
        try await database.schema(ApplicationCase.schema).field("window_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ApplicationCase.schema).deleteField("window_id").update()
        try await database.schema(ServicePoint.schema).delete()
    }
}
