import Fluent
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// One value of a bulk statement, bound as it is (no `Codable` round trip per value).
enum SQLCell: Sendable {
    case text(String)
    case int(Int64)
    /// A UUID column: text in SQLite (as Fluent stores it), `uuid` in PostgreSQL.
    case uuid(UUID)
    /// A UUID already read as text from another row: bound as read on SQLite, without a
    /// parse and a format per value; parsed for PostgreSQL.
    case uuidText(String)
    /// Text given as its UTF-8 bytes (a document written by hand): bound as they are on
    /// SQLite, without making and checking a string of them.
    case utf8([UInt8])
    case null

    static func optionalUUID(_ id: UUID?) -> SQLCell { id.map { .uuid($0) } ?? .null }

    var encodable: any Encodable & Sendable {
        switch self {
        case .text(let s): return s
        case .utf8(let b): return String(decoding: b, as: UTF8.self)
        case .int(let i): return i
        case .uuid(let u): return u
        case .uuidText(let s): return UUID(uuidString: s)
        case .null: return String?.none
        }
    }

    /// As an SQLKit expression: a bound value, or a literal NULL (a bound NULL is typed as
    /// text, which PostgreSQL refuses for a `uuid` column).
    var expression: any SQLExpression {
        if case .null = self { return SQLLiteral.null }
        return SQLBind(encodable)
    }

    var sqlite: SQLiteData {
        switch self {
        case .text(let s): return .text(s)
        case .utf8(let b): return .text(String(decoding: b, as: UTF8.self))
        case .int(let i): return .integer(Int(i))
        case .uuid(let u): return .text(u.uuidString)
        case .uuidText(let s): return .text(s)
        case .null: return .null
        }
    }
}

/// A result row read by position.
struct FastRow: Sendable {
    fileprivate enum Storage: Sendable {
        case lite([SQLiteData])
        case sql(any SQLRow)
    }
    fileprivate let storage: Storage

    /// Text of column `i` (a UUID column gives its upper-case text, as Fluent writes it).
    func text(_ i: Int) -> String {
        switch storage {
        case .lite(let values):
            switch values[i] {
            case .text(let s): return s
            case .integer(let n): return String(n)
            case .float(let d): return String(d)
            case .blob, .null: return ""
            }
        case .sql(let row):
            let name = row.allColumns[i]
            if let s = try? row.decode(column: name, as: String.self) { return s }
            if let u = try? row.decode(column: name, as: UUID.self) { return u.uuidString }
            return ""
        }
    }

    func int(_ i: Int) -> Int64 {
        switch storage {
        case .lite(let values):
            switch values[i] {
            case .integer(let n): return Int64(n)
            case .text(let s): return Int64(s) ?? 0
            case .float(let d): return Int64(d)
            case .blob, .null: return 0
            }
        case .sql(let row):
            return (try? row.decode(column: row.allColumns[i], as: Int64?.self)) .flatMap { $0 } ?? 0
        }
    }

    func uuid(_ i: Int) -> UUID? { UUID(uuidString: text(i)) }
    func isNull(_ i: Int) -> Bool {
        switch storage {
        case .lite(let values): return values[i] == .null
        case .sql(let row): return (try? row.decodeNil(column: row.allColumns[i])) ?? true
        }
    }
}

/// Reads and writes of many rows at once. On SQLite (the embedded default) they go straight
/// to the connection: the rows are stepped and bound on the database thread, without the
/// per-row hop to the event loop and the per-value `Codable` pass of the general path.
/// Elsewhere they go through SQLKit.
enum BulkSQL {
    private final class Collector: @unchecked Sendable {
        var rows: [FastRow] = []
    }

    /// Every row of `query`, in order.
    static func rows(_ db: any Database, _ query: SQLQueryString) async throws -> [FastRow] {
        let sql = db as! any SQLDatabase
        if let lite = db as? any SQLiteDatabase {
            let (text, binds) = sql.serialize(query)
            let encoder = SQLiteDataEncoder()
            let values = try binds.map { try encoder.encode($0) }
            let collector = Collector()
            // The connection calls back on its own thread, one row after another; the
            // collector is read only after the query has finished.
            try await lite.withConnection { conn in
                try await conn.query(text, values) { row in collector.rows.append(FastRow(storage: .lite(row.columns.map(\.data)))) }
            }
            return collector.rows
        }
        return try await sql.raw(query).all().map { FastRow(storage: .sql($0)) }
    }

    /// Every row of `query`, read from the embedded database's file on a connection and a
    /// thread of its own (see `SQLiteFile`): for reads of hundreds of thousands of rows
    /// that need not see the caller's uncommitted writes.
    static func rows(file path: String, _ db: any Database, _ query: SQLQueryString) async throws -> [FastRow] {
        let (text, binds) = (db as! any SQLDatabase).serialize(query)
        let encoder = SQLiteDataEncoder()
        let values = try binds.map { try encoder.encode($0) }
        return try await SQLiteFile.onOwnThread {
            let file = try SQLiteFile(path: path)
            let statement = try file.prepare(text, values)
            let columns = statement.columnCount
            var rows: [FastRow] = []
            while try statement.step() { rows.append(FastRow(storage: .lite((0..<columns).map { statement.data($0) }))) }
            return rows
        }
    }

