import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 节假日安排 — one year of the official holiday calendar as loaded (issue 15). The working
/// days every time limit counts (二.二.4, 信访工作条例) come from these rows, never from code.
final class HolidayCalendarRecord: Model, @unchecked Sendable {
    static let schema = "holiday_calendars"

    @ID(custom: "year", generatedBy: .user) var id: Int?
    @Field(key: "source") var source: String
    /// The `HolidayYear` as JSON (ISO dates).
    @Field(key: "body") var body: String
    /// The holidays' names and runs as JSON, for the page that shows the year.
    @Field(key: "names") var names: String
    @Field(key: "loaded_by") var loadedBy: String
    @Field(key: "loaded_on") var loadedOn: String

    init() {}

    func decoded() throws -> HolidayYear { try JSONDecoder().decode(HolidayYear.self, from: Data(body.utf8)) }
}

struct CreateHolidayCalendars: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(HolidayCalendarRecord.schema)
            .field("year", .int, .identifier(auto: false))
            .field("source", .string, .required)
            .field("body", .string, .required)
            .field("names", .string, .required)
            .field("loaded_by", .string, .required)
            .field("loaded_on", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(HolidayCalendarRecord.schema).delete()
    }
}

/// Loading a year into the running system: the file is judged whole (`CalendarFile`), the
/// row written, the deadlines of open cases that the new year moves are recomputed in the
/// same transaction, and only then is the server's calendar replaced — so a page shows
/// either the old calendar and old deadlines or the new ones, never a mix.
enum HolidayCalendars {
    struct Outcome: Content {
        var year: Int
        var holidays: Int
        var workingWeekends: Int
        /// Open cases whose deadline moved.
        var deadlinesMoved: Int
        var replaced: Bool
    }

    static func load(text: String, ctx: ServiceContext) async throws -> Outcome {
        let loaded = try CalendarFile.parse(text)
        let year = loaded.year
        let env = ctx.env
        let next = env.calendar.replacing(year)
        let actor = ctx.actor
        let today = ctx.today
        let outcome = try await ctx.audit.write(on: ctx.db) { tx -> (Outcome, [AuditEntry]) in
            let existing = try await HolidayCalendarRecord.find(year.year, on: tx)
            let row = existing ?? HolidayCalendarRecord()
            row.id = year.year
            row.source = loaded.source
            row.body = String(decoding: try JSONEncoder().encode(year), as: UTF8.self)
            row.names = String(decoding: try JSONEncoder().encode(loaded.names.map { ["name": $0.name, "from": $0.from.iso, "through": $0.through.iso] }), as: UTF8.self)
            row.loadedBy = actor.username
            row.loadedOn = today.iso
            if existing == nil { try await row.create(on: tx) } else { try await row.save(on: tx) }
            let moved = try await recomputeDeadlines(env: env, calendar: next, on: tx)
            let outcome = Outcome(year: year.year, holidays: year.holidays.count, workingWeekends: year.workingWeekends.count,
                                  deadlinesMoved: moved, replaced: existing != nil)
            return (outcome, [AuditEntry(actor: actor.audit, action: "calendar.loaded", entityType: "holiday_calendar", entityID: String(year.year),
                                         areaCode: actor.area.value,
                                         detail: ["source": loaded.source, "holidays": String(outcome.holidays),
                                                  "working_weekends": String(outcome.workingWeekends), "deadlines_moved": String(moved),
                                                  "replaced": String(outcome.replaced)])])
        }
        env.replaceCalendar(next)
        return outcome
    }

    /// Every case whose limit is running gets the deadline the new calendar gives it; the
    /// count of those that moved is returned (and audited with the load).
    static func recomputeDeadlines(env: AppEnvironment, calendar: WorkingDayCalendar, on db: any Database) async throws -> Int {
        let running = CaseStage.allCases.filter(\.countyClockRuns)
        let today = env.clock.today()
        var moved = 0
        var lastID: UUID? = nil
        // In pages of a thousand by id, so a province's open cases never sit in memory at once.
        while true {
            var q = ApplicationCase.query(on: db).filter(\.$stage ~~ running).filter(\.$clockStartedOn != nil).sort(\.$id).limit(1_000)
            if let lastID { q = q.filter(\.$id > lastID) }
            let page = try await q.all()
            guard let last = page.last else { break }
            lastID = last.id
            for c in page {
                let policy = CaseWorkflow.judgingPolicy(of: c, env: env, today: today)
                let deadline = CaseWorkflow.deadline(of: c, policy: policy, calendar: calendar)?.iso
                if deadline != c.deadline {
                    c.deadline = deadline
                    try await c.save(on: db)
                    moved += 1
                }
            }
        }
        return moved
    }

    /// At start: the years in the database, then any year shipped under `calendars/` that the
    /// database does not have yet (a new installation, or next year's file installed with an
    /// update), loaded as the system and audited like a load by hand.
    static func boot(_ app: Application) async throws {
        let rows = try await HolidayCalendarRecord.query(on: app.db).all()
        app.dibao.replaceCalendar(WorkingDayCalendar(years: try rows.map { try $0.decoded() }))
        let known = Set(rows.compactMap(\.id))
        let directory = app.directory.workingDirectory + app.dibao.settings.calendarDirectory
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".toml") }.sorted()
        let system = app.context(.system(area: Installation.region, actingAs: .administrator, job: "calendar-boot"))
        for file in files {
            guard let year = Int(file.dropLast(5)), !known.contains(year) else { continue }
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            do { _ = try await load(text: text, ctx: system) } catch let refusal as PolicyRefusal {
                // A broken shipped file must not stop the server; it is reported and left out.
                app.logger.error("calendar file refused", metadata: ["file": .string(file), "rule": .string(refusal.rule), "line": .string(refusal.line.map(String.init) ?? "")])
            }
        }
    }

    /// From 1 November, the warning that next year's calendar is missing: every deadline that
    /// reaches into January would otherwise count plain weekdays (issue 15).
    static func missingNextYear(env: AppEnvironment, today: CivilDate) -> Int? {
        guard today.month >= 11, !env.calendar.knows(year: today.year + 1) else { return nil }
        return today.year + 1
    }

    struct YearRow: Content {
        var year: Int
        var source: String
        var holidays: Int
        var workingWeekends: Int
        var loadedBy: String
        var loadedOn: String
        var names: [[String: String]]
    }

    static func list(on db: any Database) async throws -> [YearRow] {
        try await HolidayCalendarRecord.query(on: db).sort(\.$id, .descending).all().map { r in
            let y = try r.decoded()
            return YearRow(year: y.year, source: r.source, holidays: y.holidays.count, workingWeekends: y.workingWeekends.count,
                           loadedBy: r.loadedBy, loadedOn: r.loadedOn,
                           names: (try? JSONDecoder().decode([[String: String]].self, from: Data(r.names.utf8))) ?? [])
        }
    }
}
