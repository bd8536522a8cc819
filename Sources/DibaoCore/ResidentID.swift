/// Sex as recorded in the resident ID number.
public enum Sex: String, Sendable, Codable {
    case male, female

    public var zh: String { self == .male ? "男" : "女" }
    public var en: String { rawValue }
}

/// The 18-character citizen identity number (公民身份号码) of GB 11643-1999: a
/// six-digit address code, an eight-digit birth date, a three-digit sequence
/// code whose last digit is odd for men and even for women, and an ISO 7064
/// MOD 11-2 check character.
///
/// Every member, applicant and supporter is identified by it (SPEC "Money and
/// identity"), and the verification centre's department records are keyed by it
/// (二.五), so a mistyped number would silently match nobody — or somebody else.
/// An invalid number is therefore refused with its reason, and birth date and sex
/// are always read from the number, never typed a second time.
public struct ResidentID: Sendable, Hashable, CheckedText, CustomStringConvertible {
    /// The 18 characters; a final lower-case x is stored as "X".
    public let value: String
    /// Positions 7–14.
    public let birthDate: CivilDate

    /// The earliest birth year accepted. Nobody born before 1900 can be alive to
    /// apply, so such a date is a typing error even when the check character
    /// happens to fit.
    public static let earliestBirthYear = 1900

    /// Checks `raw` in this order, so that the first reason given is the one that
    /// explains the most:
    /// 1. length is 18 (spaces anywhere are ignored, full-width digits accepted);
    /// 2. positions 1–17 are digits and position 18 is a digit or X — an X
    ///    elsewhere is reported as misplaced, since it is the usual slip;
    /// 3. the address code is plausible — see `isPlausibleRegion(_:)`;
    /// 4. the birth date is a real date, not before `earliestBirthYear`, and not
    ///    after `today` when `today` is given;
    /// 5. the check character matches the first 17.
    public init(_ raw: String, field: String = "id_number", today: CivilDate? = nil) throws(ResidentIDRefusal) {
        let cleaned = String(TextNormaliser.halfWidth(raw).filter { !$0.isWhitespace }.map { $0 == "x" ? "X" : $0 })
        let chars = Array(cleaned)
        guard chars.count == 18 else {
            throw ResidentIDRefusal(field: field, reason: .wrongLength(chars.count))
        }
        for (i, c) in chars.enumerated() where !TextNormaliser.isASCIIDigit(c) {
            if c == "X" && i == 17 { continue }
            if c == "X" { throw ResidentIDRefusal(field: field, reason: .misplacedX) }
            throw ResidentIDRefusal(field: field, reason: .invalidCharacter(position: i + 1))
        }
        let region = String(chars[0..<6])
        guard Self.isPlausibleRegion(region) else {
            throw ResidentIDRefusal(field: field, reason: .unknownRegion(region))
        }
        let birthText = String(chars[6..<14])
        guard let birth = CivilDate(compact: birthText), birth.year >= Self.earliestBirthYear else {
            throw ResidentIDRefusal(field: field, reason: .impossibleBirthDate(birthText))
        }
        if let today, birth > today {
            throw ResidentIDRefusal(field: field, reason: .birthDateInFuture(birthText))
        }
        let expected = Self.checkCharacter(for: String(chars[0..<17]))
        guard chars[17] == expected else {
            throw ResidentIDRefusal(field: field, reason: .wrongCheckCharacter(expected: expected, found: chars[17]))
        }
        self.value = cleaned
        self.birthDate = birth
    }

    /// The address code, positions 1–6: where the number was first issued, not
    /// necessarily where the person lives now.
    public var regionCode: String { String(value.prefix(6)) }

    /// Positions 15–17.
    public var sequenceCode: String { String(value.dropFirst(14).prefix(3)) }

    /// The 17th digit is odd for men, even for women (GB 11643: odd sequence codes go to men).
    public var sex: Sex {
        let digit = value.dropFirst(16).first!.wholeNumberValue!
        return digit % 2 == 1 ? .male : .female
    }

    /// "1501**********1234": how the number may appear in public (二.三).
    public var masked: String { Masking.idNumber(value) }

    public var description: String { value }

    /// Full years on `date`.
    public func age(on date: CivilDate) -> Int { birthDate.age(on: date) }

    /// The address-code check. A complete list of county codes changes every
    /// year and old numbers keep their old codes, so only the structure is
    /// checked:
    /// - the first two digits are a province-level code of GB/T 2260 (11–15,
    ///   21–23, 31–37, 41–46, 50–54, 61–65) or 71, 81, 82;
    /// - the city part (digits 3–4) is not "00" while the county part (5–6) is
    ///   set, because a county always lies inside a city-level unit (directly
    ///   administered counties use 90, not 00).
    public static func isPlausibleRegion(_ code: String) -> Bool {
        let digits = Array(code)
        guard digits.count == 6, digits.allSatisfy(TextNormaliser.isASCIIDigit),
              ProvinceCodes.all.contains(String(digits[0..<2])) else { return false }
        let city = String(digits[2..<4])
        let county = String(digits[4..<6])
        return !(city == "00" && county != "00")
    }

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkMap = Array("10X98765432")

