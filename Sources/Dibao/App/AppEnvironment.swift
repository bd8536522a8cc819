import NIOConcurrencyHelpers
import Vapor
import DibaoCore

/// The one injectable environment of the running system: settings (clock, database,
/// security knobs) and the policy versions loaded from the database.
public final class AppEnvironment: Sendable {
    public let settings: Settings
    private let policies: NIOLockedValueBox<PolicyBook>
    private let calendars: NIOLockedValueBox<WorkingDayCalendar>

    init(settings: Settings) {
        self.settings = settings
        self.policies = .init(PolicyBook([Policy.default2013]))
        self.calendars = .init(WorkingDayCalendar(years: []))
    }

    public var clock: any DibaoClock { settings.clock }
    /// The holiday calendars loaded now: from the database at start, replaced whole when a
    /// year is loaded into the running server (`CalendarService.load`).
    public var calendar: WorkingDayCalendar { calendars.withLockedValue { $0 } }

    func replaceCalendar(_ calendar: WorkingDayCalendar) {
        calendars.withLockedValue { $0 = calendar }
    }
    public var policyBook: PolicyBook { policies.withLockedValue { $0 } }

    /// The policy that judges something that happened on `date` (SPEC "Policy is data").
    public func policy(on date: CivilDate) -> Policy {
        policyBook.inForce(on: date) ?? .default2013
    }

    func replacePolicies(_ book: PolicyBook) {
        policies.withLockedValue { $0 = book }
    }
}

extension Application {
    private struct EnvironmentKey: StorageKey { typealias Value = AppEnvironment }

    public var dibao: AppEnvironment {
        get {
            guard let env = storage[EnvironmentKey.self] else {
                fatalError("configure(_:settings:) has not run: the Dibao environment is missing")
            }
            return env
        }
        set { storage[EnvironmentKey.self] = newValue }
    }
}

extension Request {
    public var dibao: AppEnvironment { application.dibao }
}
