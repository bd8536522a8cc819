import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// A connection of its own to the SQLite file, through SQLite's C interface, for reads of
/// millions of rows (a batch verification's join). The driver hands each result row to
/// the event loop as a task of its own; at two million rows that hop costs twice the
/// join. Stepped here, on a thread of its own, a row costs what SQLite costs.
///
/// Only for the embedded database: a connection is used by one thread at a time and
/// closed when dropped. In WAL mode it reads a snapshot while the server goes on writing.
final class SQLiteFile: @unchecked Sendable {
    private var handle: OpaquePointer?
    let path: String

    init(path: String, readOnly: Bool = true) throws {
        self.path = path
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close(handle)
            throw SettingsError("SQLite \(path): \(message)")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite_nio_sqlite3_close(handle) }

    func exec(_ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error(sql) }
    }

    /// A prepared statement with `binds` bound in order.
    func prepare(_ sql: String, _ binds: [SQLiteData] = []) throws -> Statement {
        var stmt: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw error(sql) }
        let statement = Statement(stmt, owner: self)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, bind) in binds.enumerated() {
            let at = Int32(i + 1)
            switch bind {
            case .text(let s): sqlite_nio_sqlite3_bind_text(stmt, at, s, -1, transient)
            case .integer(let n): sqlite_nio_sqlite3_bind_int64(stmt, at, Int64(n))
            case .float(let d): sqlite_nio_sqlite3_bind_double(stmt, at, d)
            case .blob(let buffer):
                buffer.withUnsafeReadableBytes { b in _ = sqlite_nio_sqlite3_bind_blob(stmt, at, b.baseAddress, Int32(b.count), transient) }
            case .null: sqlite_nio_sqlite3_bind_null(stmt, at)
            }
        }
        return statement
    }

    /// `query` as the server's SQLite dialect writes it (`serializer`), bound.
    func prepare(_ query: SQLQueryString, serializer: any SQLDatabase) throws -> Statement {
        let (text, binds) = serializer.serialize(query)
        let encoder = SQLiteDataEncoder()
        return try prepare(text, try binds.map { try encoder.encode($0) })
    }

    /// Inserts `rows` with one prepared statement, a row at a time, in the caller's
    /// transaction.
    func insert(into table: String, columns: [String], rows: [[SQLCell]]) throws {
        let text = "INSERT INTO \"\(table)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var stmt: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(handle, text, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw error(text) }
        defer { sqlite_nio_sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for row in rows {
            for (i, cell) in row.enumerated() {
                let at = Int32(i + 1)
                switch cell {
                case .text(let s), .uuidText(let s):
                    // The text's own bytes, which SQLite copies: passing the String itself
                    // would make a C string of it first (a copy of a report per row).
                    let bound: Bool? = s.utf8.withContiguousStorageIfAvailable { b in
                        guard let base = b.baseAddress, !b.isEmpty else { return false }
                        base.withMemoryRebound(to: CChar.self, capacity: b.count) { _ = sqlite_nio_sqlite3_bind_text(stmt, at, $0, Int32(b.count), transient) }
                        return true
                    }
                    if bound != true { sqlite_nio_sqlite3_bind_text(stmt, at, s, -1, transient) }
                case .utf8(let b):
                    if b.isEmpty {
                        sqlite_nio_sqlite3_bind_text(stmt, at, "", 0, transient)
                    } else {
                        b.withUnsafeBufferPointer { p in
                            p.withMemoryRebound(to: CChar.self) { _ = sqlite_nio_sqlite3_bind_text(stmt, at, $0.baseAddress!, Int32(p.count), transient) }
                        }
                    }
                case .uuid(let u): Self.withUpperText(u) { _ = sqlite_nio_sqlite3_bind_text(stmt, at, $0, 36, transient) }
                case .int(let n): sqlite_nio_sqlite3_bind_int64(stmt, at, n)
                case .null: sqlite_nio_sqlite3_bind_null(stmt, at)
                }
            }
            guard sqlite_nio_sqlite3_step(stmt) == SQLITE_DONE else { throw error(text) }
            sqlite_nio_sqlite3_reset(stmt)
        }
    }

    /// Writes the transaction's changed pages from memory to the log now, not at COMMIT;
    /// the transaction stays open, and a page changed again is written again then.
    func writeChangedPages() throws {
        guard sqlite_nio_sqlite3_db_cacheflush(handle) == SQLITE_OK else { throw error("cache flush") }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `u` as Fluent stores it (upper-case text), written into a buffer: Foundation's
    /// `uuidString` formats through `snprintf`, which costs more than the insert's binding.
    static func withUpperText<R>(_ u: UUID, _ body: (UnsafePointer<CChar>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 37) { out in
            var i = 0
            withUnsafeBytes(of: u.uuid) { bytes in
                for (n, b) in bytes.enumerated() {
                    if n == 4 || n == 6 || n == 8 || n == 10 { out[i] = 45; i += 1 }
                    out[i] = CChar(hexDigits[Int(b >> 4)])
                    out[i + 1] = CChar(hexDigits[Int(b & 0x0F)])
                    i += 2
                }
            }
            out[36] = 0
            return body(UnsafePointer(out.baseAddress!))
        }
    }

    fileprivate func error(_ sql: String) -> SettingsError {
        let message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "error"
        return SettingsError("SQLite: \(message) (in \(sql.prefix(80)))")
    }

    /// Rows read by position; values are valid until the next `step`.
    final class Statement {
        private let stmt: OpaquePointer
        private let owner: SQLiteFile

        fileprivate init(_ stmt: OpaquePointer, owner: SQLiteFile) {
            self.stmt = stmt
            self.owner = owner
        }

        deinit { sqlite_nio_sqlite3_finalize(stmt) }

        /// Moves to the next row; false when there is none.
        func step() throws -> Bool {
            switch sqlite_nio_sqlite3_step(stmt) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw owner.error("step")
            }
        }

        func int(_ i: Int32) -> Int64 { sqlite_nio_sqlite3_column_int64(stmt, i) }

        func isNull(_ i: Int32) -> Bool { sqlite_nio_sqlite3_column_type(stmt, i) == SQLITE_NULL }

        /// The column's bytes as stored (UTF-8 for text), without a copy.
        func bytes(_ i: Int32) -> UnsafeBufferPointer<UInt8> {
            guard let p = sqlite_nio_sqlite3_column_text(stmt, i) else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(start: p, count: Int(sqlite_nio_sqlite3_column_bytes(stmt, i)))
        }

        func text(_ i: Int32) -> String { String(decoding: bytes(i), as: UTF8.self) }

        var columnCount: Int32 { sqlite_nio_sqlite3_column_count(stmt) }

        /// Column `i` as the driver would give it.
        func data(_ i: Int32) -> SQLiteData {
            switch sqlite_nio_sqlite3_column_type(stmt, i) {
            case SQLITE_INTEGER: return .integer(Int(int(i)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(stmt, i))
            case SQLITE_TEXT: return .text(text(i))
            case SQLITE_BLOB:
                let n = Int(sqlite_nio_sqlite3_column_bytes(stmt, i))
                var buffer = ByteBufferAllocator().buffer(capacity: n)
                if let p = sqlite_nio_sqlite3_column_blob(stmt, i) { buffer.writeBytes(UnsafeRawBufferPointer(start: p, count: n)) }
                return .blob(buffer)
            default: return .null
            }
        }
    }

    /// Runs `body` on a thread of its own: a read of seconds must not hold one of the
    /// few threads async tasks share.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            Thread.detachNewThread {
                do { cont.resume(returning: try body()) } catch { cont.resume(throwing: error) }
            }
        }
    }
}
