import Fluent
import Vapor
import DibaoCore

/// A staff account. It belongs to exactly one area and sees that area and below.
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "role") public var role: Role
    @Field(key: "area_code") public var areaCode: String
    @Field(key: "failed_sign_ins") public var failedSignIns: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "active") public var active: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, username: String, displayName: String, passwordHash: String, role: Role, areaCode: AreaCode) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role
        self.areaCode = areaCode.value
        self.failedSignIns = 0
        self.active = true
    }

    /// The account's area; nil only if a stored code were corrupt, and then the account sees nothing.
    public var area: AreaCode? { try? AreaCode(areaCode) }
}

/// A bearer token for a system-to-system caller (a bank, a department). Only the
/// SHA-256 of the token is stored; the token itself is shown once, when made.
public final class APIToken: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Field(key: "name") public var name: String
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "revoked") public var revoked: Bool
    /// For a department's token: the sources (comma-separated keys) it may deliver.
    @OptionalField(key: "sources") public var sources: String?
    /// After this the token no longer identifies anyone (issue 12: tokens never expired).
    @OptionalField(key: "expires_at") public var expiresAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(userID: UUID, name: String, tokenHash: String) {
        self.$user.id = userID
        self.name = name
        self.tokenHash = tokenHash
        self.revoked = false
    }
}

/// Tokens get an end (append-only: a database made before this keeps its tokens, without
/// an end until an administrator revokes them or issues new ones).
struct AddTokenExpiry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIToken.schema).field("expires_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIToken.schema).deleteField("expires_at").update()
    }
}

struct CreateAccessTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("area_code", .string, .required)
            .field("failed_sign_ins", .int, .required)
            .field("locked_until", .datetime)
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
        try await database.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("revoked", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIToken.schema).delete()
        try await database.schema(User.schema).delete()
    }
}
