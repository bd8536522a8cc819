import Fluent
import SQLKit
import Vapor
import DibaoCore

/// Staff accounts, paying banks and system tokens, administered within the administrator's
/// own area (issue 15): a region's administrator sets up any league, a league's or a county's
/// administrator only its own. The pages, the API and the commands call these; each change
/// is one audited transaction.
enum Accounts {
    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// Items joined the way the reader's language joins them (`key` holds `{1}、{2}` or
    /// `{1}或{2}` and their counterparts), one pair at a time, so no separator is written in code.
    static func joined(_ items: [Phrase.Arg], by key: String) -> Phrase.Arg {
        guard var joined = items.first else { return .text("") }
        for item in items.dropFirst() { joined = .phrase(Phrase(key, args: [joined, item])) }
        return joined
    }

    struct Input: Content {
        var username: String?
        var displayName: String?
        var role: String?
        var area: String?
        /// Empty: a random one is made and shown once.
        var password: String?
        /// A bank operator's bank (its code).
        var bank: String?
    }

    struct Created: Content {
        var id: UUID
        var username: String
        /// Shown once, to the administrator who made the account.
        var password: String
    }

    static func validUsername(_ s: String) -> Bool {
        guard (3...32).contains(s.count), let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0) }
    }

    static func newPassword() -> String { [UInt8].random(count: 12).base64URLEncoded }

    /// The role and area an account may be given by this administrator: the level fits the
    /// role, the area exists, and it lies within the administrator's own.
    static func placement(role text: String?, area areaText: String?, ctx: ServiceContext) async throws -> (Role, AreaCode) {
        guard let role = Role(rawValue: (text ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw refuse("role", "account.role", Phrase("account.refusal_role"))
        }
        guard let area = try? AreaCode((areaText ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw refuse("area", "account.area", Phrase("account.refusal_area"))
        }
        guard role.allowedLevels.contains(area.level) else {
            let levels = role.allowedLevels.sorted { $0.rawValue < $1.rawValue }
            throw refuse("area", "account.area_level", Phrase("account.refusal_area_level", args: [
                .phrase(role.namePhrase), joined(levels.map { .phrase($0.namePhrase) }, by: "account.refusal_or"), .phrase(area.level.namePhrase)]))
        }
        guard ctx.actor.area.contains(area) else { try await ctx.forbidden(target: "jurisdiction", entityType: "area", entityID: area.value) }
        guard try await Area.find(area.value, on: ctx.db) != nil else {
            throw refuse("area", "account.area_unknown", Phrase("account.refusal_area_unknown", area.value))
        }
        return (role, area)
    }

    static func bank(_ code: String?, role: Role, on db: any Database) async throws -> String? {
        guard role == .bankOperator else { return nil }
        let code = (code ?? "").trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, try await Bank.find(code, on: db) != nil else {
            throw refuse("bank", "account.bank", Phrase("account.refusal_bank"))
        }
        return code
    }

    @discardableResult
    static func create(_ input: Input, ctx: ServiceContext, app: Application) async throws -> Created {
        let actor = ctx.actor
        guard actor.may(.manageUsers) else { try await ctx.forbidden(target: "account.create", entityType: "user", entityID: "") }
        let username = (input.username ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard validUsername(username) else {
            throw refuse("username", "account.username", Phrase("account.refusal_username"))
        }
        let displayName = (input.displayName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...50).contains(displayName.count), !displayName.contains(where: \.isNewline) else {
            throw refuse("display_name", "account.display_name", Phrase("account.refusal_display_name"))
        }
        let (role, area) = try await placement(role: input.role, area: input.area, ctx: ctx)
        let bank = try await bank(input.bank, role: role, on: ctx.db)
        guard try await User.query(on: ctx.db).filter(\.$username == username).first() == nil else {
            throw refuse("username", "account.username_taken", Phrase("account.refusal_username_taken", username))
        }
        let typed = (input.password ?? "")
        let password = typed.isEmpty ? newPassword() : typed
        if let problem = PasswordRule.problem(password, username: username, displayName: displayName) {
            throw refuse("password", problem.rule, Phrase("account.refusal_initial_password", problem.phrase))
        }
        let user = User(username: username, displayName: displayName, passwordHash: try await app.password.async.hash(password), role: role, areaCode: area)
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await user.create(on: tx)
            if let bank { try await BankStaff(userID: user.id!, bankCode: bank).create(on: tx) }
            return (Created(id: user.id!, username: username, password: password),
                    [AuditEntry(actor: actor.audit, action: "user.created", entityType: "user", entityID: user.id!.uuidString, areaCode: area.value,
                                detail: ["username": username, "role": role.rawValue, "bank": bank ?? ""])])
        }
    }

    /// The account, if it lies within the administrator's area; otherwise a 404, audited.
    static func find(_ id: UUID?, ctx: ServiceContext) async throws -> User {
        guard ctx.actor.may(.manageUsers) else { try await ctx.forbidden(target: "account.manage", entityType: "user", entityID: id?.uuidString ?? "") }
        guard let id, let user = try await User.find(id, on: ctx.db) else { throw Abort(.notFound, reason: ctx.l10n("error.not_found")) }
        guard let area = user.area, ctx.actor.area.contains(area) else {
            try await ctx.recordDenial(target: "jurisdiction", entityType: "user", entityID: id.uuidString)
            throw Abort(.notFound, reason: ctx.l10n("error.not_found"))
        }
        return user
    }

    struct Change: Content {
        var displayName: String?
        var role: String?
        var area: String?
        var bank: String?
    }

    /// A new role or area (a transfer): the account's sessions end, so the next page it
    /// opens is judged under the new placement.
    static func change(_ id: UUID?, _ input: Change, ctx: ServiceContext, app: Application) async throws {
        let user = try await find(id, ctx: ctx)
        let (role, area) = try await placement(role: input.role ?? user.role.rawValue, area: input.area ?? user.areaCode, ctx: ctx)
        let bank = try await bank(input.bank, role: role, on: ctx.db)
        let name = (input.displayName ?? user.displayName).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...50).contains(name.count) else {
            throw refuse("display_name", "account.display_name", Phrase("account.refusal_display_name"))
        }
        guard user.id != ctx.actor.userID || role == user.role else {
            throw refuse("role", "account.self", Phrase("account.refusal_self_role"))
        }
        var detail: [String: String] = [:]
        if role != user.role { detail["old_role"] = user.role.rawValue; detail["new_role"] = role.rawValue }
        if area.value != user.areaCode { detail["old_area"] = user.areaCode; detail["new_area"] = area.value }
        if name != user.displayName { detail["old_name"] = user.displayName; detail["new_name"] = name }
        let oldBank = try await BankStaff.query(on: ctx.db).filter(\.$userID == user.id!).first()
        if (oldBank?.bankCode) != bank { detail["old_bank"] = oldBank?.bankCode ?? ""; detail["new_bank"] = bank ?? "" }
        guard !detail.isEmpty else { return }
        let changed = detail
        user.role = role
        user.areaCode = area.value
        user.displayName = name
        let actor = ctx.actor
        try await ctx.audit.write(on: ctx.db) { tx in
            try await user.save(on: tx)
            try await BankStaff.query(on: tx).filter(\.$userID == user.id!).delete()
            if let bank { try await BankStaff(userID: user.id!, bankCode: bank).create(on: tx) }
            return ((), [AuditEntry(actor: actor.audit, action: "user.updated", entityType: "user", entityID: user.id!.uuidString, areaCode: area.value, detail: changed)])
        }
        if detail["old_role"] != nil || detail["old_area"] != nil { try await Passwords.endSessions(of: user.id!, on: app) }
    }

    /// Disabled: it cannot sign in, its sessions end and its tokens stop identifying it.
    static func setActive(_ id: UUID?, _ active: Bool, reason: String, ctx: ServiceContext, app: Application) async throws {
        let user = try await find(id, ctx: ctx)
        guard user.id != ctx.actor.userID else {
            throw refuse("active", "account.self", Phrase("account.refusal_self_disable"))
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard active || (1...200).contains(reason.count) else {
            throw refuse("reason", "account.reason", Phrase("account.refusal_disable_reason"))
        }
        guard user.active != active else { return }
        user.active = active
        let actor = ctx.actor
        try await ctx.audit.write(on: ctx.db) { tx in
            try await user.save(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: active ? "user.enabled" : "user.disabled", entityType: "user",
                                    entityID: user.id!.uuidString, areaCode: user.areaCode, reason: reason)])
        }
        if !active { try await Passwords.endSessions(of: user.id!, on: app) }
    }

    /// A new password, shown once; the lock is lifted and the account's sessions end.
    static func resetPassword(_ id: UUID?, ctx: ServiceContext, app: Application) async throws -> String {
        let user = try await find(id, ctx: ctx)
        let password = newPassword()
        user.passwordHash = try await app.password.async.hash(password)
        user.failedSignIns = 0
        user.lockedUntil = nil
        let actor = ctx.actor
        try await ctx.audit.write(on: ctx.db) { tx in
            try await user.save(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: "user.password_reset", entityType: "user", entityID: user.id!.uuidString, areaCode: user.areaCode)])
        }
        try await Passwords.endSessions(of: user.id!, on: app)
        return password
    }

    static func unlock(_ id: UUID?, ctx: ServiceContext) async throws {
        let user = try await find(id, ctx: ctx)
        guard user.lockedUntil != nil || user.failedSignIns > 0 else { return }
        user.failedSignIns = 0
        user.lockedUntil = nil
        let actor = ctx.actor
        try await ctx.audit.write(on: ctx.db) { tx in
            try await user.save(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: "user.unlocked", entityType: "user", entityID: user.id!.uuidString, areaCode: user.areaCode)])
        }
    }

    struct TokenInput: Content {
        var username: String?
        var name: String?
        var days: String?
        /// A department's token: the sources it may deliver, comma-separated.
        var sources: String?

        init(username: String? = nil, name: String? = nil, days: String? = nil, sources: String? = nil) {
            self.username = username
            self.name = name
            self.days = days
            self.sources = sources
        }

        /// `days` comes from a form as text and from a script as a JSON number; both are read.
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decodeIfPresent(String.self, forKey: .username)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            sources = try c.decodeIfPresent(String.self, forKey: .sources)
            if let n = try? c.decodeIfPresent(Int.self, forKey: .days) { days = String(n) } else { days = try c.decodeIfPresent(String.self, forKey: .days) }
        }
    }

    struct Issued: Content {
        var username: String
        var name: String
        var expires: String
        /// Shown once: only its SHA-256 is kept.
        var token: String
    }

    static func issueToken(_ input: TokenInput, ctx: ServiceContext) async throws -> Issued {
        guard ctx.actor.may(.manageUsers) else { try await ctx.forbidden(target: "token.create", entityType: "user", entityID: "") }
        let username = (input.username ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard let found = try await User.query(on: ctx.db).filter(\.$username == username).first() else {
            throw refuse("username", "token.username", Phrase("account.refusal_token_username", username))
        }
        let user = try await find(found.id, ctx: ctx)
        guard user.active else { throw refuse("username", "token.inactive", Phrase("account.refusal_token_inactive")) }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(name.count) else {
            throw refuse("name", "token.name", Phrase("account.refusal_token_name"))
        }
        let daysText = (input.days ?? "").trimmingCharacters(in: .whitespaces)
        let days = daysText.isEmpty ? ctx.env.settings.tokenLifetimeDays : Int(daysText) ?? -1
        guard (1...3650).contains(days) else {
            throw refuse("days", "token.days", Phrase("account.refusal_token_days"))
        }
        var sources: String? = nil
        let list = (input.sources ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !list.isEmpty {
            let unknown = list.filter { DepartmentSource(rawValue: $0) == nil }
            guard unknown.isEmpty else {
                // The English text names the known sources (`DepartmentSource`'s raw values, what an
                // API client sends) itself: the Chinese and Mongolian do not list them, and a text's
                // arguments are the same in every language.
                throw refuse("sources", "token.sources", Phrase("account.refusal_token_sources", args: [
                    joined(unknown.map { .text($0) }, by: "account.refusal_list")]))
            }
            sources = list.joined(separator: ",")
        }
        let token = TokenHashing.newToken()
        let allowed = sources
        let record = APIToken(userID: user.id!, name: name, tokenHash: TokenHashing.hash(token))
        record.sources = sources
        record.expiresAt = ctx.env.clock.now().addingTimeInterval(Double(days) * 86_400)
        let actor = ctx.actor
        try await ctx.audit.write(on: ctx.db) { tx in
            try await record.create(on: tx)
            return ((), [AuditEntry(actor: actor.audit, action: "token.created", entityType: "user", entityID: user.id!.uuidString, areaCode: user.areaCode,
                                    detail: ["name": name, "sources": allowed ?? "", "days": String(days)])])
        }
        return Issued(username: username, name: name, expires: CivilDate.today(now: record.expiresAt!).iso, token: token)
    }

    struct Row: Content {
        var id: UUID
        var username: String
        var displayName: String
        var role: String
        var roleName: String
        var area: String
        var areaName: String
        var bank: String
        var active: Bool
        var locked: Bool
        var failedSignIns: Int
        var lastSignIn: String
    }

    /// Accounts within the administrator's area (optionally one role, or a name or username
    /// containing `q`), with their last sign-in from the audit trail; at most `limit`.
    static func list(ctx: ServiceContext, role: Role? = nil, q: String = "", limit: Int = 500) async throws -> [Row] {
        guard ctx.actor.may(.manageUsers) else { try await ctx.forbidden(target: "account.list", entityType: "user", entityID: "") }
        var query = User.query(on: ctx.db).sort(\.$areaCode).sort(\.$username).limit(limit)
        if ctx.actor.area.level != .region { query = query.filter(\.$areaCode =~ ctx.actor.area.significant) }
        if let role { query = query.filter(\.$role == role) }
        let q = q.trimmingCharacters(in: .whitespaces)
        if !q.isEmpty { query = query.group(.or) { $0.filter(\.$username ~~ q.lowercased()).filter(\.$displayName ~~ q) } }
        // LIKE reads % and _ in what was typed as wildcards; the list keeps only true matches.
        let literal = q.contains("%") || q.contains("_") || q.contains("\\")
        let users = try await query.all().filter { $0.area.map(ctx.actor.area.contains) ?? false }
            .filter { !literal || $0.username.contains(q.lowercased()) || $0.displayName.contains(q) }
        return try await rows(users, ctx: ctx)
    }

    /// The list's rows for these accounts: area names, banks and last sign-ins in one read each.
    static func rows(_ users: [User], ctx: ServiceContext) async throws -> [Row] {
        let ids = users.compactMap { $0.id?.uuidString }
        let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ Set(users.map(\.areaCode))).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        let banks = Dictionary(try await BankStaff.query(on: ctx.db).filter(\.$userID ~~ users.compactMap(\.id)).all().map { ($0.userID, $0.bankCode) }, uniquingKeysWith: { a, _ in a })
        let last = try await lastSignIns(ids, on: ctx.db)
        let now = ctx.env.clock.now()
        return users.map { u in
            Row(id: u.id!, username: u.username, displayName: u.displayName, role: u.role.rawValue, roleName: u.role.name(ctx.lang),
                area: u.areaCode, areaName: names[u.areaCode] ?? u.areaCode, bank: banks[u.id!] ?? "", active: u.active,
                locked: u.lockedUntil.map { $0 > now } ?? false, failedSignIns: u.failedSignIns,
                lastSignIn: last[u.id!.uuidString].map(Self.moment) ?? "—")
        }
    }

    /// One grouped read of the audit trail (indexed by entity) for the accounts on a page.
    static func lastSignIns(_ ids: [String], on db: any Database) async throws -> [String: Int64] {
        guard !ids.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        struct R: Decodable { var entity_id: String; var at: Int64 }
        var out: [String: Int64] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 200).map({ Array(ids[$0..<min($0 + 200, ids.count)]) }) {
            let rows = try await sql.select().column("entity_id").column(SQLFunction("MAX", args: SQLColumn("occurred_at_ms")), as: "at")
                .from(AuditEvent.schema).where("entity_type", .equal, "user").where("entity_id", .in, chunk)
                .where("action", .equal, "session.signed_in").groupBy("entity_id").all(decoding: R.self)
            for r in rows { out[r.entity_id] = r.at }
        }
        return out
    }

    struct SignIn: Content { var at: String; var action: String; var label: String }

    /// The account's last 20 sign-in events: successes, failures, locks.
    static func signIns(of user: User, ctx: ServiceContext) async throws -> [SignIn] {
        try await AuditEvent.query(on: ctx.db).filter(\.$entityType == "user").filter(\.$entityID == user.id!.uuidString)
            .filter(\.$action ~~ ["session.signed_in", "session.failed", "session.locked", "session.refused_locked"])
            .sort(\.$id, .descending).limit(20).all()
            .map { SignIn(at: moment($0.occurredAtMs), action: $0.action, label: AuditActions.label($0.action, ctx.lang)) }
    }

    /// Beijing time, to the minute.
    static func moment(_ ms: Int64) -> String {
        let d = Date(timeIntervalSince1970: Double(ms) / 1000)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }
}