    /// Inserts `rows` in multi-row statements; with `conflict`, a row whose key exists
    /// updates the `update` columns instead (a later delivery replaces an earlier one).
    static func insert(_ db: any Database, into table: String, columns: [String], rows: [[SQLCell]],
                       conflict: (key: [String], update: [String])? = nil) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, 30_000 / columns.count)
        if let lite = db as? any SQLiteDatabase {
            let head = "INSERT INTO \(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES "
            let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
            var tail = ""
            if let conflict {
                tail = " ON CONFLICT (\(conflict.key.map(quoted).joined(separator: ", "))) DO UPDATE SET "
                    + conflict.update.map { "\(quoted($0)) = excluded.\(quoted($0))" }.joined(separator: ", ")
            }
            var start = 0
            while start < rows.count {
                let end = min(rows.count, start + perStatement)
                let text = head + Array(repeating: tuple, count: end - start).joined(separator: ", ") + tail
                var binds: [SQLiteData] = []
                binds.reserveCapacity((end - start) * columns.count)
                for row in rows[start..<end] { for cell in row { binds.append(cell.sqlite) } }
                let values = binds
                try await lite.withConnection { conn in try await conn.query(text, values) { _ in } }
                start = end
            }
            return
        }
        let sql = db as! any SQLDatabase
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            var insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { insert = insert.values(row.map(\.expression)) }
            if let conflict {
                insert = insert.onConflict(with: conflict.key) { u in
                    var set = u
                    for c in conflict.update { set = set.set(excludedValueOf: c) }
                    return set
                }
            }
            try await insert.run()
            start = end
        }
    }

    /// Inside a transaction that writes hundreds of megabytes on SQLite: a page cache large
    /// enough that dirty pages are not spilled and read back before the commit (the default
    /// is 2 MB). It lasts for the connection; other databases manage their own buffers.
    static func prepareForBulkWrite(_ tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("PRAGMA cache_size = -524288").run()
    }

    private static func quoted(_ name: String) -> String { "\"" + name + "\"" }
}

/// UUIDs that sort by creation time (the UUIDv7 layout: milliseconds first, then a counter
/// and randomness). Rows written in bulk with them append to the end of their primary-key
/// index instead of landing on a random page each.
struct TimeOrderedID {
    private let millis: UInt64
    private let stream: UInt8
    private var counter: UInt32 = 0
    /// Seeded once from the system's generator: asking it for every id is a system call each.
    private var rng: SplitMix = {
        var system = SystemRandomNumberGenerator()
        return SplitMix(seed: system.next())
    }()

    /// `stream` keeps ids made at once by parallel tasks apart.
    init(stream: UInt8 = 0, now: Date = Date()) {
        self.millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        self.stream = stream
    }

    mutating func next() -> UUID {
        counter &+= 1
        let r = rng.next() as UInt64
        let m = millis, c = counter
        return UUID(uuid: (UInt8(m >> 40 & 0xFF), UInt8(m >> 32 & 0xFF), UInt8(m >> 24 & 0xFF), UInt8(m >> 16 & 0xFF),
                           UInt8(m >> 8 & 0xFF), UInt8(m & 0xFF), 0x70 | (stream & 0x0F), UInt8(c >> 24 & 0xFF),
                           0x80 | UInt8(c >> 18 & 0x3F), UInt8(c >> 10 & 0xFF), UInt8(c >> 2 & 0xFF), UInt8(c & 0x3) << 6 | UInt8(r & 0x3F),
                           UInt8(r >> 8 & 0xFF), UInt8(r >> 16 & 0xFF), UInt8(r >> 24 & 0xFF), UInt8(r >> 32 & 0xFF)))
    }
}

/// SplitMix64: a small, fast generator for the random bits of ids (not for secrets).
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Database {
    /// A transaction that writes. On SQLite it takes the write lock as it begins (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads first and then writes fails at once
    /// with SQLITE_BUSY when another connection committed in between — the busy handler is
    /// not consulted for that — which is how parallel sign-ins got a 500 (issue 12). With
    /// the lock taken at BEGIN, a second writer waits for the first instead.
    func writeTransaction<T: Sendable>(_ body: @Sendable @escaping (any Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite", !inTransaction else { return try await transaction(body) }
        return try await withConnection { conn in
            guard let c = conn as? any SQLDatabase else { return try await conn.transaction(body) }
            try await c.raw("BEGIN IMMEDIATE").run()
            do {
                let value = try await body(conn)
                try await c.raw("COMMIT").run()
                return value
            } catch {
                try? await c.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
