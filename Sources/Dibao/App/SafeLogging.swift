import ConsoleKit
import Logging
import Vapor

/// Nothing below `info` is ever written, whatever `--log` or `LOG_LEVEL` asks for (issue 12:
/// at `--log debug` the database drivers wrote every query's bound values — full ID
/// numbers, names, illness notes, phones — and the HTTP layer wrote cookies and CSRF
/// tokens). Our own code logs at info and above and never with personal data; the
/// libraries' debug output cannot be made safe, so it is not written at all.
public struct InfoFloorLogHandler: LogHandler {
    public static let floor: Logger.Level = .info
    var inner: any LogHandler

    public init(_ inner: any LogHandler) {
        self.inner = inner
        self.inner.logLevel = max(inner.logLevel, Self.floor)
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = max(newValue, Self.floor) }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        guard level >= Self.floor else { return }
        inner.log(level: level, message: message, metadata: metadata, source: source, file: file, function: function, line: line)
    }

    /// Vapor's `--log` / `LOG_LEVEL` choice, with the floor applied to every logger.
    public static func bootstrap(from environment: inout Environment) throws {
        let level = try Logger.Level.detect(from: &environment)
        if level < floor {
            print("dibao: log levels below info are not written (the libraries' debug output holds personal data)")
        }
        let console = Terminal()
        LoggingSystem.bootstrap { label in InfoFloorLogHandler(ConsoleLogger(label: label, console: console, level: level)) }
    }
}
