import Foundation

/// The one source of "now" in the system. Deadlines (the county's 30 working
/// days, 二.二.4), review dates (二.六) and the payroll month all depend on today,
/// so tests and demonstrations inject a fixed clock instead of the wall clock.
public protocol DibaoClock: Sendable {
    func now() -> Date
}

public extension DibaoClock {
    /// Today's calendar date in Asia/Shanghai, the date every legal period counts from.
    func today() -> CivilDate { CivilDate.today(now: now()) }
}

/// The wall clock.
public struct SystemClock: DibaoClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that always tells the same instant.
public struct FixedClock: DibaoClock {
    public let date: Date

    public init(_ date: Date) { self.date = date }

    /// "2025-09-26" means noon of that day in Asia/Shanghai — far from midnight, so
    /// the date is the same in every time zone a reader might think in. A full
    /// ISO 8601 timestamp ("2025-09-26T09:30:00+08:00") is taken as that instant.
    /// Anything else is a mistake in the calling test or fixture and stops it.
    public init(iso: String) {
        if let day = CivilDate(iso: iso) {
            self.date = day.startInShanghai.addingTimeInterval(12 * 3600)
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var parsed = formatter.date(from: iso)
        if parsed == nil {
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            parsed = formatter.date(from: iso)
        }
        guard let instant = parsed else {
            preconditionFailure("FixedClock(iso:) needs YYYY-MM-DD or an ISO 8601 timestamp, got \(iso)")
        }
        self.date = instant
    }

    public func now() -> Date { date }
}
