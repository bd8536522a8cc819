import Fluent
import Vapor
import DibaoCore

func registerCommands(_ app: Application) {
    app.asyncCommands.use(MigrateNow(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(UserCommands(), as: "user")
    app.asyncCommands.use(AuditCommands(), as: "audit")
    app.asyncCommands.use(BenchCommands(), as: "bench")
    app.asyncCommands.use(VerificationCommands(), as: "verification")
    app.asyncCommands.use(PayrollCommands(), as: "payroll")
    app.asyncCommands.use(PolicyCommands(), as: "policy")
    app.asyncCommands.use(CalendarCommands(), as: "calendar")
    app.asyncCommands.use(AreaCommands(), as: "areas")
}

/// `dibao migrate`: brings the database schema up to date (every start does this too).
struct MigrateNow: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Bring the database schema up to date" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        let n = try await context.application.db.query(MigrationLog.self).count()
        context.console.print("Database \(context.application.dibao.settings.database): \(n) migrations applied, schema up to date.")
    }
}

struct UserCommands: AsyncCommandGroup {
    var help: String { "Manage staff accounts: add, token, revoke-token, reset-password" }
    var commands: [String: any AnyAsyncCommand] { ["add": AddUser(), "token": MakeToken(), "revoke-token": RevokeToken(), "reset-password": ResetPassword()] }
}

/// `dibao user add --username U --role R --area CODE [--name N] [--password P]`.
struct AddUser: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "role", help: "One of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))") var role: String?
        @Option(name: "area", help: "Area code (2 to 12 digits)") var area: String?
        @Option(name: "name", help: "Display name") var name: String?
        @Option(name: "password", help: "Password; when omitted a random one is made and printed") var password: String?
    }

    var help: String { "Create a staff account" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.username, !username.isEmpty else { throw SettingsError("--username is required") }
        guard let role = signature.role.flatMap(Role.init(rawValue:)) else {
            throw SettingsError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let area = try AreaCode(signature.area ?? "", field: "--area")
        guard role.allowedLevels.contains(area.level) else {
            throw SettingsError("--area: a \(role.rawValue) account belongs to a \(role.allowedLevels.map(\.en).sorted().joined(separator: " or ")), not a \(area.level.en)")
        }
        let app = context.application
        guard try await Area.find(area.value, on: app.db) != nil else { throw SettingsError("--area: no area \(area.value) in this database") }
        guard try await User.query(on: app.db).filter(\.$username == username).first() == nil else { throw SettingsError("--username: \(username) already exists") }
        let password = signature.password ?? [UInt8].random(count: 12).base64URLEncoded
        if let problem = PasswordRule.problem(password, username: username, displayName: signature.name ?? "") { throw SettingsError("--password: \(problem.en)") }
        let user = User(username: username, displayName: signature.name ?? username, passwordHash: try app.password.hash(password), role: role, areaCode: area)
        try await app.audit.write(on: app.db) { db in
            try await user.create(on: db)
            return ((), [AuditEntry(actor: .system, action: "user.created", entityType: "user", entityID: user.id!.uuidString, areaCode: area.value, detail: ["username": username, "role": role.rawValue])])
        }
        context.console.print("Created \(username) (\(role.rawValue), \(area.value)). Password: \(password)")
    }
}

