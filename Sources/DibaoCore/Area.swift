/// Province-level codes of GB/T 2260, shared by area codes and the address part
/// of resident ID numbers.
enum ProvinceCodes {
    static let all: Set<String> = {
        let ranges = [11...15, 21...23, 31...37, 41...46, 50...54, 61...65, 71...71, 81...82]
        return Set(ranges.flatMap { $0 }.map(String.init))
    }()
}

/// The five levels of the jurisdiction tree (SPEC "Jurisdictions"). Raw values
/// grow downwards, so `region < village`: a smaller level is a higher authority.
public enum AreaLevel: Int, Sendable, Codable, CaseIterable, Comparable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "area_level.\(self)" }

    case region = 1, league, county, township, village

    /// Significant digits of the 12-digit code at this level: 2, 4, 6, 9, 12.
    public var codeLength: Int {
        switch self {
        case .region: return 2
        case .league: return 4
        case .county: return 6
        case .township: return 9
        case .village: return 12
        }
    }



    /// The level directly below; nil for villages.
    public var child: AreaLevel? { AreaLevel(rawValue: rawValue + 1) }
    /// The level directly above; nil for the region.
    public var parent: AreaLevel? { AreaLevel(rawValue: rawValue - 1) }

    /// Digits this level adds to its parent's code: 2 for league and county, 3
    /// for township and village.
    public var segmentLength: Int { codeLength - (parent?.codeLength ?? 0) }

    public static func < (lhs: AreaLevel, rhs: AreaLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Urban or rural/pastoral. Below the county every area is one or the other,
/// and the two have separate standards (二.一) and separate review rhythms for
/// households with unstable income: monthly in towns, quarterly in the
/// countryside (二.六).
public enum AreaKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "area_kind.\(self)" }

    case urban, rural

}

/// A 12-digit statistical area code (统计用区划代码): 2 digits region, 2 league,
/// 2 county, 3 township, 3 village, e.g. 150102001001.
///
/// Jurisdiction is a prefix question on this code — a county user sees exactly
/// the areas whose codes start with the county's six digits (SPEC
/// "Jurisdictions") — so the code must be structurally sound before it is stored.
public struct AreaCode: Sendable, Hashable, Comparable, CheckedText, CustomStringConvertible {
    /// Always 12 digits.
    public let value: String
    public let level: AreaLevel

    /// Accepts the significant digits of any level (2, 4, 6, 9 or 12 digits) and
    /// pads with zeros. Refused: non-digits, other lengths, a first pair that is
    /// not a province-level code, and a code whose lower part is set under a zero
    /// part (e.g. a village number under township 000), because such an area
    /// would have no parent in the tree. The level is that of the last non-zero
    /// part, so "150100" is the league 1501, not a county.
    public init(_ raw: String, field: String = "area_code") throws(AreaRefusal) {
        let text = TextNormaliser.halfWidth(raw).trimmingWhitespace()
        guard text.allSatisfy(TextNormaliser.isASCIIDigit) else {
            throw AreaRefusal(field: field, reason: .notDigits)
        }
        guard AreaLevel.allCases.map(\.codeLength).contains(text.count) else {
            throw AreaRefusal(field: field, reason: .wrongLength(text.count))
        }
        let padded = text + String(repeating: "0", count: 12 - text.count)
        let province = String(padded.prefix(2))
        guard ProvinceCodes.all.contains(province) else {
            throw AreaRefusal(field: field, reason: .unknownProvince(province))
        }
        var deepest = AreaLevel.region
        var sawZero = false
        for level in AreaLevel.allCases.dropFirst() {
            let part = Self.segment(padded, level)
            if part.allSatisfy({ $0 == "0" }) {
                sawZero = true
            } else if sawZero {
                throw AreaRefusal(field: field, reason: .partUnderEmptyParent(level))
            } else {
                deepest = level
            }
        }
        self.value = padded
        self.level = deepest
    }

    private init(unchecked value: String, level: AreaLevel) {
        self.value = value
        self.level = level
    }

