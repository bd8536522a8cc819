/// The time limits of a complaint, from 信访工作条例 (中共中央、国务院, 2022年5月1日起施行),
/// as policy items (SPEC "Policy is data"):
///
/// - 第二十五条: an office that receives a petition decides within 15 days whether it is
///   accepted and tells the petitioner (`acceptanceDays`);
/// - 第三十二条: an accepted matter is concluded within 60 days of acceptance, extendable once by
///   at most 30 days with the head's approval and the reason told to the petitioner
///   (`handlingDays`, `extensionDays`);
/// - 第三十五条: a review (复查) or re-review (复核) is asked for within 30 days of the written
///   answer and answered within 30 days (`reviewRequestDays`).
///
/// The regulation counts days (日); this system counts them on the official calendar: in
/// `calendar` counting every day counts and a period ending on a day off ends on the next
/// working day (民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的
/// 最后一日); a league that counts working days sets `working`. The days a complaint waits for
/// materials the office listed (一次性告知) do not count: the clock waits for the complainant.
public struct ComplaintLimits: Sendable, Codable, Equatable {
    public enum Counting: String, Sendable, Codable, CaseIterable { case calendar, working }

    public var acceptanceDays: Int
    public var handlingDays: Int
    public var extensionDays: Int
    public var reviewRequestDays: Int
    /// A complaint with this many counted days left or fewer is shown as at risk.
    public var atRiskDays: Int
    public var counting: Counting

    public init(acceptanceDays: Int = 15, handlingDays: Int = 60, extensionDays: Int = 30, reviewRequestDays: Int = 30,
                atRiskDays: Int = 5, counting: Counting = .calendar) {
        self.acceptanceDays = acceptanceDays
        self.handlingDays = handlingDays
        self.extensionDays = extensionDays
        self.reviewRequestDays = reviewRequestDays
        self.atRiskDays = atRiskDays
        self.counting = counting
    }

    public static let petition2022 = ComplaintLimits()

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(acceptanceDays: try c.decodeIfPresent(Int.self, forKey: .acceptanceDays) ?? 15,
                  handlingDays: try c.decodeIfPresent(Int.self, forKey: .handlingDays) ?? 60,
                  extensionDays: try c.decodeIfPresent(Int.self, forKey: .extensionDays) ?? 30,
                  reviewRequestDays: try c.decodeIfPresent(Int.self, forKey: .reviewRequestDays) ?? 30,
                  atRiskDays: try c.decodeIfPresent(Int.self, forKey: .atRiskDays) ?? 5,
                  counting: try c.decodeIfPresent(Counting.self, forKey: .counting) ?? .calendar)
    }

    /// The first item out of range, as (policy item, value).
    public var problem: (String, Int)? {
        let items: [(String, Int)] = [("complaint_limits.acceptance_days", acceptanceDays), ("complaint_limits.handling_days", handlingDays),
                                      ("complaint_limits.review_request_days", reviewRequestDays)]
        if let bad = items.first(where: { $0.1 <= 0 || $0.1 > 366 }) { return bad }
        if extensionDays < 0 || extensionDays > 366 { return ("complaint_limits.extension_days", extensionDays) }
        if atRiskDays < 0 || atRiskDays > 366 { return ("complaint_limits.at_risk_days", atRiskDays) }
        return nil
    }
}

/// A wait for materials: the days after `from` up to and including `until` do not count
/// (`until` nil: still waiting).
public struct ClockPause: Sendable, Equatable, Codable {
    public var from: CivilDate
    public var until: CivilDate?

    public init(from: CivilDate, until: CivilDate?) {
        self.from = from
        self.until = until
    }

    func covers(_ d: CivilDate) -> Bool { d > from && (until.map { d <= $0 } ?? true) }
}

/// On track, at risk, breached — or waiting for the complainant, or concluded in or out of time.
public enum TimeLimitState: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "time_limit_state.\(self)" }

    case onTrack = "on_track"
    case atRisk = "at_risk"
    case breached
    case paused
    case met
    case late
}

/// One running limit: from `start`, `days` counted days, not counting pauses.
public struct ComplaintClock: Sendable, Equatable {
    public var start: CivilDate
    public var days: Int
    public var pauses: [ClockPause]
    public var counting: ComplaintLimits.Counting

    public init(start: CivilDate, days: Int, pauses: [ClockPause] = [], counting: ComplaintLimits.Counting) {
        self.start = start
        self.days = max(0, days)
        self.pauses = pauses
        self.counting = counting
    }

    /// The stage's clock: before acceptance the acceptance limit from receipt, after it the
    /// handling limit (with an extension, if granted) from acceptance.
    public static func of(receivedOn: CivilDate, acceptedOn: CivilDate?, extended: Bool, pauses: [ClockPause], limits: ComplaintLimits) -> ComplaintClock {
        if let acceptedOn {
            return ComplaintClock(start: acceptedOn, days: limits.handlingDays + (extended ? limits.extensionDays : 0),
                                  pauses: pauses.filter { $0.from >= acceptedOn }, counting: limits.counting)
        }
        return ComplaintClock(start: receivedOn, days: limits.acceptanceDays, pauses: pauses, counting: limits.counting)
    }

    public var isPaused: Bool { pauses.contains { $0.until == nil } }

    func counts(_ d: CivilDate, calendar: WorkingDayCalendar) -> Bool {
        if pauses.contains(where: { $0.covers(d) }) { return false }
        return counting == .calendar || calendar.isWorkingDay(d)
    }

    /// The last day of the limit; nil while a pause is open (the end is not known yet).
    public func deadline(calendar: WorkingDayCalendar) -> CivilDate? {
        if isPaused { return nil }
        var day = start, remaining = days
        // A pause of at most a few years on top of a year's limit: bounded.
        var guardDays = 366 * 12
        while remaining > 0 && guardDays > 0 {
            day = day.adding(days: 1)
            guardDays -= 1
            if counts(day, calendar: calendar) { remaining -= 1 }
        }
        if counting == .calendar {
            while !calendar.isWorkingDay(day) && guardDays > 0 { day = day.adding(days: 1); guardDays -= 1 }
        }
        return day
    }

    /// Counted days in (today, deadline]: what is left.
    public func daysLeft(on today: CivilDate, calendar: WorkingDayCalendar) -> Int? {
        guard let end = deadline(calendar: calendar) else { return nil }
        guard end > today else { return end == today ? 0 : -1 }
        var n = 0, day = today
        while day < end { day = day.adding(days: 1); if counts(day, calendar: calendar) || day == end { n += 1 } }
        return n
    }

    /// The state on `today` of an open complaint, or of one concluded on `concludedOn`.
    public func state(on today: CivilDate, concludedOn: CivilDate? = nil, atRiskDays: Int, calendar: WorkingDayCalendar) -> TimeLimitState {
        if let concludedOn {
            guard let end = deadline(calendar: calendar) else { return .met }
            return concludedOn <= end ? .met : .late
        }
        if isPaused { return .paused }
        guard let left = daysLeft(on: today, calendar: calendar) else { return .paused }
        if left < 0 { return .breached }
        return left <= atRiskDays ? .atRisk : .onTrack
    }
}

extension TimeLimitState: Labelled {}
