import Foundation
import Testing
@testable import DibaoCore

@Suite("Payroll")
struct PayrollTests {
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }
    func p(_ label: String) -> PayrollPeriod { PayrollPeriod.parse(label)! }
    let q1 = PayrollPeriod(frequency: .quarterly, year: 2026, index: 1)!

    /// Enrolled 2025-07 at ¥600; exit decided 2026-01-20, effective 2026-02-01.
    func leaving() throws -> BenefitSchedule {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2025-07-15"), monthly: Money(yuan: 600))
        try s.exit(decidedOn: d("2026-01-20"), effectMonths: 1)
        return s
    }

    /// Enrolled 2025-10 at ¥400; changed to ¥300 by a decision of 2026-02-10.
    func reduced() throws -> BenefitSchedule {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2025-10-01"), monthly: Money(yuan: 400))
        try s.change(to: Money(yuan: 300), decidedOn: d("2026-02-10"), effectMonths: 1)
        return s
    }

    // MARK: Periods

    @Test("labels and parsing, both forms, both ways")
    func labels() throws {
        #expect(PayrollPeriod(frequency: .monthly, year: 2026, index: 3)?.label == "2026-03")
        #expect(q1.label == "2026Q1")
        #expect(q1.description == "2026Q1")
        #expect(PayrollPeriod.parse("2026-03") == PayrollPeriod(frequency: .monthly, year: 2026, index: 3))
        #expect(PayrollPeriod.parse("2026Q1") == q1)
        #expect(PayrollPeriod.parse(" 2026q1 ") == q1)
        #expect(PayrollPeriod.parse("２０２６Ｑ１") == q1)
        for bad in ["", "2026-13", "2026-00", "2026Q0", "2026Q5", "2026-3", "26-03", "2026/03", "2026Q", "2026-03-01", "0000-01"] {
            #expect(PayrollPeriod.parse(bad) == nil, "\(bad)")
        }
        #expect(PayrollPeriod(frequency: .quarterly, year: 2026, index: 5) == nil)
        #expect(PayrollPeriod(frequency: .monthly, year: 2026, index: 0) == nil)

        let data = try JSONEncoder().encode([q1, p("2025-12")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026Q1","2025-12"]"#)
        #expect(try JSONDecoder().decode([PayrollPeriod].self, from: data) == [q1, p("2025-12")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PayrollPeriod].self, from: Data(#"["2026Q7"]"#.utf8)) }
    }

    @Test("containing, first, last, months")
    func bounds() {
        #expect(PayrollPeriod.containing(d("2026-03-31"), frequency: .quarterly) == q1)
        #expect(PayrollPeriod.containing(d("2026-04-01"), frequency: .quarterly) == p("2026Q2"))
        #expect(PayrollPeriod.containing(d("2025-11-15"), frequency: .quarterly) == p("2025Q4"))
        #expect(PayrollPeriod.containing(d("2025-11-15"), frequency: .monthly) == p("2025-11"))
        #expect(q1.first == d("2026-01-01"))
        #expect(q1.last == d("2026-03-31"))
        #expect(q1.months == [d("2026-01-01"), d("2026-02-01"), d("2026-03-01")])
        #expect(p("2024-02").last == d("2024-02-29"))
        #expect(p("2024-02").months == [d("2024-02-01")])
        #expect(p("2025Q4").last == d("2025-12-31"))
    }

    @Test("next and previous cross year ends")
    func stepping() {
        #expect(p("2025Q4").next == q1)
        #expect(q1.previous == p("2025Q4"))
        #expect(p("2025-12").next == p("2026-01"))
        #expect(p("2026-01").previous == p("2025-12"))
        #expect(q1.next.next.next.next == p("2027Q1"))
    }

    @Test("ordered by first day; a month before the quarter it starts")
    func ordering() {
        #expect(p("2025Q4") < q1)
        #expect(p("2025-12") < p("2026-01"))
        #expect(p("2026-01") < q1)
        #expect(q1 < p("2026-02"))
        #expect([q1, p("2025-12"), p("2026-01")].sorted() == [p("2025-12"), p("2026-01"), q1])
    }

    // MARK: Amounts, quarterly county (the issue's examples)

    @Test("enrolled from February at ¥500: Q1 pays two months")
    func enrolledMidQuarter() throws {
        let s = try BenefitSchedule.enrolled(firstMonth: d("2026-02-17"), monthly: Money(yuan: 500))
        #expect(s.firstMonth == d("2026-02-01"))
        #expect(s.amount(for: q1) == Money(fen: 100_000))
        #expect(s.breakdown(for: q1).map(\.amount) == [.zero, Money(fen: 50_000), Money(fen: 50_000)])
        #expect(s.amount(for: p("2025Q4")) == .zero)
    }

    @Test("exit decided 2026-01-20 takes effect from February: Q1 pays January only")
    func exitMidQuarter() throws {
        let s = try leaving()
        #expect(s.exitMonth == d("2026-02-01"))
        #expect(s.amount(for: q1) == Money(fen: 60_000))
        #expect(s.monthly(in: d("2026-01-31")) == Money(fen: 60_000))
        #expect(s.monthly(in: d("2026-02-01")) == .zero)
        #expect(s.amount(for: p("2026Q2")) == .zero)
        #expect(s.owed(through: q1) == Money(fen: 60_000 * 7))   // 2025-07 … 2026-01
    }

    @Test("change decided 2026-02-10 applies from March: Q1 = 400 + 400 + 300")
    func changeMidQuarter() throws {
        let s = try reduced()
        #expect(s.amount(for: q1) == Money(fen: 110_000))
        #expect(s.breakdown(for: q1).map(\.amount) == [Money(fen: 40_000), Money(fen: 40_000), Money(fen: 30_000)])
        #expect(s.owed(through: p("2025Q4")) == Money(fen: 120_000))
        #expect(s.owed(through: q1) == Money(fen: 230_000))
        #expect(s.owed(through: p("2025Q3")) == .zero)
    }

    // MARK: Amounts, monthly county

    @Test("monthly county: each month at its own amount; owed equals the sum of periods")
    func monthlyCounty() throws {
        let s = try reduced()
        #expect(s.amount(for: p("2026-02")) == Money(fen: 40_000))
        #expect(s.amount(for: p("2026-03")) == Money(fen: 30_000))
        #expect(s.amount(for: p("2025-09")) == .zero)
        #expect(s.owed(through: p("2026-03")) == Money(fen: 230_000))
        var sum = Money.zero
        var period = p("2025-10")
        while period <= p("2026-06") { sum = sum + s.amount(for: period); period = period.next }
        #expect(s.owed(through: p("2026-06")) == sum)
        #expect(sum == Money(fen: 40_000 * 5 + 30_000 * 4))

        let l = try leaving()
        #expect(l.amount(for: p("2026-01")) == Money(fen: 60_000))
        #expect(l.amount(for: p("2026-02")) == .zero)
    }

    @Test("a county may make decisions effective in the same month")
    func sameMonthEffect() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2026-01-01"), monthly: Money(yuan: 500))
        try s.change(to: Money(yuan: 450), decidedOn: d("2026-02-27"), effectMonths: 0)
        #expect(s.monthly(in: d("2026-02-01")) == Money(fen: 45_000))
        #expect(throws: ScheduleRefusal.negativeEffectMonths(-1)) {
            try s.change(to: Money(yuan: 1), decidedOn: d("2026-02-27"), effectMonths: -1)
        }
    }

    // MARK: Decisions

    @Test("two changes decided in the same month: the later wins")
    func laterWins() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2026-01-01"), monthly: Money(yuan: 400))
        try s.change(to: Money(yuan: 300), decidedOn: d("2026-02-03"), effectMonths: 1)
        try s.change(to: Money(yuan: 350), decidedOn: d("2026-02-25"), effectMonths: 1)
        #expect(s.steps.map(\.reason) == [.enrolled, .amountChanged])
        #expect(s.monthly(in: d("2026-03-01")) == Money(fen: 35_000))
        #expect(s.amount(for: q1) == Money(fen: 40_000 + 40_000 + 35_000))
    }

    @Test("a change reaching the first month revises the enrolled amount")
    func changeInFirstMonth() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2026-02-01"), monthly: Money(yuan: 500))
        try s.change(to: Money(yuan: 520), decidedOn: d("2026-01-28"), effectMonths: 1)
        #expect(s.steps.count == 1)
        #expect(s.steps[0].reason == .enrolled)
        #expect(s.amount(for: q1) == Money(fen: 104_000))
    }

    @Test("suspension and resumption start at whole months")
    func suspension() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2026-01-01"), monthly: Money(yuan: 500))
        try s.suspend(from: d("2026-04-18"))
        try s.resume(from: d("2026-07-09"), monthly: Money(yuan: 450))
        #expect(s.steps.map(\.from) == [d("2026-01-01"), d("2026-04-01"), d("2026-07-01")])
        #expect(s.monthly(in: d("2026-03-31")) == Money(fen: 50_000))
        #expect(s.monthly(in: d("2026-04-01")) == .zero)
        #expect(s.amount(for: p("2026Q2")) == .zero)
        #expect(s.amount(for: p("2026Q3")) == Money(fen: 135_000))
        #expect(s.owed(through: p("2026Q3")) == Money(fen: 150_000 + 135_000))

        #expect(throws: ScheduleRefusal.suspended(effective: d("2026-05-01"))) {
            try s.change(to: Money(yuan: 300), decidedOn: d("2026-04-10"), effectMonths: 1)
        }
        #expect(throws: ScheduleRefusal.suspended(effective: d("2026-05-01"))) { try s.suspend(from: d("2026-05-01")) }
        #expect(throws: ScheduleRefusal.notSuspended(effective: d("2026-03-01"))) {
            try s.resume(from: d("2026-03-01"), monthly: Money(yuan: 500))
        }
    }

    @Test("an exit drops steps planned for later months")
    func exitDropsLaterSteps() throws {
        var s = try BenefitSchedule.enrolled(firstMonth: d("2026-01-01"), monthly: Money(yuan: 500))
        try s.suspend(from: d("2026-06-01"))
        try s.exit(decidedOn: d("2026-03-05"), effectMonths: 1)
        #expect(s.steps.map(\.reason) == [.enrolled, .exited])
        #expect(s.exitMonth == d("2026-04-01"))
        #expect(s.owed(through: p("2026Q4")) == Money(fen: 150_000))
    }

    @Test("decisions before enrollment or after exit are refused")
    func refusals() throws {
        var s = try leaving()
        let before = s
        #expect(throws: ScheduleRefusal.afterExit(effective: d("2026-03-01"), exit: d("2026-02-01"))) {
            try s.change(to: Money(yuan: 700), decidedOn: d("2026-02-10"), effectMonths: 1)
        }
        #expect(throws: ScheduleRefusal.afterExit(effective: d("2026-02-01"), exit: d("2026-02-01"))) {
            try s.exit(decidedOn: d("2026-01-25"), effectMonths: 1)
        }
        #expect(throws: ScheduleRefusal.afterExit(effective: d("2026-05-01"), exit: d("2026-02-01"))) {
            try s.resume(from: d("2026-05-01"), monthly: Money(yuan: 600))
        }
        #expect(s == before)

        var late = try BenefitSchedule.enrolled(firstMonth: d("2026-03-01"), monthly: Money(yuan: 500))
        #expect(throws: ScheduleRefusal.beforeEnrollment(effective: d("2026-02-01"), firstMonth: d("2026-03-01"))) {
            try late.change(to: Money(yuan: 300), decidedOn: d("2026-01-15"), effectMonths: 1)
        }
        #expect(throws: ScheduleRefusal.beforeEnrollment(effective: d("2026-03-01"), firstMonth: d("2026-03-01"))) {
            try late.suspend(from: d("2026-03-20"))
        }
        #expect(throws: ScheduleRefusal.negativeAmount(Money(fen: -1))) {
            try late.change(to: Money(fen: -1), decidedOn: d("2026-04-01"), effectMonths: 1)
        }
        #expect(throws: ScheduleRefusal.negativeAmount(Money(fen: -1))) {
            try BenefitSchedule.enrolled(firstMonth: d("2026-03-01"), monthly: Money(fen: -1))
        }
        let refusal = ScheduleRefusal.afterExit(effective: d("2026-03-01"), exit: d("2026-02-01"))
        #expect(refusal.rule == "schedule.after_exit")
        #expect(refusal.zh.contains("2026-02"))
        #expect(refusal.message(.en).contains("2026-03"))
    }

    @Test("a schedule round-trips through JSON; an inconsistent one is refused")
    func codable() throws {
        let s = try reduced()
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(BenefitSchedule.self, from: data) == s)
        let unsorted = #"{"steps":[{"from":"2026-03-01","monthly":100,"reason":"enrolled"},{"from":"2026-02-01","monthly":50,"reason":"amount_changed"}]}"#
        let midMonth = #"{"steps":[{"from":"2026-03-02","monthly":100,"reason":"enrolled"}]}"#
        let paidWhileSuspended = #"{"steps":[{"from":"2026-03-01","monthly":100,"reason":"enrolled"},{"from":"2026-04-01","monthly":50,"reason":"suspended"}]}"#
        for bad in [unsorted, midMonth, paidWhileSuspended, #"{"steps":[]}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(BenefitSchedule.self, from: Data(bad.utf8)) }
        }
    }

    // MARK: Adjustments

    @Test("a failed March payment is due in April")
    func failedPayment() throws {
        let s = try BenefitSchedule.enrolled(firstMonth: d("2026-01-01"), monthly: Money(yuan: 500))
        let paid = [p("2026-01"): Money(fen: 50_000), p("2026-02"): Money(fen: 50_000)]   // March failed
        #expect(Adjustment.due(schedule: s, paid: paid, before: p("2026-04")) == Money(fen: 50_000))
        let line = Adjustment.lineAmount(schedule: s, paid: paid, period: p("2026-04"))
        #expect(line.pay == Money(fen: 100_000))
        #expect(line.carriedOver == .zero)
        // Paid in full, nothing is due; later paid periods are not counted early.
        let full = paid.merging([p("2026-03"): Money(fen: 50_000), p("2026-04"): Money(fen: 50_000)]) { a, _ in a }
        #expect(Adjustment.due(schedule: s, paid: full, before: p("2026-04")) == .zero)
    }

    @Test("quarterly: the part of Q4 left unpaid is added to Q1")
    func quarterlyShortfall() throws {
        let s = try reduced()
        let paid = [p("2025Q4"): Money(fen: 80_000)]   // owed 120 000
        #expect(Adjustment.due(schedule: s, paid: paid, before: q1) == Money(fen: 40_000))
        #expect(Adjustment.lineAmount(schedule: s, paid: paid, period: q1).pay == Money(fen: 150_000))
    }

    @Test("an overpayment is deducted, and what exceeds a period carries over")
    func overpayment() throws {
        let s = try BenefitSchedule.enrolled(firstMonth: d("2026-01-01"), monthly: Money(yuan: 500))
        var paid = [p("2026-01"): Money(fen: 50_000), p("2026-02"): Money(fen: 180_000)]
        #expect(Adjustment.due(schedule: s, paid: paid, before: p("2026-03")) == Money(fen: -130_000))

        var line = Adjustment.lineAmount(schedule: s, paid: paid, period: p("2026-03"))
        #expect(line.pay == .zero)
        #expect(line.carriedOver == Money(fen: -80_000))
        paid[p("2026-03")] = line.pay

        line = Adjustment.lineAmount(schedule: s, paid: paid, period: p("2026-04"))
        #expect(line.pay == .zero)
        #expect(line.carriedOver == Money(fen: -30_000))
        paid[p("2026-04")] = line.pay

        line = Adjustment.lineAmount(schedule: s, paid: paid, period: p("2026-05"))
        #expect(line.pay == Money(fen: 20_000))
        #expect(line.carriedOver == .zero)
    }

    @Test("payments from before enrollment do not count against it")
    func earlierHistoryIgnored() throws {
        let s = try BenefitSchedule.enrolled(firstMonth: d("2026-02-01"), monthly: Money(yuan: 500))
        let paid = [p("2025Q3"): Money(fen: 90_000), q1: Money(fen: 100_000)]
        #expect(Adjustment.due(schedule: s, paid: paid, before: p("2026Q2")) == .zero)
        #expect(Adjustment.due(schedule: s, paid: paid, before: q1) == .zero)
    }
}
