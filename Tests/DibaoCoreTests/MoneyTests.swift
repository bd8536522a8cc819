import Foundation
import Testing
@testable import DibaoCore

@Suite("Money")
struct MoneyTests {
    @Test("parse accepts the forms people type", arguments: [
        ("1234", Int64(123_400)),
        ("1234.5", 123_450),
        ("1,234.50", 123_450),
        ("¥1,234.50", 123_450),
        (" 12.3 ", 1_230),
        ("-5", -500),
        ("-¥12.00", -1_200),
        ("¥-12.00", -1_200),
        ("+7.05", 705),
        ("0.01", 1),
        ("0", 0),
        ("007", 700),
        ("12元", 1_200),
        ("￥１２．５", 1_250),
        ("1,234,567.89", 123_456_789),
        ("10,000,000,000.00", 1_000_000_000_000),
    ])
    func parseAccepts(text: String, fen: Int64) throws {
        #expect(try Money.parse(text) == Money(fen: fen))
    }

    @Test("parse refuses empty input")
    func parseEmpty() {
        for text in ["", "   ", "\t"] {
            let refusal = #expect(throws: MoneyRefusal.self) { try Money.parse(text) }
            #expect(refusal?.reason == .empty)
            #expect(refusal?.rule == "money.empty")
        }
    }

    @Test("parse refuses what is not a number", arguments: [
        "abc", "12a", "1.2.3", "12,34", "1,,234", ",123", "1.", ".5", "¥", "--5", "1 234", "1e3", "12.-3",
    ])
    func parseNotANumber(text: String) {
        let refusal = #expect(throws: MoneyRefusal.self) { try Money.parse(text) }
        #expect(refusal?.rule == "money.not_a_number")
    }

    @Test("more than two decimals is refused, not rounded")
    func parseTooManyDecimals() {
        let refusal = #expect(throws: MoneyRefusal.self) { try Money.parse("1.234") }
        #expect(refusal?.reason == .tooManyDecimals(3))
        #expect(refusal?.rule == "money.too_many_decimals")
        let trailingZero = #expect(throws: MoneyRefusal.self) { try Money.parse("1.230") }
        #expect(trailingZero?.reason == .tooManyDecimals(3))
    }

    @Test("an amount beyond 64-bit fen is refused")
    func parseOverflow() {
        for text in ["99999999999999999999", "92233720368547758.08"] {
            let refusal = #expect(throws: MoneyRefusal.self) { try Money.parse(text) }
            #expect(refusal?.reason == .overflow)
        }
    }

    @Test("an amount above the system's ceiling (ten billion yuan) is refused, naming the limit (issue 12)")
    func parseCeiling() {
        for text in ["10000000000.01", "92233720368547758.07", "-92233720368547758"] {
            let refusal = #expect(throws: MoneyRefusal.self) { try Money.parse(text, field: "income") }
            #expect(refusal?.reason == .aboveCeiling(Money.entryCeiling))
            #expect(refusal?.rule == "money.above_limit")
            #expect(refusal?.zh.hasPrefix("收入：") == true)
        }
    }

    /// Issue 12: a household stored with two incomes of 92,233,720,368,547,758 yuan made
    /// every view of it trap. No operator on Money may trap, whatever the operands.
    @Test("no arithmetic on Money traps, for any operands; results at the edge stick there and say so")
    func arithmeticNeverTraps() {
        var g = SystemRandomNumberGenerator()
        let edges: [Int64] = [.max, .min, .max - 1, .min + 1, 0, 1, -1, 1_000_000_000_000, -1_000_000_000_000]
        let factors: [Int] = [.max, .min, 0, 1, -1, 2, 1000, 100]
        for _ in 0..<2_000 {
            let a = Money(fen: Bool.random(using: &g) ? edges.randomElement(using: &g)! : Int64.random(in: .min ... .max, using: &g))
            let b = Money(fen: Bool.random(using: &g) ? edges.randomElement(using: &g)! : Int64.random(in: .min ... .max, using: &g))
            let k = Bool.random(using: &g) ? factors.randomElement(using: &g)! : Int.random(in: .min ... .max, using: &g)
            let sum = a + b, difference = a - b, product = a * k, negated = -a
            _ = a.percent(k); _ = [a, b, sum].sum(); _ = Money(yuan: a.fen)
            // Exact whenever the true result fits; otherwise pinned to the edge on the right side.
            let (s, so) = a.fen.addingReportingOverflow(b.fen)
            #expect(so ? sum.isSaturated && (sum.fen > 0) == (b.fen > 0) : sum.fen == s)
            let (d, dO) = a.fen.subtractingReportingOverflow(b.fen)
            #expect(dO ? difference.isSaturated : difference.fen == d)
            let (p, po) = a.fen.multipliedReportingOverflow(by: Int64(k))
            #expect(po ? product.isSaturated : product.fen == p)
            #expect(a.fen == .min ? negated.fen == .max : negated.fen == -a.fen)
        }
        // Sums of what validation lets in stay exact: 30 members × 8 incomes at the ceiling.
        let most = Array(repeating: Money.entryCeiling, count: 240)
        #expect(most.sum() == Money(fen: Money.entryCeiling.fen * 240))
        #expect(!most.sum().isSaturated)
    }

