/// 申请回执编号 — the number an applicant is given at intake and quotes to follow
/// the application (SPEC module 2), e.g. "150102001-20260302-0007-5":
/// the township's 9-digit code, the date of application, the township's
/// sequence for that day, and a check character.
///
/// The number is read aloud on the phone and typed back from a paper slip, so a
/// mistyped number must be refused rather than lead to somebody else's case. The
/// check character is ISO 7064 MOD 11-2 over the 21 digits — the system the
/// resident ID number already uses, so staff know its "X" — which catches every
/// single wrong digit and every swap of two neighbouring digits.
public struct ReceiptNumber: Sendable, Hashable, CheckedText, CustomStringConvertible {
    public let township: AreaCode
    public let date: CivilDate
    /// 1…9999 within the township and day.
    public let sequence: Int
    public let checkCharacter: Character

    /// The highest daily sequence four digits can hold; far above any township's
    /// applications in a day.
    public static let maximumSequence = 9999

    /// The number for the `sequence`-th application of `date` at `township`. A
    /// village code stands for its township, since an application is made at the
    /// township of registration (二.二.1). A code above township level or a
    /// sequence outside 1…9999 is a mistake in the calling code and stops it.
    public static func make(township: AreaCode, date: CivilDate, sequence: Int) -> ReceiptNumber {
        guard let code = township.ancestor(at: .township) else {
            preconditionFailure("ReceiptNumber.make: \(township) is above township level")
        }
        precondition((1...maximumSequence).contains(sequence),
                     "ReceiptNumber.make: sequence \(sequence) outside 1...\(maximumSequence)")
        let digits = code.significant + date.compact + pad4(sequence)
        return ReceiptNumber(township: code, date: date, sequence: sequence, checkCharacter: checkCharacter(for: digits))
    }

    /// Reads a number a person typed. Tolerated: surrounding spaces, full-width
    /// characters, a lower-case "x", and the hyphens left out or replaced by
    /// spaces. Refused: any other character, a wrong length, a wrong check
    /// character (a typo), and — for a number whose check character matches — a
    /// township code, date or sequence that no receipt could carry.
    public init(_ text: String, field: String = "receipt_number") throws(ReceiptRefusal) {
        let typed = TextNormaliser.halfWidth(text).trimmingWhitespace().uppercased()
        guard !typed.isEmpty else { throw ReceiptRefusal(field: field, reason: .empty) }
        let compact = typed.filter { $0 != "-" && $0 != " " }
        guard compact.count == 22 else { throw ReceiptRefusal(field: field, reason: .wrongLength(compact.count)) }
        let digits = String(compact.prefix(21))
        let last = compact.last!
        guard digits.allSatisfy(TextNormaliser.isASCIIDigit),
              TextNormaliser.isASCIIDigit(last) || last == "X" else {
            throw ReceiptRefusal(field: field, reason: .badCharacter)
        }
        guard Self.checkCharacter(for: digits) == last else { throw ReceiptRefusal(field: field, reason: .checkCharacter) }
        let chars = Array(digits)
        guard let code = try? AreaCode(String(chars[0..<9])), code.level == .township else {
            throw ReceiptRefusal(field: field, reason: .notATownship)
        }
        guard let date = CivilDate(compact: String(chars[9..<17])) else {
            throw ReceiptRefusal(field: field, reason: .invalidDate)
        }
        let sequence = Int(String(chars[17..<21]))!
        guard sequence >= 1 else { throw ReceiptRefusal(field: field, reason: .sequenceZero) }
        self.init(township: code, date: date, sequence: sequence, checkCharacter: last)
    }

    private init(township: AreaCode, date: CivilDate, sequence: Int, checkCharacter: Character) {
        self.township = township
        self.date = date
        self.sequence = sequence
        self.checkCharacter = checkCharacter
    }

    /// "150102001-20260302-0007-5".
    public var value: String {
        "\(township.significant)-\(date.compact)-\(Self.pad4(sequence))-\(checkCharacter)"
    }

    public var description: String { value }

    /// ISO 7064 MOD 11-2 over any number of digits: s ← (s + digit) × 2 mod 11 for
    /// each digit, then the character c with s + c ≡ 1 (mod 11), 10 written "X".
    /// For 17 digits this is the GB 11643 check character. A non-digit counts as 0.
    public static func checkCharacter(for digits: String) -> Character {
        var s = 0
        for c in digits { s = ((s + (c.wholeNumberValue ?? 0)) * 2) % 11 }
        let v = (12 - s) % 11
        return v == 10 ? "X" : Character(String(v))
    }

    private static func pad4(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// Codable as the printed form (`CheckedText`).
    public init(checking text: String) throws { try self.init(text) }
}

/// Why a typed receipt number was refused. The messages never repeat the number,
/// so a refusal shown on a public query page reveals nothing about other cases.
public struct ReceiptRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case empty
        /// Characters counted without the hyphens; 22 expected.
        case wrongLength(Int)
        /// Something other than digits, with "X" allowed only as the check character.
        case badCharacter
        /// The check character does not match: most often a mistyped digit.
        case checkCharacter
        case notATownship
        case invalidDate
        case sequenceZero
    }

    public let field: String
    public let rule: String
    public let reason: Reason

    public init(field: String = "receipt_number", reason: Reason) {
        self.field = field
        self.reason = reason
        switch reason {
        case .empty: rule = "receipt.empty"
        case .wrongLength: rule = "receipt.length"
        case .badCharacter: rule = "receipt.character"
        case .checkCharacter: rule = "receipt.check_character"
        case .notATownship: rule = "receipt.township"
        case .invalidDate: rule = "receipt.date"
        case .sequenceZero: rule = "receipt.sequence"
        }
    }

    /// The field's label with the machine name beside it when the form calls the field
    /// otherwise, and the rule. The check character is a value (`X`), written as it is typed.
    public var phrase: Phrase {
        let name = Phrase("receipt.refusal_label")
        let label = field == "receipt_number" ? name : Phrase("refusal.subject_field", name, field)
        let why: Phrase
        switch reason {
        case .empty: why = Phrase("receipt.refusal_empty")
        case .wrongLength(let n): why = Phrase("receipt.refusal_length", n)
        case .badCharacter: why = Phrase("receipt.refusal_character", "X")
        case .checkCharacter: why = Phrase("receipt.refusal_check_character")
        case .notATownship: why = Phrase("receipt.refusal_township")
        case .invalidDate: why = Phrase("receipt.refusal_date")
        case .sequenceZero: why = Phrase("receipt.refusal_sequence")
        }
        return .labelled(label, why)
    }
}