    /// The code's prefix that carries meaning: "1501" for a league.
    public var significant: String { String(value.prefix(level.codeLength)) }

    /// The area directly above; nil for the region.
    public var parent: AreaCode? { level.parent.flatMap { ancestor(at: $0) } }

    /// The area at `level` that contains this one (itself at its own level);
    /// nil if `level` is below this area's level.
    public func ancestor(at level: AreaLevel) -> AreaCode? {
        guard level <= self.level else { return nil }
        let prefix = value.prefix(level.codeLength)
        return AreaCode(unchecked: prefix + String(repeating: "0", count: 12 - level.codeLength), level: level)
    }

    /// True if `other` is this area or lies below it — the jurisdiction test.
    public func contains(_ other: AreaCode) -> Bool {
        other.level >= level && other.value.hasPrefix(significant)
    }

    /// The `number`-th child: `county.child(1)` is township 001 of the county,
    /// `league.child(2)` is county 02. Numbers run 1…99 for two-digit parts and
    /// 1…999 for three-digit parts; asking a village for a child, or for a number
    /// outside that range, is a mistake in the calling code and stops it.
    public func child(_ number: Int) -> AreaCode {
        guard let childLevel = level.child else {
            preconditionFailure("AreaCode.child: a village has no child areas")
        }
        let width = childLevel.segmentLength
        let maximum = width == 2 ? 99 : 999
        precondition((1...maximum).contains(number), "AreaCode.child: number \(number) outside 1...\(maximum)")
        let digits = String(number)
        let part = String(repeating: "0", count: width - digits.count) + digits
        let prefix = significant + part
        return AreaCode(unchecked: prefix + String(repeating: "0", count: 12 - prefix.count), level: childLevel)
    }

    /// The areas from the region down to this one, this one last.
    public var lineage: [AreaCode] {
        AreaLevel.allCases.filter { $0 <= level }.compactMap { ancestor(at: $0) }
    }

    public var description: String { value }

    public static func < (lhs: AreaCode, rhs: AreaCode) -> Bool { lhs.value < rhs.value }

    private static func segment(_ padded: String, _ level: AreaLevel) -> Substring {
        let start = padded.index(padded.startIndex, offsetBy: level.codeLength - level.segmentLength)
        let end = padded.index(padded.startIndex, offsetBy: level.codeLength)
        return padded[start..<end]
    }

    /// Codable as the 12-digit string (`CheckedText`).
    public init(checking text: String) throws { try self.init(text) }
}

/// Why an area code was refused.
public struct AreaRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        /// Something other than the digits 0–9.
        case notDigits
        /// Not 2, 4, 6, 9 or 12 digits.
        case wrongLength(Int)
        /// The first two digits are not a province-level code.
        case unknownProvince(String)
        /// The part for this level is set while a part above it is zero.
        case partUnderEmptyParent(AreaLevel)
    }

    public let field: String
    public let rule: String
    public let reason: Reason

    public init(field: String = "area_code", reason: Reason) {
        self.field = field
        self.reason = reason
        switch reason {
        case .notDigits: rule = "area.not_digits"
        case .wrongLength: rule = "area.length"
        case .unknownProvince: rule = "area.province"
        case .partUnderEmptyParent: rule = "area.structure"
        }
    }

    /// The field's label, then the reason (`refusal.labelled`), so that a larger form can
    /// put the position in words in place of the label (`Phrase.relabelled`).
    public var phrase: Phrase {
        let label = FieldLabel.phrase(field, subject: Phrase("field.area_code"))
        let why: Phrase
        switch reason {
        case .notDigits:
            why = Phrase("area.refusal_not_digits")
        case .wrongLength(let n):
            why = Phrase("area.refusal_length", n)
        case .unknownProvince(let p):
            why = Phrase("area.refusal_province", p)
        case .partUnderEmptyParent(let level):
            why = Phrase("area.refusal_structure", level.namePhrase)
        }
        return .labelled(label, why)
    }
}

extension AreaKind: Labelled {}

extension AreaLevel: Labelled {}
