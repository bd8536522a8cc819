import Fluent
import Vapor
import DibaoCore

/// Issue 15: a version is loaded from its file as a draft, previewed against the version in
/// force, and activated on a date; only active versions judge anything. Appended columns;
/// versions stored before them are active (they were the ones in use).
struct AddPolicyVersionStatus: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PolicyVersion.schema).field("status", .string, .required, .sql(.default("active"))).update()
        try await database.schema(PolicyVersion.schema).field("loaded_by", .string, .required, .sql(.default(""))).update()
        try await database.schema(PolicyVersion.schema).field("activated_by", .string, .required, .sql(.default(""))).update()
        try await database.schema(PolicyVersion.schema).field("activated_on", .string).update()
        try await database.schema(PolicyVersion.schema).field("file_text", .string, .required, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["file_text", "activated_on", "activated_by", "loaded_by", "status"] {
            try await database.schema(PolicyVersion.schema).deleteField(.string(field)).update()
        }
    }
}

enum PolicyVersions {
    /// One line of a preview: an item whose value differs from the version compared with.
    struct Difference: Content, Equatable {
        var item: String
        var inForce: String
        var loaded: String
    }

    struct Loaded: Content {
        var version: String
        var effectiveFrom: String
        var status: String
        var comparedWith: String?
        var differences: [Difference]
    }

    /// Reads a version file and stores it as a draft (or replaces a draft of the same name),
    /// audited; an active version of the same name is never overwritten.
    static func load(text: String, effectiveFrom: CivilDate?, ctx: ServiceContext) async throws -> Loaded {
        var policy = try PolicyFile.parse(text)
        if let effectiveFrom { policy.effectiveFrom = effectiveFrom }
        let compared = ctx.env.policy(on: policy.effectiveFrom)
        let differences = diff(compared, policy)
        let actor = ctx.actor
        let loaded = policy
        try await ctx.audit.write(on: ctx.db) { tx in
            let existing = try await PolicyVersion.find(loaded.version, on: tx)
            if let existing, existing.status == "active" {
                throw FieldRefusal(field: "version", rule: "policy.version_active",
                                   .labelled(Phrase("policy.version_label"), Phrase("policy.refusal_version_active_replace", loaded.version)))
            }
            let row = try PolicyVersion(loaded)
            row.status = "draft"
            row.loadedBy = actor.username
            row.activatedBy = ""
            row.fileText = text
            if let existing { existing.effectiveFrom = row.effectiveFrom; existing.body = row.body; existing.status = "draft"
                existing.loadedBy = actor.username; existing.fileText = text; try await existing.save(on: tx)
            } else { try await row.create(on: tx) }
            return ((), [AuditEntry(actor: actor.audit, action: "policy.loaded", entityType: "policy_version", entityID: loaded.version,
                                    areaCode: actor.area.value, detail: ["effective_from": loaded.effectiveFrom.iso, "differences": String(differences.count),
                                                                         "compared_with": compared.version])])
        }
        return Loaded(version: policy.version, effectiveFrom: policy.effectiveFrom.iso, status: "draft", comparedWith: compared.version, differences: differences)
    }

    /// Puts a draft in force from `effectiveFrom` (today or later: a version never reaches back
    /// over days already judged). Cases accepted before that day keep their version.
    static func activate(version: String, effectiveFrom: CivilDate?, ctx: ServiceContext) async throws -> Loaded {
        let today = ctx.today
        let actor = ctx.actor
        let result = try await ctx.audit.write(on: ctx.db) { tx -> (Loaded, [AuditEntry]) in
            guard let row = try await PolicyVersion.find(version, on: tx) else {
                throw FieldRefusal(field: "version", rule: "policy.version_unknown",
                                   .labelled(Phrase("policy.version_label"), Phrase("policy.refusal_version_unknown", version)))
            }
            guard row.status == "draft" else {
                throw FieldRefusal(field: "version", rule: "policy.version_active",
                                   .labelled(Phrase("policy.version_label"), Phrase("policy.refusal_version_active", version)))
            }
            var policy = try row.decoded()
            if let effectiveFrom { policy.effectiveFrom = effectiveFrom }
            guard policy.effectiveFrom >= today else {
                throw FieldRefusal(field: "effective_from", rule: "policy.effective_in_past",
                                   .labelled(Phrase("policy.effective_from_label"), Phrase("policy.refusal_effective_in_past", policy.effectiveFrom.iso)))
            }
            let encoded = try PolicyVersion(policy)
            row.body = encoded.body
            row.effectiveFrom = encoded.effectiveFrom
            row.status = "active"
            row.activatedBy = actor.username
            row.activatedOn = today.iso
            try await row.save(on: tx)
            let compared = ctx.env.policy(on: policy.effectiveFrom)
            return (Loaded(version: version, effectiveFrom: policy.effectiveFrom.iso, status: "active", comparedWith: compared.version,
                           differences: diff(compared, policy)),
                    [AuditEntry(actor: actor.audit, action: "policy.activated", entityType: "policy_version", entityID: version,
                                areaCode: actor.area.value, detail: ["effective_from": policy.effectiveFrom.iso, "replaces": compared.version])])
        }
        try await reload(ctx.env, on: ctx.db)
        return result
    }

    /// The active versions become the server's book.
    static func reload(_ env: AppEnvironment, on db: any Database) async throws {
        let versions = try await PolicyVersion.query(on: db).filter(\.$status == "active").all().map { try $0.decoded() }
        env.replacePolicies(PolicyBook(versions.isEmpty ? [.default2013] : versions))
    }

    /// Item by item, in the file format's names, what `b` changes from `a`.
    static func diff(_ a: Policy, _ b: Policy) -> [Difference] {
        func flat(_ p: Policy) -> [String: String] {
            guard let data = try? JSONEncoder().encode(p), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            var out: [String: String] = [:]
            func put(_ key: String, _ value: Any) {
                if let dict = value as? [String: Any] {
                    for (k, v) in dict { put(key + "." + snake(k), v) }
                } else if let array = value as? [Any], let data = try? JSONSerialization.data(withJSONObject: array, options: [.sortedKeys]) {
                    out[key] = String(decoding: data, as: UTF8.self)
                } else {
                    out[key] = "\(value)"
                }
            }
            for (k, v) in object where k != "citations" && k != "title" && k != "source" && k != "version" { put(snake(k), v) }
            return out
        }
        let fa = flat(a), fb = flat(b)
        return Set(fa.keys).union(fb.keys).sorted().compactMap { key in
            let x = fa[key] ?? "—", y = fb[key] ?? "—"
            return x == y ? nil : Difference(item: key, inForce: x, loaded: y)
        }
    }

    static func snake(_ camel: String) -> String {
        var out = ""
        for ch in camel {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }

    struct Row: Content {
        var version: String
        var title: String
        var effectiveFrom: String
        var status: String
        var loadedBy: String
        var activatedBy: String
        var inForce: Bool
    }

    static func list(env: AppEnvironment, today: CivilDate, on db: any Database) async throws -> [Row] {
        let current = env.policy(on: today).version
        return try await PolicyVersion.query(on: db).sort(\.$effectiveFrom, .descending).all().map { r in
            let p = try r.decoded()
            return Row(version: p.version, title: p.title, effectiveFrom: p.effectiveFrom.iso, status: r.status, loadedBy: r.loadedBy,
                       activatedBy: r.activatedBy, inForce: r.status == "active" && p.version == current)
        }
    }
}
