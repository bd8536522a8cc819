/// An amount of renminbi in integer fen (分).
///
/// Benefits are differences of standards and incomes summed over members and
/// months; floating point would lose fen in those sums, so money is never a
/// `Double` (SPEC "Money and identity"). Standards are set in yuan per person per
/// month and convert exactly.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, AdditiveArithmetic {
    public var fen: Int64

    public init(fen: Int64) { self.fen = fen }
    /// Saturates instead of trapping, like every operator here (see `+`).
    public init(yuan: Int64) { self.fen = Self.saturating(yuan.multipliedReportingOverflow(by: 100), sign: yuan.signum()) }

    /// The largest amount anyone may type anywhere in the system: ten billion yuan. It is
    /// far above any county's yearly budget, and it keeps every sum of entered amounts the
    /// system makes (a province's payroll, a year's budget times 1,000 for a per-mille
    /// share) inside 64-bit fen. Narrower limits per field (an income item, an asset, a
    /// standard) are policy data (`Policy.maximumItemAmount`).
    public static let entryCeiling = Money(fen: 1_000_000_000_000)

    public static let zero = Money(fen: 0)

    public var isNegative: Bool { fen < 0 }
    public var isPositive: Bool { fen > 0 }

    /// "¥1,234.50"; negative "-¥12.00". For pages and printed notices.
    public var formatted: String {
        let (sign, yuan, cents) = parts
        return "\(sign)¥\(Self.grouped(yuan)).\(cents)"
    }

    /// "1234.50"; negative "-12.00". For forms, CSV and bank files, which must not
    /// contain currency signs or group separators.
    public var plain: String {
        let (sign, yuan, cents) = parts
        return "\(sign)\(yuan).\(cents)"
    }

    public var description: String { formatted }

    /// Reads an amount a person typed.
    ///
    /// Accepted: an optional sign, an optional "¥" (or "￥"), digits with optional
    /// thousands separators placed every three digits, and at most two decimals;
    /// surrounding spaces, a trailing "元" and full-width characters from a Chinese
    /// input method are tolerated. More than two decimals is refused rather than
    /// rounded: the fen is the smallest unit paid, and silently rounding a typed
    /// amount would record a number nobody entered.
    public static func parse(_ text: String, field: String = "amount") throws(MoneyRefusal) -> Money {
        var s = Substring(TextNormaliser.halfWidth(text).trimmingWhitespace())
        guard !s.isEmpty else { throw MoneyRefusal(field: field, reason: .empty) }
        let shown = TextNormaliser.truncated(String(s))

        var negative = false
        func takeSign() -> Bool {
            guard let first = s.first, first == "-" || first == "+" else { return false }
            negative = first == "-"
            s = s.dropFirst()
            return true
        }
        let signedFirst = takeSign()
        if s.first == "¥" { s = s.dropFirst() }
        if !signedFirst { _ = takeSign() }
        if s.last == "元" { s = s.dropLast() }
        s = Substring(String(s).trimmingWhitespace())

        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { throw MoneyRefusal(field: field, reason: .notANumber(shown)) }
        guard let integerDigits = integerPart(pieces[0]) else {
            throw MoneyRefusal(field: field, reason: .notANumber(shown))
        }
        var fraction = Substring("")
        if pieces.count == 2 {
            fraction = pieces[1]
            guard !fraction.isEmpty, fraction.allSatisfy(TextNormaliser.isASCIIDigit) else {
                throw MoneyRefusal(field: field, reason: .notANumber(shown))
            }
            guard fraction.count <= 2 else {
                throw MoneyRefusal(field: field, reason: .tooManyDecimals(fraction.count))
            }
        }

        var fen: Int64 = 0
        for c in integerDigits + fraction.padding(toLength: 2) {
            let digit = Int64(c.wholeNumberValue!)
            let (times10, o1) = fen.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw MoneyRefusal(field: field, reason: .overflow) }
            fen = next
        }
        guard fen <= entryCeiling.fen else { throw MoneyRefusal(field: field, reason: .aboveCeiling(entryCeiling)) }
        return Money(fen: negative ? -fen : fen)
    }

    // Arithmetic never traps (issue 12): an amount that got past validation, or one stored
    // before a limit existed, must not take the server down with every open request. Entered
    // amounts are bounded by `entryCeiling`, so real sums are far from the edge; at the edge
    // the result sticks at the largest (or smallest) 64-bit amount, which no payment, check
    // or comparison accepts as real, rather than wrapping round to a plausible number.
    public static func + (lhs: Money, rhs: Money) -> Money {
        Money(fen: saturating(lhs.fen.addingReportingOverflow(rhs.fen), sign: rhs.fen.signum()))
    }
    public static func - (lhs: Money, rhs: Money) -> Money {
        Money(fen: saturating(lhs.fen.subtractingReportingOverflow(rhs.fen), sign: -rhs.fen.signum()))
    }
    public static prefix func - (value: Money) -> Money { .zero - value }
    public static func * (lhs: Money, rhs: Int) -> Money {
        let factor = Int64(clamping: rhs)
        return Money(fen: saturating(lhs.fen.multipliedReportingOverflow(by: factor), sign: lhs.fen.signum() * factor.signum()))
    }
    public static func * (lhs: Int, rhs: Money) -> Money { rhs * lhs }
    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    /// True when arithmetic hit the 64-bit edge: the amount is not a real one.
    public var isSaturated: Bool { fen == .max || fen == .min }

    private static func saturating(_ r: (partialValue: Int64, overflow: Bool), sign: Int64) -> Int64 {
        guard r.overflow else { return r.partialValue }
        return sign < 0 ? .min : .max
    }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    /// `p` percent of this amount, rounded half up to the fen (half away from zero
    /// for negative amounts, so that `-x.percent(p) == (-x).percent(p)`). Used for
    /// category top-ups (分类施保) and the 10 % carry-over limit (二.二.5).
    public func percent(_ p: Int) -> Money {
        let factor = Int64(clamping: p)
        let product = Self.saturating(fen.multipliedReportingOverflow(by: factor), sign: fen.signum() * factor.signum())
        let quotient = product / 100
        let remainder = product % 100
        if remainder >= 50 { return Money(fen: quotient + 1) }
        if remainder <= -50 { return Money(fen: quotient - 1) }
        return Money(fen: quotient)
    }

    // MARK: Codable — as the integer fen, so no reader can take it for yuan with decimals.

    public init(from decoder: Decoder) throws {
        fen = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }

    // MARK: Internals

    private var parts: (sign: String, yuan: String, cents: String) {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "", String(magnitude / 100), cents < 10 ? "0\(cents)" : "\(cents)")
    }

    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// The digits of the integer part, or nil if it is not digits with correctly
    /// placed thousands separators ("1,234" yes; "12,34" and "1,,234" no).
    private static func integerPart(_ s: Substring) -> String? {
        guard !s.isEmpty else { return nil }
        let groups = s.split(separator: ",", omittingEmptySubsequences: false)
        for (i, group) in groups.enumerated() {
            guard group.allSatisfy(TextNormaliser.isASCIIDigit) else { return nil }
            if groups.count > 1 {
                guard i == 0 ? (1...3).contains(group.count) : group.count == 3 else { return nil }
            } else if group.isEmpty {
                return nil
            }
        }
        return groups.joined()
    }
}

