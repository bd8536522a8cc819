import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// The demo's payment side: banks, budgets, and this year's payrolls made through the
/// same steps a county's staff take.
enum DemoPayments {
    static func banks(app: Application) async throws {
        let db = app.db
        for b in DemoData.banks {
            if try await Bank.find(b.code, on: db) == nil { try await Bank(code: b.code, name: b.name).create(on: db) }
            guard let user = try await User.query(on: db).filter(\.$username == b.operator).first(), let uid = user.id else { continue }
            if try await BankStaff.query(on: db).filter(\.$userID == uid).first() == nil {
                try await BankStaff(userID: uid, bankCode: b.code).create(on: db)
            }
        }
    }

    static let counties: [(code: String, caseworker: String, finance: String, bank: String)] = [
        (DemoData.urbanCounty.0, "xc_county", "xc_finance", "xc_bank"), (DemoData.ruralCounty.0, "tk_county", "tk_finance", "tk_bank"),
    ]

    /// This year's budget of each demo county: a year of its current caseload and a little
    /// over, 55 % central, 25 % region, 10 % each league and county.
    static func budgets(app: Application) async throws {
        let year = app.dibao.clock.today().year
        let shares: [(FundSource, Int)] = [(.central, 55), (.region, 25), (.league, 10), (.county, 10)]
        for county in counties {
            guard try await BudgetAllocation.query(on: app.db).filter(\.$countyCode == county.code).filter(\.$year == year).count() == 0 else { continue }
            let monthly = try await BulkSQL.rows(app.db, """
                SELECT CAST(COALESCE(SUM(approved_amount_fen), 0) AS BIGINT) FROM cases WHERE county_code = \(bind: county.code) AND stage = \(bind: CaseStage.enrolled.rawValue)
                """).first?.int(0) ?? 0
            let year12 = Money(fen: monthly * 12).percent(108)
            let op = PaymentOperator(username: county.finance, role: .financeOfficer, area: try AreaCode(county.code))
            let amounts = Dictionary(uniqueKeysWithValues: shares.map { ($0.0, year12.percent($0.1)) })
            try await Budgets.set(county: try AreaCode(county.code), year: year, amounts: amounts, by: op, app: app)
        }
    }

    /// Payrolls for January up to last month. Every bank answers "paid" except for one
    /// line of last month, left failed for the demo's caseworker to settle.
    static func replayYear(app: Application) async throws {
        let today = app.dibao.clock.today()
        guard today.month > 1 else { return }
        for county in counties {
            let area = try AreaCode(county.code)
            let drafter = PaymentOperator(username: county.caseworker, role: .countyCaseworker, area: area)
            let finance = PaymentOperator(username: county.finance, role: .financeOfficer, area: area)
            let bankCode = DemoData.banks.first { $0.operator == county.bank }?.code
            let bank = PaymentOperator(username: county.bank, role: .bankOperator, area: area, bank: bankCode)
            for month in 1..<today.month {
                guard let period = PayrollPeriod(frequency: .monthly, year: today.year, index: month) else { continue }
                let last = month == today.month - 1
                let drafted = try await Payrolls.draft(county: area, period: period.label, by: drafter, app: app).payroll
                _ = try await Payrolls.release(drafted.id, by: finance, app: app)
                let files = try await Payrolls.export(drafted.id, by: finance, app: app)
                for file in files {
                    let payments = try await Payrolls.payments(drafted, bank: file.bank, on: app.db)
                    let failing = last ? payments.first?.reference : nil
                    let result = BankFile.resultFile(.init(payroll: drafted.number, county: county.code, period: period.label, bank: file.bank),
                                                     payments: payments) { p in p.reference == failing ? (.failed, "账户已销户") : (.paid, "") }
                    _ = try await Payrolls.importResult(drafted.id, bank: file.bank, text: result, by: bank, app: app)
                }
                if !last { _ = try await Payrolls.close(drafted.id, by: drafter, app: app) }
            }
        }
    }
}
