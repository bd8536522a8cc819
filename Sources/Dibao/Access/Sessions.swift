import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Sessions kept in the database (so they survive a restart and can be revoked), with what
/// the stock driver lacks:
/// - a session row is written only when its data changed (the stock middleware rewrites it
///   on every response), and recent reads are remembered for a short while, so reading a
///   page costs no database round trip for the session;
/// - sessions end on the server: after `sessionIdleMinutes` unused and `sessionAbsoluteHours`
///   in all, checked on every read; expired rows are purged at start and as new ones are made;
/// - a sign-in gets a new session id (`rotate`), so an id planted before it is worth nothing.
/// A session ended in another process stays usable here for at most `readLifetime`.
struct CachedDatabaseSessions: SessionDriver {
    final class Memory: Sendable {
        let entries = NIOLockedValueBox<[String: (data: SessionData, read: Date)]>([:])
        let readLifetime: TimeInterval = 30
        let capacity = 100_000
        let created = NIOLockedValueBox<Int>(0)

        func get(_ id: String) -> SessionData? {
            let now = Date()
            return entries.withLockedValue { e in
                guard let hit = e[id], now.timeIntervalSince(hit.read) < readLifetime else { return nil }
                return hit.data
            }
        }

        func put(_ id: String, _ data: SessionData) {
            entries.withLockedValue { e in
                if e.count >= capacity { e.removeAll(keepingCapacity: true) }
                e[id] = (data, Date())
            }
        }

        func remove(_ id: String) { _ = entries.withLockedValue { $0.removeValue(forKey: id) } }
    }

    let memory: Memory
    let idle: TimeInterval
    let absolute: TimeInterval

    static let rotateKey = "rotate"
    static let createdKey = "created"
    static let seenKey = "seen"
    /// "Last seen" is written back at most this often, so a busy page costs no write.
    static let seenResolution: TimeInterval = 300

    static func expired(_ data: SessionData, now: Date, idle: TimeInterval, absolute: TimeInterval) -> Bool {
        guard let created = data[createdKey].flatMap(Double.init), let seen = data[seenKey].flatMap(Double.init) else { return true }
        return now.timeIntervalSince1970 - created > absolute || now.timeIntervalSince1970 - seen > idle
    }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        request.eventLoop.makeFutureWithTask { try await create(data, for: request) }
    }

    private func create(_ data: SessionData, for request: Request) async throws -> SessionID {
        // Only a signed-in session is worth a row. A visitor whose stale cookie named no
        // session gets an id that is never stored, so such requests leave nothing behind.
        guard data["uid"] != nil else { return SessionID(string: [UInt8].random(count: 32).base64URLEncoded) }
        var data = data
        data[Self.rotateKey] = nil
        let now = Date().timeIntervalSince1970
        data[Self.createdKey] = String(Int(now))
        data[Self.seenKey] = String(Int(now))
        let id = SessionID(string: [UInt8].random(count: 32).base64URLEncoded)
        try await SessionRecord(key: id, data: data).create(on: request.db)
        memory.put(id.string, data)
        let n = memory.created.withLockedValue { $0 += 1; return $0 }
        if n % 500 == 0 { try? await Self.purge(on: request.db, idle: idle, absolute: absolute) }
        return id
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            var data = memory.get(sessionID.string)
            if data == nil {
                data = try await SessionRecord.query(on: request.db).filter(\.$key == sessionID).first()?.data
                if let data { memory.put(sessionID.string, data) }
            }
            guard let found = data else { return nil }
            if Self.expired(found, now: Date(), idle: idle, absolute: absolute) {
                memory.remove(sessionID.string)
                try await SessionRecord.query(on: request.db).filter(\.$key == sessionID).delete()
                return nil
            }
            return found
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        request.eventLoop.makeFutureWithTask {
            if data[Self.rotateKey] != nil {
                memory.remove(sessionID.string)
                try await SessionRecord.query(on: request.db).filter(\.$key == sessionID).delete()
                return try await create(data, for: request)
            }
            var data = data
            let now = Date().timeIntervalSince1970
            if let seen = data[Self.seenKey].flatMap(Double.init), now - seen > Self.seenResolution { data[Self.seenKey] = String(Int(now)) }
            if memory.get(sessionID.string) == data { return sessionID }
            try await SessionRecord.query(on: request.db).filter(\.$key == sessionID).set(\.$data, to: data).update()
            memory.put(sessionID.string, data)
            return sessionID
        }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        memory.remove(sessionID.string)
        return SessionRecord.query(on: request.db).filter(\.$key == sessionID).delete()
    }

    /// Deletes every expired session row. The times live in the session's data (the stock
    /// table has no columns for them), so rows are read in pages of keys and data.
    @discardableResult
    static func purge(on db: any Database, idle: TimeInterval, absolute: TimeInterval) async throws -> Int {
        let now = Date()
        var removed = 0
        var after: UUID? = nil
        while true {
            var q = SessionRecord.query(on: db).sort(\.$id).limit(1_000)
            if let after { q = q.filter(\.$id > after) }
            let page = try await q.all()
            guard let last = page.last?.id else { break }
            let dead = page.filter { expired($0.data, now: now, idle: idle, absolute: absolute) }.compactMap(\.id)
            if !dead.isEmpty { try await SessionRecord.query(on: db).filter(\.$id ~~ dead).delete() }
            removed += dead.count
            after = last
        }
        return removed
    }
}

extension Request {
    /// Signs `user` in on a fresh session id (issue 12: the id was not rotated at sign-in,
    /// so an id planted in a browser before it became the victim's signed-in session).
    func startSession(uid: String) {
        let hadSession = hasSession && session.id != nil
        session.data = SessionData()
        session.data["uid"] = uid
        if hadSession { session.data[CachedDatabaseSessions.rotateKey] = "1" }
    }
}

/// Accounts as resolved for requests, kept until the next audited change anywhere (an
/// account's role, area, activity or lock only change through audited writes).
final class ActorCache: Sendable {
    private let entries = NIOLockedValueBox<(generation: UInt64, actors: [UUID: StaffActor])>((0, [:]))

    /// The actor if it is remembered, without waiting.
    func cached(_ id: UUID) -> StaffActor? { entries.withLockedValue { $0.actors[id] } }

    func actor(_ id: UUID, load: () async throws -> StaffActor?) async throws -> StaffActor? {
        let (hit, generation) = entries.withLockedValue { ($0.actors[id], $0.generation) }
        if let hit { return hit }
        let loaded = try await load()
        if let loaded {
            entries.withLockedValue { e in if e.generation == generation { e.actors[id] = loaded } }
        }
        return loaded
    }

    func invalidateAll() {
        entries.withLockedValue { e in
            e.generation &+= 1
            e.actors.removeAll(keepingCapacity: true)
        }
    }
}

extension Application {
    private struct ActorCacheKey: StorageKey { typealias Value = ActorCache }
    private struct SessionMemoryKey: StorageKey { typealias Value = CachedDatabaseSessions.Memory }

    /// The sessions read recently, so that ending an account's sessions takes effect at once.
    var sessionMemory: CachedDatabaseSessions.Memory {
        get { storage[SessionMemoryKey.self] ?? CachedDatabaseSessions.Memory() }
        set { storage[SessionMemoryKey.self] = newValue }
    }

    var actorCache: ActorCache {
        get { storage[ActorCacheKey.self] ?? ActorCache() }
        set { storage[ActorCacheKey.self] = newValue }
    }
}
