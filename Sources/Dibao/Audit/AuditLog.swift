import Crypto
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import DibaoCore

/// Who did something: a signed-in account, a system caller, or the system itself (commands).
public struct AuditActor: Sendable {
    public var id: String
    public var name: String
    public var role: String

    public static let system = AuditActor(id: "system", name: "system", role: "system")
}

/// What is about to be recorded.
public struct AuditEntry: Sendable {
    public var actor: AuditActor
    public var action: String
    public var entityType: String
    public var entityID: String
    public var areaCode: String
    public var reason: String
    public var detail: [String: String]

    public init(actor: AuditActor, action: String, entityType: String, entityID: String, areaCode: String, reason: String = "", detail: [String: String] = [:]) {
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.areaCode = areaCode
        self.reason = reason
        self.detail = detail
    }
}

/// Appends to the hash chain. Writes that change records go through `write`, which
/// runs the change and its audit events in one transaction, so a change never lands
/// without its event and an event never records a change that did not happen.
public final class AuditLog: Sendable {
    /// Within one process, appends are serialised so that two writers never both read
    /// the same chain head. On PostgreSQL an advisory lock extends that across processes.
    private let gate = AsyncGate()
    private let clock: any DibaoClock
    /// Called after each committed write with the areas of its events: what was read of
    /// those areas before may have changed.
    private let afterCommit: @Sendable (Set<String>) -> Void

    init(clock: any DibaoClock, afterCommit: @escaping @Sendable (Set<String>) -> Void = { _ in }) {
        self.clock = clock
        self.afterCommit = afterCommit
    }

    public static let genesisHash = String(repeating: "0", count: 64)

    /// Runs `body` in a transaction and appends the entries it returns, in order.
    public func write<T: Sendable>(
        on database: any Database,
        changesData: Bool = true,
        _ body: @Sendable @escaping (any Database) async throws -> (T, [AuditEntry])
    ) async throws -> T {
        let (value, areas) = try await gate.run {
            try await database.writeTransaction { tx in
                try await Self.lockChain(tx)
                let (value, entries) = try await body(tx)
                try await self.append(entries, on: tx)
                return (value, Set(entries.map(\.areaCode)))
            }
        }
        if changesData { afterCommit(areas) }
        return value
    }

    /// As `write`, on the embedded database's file directly (see `SQLiteFile`), on a thread
    /// of its own: for a change of a hundred thousand rows, bound and stepped without the
    /// driver. `body` runs inside the transaction and may append events as it goes (the
    /// second argument) besides those it returns; nothing of it stays if it throws.
    func write<T: Sendable>(file path: String,
                            _ body: @Sendable @escaping (SQLiteFile, _ append: ([AuditEntry]) throws -> Void) throws -> (T, [AuditEntry])) async throws -> T {
        let (value, areas) = try await gate.run {
            try await SQLiteFile.onOwnThread {
                let file = try SQLiteFile(path: path, readOnly: false)
                // Every ten thousand events, what the change has written so far goes to the
                // log and on to disk in the background (`WriteBehind`), not all at COMMIT; the
                // cache holds what is written between two of those. The copy of a change this
                // size from the log into the database (the checkpoint) is left to a thread of
                // its own once it is committed, as PostgreSQL leaves it to its checkpointer:
                // the change is durable in the log when COMMIT returns.
                try file.exec("PRAGMA cache_size = -65536")
                try file.exec("PRAGMA wal_autocheckpoint = 0")
                try file.exec("BEGIN IMMEDIATE")
                let behind = WriteBehind(path: path + "-wal")
                defer { behind.stop() }
                do {
                    var head: (seq: Int64, hash: String) = (0, Self.genesisHash)
                    do {
                        let last = try file.prepare("SELECT seq, hash FROM \(AuditEvent.schema) ORDER BY seq DESC LIMIT 1")
                        if try last.step() { head = (last.int(0), last.text(1)) }
                    }
                    var areas = Set<String>()
                    var sinceWritten = 0
                    func append(_ entries: [AuditEntry]) throws {
                        guard !entries.isEmpty else { return }
                        try file.insert(into: AuditEvent.schema, columns: Self.columns, rows: self.chain(entries, from: &head))
                        areas.formUnion(entries.map(\.areaCode))
                        // Not after every small batch: pages that every batch touches (an index's
                        // last and inner pages) would be written again each time.
                        sinceWritten += entries.count
                        if sinceWritten >= 10_000 {
                            try file.writeChangedPages()
                            behind.nudge()
                            sinceWritten = 0
                        }
                    }
                    let (value, entries) = try body(file, append)
                    try append(entries)
                    try file.exec("COMMIT")
                    Thread.detachNewThread { try? file.exec("PRAGMA wal_checkpoint(PASSIVE)") }
                    return (value, areas)
                } catch {
                    try? file.exec("ROLLBACK")
                    throw error
                }
            }
        }
        afterCommit(areas)
        return value
    }

    /// Records events that come with no change to what pages show (a refused access, a
    /// sign-in, an export), so cached pages stay.
    public func record(_ entries: [AuditEntry], on database: any Database) async throws {
        let _: Int = try await write(on: database, changesData: false) { _ in (0, entries) }
    }

