import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 资金监管 (二.七, 三.五) for finance, audit and discipline inspection: what was paid per area
/// and month, and the lines the rules would not have paid.
enum FundOversight {
    struct Anomaly: Content, Hashable {
        var kind: String
        var kindName: String
        var period: String
        var countyCode: String
        var villageCode: String
        /// The households involved (head names masked), and the line ids.
        var households: [String]
        var lines: [Int]
        var detail: String
    }

    struct Totals: Content { var period: String; var countyCode: String; var lines: Int; var totalFen: Int64; var total: String }

    /// Lines of payrolls whose county lies in `area`, in [from, through] periods (as stored, "2026-03").
    static func lineRows(area: AreaCode, from: String, through: String, db: any Database) async throws -> [SQLRow] {
        let sql = db as! any SQLDatabase
        let countyPrefix = String(area.value.prefix(min(area.level.codeLength, 6)))
        return try await sql.raw("""
            SELECT l.id, l.household_id, l.village_code, l.head_name, l.member_count, l.bank_code, l.account_number, l.period_fen, l.amount_fen,
                   p.period, p.county_code
            FROM payroll_lines l JOIN payrolls p ON p.id = l.payroll_id
            WHERE p.county_code >= \(bind: countyPrefix) AND p.county_code <= \(bind: countyPrefix + "~")
              AND p.period >= \(bind: from) AND p.period <= \(bind: through) AND l.amount_fen > 0
            ORDER BY l.id
            """).all()
    }

    struct Line: Sendable { var id: Int; var household: UUID; var village: String; var head: String; var members: Int; var account: String
        var periodFen: Int64; var period: String; var county: String }

    static func lines(area: AreaCode, from: String, through: String, db: any Database) async throws -> [Line] {
        try await lineRows(area: area, from: from, through: through, db: db).map { r in
            Line(id: try r.decode(column: "id", as: Int.self), household: try r.decode(column: "household_id", as: UUID.self),
                 village: try r.decode(column: "village_code", as: String.self), head: try r.decode(column: "head_name", as: String.self),
                 members: try r.decode(column: "member_count", as: Int.self),
                 account: try r.decode(column: "bank_code", as: String.self) + ":" + (try r.decode(column: "account_number", as: String.self)),
                 periodFen: try r.decode(column: "period_fen", as: Int64.self), period: try r.decode(column: "period", as: String.self),
                 county: try r.decode(column: "county_code", as: String.self))
        }.filter { area.contains((try? AreaCode($0.village)) ?? area) }
    }

    static func totals(area: AreaCode, from: String, through: String, db: any Database) async throws -> [Totals] {
        var sums: [String: (Int, Int64)] = [:]
        for l in try await lines(area: area, from: from, through: through, db: db) {
            let k = l.period + "|" + l.county
            let (n, t) = sums[k] ?? (0, 0)
            sums[k] = (n + 1, t &+ l.periodFen)
        }
        return sums.sorted { $0.key < $1.key }.map { k, v in
            let parts = k.split(separator: "|").map(String.init)
            return Totals(period: parts[0], countyCode: parts[1], lines: v.0, totalFen: v.1, total: Money(fen: v.1).formatted)
        }
    }

