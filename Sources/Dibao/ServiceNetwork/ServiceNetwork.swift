import Fluent
import Vapor
import DibaoCore

/// 低保服务网络 (二.四): county civil affairs (or the administrator) registers each county's
/// service halls and each township's windows; village assistants are the base points, one per
/// village that has an assistant's account. The one-stop list is the halls that meet the
/// floor area of the policy version in force today. Every change is audited with what it was.
enum ServiceNetwork {
    struct Input: Content {
        var kind: String?
        var area: String?
        var name: String?
        var address: String?
        var hours: String?
        var phone: String?
        var squareMetres: String?
        /// A checkbox: present ("on", "true", "1") when ticked.
        var oneStop: String?

        var draft: ServicePointDraft {
            ServicePointDraft(name: name, address: address, hours: hours, phone: phone, squareMetres: squareMetres,
                              oneStop: ["on", "true", "1", "yes"].contains((oneStop ?? "").lowercased()))
        }
    }

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    private static func snapshot(_ p: ServicePoint) -> [String: String] {
        ["kind": p.kind, "area": p.areaCode, "name": p.name, "address": p.address, "hours": p.hours, "phone": p.phone,
         "square_metres": p.squareMetres.map(String.init) ?? "", "one_stop": p.oneStop ? "true" : "false"]
    }

