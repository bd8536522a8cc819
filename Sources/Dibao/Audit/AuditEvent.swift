import Fluent
import SQLKit
import Foundation

/// One entry of the tamper-evident log (SPEC "Cross-cutting": every change is an
/// event with who, when, what and why, kept forever). Each event carries the hash
/// of the one before it, so changing or deleting any stored event breaks the chain
/// from that event on, which `dibao audit verify` finds.
public final class AuditEvent: Model, @unchecked Sendable {
    public static let schema = "audit_events"

    @ID(custom: "seq", generatedBy: .user) public var id: Int?
    /// Milliseconds since 1970 — an integer, so the hashed value survives any
    /// database's timestamp rounding unchanged.
    @Field(key: "occurred_at_ms") public var occurredAtMs: Int64
    @Field(key: "actor_id") public var actorID: String
    @Field(key: "actor_name") public var actorName: String
    @Field(key: "actor_role") public var actorRole: String
    @Field(key: "action") public var action: String
    @Field(key: "entity_type") public var entityType: String
    @Field(key: "entity_id") public var entityID: String
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "reason") public var reason: String
    /// JSON object of what changed. Never holds a full ID number or health detail.
    @Field(key: "detail") public var detail: String
    @Field(key: "prev_hash") public var prevHash: String
    @Field(key: "hash") public var hash: String

    public init() {}

    public var occurredAt: Date { Date(timeIntervalSince1970: Double(occurredAtMs) / 1000) }

    public var detailObject: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:]
    }
}

struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema)
            .field("seq", .int64, .identifier(auto: false))
            .field("occurred_at_ms", .int64, .required)
            .field("actor_id", .string, .required)
            .field("actor_name", .string, .required)
            .field("actor_role", .string, .required)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("area_code", .string, .required)
            .field("reason", .string, .required)
            .field("detail", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_events_entity").on(AuditEvent.schema).column("entity_type").column("entity_id").run()
            try await sql.create(index: "audit_events_area").on(AuditEvent.schema).column("area_code").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema).delete()
    }
}
