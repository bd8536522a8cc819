import Testing
@testable import DibaoCore

@Suite("Bank files, payroll rules, budget execution")
struct BankFileTests {
    let header = BankFile.Header(payroll: "150102-2026-03", county: "150102000000", period: "2026-03", bank: "PSBC")
    let payments = [
        BankFile.Payment(reference: "1", account: "6217000011112222333", holder: "王建国", amount: Money(fen: 90_600)),
        BankFile.Payment(reference: "2", account: "6217000011112222444", holder: "李秀英", amount: Money(fen: 45_050)),
        BankFile.Payment(reference: "3", account: "6217000011112222555", holder: "张海燕", amount: Money(fen: 1)),
    ]

    @Test("payment file: header, one line per payment, trailer with count and total")
    func paymentFile() {
        let text = BankFile.paymentFile(header, created: CivilDate(iso: "2026-03-05")!, payments: payments)
        #expect(text == """
            H|DIBAO-PAY|1|150102-2026-03|150102000000|2026-03|PSBC|2026-03-05
            D|1|1|6217000011112222333|王建国|906.00
            D|2|2|6217000011112222444|李秀英|450.50
            D|3|3|6217000011112222555|张海燕|0.01
            T|3|1356.51

            """)
        #expect(BankFile.isFieldSafe("王建国"))
        #expect(!BankFile.isFieldSafe("王|建国"))
        #expect(!BankFile.isFieldSafe(""))
    }

    @Test("a true result file reconciles, paid and failed, with a BOM and CRLF line ends")
    func reconciles() throws {
        let text = BankFile.resultFile(.init(payroll: header.payroll, county: header.county, period: header.period, bank: "PSBC"), payments: payments) {
            $0.reference == "2" ? (.failed, "户名不符") : (.paid, "")
        }
        let results = try BankFile.reconcile(text, payroll: header.payroll, bank: "PSBC", payments: payments)
        #expect(results.map(\.outcome) == [.paid, .failed, .paid])
        #expect(results[1].reason == "户名不符")
        let windows = "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try BankFile.reconcile(windows, payroll: header.payroll, bank: "PSBC", payments: payments).count == 3)
    }

    func refusal(_ text: String) -> BankFileRefusal? {
        do { _ = try BankFile.reconcile(text, payroll: header.payroll, bank: "PSBC", payments: payments); return nil } catch { return error }
    }

    @Test("every way a result file can be wrong refuses it whole, naming the line and the rule")
    func refusals() {
        let good = BankFile.resultFile(header, payments: payments)
        var lines = good.split(separator: "\n").map(String.init)
        func with(_ i: Int, _ line: String) -> String { var l = lines; l[i] = line; return l.joined(separator: "\n") }

        #expect(refusal("")?.rule == "bank_file.structure")
        #expect(refusal(with(0, "H|DIBAO-PAY|1|150102-2026-03|PSBC"))?.rule == "bank_file.header")
        #expect(refusal(with(0, "H|DIBAO-RESULT|2|150102-2026-03|PSBC"))?.rule == "bank_file.version")
        #expect(refusal(with(0, "H|DIBAO-RESULT|1|150102-2026-02|PSBC"))?.rule == "bank_file.payroll")
        #expect(refusal(with(0, "H|DIBAO-RESULT|1|150102-2026-03|NMRC"))?.rule == "bank_file.bank")
        #expect(refusal(with(1, "D|1|1|6217000011112222333|906.00|S"))?.rule == "bank_file.structure")
        #expect(refusal(with(1, "D|1|1|6217000011112222333|九百|S|"))?.rule == "bank_file.amount")
        #expect(refusal(with(1, "D|1|1|6217000011112222333|906.00|X|"))?.rule == "bank_file.outcome")
        #expect(refusal(with(1, "D|1|9|6217000011112222333|906.00|S|"))?.rule == "bank_file.unknown_line")
        #expect(refusal(with(1, "D|1|1|6217000099999999999|906.00|S|"))?.rule == "bank_file.unknown_account")
        #expect(refusal(with(1, "D|1|1|6217000011112222333|905.00|S|"))?.rule == "bank_file.amount_differs")
        #expect(refusal(with(2, "D|2|1|6217000011112222333|906.00|S|"))?.rule == "bank_file.duplicate")
        #expect(refusal(with(1, "D|1|1|6217000011112222333|906.00|F| "))?.rule == "bank_file.failure_reason")
        #expect(refusal(with(4, "T|3|1356.52|3|1356.51|0|0.00"))?.rule == "bank_file.trailer_differs")
        #expect(refusal(with(4, "T|3"))?.rule == "bank_file.trailer")
        let short = BankFile.resultFile(header, payments: Array(payments.prefix(2)))
        let r = refusal(short)
        #expect(r?.rule == "bank_file.total_mismatch")
        #expect(r?.line == 4)
        #expect(r?.zh.contains("整个文件未导入") == true)
        #expect(r?.en.contains("nothing in the file was imported") == true)
        // An account is named by its last four digits only.
        let unknown = refusal(with(1, "D|1|1|6217000099999999999|906.00|S|"))
        #expect(unknown?.zh.contains("9999") == true)
        #expect(unknown?.zh.contains("6217000099999999999") == false)
    }

    @Test("payroll steps: who, from which stage, and never the drafter releasing")
    func machine() {
        #expect(PayrollMachine.refusal(.draft, stage: nil, role: .countyCaseworker, actor: "a", drafter: "") == nil)
        #expect(PayrollMachine.refusal(.draft, stage: nil, role: .financeOfficer, actor: "a", drafter: "") == .role(.draft, .financeOfficer))
        #expect(PayrollMachine.refusal(.release, stage: .drafted, role: .financeOfficer, actor: "f", drafter: "c") == nil)
        #expect(PayrollMachine.refusal(.release, stage: .drafted, role: .financeOfficer, actor: "c", drafter: "c") == .drafterReleases)
        #expect(PayrollMachine.refusal(.release, stage: .drafted, role: .countyCaseworker, actor: "c", drafter: "c") == .role(.release, .countyCaseworker))
        #expect(PayrollMachine.refusal(.release, stage: .released, role: .financeOfficer, actor: "f", drafter: "c") == .stage(.release, .released))
        #expect(PayrollMachine.refusal(.importResult, stage: .exported, role: .bankOperator, actor: "b", drafter: "c") == nil)
        #expect(PayrollMachine.refusal(.importResult, stage: .released, role: .bankOperator, actor: "b", drafter: "c") == .stage(.importResult, .released))
        #expect(PayrollMachine.refusal(.close, stage: .resultsIn, role: .countyCaseworker, actor: "c", drafter: "c") == nil)
        #expect(PayrollMachine.refusal(.discard, stage: .exported, role: .countyCaseworker, actor: "c", drafter: "c") == .stage(.discard, .exported))
        // Once released, nothing changes lines.
        #expect(PayrollStage.allCases.filter { !PayrollMachine.isFrozen($0) } == [.drafted])
        // Supervisors change nothing.
        for action in PayrollAction.allCases { #expect(!action.roles.contains(.supervisor)) }
    }

    @Test("a schedule's stored line reads back the same schedule; a broken one is refused")
    func stored() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: CivilDate(iso: "2025-10-15")!, monthly: Money(fen: 40_000))
        try s.change(to: Money(fen: 30_000), decidedOn: CivilDate(iso: "2026-02-10")!, effectMonths: 1)
        try s.suspend(from: CivilDate(iso: "2026-05-01")!)
        #expect(s.stored == "2025-10-01 40000 enrolled;2026-03-01 30000 amount_changed;2026-05-01 0 suspended")
        #expect(BenefitSchedule(stored: s.stored) == s)
        #expect(BenefitSchedule.storedEnrollment(firstMonth: CivilDate(iso: "2026-02-20")!, monthly: Money(fen: 50_000))
                == (try BenefitSchedule.enrolled(firstMonth: CivilDate(iso: "2026-02-01")!, monthly: Money(fen: 50_000))).stored)
        for bad in ["", "2026-03-01 100 amount_changed", "2026-03-02 100 enrolled", "2026-03-01 -1 enrolled", "2026-03-01 100 enrolled;2026-01-01 0 exited",
                    "2026-03-01 x enrolled", "2026-03-01 100 enrolled;2026-04-01 5 suspended"] {
            #expect(BenefitSchedule(stored: bad) == nil, "\(bad)")
        }
    }

    @Test("the running paid total gives the same line as the period history")
    func settledTotal() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: CivilDate(iso: "2025-10-01")!, monthly: Money(fen: 40_000))
        try s.change(to: Money(fen: 30_000), decidedOn: CivilDate(iso: "2026-02-10")!, effectMonths: 1)
        let q4 = PayrollPeriod.parse("2025Q4")!, q1 = PayrollPeriod.parse("2026Q1")!
        for paidQ4 in [Money.zero, Money(fen: 80_000), Money(fen: 120_000), Money(fen: 200_000)] {
            let history = Adjustment.lineAmount(schedule: s, paid: [q4: paidQ4], period: q1)
            let running = Adjustment.lineAmount(schedule: s, settled: paidQ4, period: q1)
            #expect(history == running, "paid \(paidQ4)")
        }
        #expect(Adjustment.lineAmount(schedule: s, settled: Money(fen: 120_000), period: q1).pay == Money(fen: 110_000))
    }

    @Test("budget: shares add up to the fen, quarters, progress, evenness, carry-over flag")
    func budget() {
        let shares = BudgetExecution.apportion(Money(fen: 100), by: [.central: Money(fen: 1), .region: Money(fen: 1), .league: Money(fen: 1)])
        #expect(shares.values.map(\.fen).reduce(0, +) == 100)
        #expect(shares[.central] == Money(fen: 34) && shares[.region] == Money(fen: 33) && shares[.league] == Money(fen: 33) && shares[.county] == .zero)
        #expect(BudgetExecution.apportion(Money(fen: 7), by: [:])[.county] == Money(fen: 7))
        let huge = BudgetExecution.apportion(Money(fen: 9_000_000_000_000), by: [.central: Money(fen: 7_000_000_000_000), .county: Money(fen: 3_000_000_000_000)])
        #expect(huge[.central] == Money(fen: 6_300_000_000_000) && huge[.county] == Money(fen: 2_700_000_000_000))

        let even = BudgetExecution(year: 2026, budget: [.central: Money(yuan: 1_000), .county: Money(yuan: 200)],
                                   monthly: Array(repeating: Money(yuan: 100), count: 12))
        #expect(even.spent == Money(yuan: 1_200))
        #expect(even.quarter(2) == Money(yuan: 300))
        #expect(even.progressPerMille == 1000)
        #expect(even.evennessPerMille(months: 12) == 1000)
        #expect(even.carryOver == .zero)
        #expect(!even.carryOverFlagged(policy: .default2013))
        #expect(even.quarterBySource(1)[.central]! + even.quarterBySource(1)[.county]! == Money(yuan: 300))

        // Nothing for five months, then the arrears at once: uneven.
        var months = Array(repeating: Money.zero, count: 12)
        months[5] = Money(yuan: 600)
        let lumpy = BudgetExecution(year: 2026, budget: [.central: Money(yuan: 1_200)], monthly: months)
        #expect(lumpy.evennessPerMille(months: 6) == 0)
        #expect(BudgetExecution.timePerMille(throughMonth: 6) == 500)
        // ¥600 left of ¥1,200 against ¥600 spent: far above 10 %.
        #expect(lumpy.carryOver == Money(yuan: 600))
        #expect(lumpy.carryOverFlagged(policy: .default2013))
        // 10 % exactly is allowed.
        let edge = BudgetExecution(year: 2026, budget: [.central: Money(yuan: 1_100)], monthly: [Money(yuan: 1_000)] + Array(repeating: .zero, count: 11))
        #expect(!edge.carryOverFlagged(policy: .default2013))
        #expect(edge.projectedCarryOver(throughMonth: 12) == Money(yuan: 100))

        // A league: its counties added up, then judged as one.
        let league = BudgetExecution.combined([even, lumpy], year: 2026)
        #expect(league.totalBudget == even.totalBudget + lumpy.totalBudget)
        #expect(league.spent == even.spent + lumpy.spent)
        #expect(league.monthly[5] == Money(yuan: 700))
        #expect(league.evennessPerMille(months: 12) < 1000)
        #expect(BudgetExecution.combined([even], year: 2025).spent == .zero)
    }
}
