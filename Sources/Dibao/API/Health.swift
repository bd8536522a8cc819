import Fluent
import SQLKit
import Vapor

/// `GET /healthz`: is the database answering, and which one is it.
struct Health: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
    }

    struct Body: Content {
        var status: String; var database: String; var databaseKind: String; var migrations: Int
        /// Operator warnings, as stable codes: `calendar.missing:2027` from 1 November while next
        /// year's holiday calendar is not loaded (issue 15).
        var warnings: [String] = []
    }

    /// Anyone may ask, so the answer names the kind of database only — not its file path or
    /// host (issue 12: the SQLite file's path was shown to anyone).
    func health(req: Request) async throws -> Response {
        let settings = req.dibao.settings
        do {
            guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
            struct Count: Decodable { var n: Int }
            let n = try await sql.raw("SELECT COUNT(*) AS n FROM _fluent_migrations").first(decoding: Count.self)?.n ?? 0
            let missing = HolidayCalendars.missingNextYear(env: req.dibao, today: req.dibao.clock.today())
            return try await Body(status: "ok", database: settings.database.kind, databaseKind: settings.database.kind, migrations: n,
                                  warnings: missing.map { ["calendar.missing:\($0)"] } ?? []).encodeResponse(for: req)
        } catch {
            let r = try await Body(status: "unavailable", database: settings.database.kind, databaseKind: settings.database.kind, migrations: 0).encodeResponse(for: req)
            r.status = .serviceUnavailable
            return r
        }
    }
}
