import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// 预算与执行 (三.三, 三.五): a county's annual budget by fund source, and what its
/// payrolls have spent against it.
enum Budgets {
    /// Sets (or replaces) `county`'s budget for `year`, one amount per source.
    static func set(county: AreaCode, year: Int, amounts: [FundSource: Money], by op: PaymentOperator, app: Application) async throws {
        guard op.role.may(.manageBudget) else { throw Abort(.forbidden) }
        guard county.level == .county, op.covers(county: county.value) else { throw Abort(.notFound) }
        guard CivilDate.supportedYears.contains(year), year >= 2000 else {
            throw FieldRefusal(field: "year", rule: "budget.year", .labelled(Phrase("budget.refusal_label_year"), Phrase("budget.refusal_year", year)))
        }
        for (source, amount) in amounts where amount.isNegative {
            throw FieldRefusal(field: "amount_\(source.rawValue)", rule: "budget.negative",
                               .labelled(Phrase("budget.refusal_label_source", source.namePhrase), Phrase("budget.refusal_negative")))
        }
        let today = app.dibao.clock.today()
        let codes = county.lineage
        try await app.audit.write(on: app.db) { tx in
            var detail: [String: String] = ["year": String(year)]
            for source in FundSource.allCases {
                let amount = amounts[source] ?? .zero
                let row = try await BudgetAllocation.query(on: tx).filter(\.$countyCode == county.value).filter(\.$year == year)
                    .filter(\.$source == source).first() ?? BudgetAllocation()
                row.regionCode = codes[.region] ?? ""
                row.leagueCode = codes[.league] ?? ""
                row.countyCode = county.value
                row.year = year
                row.source = source
                row.amountFen = amount.fen
                row.setBy = op.username
                row.setOn = today.iso
                try await row.save(on: tx)
                detail[source.rawValue + "_fen"] = String(amount.fen)
            }
            return ((), [AuditEntry(actor: op.audit, action: "budget.set", entityType: "budget", entityID: "\(county.value)-\(year)",
                                    areaCode: county.value, detail: detail)])
        }
    }

    /// The year's execution of every county in `area` (one county, or each county of a
    /// league or region), from the budgets and the released payrolls.
    static func execution(area: AreaCode, year: Int, on db: any Database) async throws -> [(county: String, execution: BudgetExecution)] {
        let column = area.householdColumn
        let budgetRows = try await BulkSQL.rows(db, """
            SELECT county_code, source, amount_fen FROM budgets WHERE \(ident: column) = \(bind: area.value) AND year = \(bind: year)
            """)
        let payrollRows = try await BulkSQL.rows(db, """
            SELECT county_code, period, total_fen - failed_fen FROM payrolls
            WHERE \(ident: column) = \(bind: area.value) AND stage <> \(bind: PayrollStage.drafted.rawValue)
              AND period >= \(bind: String(year)) AND period < \(bind: String(year + 1))
            """)
        var budgets: [String: [FundSource: Money]] = [:]
        for r in budgetRows {
            guard let source = FundSource(rawValue: r.text(1)) else { continue }
            budgets[r.text(0), default: [:]][source] = Money(fen: r.int(2))
        }
        var months: [String: [Money]] = [:]
        for r in payrollRows {
            guard let period = PayrollPeriod.parse(r.text(1)), period.year == year else { continue }
            var m = months[r.text(0)] ?? Array(repeating: .zero, count: 12)
            m[period.first.month - 1] = m[period.first.month - 1] + Money(fen: r.int(2))
            months[r.text(0)] = m
        }
        let counties = Set(budgets.keys).union(months.keys).sorted()
        return counties.map { c in
            (c, BudgetExecution(year: year, budget: budgets[c] ?? [:], monthly: months[c] ?? Array(repeating: .zero, count: 12)))
        }
    }
}

/// Charts drawn by the server as SVG: no script, no library, printable, and readable
/// without a network (the system runs offline).
enum SVGChart {
    struct Bar { var label: String; var value: Int64; var title: String }

    /// Vertical bars with an optional horizontal reference line (e.g. the even monthly pace).
    static func bars(_ bars: [Bar], reference: Int64? = nil, referenceLabel: String = "", width: Int = 640, height: Int = 220,
                     id: String) -> String {
        let top = max(bars.map(\.value).max() ?? 0, reference ?? 0, 1)
        let left = 8, bottom = 24, plotH = height - bottom - 12
        let slot = Double(width - left * 2) / Double(max(1, bars.count))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        for (i, b) in bars.enumerated() {
            let h = Int(Double(plotH) * Double(max(0, b.value)) / Double(top))
            let x = Double(left) + slot * Double(i) + slot * 0.15
            out += "<rect class=\"bar\" x=\"\(fmt(x))\" y=\"\(12 + plotH - h)\" width=\"\(fmt(slot * 0.7))\" height=\"\(h)\" data-value=\"\(b.value)\"><title>\(escape(b.title))</title></rect>"
            out += "<text x=\"\(fmt(x + slot * 0.35))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(escape(b.label))</text>"
        }
        if let reference {
            let y = 12 + plotH - Int(Double(plotH) * Double(reference) / Double(top))
            out += "<line class=\"pace\" x1=\"\(left)\" x2=\"\(width - left)\" y1=\"\(y)\" y2=\"\(y)\"/>"
            out += "<text class=\"pace-label\" x=\"\(width - left)\" y=\"\(max(10, y - 4))\" text-anchor=\"end\">\(escape(referenceLabel))</text>"
        }
        return out + "</svg>"
    }

    /// Paired horizontal bars: budget against spent, one pair per row.
    static func progress(_ rows: [(label: String, budget: Int64, spent: Int64)], width: Int = 640, id: String) -> String {
        let rowH = 34, labelW = 110
        let height = rows.count * rowH + 8
        let top = max(rows.map { max($0.budget, $0.spent) }.max() ?? 0, 1)
        let plotW = Double(width - labelW - 16)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        for (i, r) in rows.enumerated() {
            let y = 4 + i * rowH
            let bw = plotW * Double(r.budget) / Double(top), sw = plotW * Double(r.spent) / Double(top)
            out += "<text x=\"0\" y=\"\(y + 20)\">\(escape(r.label))</text>"
            out += "<rect class=\"budget\" x=\"\(labelW)\" y=\"\(y + 4)\" width=\"\(fmt(bw))\" height=\"12\"/>"
            out += "<rect class=\"spent\" x=\"\(labelW)\" y=\"\(y + 17)\" width=\"\(fmt(sw))\" height=\"12\" data-value=\"\(r.spent)\"/>"
        }
        return out + "</svg>"
    }

    private static func fmt(_ d: Double) -> String { String(format: "%.1f", d) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