    /// The ISO 7064 MOD 11-2 check character for the first 17 digits: the
    /// weighted sum (weights 2^(18−i) mod 11) modulo 11, mapped through
    /// "10X98765432". Characters beyond 17 are ignored; a non-digit counts as 0.
    public static func checkCharacter(for first17: String) -> Character {
        var sum = 0
        for (c, w) in zip(first17, weights) {
            sum += (c.wholeNumberValue ?? 0) * w
        }
        return checkMap[sum % 11]
    }

    /// A valid number for demonstration data. `sequence` (0…499, taken modulo
    /// 500) and `sex` together give the three-digit sequence code
    /// `2 × sequence + (male ? 1 : 0)`, so the 17th digit has the right parity.
    /// `regionCode` may be a 6-digit address code or a longer area code (only its
    /// first six digits are used). A region code that cannot start a valid number,
    /// or a birth date before 1900, is a mistake in the calling code and stops it.
    public static func make(regionCode: String, birthDate: CivilDate, sequence: Int, sex: Sex) -> ResidentID {
        let region = String(regionCode.prefix(6))
        precondition(isPlausibleRegion(region), "ResidentID.make: implausible region code \(regionCode)")
        precondition(birthDate.year >= earliestBirthYear, "ResidentID.make: birth date before \(earliestBirthYear)")
        let code = (((sequence % 500) + 500) % 500) * 2 + (sex == .male ? 1 : 0)
        let sequenceText = code < 10 ? "00\(code)" : code < 100 ? "0\(code)" : "\(code)"
        let first17 = region + birthDate.compact + sequenceText
        return ResidentID(unchecked: first17 + String(checkCharacter(for: first17)), birthDate: birthDate)
    }

    private init(unchecked value: String, birthDate: CivilDate) {
        self.value = value
        self.birthDate = birthDate
    }

    // Two values are the same person's number exactly when the strings agree;
    // the birth date is derived from the string.
    public static func == (lhs: ResidentID, rhs: ResidentID) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// Codable as the string (`CheckedText`).
    public init(checking text: String) throws { try self.init(text) }
}

/// Why a resident ID number was refused. Each reason has its own rule code and
/// message; the messages quote only the part of the number that is wrong.
public struct ResidentIDRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case wrongLength(Int)
        /// 1-based position of the first character that is neither a digit nor a
        /// final X.
        case invalidCharacter(position: Int)
        /// An X anywhere but the 18th position.
        case misplacedX
        /// The six-digit address code.
        case unknownRegion(String)
        /// The eight birth-date digits: not a real date, or before 1900.
        case impossibleBirthDate(String)
        /// The eight birth-date digits: after today.
        case birthDateInFuture(String)
        case wrongCheckCharacter(expected: Character, found: Character)
    }

    public let field: String
    public let rule: String
    public let reason: Reason

    public init(field: String = "id_number", reason: Reason) {
        self.field = field
        self.reason = reason
        switch reason {
        case .wrongLength: rule = "id.length"
        case .invalidCharacter: rule = "id.character"
        case .misplacedX: rule = "id.misplaced_x"
        case .unknownRegion: rule = "id.region"
        case .impossibleBirthDate: rule = "id.birth_date"
        case .birthDateInFuture: rule = "id.birth_date_future"
        case .wrongCheckCharacter: rule = "id.check_character"
        }
    }

    /// The field's label, then the reason (`refusal.labelled`), so that a larger form can
    /// put the position in words in place of the label (`Phrase.relabelled`). The X of the
    /// check character is an argument: it is the character typed, in every language.
    public var phrase: Phrase {
        let label = FieldLabel.phrase(field, subject: Phrase("field.id_number"))
        let why: Phrase
        switch reason {
        case .wrongLength(let n):
            why = Phrase("id.refusal_length", n)
        case .invalidCharacter(let p):
            why = p == 18 ? Phrase("id.refusal_last_character", "X") : Phrase("id.refusal_character", p)
        case .misplacedX:
            why = Phrase("id.refusal_misplaced_x", "X")
        case .unknownRegion(let code):
            why = Phrase("id.refusal_region", code)
        case .impossibleBirthDate(let d):
            why = Phrase("id.refusal_birth_date", d, ResidentID.earliestBirthYear)
        case .birthDateInFuture(let d):
            why = Phrase("id.refusal_birth_date_future", d)
        case .wrongCheckCharacter(let expected, let found):
            why = Phrase("id.refusal_check_character", expected, found)
        }
        return .labelled(label, why)
    }
}