public extension Sequence where Element == Money {
    /// The total of the amounts.
    func sum() -> Money { reduce(.zero, +) }
}

/// A typed amount that cannot be read as money.
public struct MoneyRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        /// Nothing was typed.
        case empty
        /// The text (as typed, shortened) is not a number.
        case notANumber(String)
        /// More than two decimals: the fen is the smallest unit.
        case tooManyDecimals(Int)
        /// The amount does not fit in 64-bit fen.
        case overflow
        /// Above the largest amount the system takes anywhere, or above a field's own limit.
        case aboveCeiling(Money)
    }

    public let field: String
    public let rule: String
    public let reason: Reason

    public init(field: String = "amount", reason: Reason) {
        self.field = field
        self.reason = reason
        switch reason {
        case .empty: rule = "money.empty"
        case .notANumber: rule = "money.not_a_number"
        case .tooManyDecimals: rule = "money.too_many_decimals"
        case .overflow: rule = "money.overflow"
        case .aboveCeiling: rule = "money.above_limit"
        }
    }

    /// The field's label, then the reason (`refusal.labelled`), so that a larger form can
    /// put the position in words in place of the label (`Phrase.relabelled`).
    public var phrase: Phrase {
        let label = FieldLabel.phrase(field, subject: Phrase("field.amount"))
        let why: Phrase
        switch reason {
        case .empty: why = Phrase("money.refusal_empty")
        case .notANumber(let text): why = Phrase("money.refusal_not_a_number", text)
        case .tooManyDecimals(let n): why = Phrase("money.refusal_too_many_decimals", n)
        case .overflow: why = Phrase("money.refusal_overflow")
        case .aboveCeiling(let limit): why = Phrase("money.refusal_at_most", limit.formatted)
        }
        return .labelled(label, why)
    }
}

extension String {
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}

extension Substring {
    func padding(toLength n: Int) -> String {
        String(self) + String(repeating: "0", count: Swift.max(0, n - count))
    }
}