    /// Every anomaly of the lines in the area and periods: an account paid for more than one
    /// household in a period; a line for a period starting after the household's exit took
    /// effect; a period amount above members × standard × months; one ID number paid in two
    /// counties in a period. (Deaths need the police registry's death dates, which the
    /// department files do not yet carry; the kind is listed when they do.)
    static func anomalies(area: AreaCode, from: String, through: String, lang: Language, db: any Database) async throws -> [Anomaly] {
        let all = try await lines(area: area, from: from, through: through, db: db)
        var out: [Anomaly] = []
        func anomaly(_ kind: FundAnomalyKind, _ ls: [Line], _ detail: String) -> Anomaly {
            Anomaly(kind: kind.rawValue, kindName: kind.name(lang), period: ls[0].period, countyCode: ls[0].county, villageCode: ls[0].village,
                    households: ls.map { Masking.name($0.head) }, lines: ls.map(\.id), detail: detail)
        }
        // One account, several households.
        for (_, group) in Dictionary(grouping: all.filter { !$0.account.hasSuffix(":") }, by: { $0.period + "|" + $0.account }) where Set(group.map(\.household)).count > 1 {
            out.append(anomaly(.sharedAccount, group.sorted { $0.id < $1.id }, Masking.account(String(group[0].account.split(separator: ":").last ?? ""))))
        }
        // After the exit: the month the exit decision applies from.
        let households = Array(Set(all.map(\.household)))
        var exits: [UUID: String] = [:]
        for chunk in stride(from: 0, to: households.count, by: 500).map({ Array(households[$0..<min($0 + 500, households.count)]) }) {
            for d in try await BenefitDecisionRecord.query(on: db).filter(\.$householdID ~~ chunk).filter(\.$kind == .exited).all() {
                exits[d.householdID] = min(exits[d.householdID] ?? d.fromMonth, d.fromMonth)
            }
        }
        for l in all {
            guard let exit = exits[l.household], let first = PayrollPeriod.parse(l.period)?.first, first.iso >= exit else { continue }
            out.append(anomaly(.paidAfterExit, [l], String(exit.prefix(7))))
        }
        // Above members × standard for every month of the period.
        var standards: [String: Money?] = [:]
        let kinds = Dictionary(try await Household.query(on: db).filter(\.$id ~~ households).all().map { ($0.id!, $0.kind) }, uniquingKeysWith: { a, _ in a })
        for l in all {
            guard let period = PayrollPeriod.parse(l.period), let kind = kinds[l.household] else { continue }
            let key = "\(l.village)|\(kind.rawValue)|\(period.first.iso)"
            if standards[key] == nil, let v = try? AreaCode(l.village) {
                standards[key] = try await Standard.inForce(for: v, kind: kind, on: period.first, db: db).map { Money(fen: $0.monthlyFen) }
            }
            guard let standard = standards[key] ?? nil else { continue }
            let (perMonth, o1) = standard.fen.multipliedReportingOverflow(by: Int64(max(0, l.members)))
            let (ceiling, o2) = perMonth.multipliedReportingOverflow(by: Int64(period.frequency.months))
            if !o1 && !o2 && l.periodFen > ceiling {
                out.append(anomaly(.aboveStandard, [l], "\(Money(fen: l.periodFen).formatted) > \(l.members) × \(standard.formatted) × \(period.frequency.months)"))
            }
        }
        // One person paid in two counties in a period.
        if let sql = db as? any SQLDatabase, !households.isEmpty {
            var byPerson: [String: [Line]] = [:]
            let linesByHousehold = Dictionary(grouping: all, by: \.household)
            for chunk in stride(from: 0, to: households.count, by: 500).map({ Array(households[$0..<min($0 + 500, households.count)]) }) {
                var q = SQLQueryString("SELECT household_id, id_number FROM members WHERE household_id IN (")
                for (i, h) in chunk.enumerated() { if i > 0 { q.appendLiteral(",") }; q.appendInterpolation(bind: h) }
                q.appendLiteral(")")
                for row in try await sql.raw(q).all() {
                    let h = try row.decode(column: "household_id", as: UUID.self)
                    let id = try row.decode(column: "id_number", as: String.self)
                    for l in linesByHousehold[h] ?? [] { byPerson[l.period + "|" + id, default: []].append(l) }
                }
            }
            for (_, ls) in byPerson where Set(ls.map(\.county)).count > 1 {
                out.append(anomaly(.paidInTwoAreas, ls.sorted { $0.id < $1.id }, ""))
            }
        }
        return out.sorted { ($0.period, $0.kind, $0.lines.first ?? 0) < ($1.period, $1.kind, $1.lines.first ?? 0) }
    }
}
