import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Syncs a file to disk on a thread of its own whenever asked: for a long transaction on
/// the embedded database, the write-ahead log's frames go to disk while the rest is still
/// being written, as PostgreSQL's WAL writer flushes in the background, so COMMIT's own
/// sync finds little left to do. Syncing more often than SQLite does is always safe: a
/// change is still durable only when COMMIT has synced it.
final class WriteBehind: @unchecked Sendable {
    private let condition = NSCondition()
    private var wanted = false
    private var stopped = false

    /// `path` need not exist yet; each sync opens it if it does.
    init(path: String) {
        Thread.detachNewThread { [self] in
            var fd: Int32 = -1
            while true {
                condition.lock()
                while !wanted && !stopped { condition.wait() }
                let go = wanted
                wanted = false
                condition.unlock()
                guard go else { break }
                if fd < 0 { fd = open(path, O_RDWR) }
                if fd >= 0 { _ = fsync(fd) }
            }
            if fd >= 0 { close(fd) }
        }
    }

    /// Asks for a sync; asks made while one runs make one more.
    func nudge() {
        condition.lock()
        wanted = true
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once any sync asked for has run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}
