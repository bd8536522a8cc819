import Foundation
import DibaoCore

/// Which database the system runs on, read from `DATABASE_URL`.
///
/// Unset means the embedded default: a SQLite file `dibao.sqlite` in the working
/// directory, so a newcomer needs nothing installed. `postgres://…` is for real
/// deployments; `sqlite:PATH` names another SQLite file.
public enum DatabaseChoice: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static func from(environment value: String?) throws -> DatabaseChoice {
        guard let value, !value.isEmpty else { return .sqlite(path: "dibao.sqlite") }
        if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            return .postgres(url: value)
        }
        if value.hasPrefix("sqlite:") {
            let path = String(value.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw SettingsError("DATABASE_URL=sqlite: needs a file path, e.g. sqlite:/var/lib/dibao/dibao.sqlite") }
            return .sqlite(path: path)
        }
        throw SettingsError("DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got a value of another scheme)")
    }

    /// Names the database without its password, for `/healthz` and the start-up line.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var parts = URLComponents(string: url) else { return "postgres" }
            parts.password = nil
            parts.user = parts.user
            return parts.string ?? "postgres"
        }
    }

    public var kind: String {
        switch self {
        case .sqlite: return "sqlite"
        case .postgres: return "postgresql"
        }
    }
}

public struct SettingsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything the running system is configured with. One value, injected at start,
/// so tests can replace the clock, the database and the cost of password hashing.
public struct Settings: Sendable {
    public var database: DatabaseChoice
    public var clock: any DibaoClock
    /// bcrypt work factor. 12 in production; tests lower it so that hundreds of
    /// sign-ins stay fast — the hashing itself is the same code.
    public var passwordCost: Int
    /// Sign-in lock-out: this many failures in a row locks the account for `lockoutMinutes`.
    public var maxFailedSignIns: Int
    public var lockoutMinutes: Int
    /// Mark session cookies `Secure` (behind HTTPS). Off for loopback use.
    public var secureCookies: Bool
    /// Where the shipped holiday calendars are (`calendars/2026.toml` …): a year found there
    /// and not yet in the database is loaded at start (issue 15).
    public var calendarDirectory: String = "calendars"
    /// Where evidence files are kept (outside the database, under random names).
    public var storageDirectory: String
    /// Largest evidence file accepted, in bytes.
    public var maxEvidenceBytes: Int
    /// A session unused this long ends (issue 12: sessions never expired on the server) …
    public var sessionIdleMinutes: Int = 60
    /// … and none lasts longer than this, however busy.
    public var sessionAbsoluteHours: Int = 12
    /// Sign-in attempts one client (address) may make per minute, right or wrong.
    public var signInAttemptsPerMinute: Int = 60
    /// Public objections one client may raise per hour, and one case may receive per day.
    public var objectionsPerClientPerHour: Int = 5
    /// Anonymous online complaints (二.八) from one client per hour, as objections.
    public var complaintsPerClientPerHour: Int = 5
    public var objectionsPerCasePerDay: Int = 20
    /// Public lookups by receipt number one client may make per hour.
    public var lookupsPerClientPerHour: Int = 120
    /// API tokens expire this many days after they are made unless made otherwise.
    public var tokenLifetimeDays: Int = 365

    public init(
        database: DatabaseChoice,
        clock: any DibaoClock = SystemClock(),
        passwordCost: Int = 12,
        maxFailedSignIns: Int = 5,
        lockoutMinutes: Int = 15,
        secureCookies: Bool = false,
        storageDirectory: String = "storage",
        maxEvidenceBytes: Int = 5 * 1024 * 1024
    ) {
        self.database = database
        self.clock = clock
        self.passwordCost = passwordCost
        self.maxFailedSignIns = maxFailedSignIns
        self.lockoutMinutes = lockoutMinutes
        self.secureCookies = secureCookies
        self.storageDirectory = storageDirectory
        self.maxEvidenceBytes = maxEvidenceBytes
    }

    public static func fromEnvironment() throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        var settings = Settings(database: try DatabaseChoice.from(environment: env["DATABASE_URL"]))
        if let cost = env["DIBAO_PASSWORD_COST"].flatMap(Int.init), (4...31).contains(cost) {
            settings.passwordCost = cost
        }
        settings.secureCookies = env["DIBAO_SECURE_COOKIES"] == "1"
        if let dir = env["DIBAO_STORAGE"], !dir.isEmpty { settings.storageDirectory = dir }
        // An office that enters every year's calendar itself points this at an empty folder.
        if let dir = env["DIBAO_CALENDAR_DIRECTORY"], !dir.isEmpty { settings.calendarDirectory = dir }
        if let file = env["DIBAO_CLOCK_FILE"], !file.isEmpty { settings.clock = FileClock(path: file) }
        if let n = env["DIBAO_SIGN_IN_PER_MINUTE"].flatMap(Int.init), (1...100_000).contains(n) { settings.signInAttemptsPerMinute = n }
        return settings
    }
}

/// For training and demo sandboxes only (set with `DIBAO_CLOCK_FILE`): the date is read
/// from a file on every use, so a trainer — or a browser test — can move the office to
/// the end of a seven-day notice without waiting a week. The file holds `2026-03-02`;
/// when it is missing or unreadable the real time is used.
public struct FileClock: DibaoClock {
    public let path: String

    public init(path: String) { self.path = path }

    public func now() -> Date {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let date = CivilDate(iso: text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return Date() }
        return FixedClock(iso: date.iso).now()
    }
}