    @Test("the refusal carries the caller's field name")
    func parseField() {
        let refusal = #expect(throws: MoneyRefusal.self) { try Money.parse("x", field: "standard") }
        #expect(refusal?.field == "standard")
        #expect(refusal?.zh.hasPrefix("保障标准：") == true)
    }

    @Test("formatted and plain", arguments: [
        (Int64(123_450), "¥1,234.50", "1234.50"),
        (-1_200, "-¥12.00", "-12.00"),
        (0, "¥0.00", "0.00"),
        (5, "¥0.05", "0.05"),
        (-5, "-¥0.05", "-0.05"),
        (100_000, "¥1,000.00", "1000.00"),
        (99_999, "¥999.99", "999.99"),
        (123_456_789, "¥1,234,567.89", "1234567.89"),
    ])
    func formatting(fen: Int64, formatted: String, plain: String) {
        let money = Money(fen: fen)
        #expect(money.formatted == formatted)
        #expect(money.plain == plain)
        #expect(money.description == formatted)
    }

    @Test("what is printed reads back as the same amount")
    func roundTrip() throws {
        for fen: Int64 in [0, 1, -1, 99, 100, 123_456, -987_654_321, 1_000_000_000] {
            let money = Money(fen: fen)
            #expect(try Money.parse(money.formatted) == money)
            #expect(try Money.parse(money.plain) == money)
        }
    }

    @Test("arithmetic")
    func arithmetic() {
        #expect(Money(yuan: 12) == Money(fen: 1_200))
        #expect(Money(yuan: 7) + Money(fen: 50) == Money(fen: 750))
        #expect(Money(yuan: 7) - Money(yuan: 10) == Money(yuan: -3))
        #expect(Money(fen: 333) * 3 == Money(fen: 999))
        #expect(3 * Money(fen: 333) == Money(fen: 999))
        #expect(-Money(fen: 5) == Money(fen: -5))
        #expect(Money.zero == Money(fen: 0))
        #expect(Money(fen: 1) > .zero)
        #expect([Money(fen: 1), Money(fen: 2), Money(fen: 3)].sum() == Money(fen: 6))
        #expect([Money]().sum() == .zero)
    }

    @Test("percent rounds half up to the fen", arguments: [
        (Int64(1_005), 50, Int64(503)),   // 502.5 → 503
        (1, 50, 1),                       // 0.5 → 1
        (1, 49, 0),                       // 0.49 → 0
        (70_000, 10, 7_000),
        (65_555, 15, 9_833),              // 9833.25 → 9833
        (65_555, 10, 6_556),              // 6555.5 → 6556
        (-1_005, 50, -503),               // symmetric for negatives
        (-1, 49, 0),
        (12_345, 0, 0),
        (12_345, 100, 12_345),
    ])
    func percent(fen: Int64, p: Int, expected: Int64) {
        #expect(Money(fen: fen).percent(p) == Money(fen: expected))
    }

    @Test("Codable as the integer fen")
    func codable() throws {
        let data = try JSONEncoder().encode(Money(fen: 123_450))
        #expect(String(decoding: data, as: UTF8.self) == "123450")
        #expect(try JSONDecoder().decode(Money.self, from: Data("-42".utf8)) == Money(fen: -42))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Money.self, from: Data("\"1.00\"".utf8)) }
    }
}