    @discardableResult
    static func add(_ input: Input, ctx: ServiceContext) async throws -> ServicePoint {
        let actor = ctx.actor
        guard actor.may(.manageServiceNetwork) else { try await ctx.forbidden(target: "service_point.add", entityType: "service_point", entityID: "") }
        guard let kind = ServicePointKind(rawValue: input.kind ?? "") else {
            throw refuse("kind", "service_point.kind", Phrase("network.refusal_kind"))
        }
        let area = try await AreaInput.resolve(input.area, levels: [kind.level], rule: "service_point.area",
                                               label: Phrase("network.area_name"),
                                               reason: kind == .hall ? Phrase("network.refusal_hall_area") : Phrase("network.refusal_window_area"), ctx: ctx)
        let facts = try ServicePointRules.check(input.draft, kind: kind)
        let dup = try await ServicePoint.query(on: ctx.db).filter(\.$areaCode == area.value).filter(\.$kind == kind.rawValue)
            .filter(\.$name == facts.name).filter(\.$inUse == true).count()
        guard dup == 0 else {
            throw refuse("name", "service_point.duplicate", kind == .hall ? Phrase("network.refusal_duplicate_hall") : Phrase("network.refusal_duplicate_window"))
        }
        let p = ServicePoint()
        p.kind = kind.rawValue
        p.areaCode = area.value
        p.apply(facts)
        p.inUse = true
        p.closedReason = ""
        p.createdBy = actor.username
        p.createdOn = ctx.today.iso
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await p.create(on: tx)
            return (p, [AuditEntry(actor: actor.audit, action: "service_point.added", entityType: "service_point", entityID: p.id!.uuidString,
                                   areaCode: area.value, detail: snapshot(p))])
        }
    }

    /// One point of the actor's area; another area's answers 404 like a missing one, audited.
    static func find(_ id: UUID?, ctx: ServiceContext) async throws -> ServicePoint {
        guard let id, let p = try await ServicePoint.find(id, on: ctx.db) else { throw Abort(.notFound, reason: ctx.l10n("error.not_found")) }
        guard let area = try? AreaCode(p.areaCode), ctx.actor.area.contains(area) else {
            try await ctx.recordDenial(target: "jurisdiction", entityType: "service_point", entityID: id.uuidString)
            throw Abort(.notFound, reason: ctx.l10n("error.not_found"))
        }
        return p
    }

    /// Corrects a point's facts (its kind and area stay: a hall that moves county is a new hall).
    @discardableResult
    static func change(_ id: UUID?, _ input: Input, ctx: ServiceContext) async throws -> ServicePoint {
        guard ctx.actor.may(.manageServiceNetwork) else { try await ctx.forbidden(target: "service_point.change", entityType: "service_point", entityID: id?.uuidString ?? "") }
        let p = try await find(id, ctx: ctx)
        guard p.inUse else { throw refuse("status", "service_point.closed", Phrase("network.refusal_closed_change")) }
        let facts = try ServicePointRules.check(input.draft, kind: p.pointKind)
        let before = snapshot(p)
        p.apply(facts)
        let after = snapshot(p)
        guard before != after else { return p }
        var changed: [String: String] = [:]
        for (k, v) in after where before[k] != v { changed["old_\(k)"] = before[k] ?? ""; changed["new_\(k)"] = v }
        let detail = changed
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await p.save(on: tx)
            return (p, [AuditEntry(actor: ctx.actor.audit, action: "service_point.changed", entityType: "service_point", entityID: p.id!.uuidString,
                                   areaCode: p.areaCode, detail: detail)])
        }
    }

    /// Takes a point out of use with the day and the reason; cases taken at it keep it.
    @discardableResult
    static func close(_ id: UUID?, reason: String?, ctx: ServiceContext) async throws -> ServicePoint {
        guard ctx.actor.may(.manageServiceNetwork) else { try await ctx.forbidden(target: "service_point.close", entityType: "service_point", entityID: id?.uuidString ?? "") }
        let p = try await find(id, ctx: ctx)
        guard p.inUse else { throw refuse("status", "service_point.closed", Phrase("network.refusal_closed")) }
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(reason.count) else {
            throw refuse("reason", "service_point.reason", Phrase("network.refusal_close_reason"))
        }
        p.inUse = false
        p.closedOn = ctx.today.iso
        p.closedReason = reason
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await p.save(on: tx)
            return (p, [AuditEntry(actor: ctx.actor.audit, action: "service_point.closed", entityType: "service_point", entityID: p.id!.uuidString,
                                   areaCode: p.areaCode, reason: reason, detail: ["name": p.name, "kind": p.kind])])
        }
    }

    struct Row: Content {
        var id: UUID
        var kind: String
        var kindName: String
        var area: String
        var areaName: String
        /// The county a window's township lies in (a hall's own county).
        var countyName: String
        var name: String
        var address: String
        var hours: String
        var phone: String
        var squareMetres: Int?
        var oneStop: Bool
        var inUse: Bool
        var closedOn: String
        var closedReason: String
        /// On the one-stop subsidy list under the version in force today.
        var qualifies: Bool
    }

    /// The halls and windows inside `area` (and the halls of the county above a township, which
    /// serve it too), halls first, by area code. `includeClosed` adds the history.
    static func list(within area: AreaCode, ctx: ServiceContext, includeClosed: Bool) async throws -> [Row] {
        let range = area.subtreeCodes
        var q = ServicePoint.query(on: ctx.db).group(.or) { or in
            or.group(.and) { $0.filter(\.$areaCode >= range.lowerBound).filter(\.$areaCode <= range.upperBound) }
            if let county = area.ancestor(at: .county), area.level > .county { or.filter(\.$areaCode == county.value) }
        }
        if !includeClosed { q = q.filter(\.$inUse == true) }
        let points = try await q.sort(\.$areaCode).sort(\.$name).limit(5_000).all()
        let codes = Set(points.flatMap { p in [p.areaCode] + ((try? AreaCode(p.areaCode))?.ancestor(at: .county).map { [$0.value] } ?? []) })
        let names = Dictionary(try await Area.query(on: ctx.db).filter(\.$id ~~ Array(codes)).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        let minimum = ctx.policy(on: ctx.today).serviceHallMinSquareMetres
        let lang = ctx.lang
        return points.map { p in
            let county = (try? AreaCode(p.areaCode))?.ancestor(at: .county)?.value ?? p.areaCode
            return Row(id: p.id!, kind: p.kind, kindName: Strings.text("network.kind.\(p.kind)", lang), area: p.areaCode, areaName: names[p.areaCode] ?? p.areaCode,
                       countyName: names[county] ?? county, name: p.name, address: p.address, hours: p.hours, phone: p.phone,
                       squareMetres: p.squareMetres, oneStop: p.oneStop, inUse: p.inUse, closedOn: p.closedOn ?? "", closedReason: p.closedReason,
                       qualifies: ServicePointRules.qualifiesForOneStopSubsidy(kind: p.pointKind, oneStop: p.oneStop, squareMetres: p.squareMetres,
                                                                              inUse: p.inUse, minimumSquareMetres: minimum))
        }
        .sorted { ($0.kind == "hall" ? 0 : 1, $0.area, $0.name) < ($1.kind == "hall" ? 0 : 1, $1.area, $1.name) }
    }

    /// The windows in use of a township, for the intake form's list.
    static func windows(of township: String, on db: any Database) async throws -> [ServicePoint] {
        try await ServicePoint.query(on: db).filter(\.$areaCode == township).filter(\.$kind == ServicePointKind.window.rawValue)
            .filter(\.$inUse == true).sort(\.$name).all()
    }

    /// One township's base points: its villages and the village assistants working in them.
    struct TownshipBase: Content {
        var township: String
        var townshipName: String
        var villages: Int
        var villagesWithAssistant: Int
        var assistants: Int
        /// Names of villages with no active assistant account (the first 20).
        var missing: [String]
    }

    /// 以嘎查村（社区）民政协理员为基点: per township of the area, how many villages have an
    /// active village assistant's account, and which do not.
    static func basePoints(within area: AreaCode, on db: any Database) async throws -> [TownshipBase] {
        let villages = try await AreaQueries.within(area, level: .village, on: db)
        let range = area.subtreeCodes
        let assistants = try await User.query(on: db).filter(\.$role == .villageAssistant).filter(\.$active == true)
            .filter(\.$areaCode >= range.lowerBound).filter(\.$areaCode <= range.upperBound).all()
        var count: [String: Int] = [:]
        for u in assistants { count[u.areaCode, default: 0] += 1 }
        let byTownship = Dictionary(grouping: villages) { $0.code?.ancestor(at: .township)?.value ?? "" }
        let names = Dictionary(try await AreaQueries.within(area, level: .township, on: db).map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        return byTownship.keys.sorted().map { t in
            let vs = byTownship[t] ?? []
            let without = vs.filter { (count[$0.id ?? ""] ?? 0) == 0 }
            return TownshipBase(township: t, townshipName: names[t] ?? t, villages: vs.count, villagesWithAssistant: vs.count - without.count,
                                assistants: vs.reduce(0) { $0 + (count[$1.id ?? ""] ?? 0) }, missing: without.prefix(20).map(\.name))
        }
    }
}
