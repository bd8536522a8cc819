/// The span of calendar months that one payment covers: a month, or a quarter.
///
/// 二.二.5 pays benefits "按月（季）": monthly, or quarterly where the county
/// decides so. A payment is therefore always for whole calendar months, and a
/// quarter is a calendar quarter (Q1 = January–March … Q4 = October–December),
/// so that every county's quarters line up and a month belongs to exactly one
/// period of each frequency.
public struct PayrollPeriod: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let frequency: PaymentFrequency
    public let year: Int
    /// The month (1–12) of a monthly period; the quarter (1–4) of a quarterly one.
    public let index: Int

    /// Nil if there is no such period, e.g. a fifth quarter or a thirteenth month.
    public init?(frequency: PaymentFrequency, year: Int, index: Int) {
        guard CivilDate.supportedYears.contains(year),
              (1...(12 / frequency.months)).contains(index) else { return nil }
        self.init(unchecked: frequency, year, index)
    }

    private init(unchecked frequency: PaymentFrequency, _ year: Int, _ index: Int) {
        self.frequency = frequency
        self.year = year
        self.index = index
    }

    /// The period of `frequency` that `date` falls in.
    public static func containing(_ date: CivilDate, frequency: PaymentFrequency) -> PayrollPeriod {
        PayrollPeriod(unchecked: frequency, date.year, (date.month - 1) / frequency.months + 1)
    }

    /// The first day of the period.
    public var first: CivilDate {
        CivilDate(unchecked: year, (index - 1) * frequency.months + 1, 1)
    }

    /// The last day of the period.
    public var last: CivilDate { first.adding(months: frequency.months - 1).lastOfMonth }

    /// The first day of each month the period covers, in order.
    public var months: [CivilDate] { (0..<frequency.months).map { first.adding(months: $0) } }

    public var next: PayrollPeriod { shifted(by: 1) }
    public var previous: PayrollPeriod { shifted(by: -1) }

    /// "2026-03" for a month, "2026Q1" for a quarter: sortable as text, and the
    /// month form is the one every bank file and form already uses.
    public var label: String {
        let y = Self.padded(year, 4)
        return frequency == .monthly ? "\(y)-\(Self.padded(index, 2))" : "\(y)Q\(index)"
    }

    public var description: String { label }

    /// Reads either label form ("2026-03", "2026Q1"; a lower-case "q" and
    /// full-width characters from a Chinese input method are tolerated). Nil for
    /// anything else, including periods that do not exist ("2026-13", "2026Q5").
    public static func parse(_ text: String) -> PayrollPeriod? {
        let s = Array(TextNormaliser.halfWidth(text).trimmingWhitespace().utf8)
        guard s.count == 6 || s.count == 7, let year = number(s[0..<4]),
              let index = number(s[5...]) else { return nil }
        switch (s.count, s[4]) {
        case (6, UInt8(ascii: "Q")), (6, UInt8(ascii: "q")):
            return PayrollPeriod(frequency: .quarterly, year: year, index: index)
        case (7, UInt8(ascii: "-")):
            return PayrollPeriod(frequency: .monthly, year: year, index: index)
        default:
            return nil
        }
    }

    /// Ordered by first day; a month sorts before the quarter that starts with it,
    /// so that two different periods are never "equal" in order.
    public static func < (lhs: PayrollPeriod, rhs: PayrollPeriod) -> Bool {
        (lhs.first, lhs.frequency.months) < (rhs.first, rhs.frequency.months)
    }

    // MARK: Codable — as the label, the form people and files read.

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let period = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a payroll period: \(text)")
        }
        self = period
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(label)
    }

    // MARK: Internals

    private func shifted(by periods: Int) -> PayrollPeriod {
        Self.containing(first.adding(months: periods * frequency.months), frequency: frequency)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return value
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: Swift.max(0, width - s.count)) + s
    }
}