/// `dibao user token --username U --name N`: a bearer token for a system caller.
struct MakeToken: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "name", help: "What the token is for, e.g. the bank's system") var name: String?
        @Option(name: "sources", help: "A department's token: the sources it may deliver, comma-separated (e.g. deposit,securities)") var sources: String?
        @Option(name: "days", help: "Days until the token expires (default: the settings' token lifetime, 365)") var days: Int?
    }

    var help: String { "Issue a bearer token for a system-to-system caller" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let (username, user) = try await User.named(signature.username, on: app.db)
        let token = TokenHashing.newToken()
        let record = APIToken(userID: try user.requireID(), name: signature.name ?? "token", tokenHash: TokenHashing.hash(token))
        let days = signature.days ?? app.dibao.settings.tokenLifetimeDays
        guard (1...3650).contains(days) else { throw SettingsError("--days: between 1 and 3650") }
        record.expiresAt = app.dibao.clock.now().addingTimeInterval(Double(days) * 86_400)
        if let list = signature.sources {
            let keys = list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            let unknown = keys.filter { DepartmentSource(rawValue: $0) == nil }
            guard unknown.isEmpty, !keys.isEmpty else {
                throw SettingsError("--sources: \(unknown.joined(separator: ", ")) not among \(DepartmentSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            record.sources = keys.joined(separator: ",")
        }
        try await app.audit.write(on: app.db) { db in
            try await record.create(on: db)
            return ((), [AuditEntry(actor: .system, action: "token.created", entityType: "user", entityID: user.id!.uuidString, areaCode: user.areaCode, detail: ["name": record.name, "sources": record.sources ?? ""])])
        }
        context.console.print("Bearer token for \(username) (shown once, expires \(CivilDate.today(now: record.expiresAt!).iso)): \(token)")
    }
}

/// `dibao user revoke-token --username U [--name N]`: ends the account's tokens (all, or
/// those issued for N). The admin page /admin/tokens does the same one token at a time.
struct RevokeToken: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "name", help: "Only the tokens issued for this purpose") var name: String?
    }

    var help: String { "Revoke an account's API tokens" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let (username, user) = try await User.named(signature.username, on: app.db)
        var q = APIToken.query(on: app.db).filter(\.$user.$id == (try user.requireID())).filter(\.$revoked == false).with(\.$user)
        if let name = signature.name { q = q.filter(\.$name == name) }
        let tokens = try await q.all()
        for t in tokens { try await Passwords.revoke(t, by: .system, on: app) }
        context.console.print("Revoked \(tokens.count) token(s) of \(username).")
    }
}

/// `dibao user reset-password --username U [--password P]`: sets a new password (made and
/// printed when omitted), lifts a lock and ends the account's sessions.
struct ResetPassword: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "password", help: "The new password; when omitted a random one is made and printed") var password: String?
    }

    var help: String { "Reset an account's password" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let (username, user) = try await User.named(signature.username, on: app.db)
        let password = signature.password ?? [UInt8].random(count: 12).base64URLEncoded
        if let problem = PasswordRule.problem(password, username: username, displayName: user.displayName) { throw SettingsError("--password: \(problem.en)") }
        user.passwordHash = try app.password.hash(password)
        user.failedSignIns = 0
        user.lockedUntil = nil
        try await app.audit.write(on: app.db) { tx in
            try await user.save(on: tx)
            return ((), [AuditEntry(actor: .system, action: "user.password_reset", entityType: "user", entityID: user.id!.uuidString, areaCode: user.areaCode)])
        }
        try await Passwords.endSessions(of: try user.requireID(), on: app)
        context.console.print("Password of \(username) reset\(signature.password == nil ? ": \(password)" : "").")
    }
}

struct AuditCommands: AsyncCommandGroup {
    var help: String { "The tamper-evident audit log: verify" }
    var commands: [String: any AnyAsyncCommand] { ["verify": VerifyAudit()] }
}

/// Exits non-zero, naming the first broken event, when the chain does not hold.
struct VerifyAudit: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Walk the audit hash chain and name the first broken event" }

    func run(using context: CommandContext, signature: Signature) async throws {
        switch try await AuditVerifier.verify(on: context.application.db) {
        case .intact(let n):
            context.console.print("Audit log intact: \(n) events verified.")
        case .broken(let seq, let reason):
            context.console.error("Audit log BROKEN at event \(seq): \(reason)")
            throw AuditChainBroken(seq: seq, reason: reason)
        }
    }
}

public struct AuditChainBroken: Error, CustomStringConvertible {
    public let seq: Int
    public let reason: String
    public var description: String { "audit chain broken at event \(seq): \(reason)" }
}

extension User {
    /// The account a command's `--username` names, or the command's error.
    static func named(_ username: String?, on db: any Database) async throws -> (String, User) {
        guard let username, let user = try await User.query(on: db).filter(\.$username == username).first() else {
            throw SettingsError("--username: no such account")
        }
        return (username, user)
    }
}