/// 代发金融机构 and which operator accounts work for each (二.二.5).
enum Banks {
    static func validCode(_ s: String) -> Bool {
        guard (2...20).contains(s.count), let first = s.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    struct Input: Content { var code: String?; var name: String? }

    @discardableResult
    static func create(_ input: Input, ctx: ServiceContext) async throws -> Bank {
        let actor = ctx.actor
        guard actor.may(.manageUsers) else { try await ctx.forbidden(target: "bank.create", entityType: "bank", entityID: "") }
        let code = (input.code ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard validCode(code) else {
            throw Accounts.refuse("code", "bank.code", Phrase("account.refusal_bank_code", "PSBC"))
        }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(name.count) else { throw Accounts.refuse("name", "bank.name", Phrase("account.refusal_bank_name")) }
        if let existing = try await Bank.find(code, on: ctx.db) {
            guard existing.name != name else { return existing }
            let old = existing.name
            existing.name = name
            return try await ctx.audit.write(on: ctx.db) { tx in
                try await existing.save(on: tx)
                return (existing, [AuditEntry(actor: actor.audit, action: "bank.renamed", entityType: "bank", entityID: code, areaCode: actor.area.value,
                                              detail: ["old_name": old, "new_name": name])])
            }
        }
        let bank = Bank(code: code, name: name)
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await bank.create(on: tx)
            return (bank, [AuditEntry(actor: actor.audit, action: "bank.created", entityType: "bank", entityID: code, areaCode: actor.area.value, detail: ["name": name])])
        }
    }

    struct Row: Content { var code: String; var name: String; var operators: [String] }

    static func list(ctx: ServiceContext) async throws -> [Row] {
        guard ctx.actor.may(.manageUsers) else { try await ctx.forbidden(target: "bank.list", entityType: "bank", entityID: "") }
        let banks = try await Bank.query(on: ctx.db).sort(\.$id).all()
        let staff = try await BankStaff.query(on: ctx.db).all()
        let users = Dictionary(try await User.query(on: ctx.db).filter(\.$id ~~ staff.map(\.userID)).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        return banks.map { b in
            Row(code: b.id ?? "", name: b.name,
                operators: staff.filter { $0.bankCode == b.id }.compactMap { users[$0.userID] }
                    .filter { $0.area.map(ctx.actor.area.contains) ?? false }.map { "\($0.username)（\($0.displayName)）" }.sorted())
        }
    }
}