    private static func lockChain(_ tx: any Database) async throws {
        if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(71300724)").run()
        }
    }

    private func append(_ entries: [AuditEntry], on tx: any Database) async throws {
        guard !entries.isEmpty else { return }
        let head = try await AuditEvent.query(on: tx).sort(\.$id, .descending).first()
        var state = (seq: Int64(head?.id ?? 0), hash: head?.hash ?? Self.genesisHash)
        let rows = chain(entries, from: &state)
        try await BulkSQL.insert(tx, into: AuditEvent.schema, columns: Self.columns, rows: rows)
    }

    private static let columns = [
        "seq", "occurred_at_ms", "actor_id", "actor_name", "actor_role", "action", "entity_type", "entity_id",
        "area_code", "reason", "detail", "prev_hash", "hash",
    ]

    /// The rows of `entries`, numbered and hashed on from the chain's head `state`, which
    /// moves to the last of them.
    private func chain(_ entries: [AuditEntry], from state: inout (seq: Int64, hash: String)) -> [[SQLCell]] {
        var seq = state.seq
        var prev = state.hash
        defer { state = (seq, prev) }
        let now = Int64((clock.now().timeIntervalSince1970 * 1000).rounded())
        // Plain values, not model objects: a batch check appends a hundred thousand events
        // (one per household looked up), and a model object per event costs more than the
        // hashing and the insert together.
        var rows: [[SQLCell]] = []
        rows.reserveCapacity(entries.count)
        for entry in entries {
            seq += 1
            let detail = Self.canonicalJSON(entry.detail)
            let hash = Self.hash([String(seq), String(now), entry.actor.id, entry.actor.name, entry.actor.role, entry.action,
                                  entry.entityType, entry.entityID, entry.areaCode, entry.reason, detail, prev])
            rows.append([.int(seq), .int(now), .text(entry.actor.id), .text(entry.actor.name), .text(entry.actor.role), .text(entry.action),
                         .text(entry.entityType), .text(entry.entityID), .text(entry.areaCode), .text(entry.reason), .text(detail), .text(prev), .text(hash)])
            prev = hash
        }
        return rows
    }

    /// The detail as a JSON object with sorted keys, written directly (an encoder per event
    /// is the slowest part of a large write).
    static func canonicalJSON(_ detail: [String: String]) -> String {
        var out: [UInt8] = [0x7B]
        out.reserveCapacity(160)
        for (n, (key, value)) in detail.sorted(by: { $0.key < $1.key }).enumerated() {
            if n > 0 { out.append(0x2C) }
            JSONText.appendQuoted(key, to: &out)
            out.append(0x3A)
            JSONText.appendQuoted(value, to: &out)
        }
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 over every stored field and the previous hash. The unit separator keeps
    /// field boundaries unambiguous.
    static func hash(of event: AuditEvent) -> String {
        hash([String(event.id ?? 0), String(event.occurredAtMs), event.actorID, event.actorName, event.actorRole,
              event.action, event.entityType, event.entityID, event.areaCode, event.reason, event.detail, event.prevHash])
    }

    /// The fields in stored order, the previous hash last.
    static func hash(_ fields: [String]) -> String {
        // Fed field by field: the same bytes as the joined text, without making it.
        var hasher = SHA256()
        for (i, field) in fields.enumerated() {
            if i > 0 { hasher.update(data: unitSeparator) }
            var field = field
            field.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hex(hasher.finalize())
    }

    private static let unitSeparator: [UInt8] = [0x1F]

    /// Lower-case hex, without `String(format:)`, which costs more than the hash itself.
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let raw = Array(bytes)
        return String(unsafeUninitializedCapacity: raw.count * 2) { out in
            var i = 0
            for b in raw {
                out[i] = hexDigits[Int(b >> 4)]
                out[i + 1] = hexDigits[Int(b & 0x0F)]
                i += 2
            }
            return i
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Result of walking the chain.
public enum AuditVerification: Sendable, Equatable {
    case intact(events: Int)
    case broken(seq: Int, reason: String)
}

public enum AuditVerifier {
    /// Walks the whole chain in order and names the first event that does not hold:
    /// a changed field (its hash no longer matches), a removed or reordered event (the
    /// next one's `prev_hash` or sequence does not follow).
    public static func verify(on database: any Database, pageSize: Int = 5_000) async throws -> AuditVerification {
        var expectedSeq = 1
        var prev = AuditLog.genesisHash
        var count = 0
        while true {
            let page = try await AuditEvent.query(on: database)
                .filter(\.$id >= expectedSeq)
                .sort(\.$id, .ascending)
                .limit(pageSize)
                .all()
            if page.isEmpty { break }
            for event in page {
                let seq = event.id ?? -1
                if seq != expectedSeq {
                    return .broken(seq: expectedSeq, reason: "event \(expectedSeq) is missing (next stored event is \(seq))")
                }
                if event.prevHash != prev {
                    return .broken(seq: seq, reason: "event \(seq) does not follow event \(seq - 1): previous-hash mismatch")
                }
                if AuditLog.hash(of: event) != event.hash {
                    return .broken(seq: seq, reason: "event \(seq) was altered: its content no longer matches its hash")
                }
                prev = event.hash
                expectedSeq += 1
                count += 1
            }
        }
        return .intact(events: count)
    }
}

/// A tiny FIFO async mutex.
final class AsyncGate: Sendable {
    private let state = NIOLockedValueBox<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let proceed: Bool = state.withLockedValue { s in
                if s.busy { s.waiters.append(cont); return false }
                s.busy = true
                return true
            }
            if proceed { cont.resume() }
        }
    }

    private func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLockedValue { s in
            if s.waiters.isEmpty { s.busy = false; return nil }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}

extension Application {
    private struct AuditKey: StorageKey { typealias Value = AuditLog }

    public var audit: AuditLog {
        get {
            guard let log = storage[AuditKey.self] else { fatalError("configure(_:settings:) has not run: the audit log is missing") }
            return log
        }
        set { storage[AuditKey.self] = newValue }
    }
}

extension Request {
    public var audit: AuditLog { application.audit }
}
