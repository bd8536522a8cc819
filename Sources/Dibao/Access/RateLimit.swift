import NIOConcurrencyHelpers
import Vapor

/// Counts events per key in fixed windows, in memory (issue 12: sign-in guessing from one
/// client, floods of anonymous objections). One server process is one counter; behind
/// several processes each counts its own share, which still bounds the flood per process.
final class RateLimiter: Sendable {
    private struct Window { var start: Date; var count: Int }
    private let windows = NIOLockedValueBox<[String: Window]>([:])
    private let capacity = 200_000

    /// Counts one event for `key`; false when the key already had `limit` events in the
    /// window of `seconds` that holds `now`.
    func allow(_ key: String, limit: Int, per seconds: TimeInterval, now: Date = Date()) -> Bool {
        windows.withLockedValue { w in
            if w.count >= capacity { w = w.filter { now.timeIntervalSince($0.value.start) < 3600 * 24 } }
            if w.count >= capacity { w.removeAll(keepingCapacity: true) }
            var window = w[key] ?? Window(start: now, count: 0)
            if now.timeIntervalSince(window.start) >= seconds { window = Window(start: now, count: 0) }
            guard window.count < limit else { w[key] = window; return false }
            window.count += 1
            w[key] = window
            return true
        }
    }
}

extension Application {
    private struct RateLimiterKey: StorageKey { typealias Value = RateLimiter }

    var rateLimiter: RateLimiter {
        // Set once in `configure`; the fallback only serves code run without it.
        get { storage[RateLimiterKey.self] ?? RateLimiter() }
        set { storage[RateLimiterKey.self] = newValue }
    }
}

extension Request {
    /// The client as the server sees it: the peer address (a proxy in front is expected to
    /// be the only peer and to be configured to limit by itself).
    var clientKey: String { remoteAddress?.ipAddress ?? "unknown" }

    /// 429 with the reason in the person's language when the key is over its limit.
    func limit(_ scope: String, key: String, max: Int, per seconds: TimeInterval) throws {
        guard application.rateLimiter.allow("\(scope)|\(key)", limit: max, per: seconds) else {
            throw Abort(.tooManyRequests, reason: l10n("error.rate_limited"))
        }
    }
}
