/// Whole numbers that arrive from outside — a page number, a year, a count typed in a
/// form — are read through here and nowhere else, so none reaches arithmetic unbounded
/// (issue 12: `page * pageSize` with page = Int.max took the server down). A number
/// outside its range is refused with the field and the range, never clamped silently.
public struct BoundedNumber: Sendable {
    public let field: String
    public let range: ClosedRange<Int>
    /// The field's name as the person sees it, written in the reader's language.
    public let label: Phrase

    public init(field: String, range: ClosedRange<Int>, label: Phrase) {
        self.field = field
        self.range = range
        self.label = label
    }

    /// Page numbers of every list: 100,000 pages of 100 rows is ten million rows, past
    /// any list a person pages through.
    public static let page = BoundedNumber(field: "page", range: 1...100_000, label: Phrase("policy.number_page"))
    /// Calendar years the system keeps accounts for.
    public static let year = BoundedNumber(field: "year", range: 2000...2100, label: Phrase("policy.number_year"))

    /// The number in `text` (ASCII or full-width digits, optional sign), or a refusal.
    public func read(_ text: String) throws(FieldRefusal) -> Int {
        let trimmed = TextNormaliser.halfWidth(text).trimmingWhitespace()
        guard let value = Int(trimmed) else {
            throw FieldRefusal(field: field, rule: "number.not_whole",
                               .labelled(label, Phrase("policy.refusal_number_not_whole", TextNormaliser.truncated(trimmed))))
        }
        return try check(value)
    }

    /// `value` if it is inside the range.
    public func check(_ value: Int) throws(FieldRefusal) -> Int {
        guard range.contains(value) else {
            throw FieldRefusal(field: field, rule: "number.out_of_range",
                               .labelled(label, Phrase("policy.refusal_number_out_of_range", range.lowerBound, range.upperBound, value)))
        }
        return value
    }
}
