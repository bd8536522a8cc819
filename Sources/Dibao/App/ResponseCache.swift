import NIOConcurrencyHelpers
import Vapor
import DibaoCore

/// Finished responses of pages that many people read and few change — the public notices,
/// work queues, counts over large areas — kept for a short time. Every change goes through
/// `AuditLog.write`, which, when it commits, drops the entries of every area on the changed
/// record's line (its village, township, county, league, region — and anything below the
/// area it names), so a cached page is never older than the last change that concerns it.
/// The time limit bounds what a second process could miss.
public final class ResponseCache: Sendable {
    struct Entry: Sendable {
        /// The significant prefix of the area the entry is about ("" for the whole system).
        var area: String
        var body: ByteBuffer
        var contentType: HTTPMediaType
        var cacheControl: String
        var expires: Date
    }

    fileprivate let state = NIOLockedValueBox<(generation: UInt64, entries: [String: Entry])>((0, [:]))
    let lifetime: TimeInterval
    let capacity: Int

    init(lifetime: TimeInterval = 60, capacity: Int = 20_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func invalidateAll() {
        state.withLockedValue { s in
            s.generation &+= 1
            s.entries.removeAll(keepingCapacity: true)
        }
    }

    /// Drops what a change in `areas` (12-digit codes) may have made stale.
    public func invalidate(areas: Set<String>) {
        let prefixes = areas.map { (try? AreaCode($0))?.significant ?? "" }
        state.withLockedValue { s in
            s.generation &+= 1
            if prefixes.contains("") { s.entries.removeAll(keepingCapacity: true); return }
            s.entries = s.entries.filter { _, e in !prefixes.contains { p in p.hasPrefix(e.area) || e.area.hasPrefix(p) } }
        }
    }

    /// The cached response for `key`, or the one `make` produces — stored only when no
    /// change committed while it was being made.
    func response(area: AreaCode?, _ key: String, for req: Request, _ make: () async throws -> Response) async throws -> Response {
        let now = Date()
        let (hit, generation): (Entry?, UInt64) = state.withLockedValue { s in
            guard let e = s.entries[key], e.expires > now else { return (nil, s.generation) }
            return (e, s.generation)
        }
        if let hit {
            let r = Response(status: .ok, body: .init(buffer: hit.body))
            r.headers.contentType = hit.contentType
            r.headers.replaceOrAdd(name: .cacheControl, value: hit.cacheControl)
            return r
        }
        let response = try await make()
        guard response.status == .ok, let body = response.body.buffer, let type = response.headers.contentType else { return response }
        let entry = Entry(area: area?.significant ?? "", body: body, contentType: type, cacheControl: response.headers.first(name: .cacheControl) ?? "no-store", expires: now.addingTimeInterval(lifetime))
        state.withLockedValue { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = entry
        }
        return response
    }
}

extension ResponseCache {
    /// A computed value (a count over a large area) kept like a page.
    func value<T: Codable & Sendable>(area: AreaCode?, _ key: String, _ make: () async throws -> T) async throws -> T {
        let now = Date()
        let (hit, generation): (Entry?, UInt64) = state.withLockedValue { s in
            guard let e = s.entries["value|" + key], e.expires > now else { return (nil, s.generation) }
            return (e, s.generation)
        }
        if let hit, let value = try? JSONDecoder().decode(T.self, from: Data(hit.body.readableBytesView)) { return value }
        let value = try await make()
        let entry = Entry(area: area?.significant ?? "", body: ByteBuffer(data: try JSONEncoder().encode(value)), contentType: .json, cacheControl: "no-store", expires: now.addingTimeInterval(lifetime))
        state.withLockedValue { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries["value|" + key] = entry
        }
        return value
    }
}

extension Application {
    private struct ResponseCacheKey: StorageKey { typealias Value = ResponseCache }

    public var responseCache: ResponseCache {
        get {
            guard let cache = storage[ResponseCacheKey.self] else { fatalError("configure(_:settings:) has not run: the response cache is missing") }
            return cache
        }
        set { storage[ResponseCacheKey.self] = newValue }
    }
}

extension Request {
    var responseCache: ResponseCache { application.responseCache }
}
