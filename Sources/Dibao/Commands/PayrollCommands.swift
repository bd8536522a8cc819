import Fluent
import Foundation
import Vapor
import DibaoCore

/// `dibao payroll draft|summary`: the payroll steps a county runs by night or by script.
struct PayrollCommands: AsyncCommandGroup {
    var help: String { "Payrolls: draft a county's payroll, summarise a county's payrolls" }
    var commands: [String: any AnyAsyncCommand] { ["draft": DraftPayroll(), "summary": PayrollSummary()] }
}

/// `dibao payroll draft --county CODE --period 2026-03 --by USERNAME`: the draft, as that
/// county caseworker, in one transaction (a crash leaves no payroll or the whole one).
struct DraftPayroll: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "county", help: "County code (12 digits)") var county: String?
        @Option(name: "period", help: "2026-03, or 2026Q1 in a quarterly county") var period: String?
        @Option(name: "by", help: "The county caseworker drafting it") var by: String?
    }

    var help: String { "Draft a county's payroll for a period" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let countyText = signature.county, let period = signature.period, let username = signature.by else {
            throw SettingsError("usage: dibao payroll draft --county CODE --period 2026-03 --by USERNAME")
        }
        guard let user = try await User.query(on: app.db).filter(\.$username == username).first(), let area = user.area, user.active else {
            throw SettingsError("no active account \(username)")
        }
        let county = try AreaCode(countyText)
        let op = PaymentOperator(username: user.username, role: user.role, area: area,
                                 audit: AuditActor(id: user.id!.uuidString, name: user.username, role: user.role.rawValue))
        // A line before the work starts, so a supervisor of the run (or the crash test) knows
        // the transaction is under way.
        context.console.print("Drafting the \(period) payroll of \(county.value)…")
        fflush(nil)
        do {
            let out = try await Payrolls.draft(county: county, period: period, by: op, app: app)
            let p = out.payroll
            context.console.print("Payroll \(p.number): \(p.lineCount) lines to banks, \(Money(fen: p.totalFen).formatted); \(p.heldCount) held (no account), \(Money(fen: p.heldFen).formatted).")
        } catch let refusal as any Refusal {
            throw SettingsError(refusal.zh + " / " + refusal.en)
        }
    }
}

/// `dibao payroll summary --county CODE`: every payroll of the county with its stage and
/// totals, and whether its lines add up to them.
struct PayrollSummary: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "county", help: "County code (12 digits)") var county: String?
    }

    var help: String { "List a county's payrolls and check their totals" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let county = signature.county else { throw SettingsError("usage: dibao payroll summary --county CODE") }
        for p in try await Payroll.query(on: app.db).filter(\.$countyCode == county).sort(\.$period).all() {
            let sums = try await BulkSQL.rows(app.db, """
                SELECT COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payroll_lines WHERE \(Payrolls.linesOf(p)) AND status <> 'held'
                """).first
            let ok = sums.map { Int($0.int(0)) == p.lineCount && $0.int(1) == p.totalFen } ?? false
            context.console.print("\(p.number)\t\(p.stage.rawValue)\tlines=\(p.lineCount)\ttotal_fen=\(p.totalFen)\tlines_match=\(ok)")
        }
    }
}
