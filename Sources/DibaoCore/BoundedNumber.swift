/// Whole numbers that arrive from outside — a page number, a year, a count typed in a
/// form — are read through here and nowhere else, so none reaches arithmetic unbounded
/// (issue 12: `page * pageSize` with page = Int.max took the server down). A number
/// outside its range is refused with the field and the range, never clamped silently.
public struct BoundedNumber: Sendable {
    public let field: String
    public let range: ClosedRange<Int>
    public let labelZh: String
    public let labelEn: String

    public init(field: String, range: ClosedRange<Int>, zh: String, en: String) {
        self.field = field
        self.range = range
        self.labelZh = zh
        self.labelEn = en
    }

    /// Page numbers of every list: 100,000 pages of 100 rows is ten million rows, past
    /// any list a person pages through.
    public static let page = BoundedNumber(field: "page", range: 1...100_000, zh: "页码", en: "Page")
    /// Calendar years the system keeps accounts for.
    public static let year = BoundedNumber(field: "year", range: 2000...2100, zh: "年度", en: "Year")

    /// The number in `text` (ASCII or full-width digits, optional sign), or a refusal.
    public func read(_ text: String) throws(FieldRefusal) -> Int {
        let trimmed = TextNormaliser.halfWidth(text).trimmingWhitespace()
        guard let value = Int(trimmed) else {
            throw FieldRefusal(field: field, rule: "number.not_whole",
                               zh: "\(labelZh)：“\(TextNormaliser.truncated(trimmed))”不是整数",
                               en: "\(labelEn): “\(TextNormaliser.truncated(trimmed))” is not a whole number")
        }
        return try check(value)
    }

    /// `value` if it is inside the range.
    public func check(_ value: Int) throws(FieldRefusal) -> Int {
        guard range.contains(value) else {
            throw FieldRefusal(field: field, rule: "number.out_of_range",
                               zh: "\(labelZh)：应在 \(range.lowerBound)–\(range.upperBound) 之间，实为 \(value)",
                               en: "\(labelEn): must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }
}
