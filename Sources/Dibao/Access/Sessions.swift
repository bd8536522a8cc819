import Fluent
import NIOConcurrencyHelpers
import Vapor

/// Sessions kept in the database (so they survive a restart and can be revoked), with two
/// things the stock driver lacks: a session row is written only when its data changed —
/// the stock middleware rewrites it on every response — and recent reads are remembered
/// for a short while, so reading a page costs no database round trip for the session.
/// A session ended in another process stays usable here for at most `readLifetime`.
struct CachedDatabaseSessions: SessionDriver {
    final class Memory: Sendable {
        let entries = NIOLockedValueBox<[String: (data: SessionData, read: Date)]>([:])
        let readLifetime: TimeInterval = 30
        let capacity = 100_000

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

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = SessionID(string: [UInt8].random(count: 32).base64URLEncoded)
        return SessionRecord(key: id, data: data).create(on: request.db).map {
            memory.put(id.string, data)
            return id
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        if let data = memory.get(sessionID.string) { return request.eventLoop.makeSucceededFuture(data) }
        return SessionRecord.query(on: request.db).filter(\.$key == sessionID).first().map { record in
            if let data = record?.data { memory.put(sessionID.string, data) }
            return record?.data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if memory.get(sessionID.string) == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return SessionRecord.query(on: request.db).filter(\.$key == sessionID).set(\.$data, to: data).update().map {
            memory.put(sessionID.string, data)
            return sessionID
        }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        memory.remove(sessionID.string)
        return SessionRecord.query(on: request.db).filter(\.$key == sessionID).delete()
    }
}

/// Accounts as resolved for requests, kept until the next audited change anywhere (an
/// account's role, area, activity or lock only change through audited writes).
final class ActorCache: Sendable {
    private let entries = NIOLockedValueBox<(generation: UInt64, actors: [UUID: StaffActor])>((0, [:]))

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

    var actorCache: ActorCache {
        get { storage[ActorCacheKey.self] ?? ActorCache() }
        set { storage[ActorCacheKey.self] = newValue }
    }
}
