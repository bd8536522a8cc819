import Foundation

/// A calendar date with no time of day.
///
/// Legal dates — acceptance of an application, a decision, a birth date, the
/// month a payment is for — are calendar dates as the Asia/Shanghai office sees
/// them, not instants; keeping them apart from `Date` means no time-zone shift can
/// move a deadline by a day (SPEC "Policy is data": the 30-working-day clock).
///
/// Arithmetic works on a day number (days since 1970-01-01) in the proleptic
/// Gregorian calendar, so it needs no `Calendar`, no locale and no time-zone data.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The years an ISO date can write with four digits.
    public static let supportedYears = 1...9999

    /// Nil if the three numbers are not a real date, e.g. 1999-02-30.
    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month),
              day >= 1, day <= Self.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`, e.g. "2025-09-26".
    public init?(iso: String) {
        let chars = Array(iso.utf8)
        guard chars.count == 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              let y = Self.number(chars[0..<4]), let m = Self.number(chars[5..<7]),
              let d = Self.number(chars[8..<10]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses exactly `YYYYMMDD`, the form a birth date takes inside a resident
    /// ID number (GB 11643 positions 7–14).
    public init?(compact: String) {
        let chars = Array(compact.utf8)
        guard chars.count == 8, let y = Self.number(chars[0..<4]), let m = Self.number(chars[4..<6]),
              let d = Self.number(chars[6..<8]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let (y, m, d) = Self.civil(fromDays: dayNumber)
        self.year = y
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01 (negative before).
    public var dayNumber: Int { Self.days(fromCivil: year, month, day) }

    /// "2025-09-26".
    public var iso: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// "20250926", the resident-ID form.
    public var compact: String {
        "\(Self.pad(year, 4))\(Self.pad(month, 2))\(Self.pad(day, 2))"
    }

    public var description: String { iso }

    public func adding(days: Int) -> CivilDate {
        CivilDate(dayNumber: dayNumber + days)
    }

    /// Moves by calendar months; a day that does not exist in the target month
    /// becomes that month's last day (2025-01-31 + 1 month = 2025-02-28), because a
    /// monthly schedule must never skip a month.
    public func adding(months: Int) -> CivilDate {
        let total = year * 12 + (month - 1) + months
        let y = Self.floorDiv(total, 12)
        let m = total - y * 12 + 1
        let d = Swift.min(day, Self.daysInMonth(year: y, month: m))
        return CivilDate(unchecked: y, m, d)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (ISO 4).
        Self.floorMod(dayNumber + 3, 7) + 1
    }

    public var isWeekend: Bool { weekday >= 6 }

    /// Days from `self` to `other`; negative if `other` is earlier.
    public func days(until other: CivilDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// The calendar date in Asia/Shanghai at the instant `now`.
    ///
    /// China has kept UTC+8 without daylight saving since 1991, so every instant
    /// this system handles maps to Shanghai by a fixed eight-hour offset; using the
    /// offset directly keeps the result independent of the host's time-zone data.
    public static func today(now: Date) -> CivilDate {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down)) + shanghaiOffsetSeconds
        return CivilDate(dayNumber: floorDiv(seconds, 86_400))
    }

    /// Midnight at the start of this date in Asia/Shanghai.
    public var startInShanghai: Date {
        Date(timeIntervalSince1970: TimeInterval(dayNumber * 86_400 - Self.shanghaiOffsetSeconds))
    }

    /// Full years (周岁) from `self` as a birth date to `date`. The age goes up on
    /// the birthday; someone born on 29 February goes up on 1 March in common
    /// years. Negative when `date` is before `self`.
    public func age(on date: CivilDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    public var firstOfMonth: CivilDate { CivilDate(unchecked: year, month, 1) }

    public var lastOfMonth: CivilDate {
        CivilDate(unchecked: year, month, Self.daysInMonth(year: year, month: month))
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: Codable — as the ISO string, the form every API and file uses.

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM-DD date: \(text)")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    // MARK: Internals

    static let shanghaiOffsetSeconds = 8 * 3600

    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return value
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(abs(n))
        let padded = s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        return n < 0 ? "-" + padded : padded
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for every
    // proleptic Gregorian date, with no loops.
    private static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }
}
