import Fluent
import Vapor
import DibaoCore

/// `dibao policy …`, `dibao calendar …`, `dibao areas import`: the administrator's loads from
/// the command line (issue 15). Each refuses a bad file whole, naming its line and rule, and
/// each load is audited as the administrator account named by `--as`.
struct PolicyCommands: AsyncCommandGroup {
    var help: String { "Policy versions: load FILE, activate VERSION, list" }
    var commands: [String: any AnyAsyncCommand] { ["load": LoadPolicy(), "activate": ActivatePolicy(), "list": ListPolicies()] }
}

struct CalendarCommands: AsyncCommandGroup {
    var help: String { "Holiday calendars: load FILE, list" }
    var commands: [String: any AnyAsyncCommand] { ["load": LoadCalendar(), "list": ListCalendars()] }
}

struct AreaCommands: AsyncCommandGroup {
    var help: String { "Areas: import FILE (the official division code list as CSV)" }
    var commands: [String: any AnyAsyncCommand] { ["import": ImportAreas()] }
}

enum AdminCommand {
    /// The command runs as an administrator account, so its audit events name a person.
    static func context(_ app: Application, username: String?) async throws -> ServiceContext {
        let name = username ?? "admin"
        guard let user = try await User.query(on: app.db).filter(\.$username == name).first(), user.role == .administrator,
              let actor = StaffActor(user, viaToken: false) else {
            throw SettingsError("--as: \(name) is not an active administrator account")
        }
        return app.context(actor)
    }

    static func read(_ path: String?) throws -> String {
        guard let path, !path.isEmpty else { throw SettingsError("FILE is required") }
        guard let data = FileManager.default.contents(atPath: path) else { throw SettingsError("FILE: cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw SettingsError("FILE: \(path) is not UTF-8 text") }
        return text
    }

    static func refused(_ error: any Refusal) -> SettingsError { SettingsError("refused [\(error.rule)]: \(error.zh) / \(error.en)") }
}

struct LoadPolicy: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
        @Option(name: "effective", help: "Effective date YYYY-MM-DD, instead of the file's") var effective: String?
        @Flag(name: "activate", help: "Put it in force at once (otherwise it stays a draft to preview)") var activate: Bool
        @Option(name: "as", help: "Administrator account the load is audited as (default admin)") var user: String?
    }
    var help: String { "Load a policy version file (TOML) as a draft, show what differs, optionally activate it" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let text = try AdminCommand.read(signature.file)
        let effective = try signature.effective.map { s -> CivilDate in
            guard let d = CivilDate(iso: s) else { throw SettingsError("--effective: write the date as YYYY-MM-DD") }
            return d
        }
        let ctx = try await AdminCommand.context(app, username: signature.user)
        do {
            let loaded = try await PolicyVersions.load(text: text, effectiveFrom: effective, ctx: ctx)
            context.console.print("Loaded \(loaded.version) (draft, effective \(loaded.effectiveFrom)); compared with \(loaded.comparedWith ?? "-"): \(loaded.differences.count) items differ")
            for d in loaded.differences { context.console.print("  \(d.item): \(d.inForce) → \(d.loaded)") }
            if signature.activate {
                let active = try await PolicyVersions.activate(version: loaded.version, effectiveFrom: nil, ctx: ctx)
                context.console.print("Activated \(active.version) from \(active.effectiveFrom).")
            }
        } catch let r as any Refusal { throw AdminCommand.refused(r) }
    }
}

struct ActivatePolicy: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "version") var version: String
        @Option(name: "effective", help: "Effective date YYYY-MM-DD (today or later)") var effective: String?
        @Option(name: "as", help: "Administrator account (default admin)") var user: String?
    }
    var help: String { "Put a loaded draft policy version in force from a date" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let effective = try signature.effective.map { s -> CivilDate in
            guard let d = CivilDate(iso: s) else { throw SettingsError("--effective: write the date as YYYY-MM-DD") }
            return d
        }
        let ctx = try await AdminCommand.context(context.application, username: signature.user)
        do {
            let active = try await PolicyVersions.activate(version: signature.version, effectiveFrom: effective, ctx: ctx)
            context.console.print("Activated \(active.version) from \(active.effectiveFrom) (replaces \(active.comparedWith ?? "-") from that day).")
        } catch let r as any Refusal { throw AdminCommand.refused(r) }
    }
}

struct ListPolicies: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "List the policy versions" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        for r in try await PolicyVersions.list(env: app.dibao, today: app.dibao.clock.today(), on: app.db) {
            context.console.print("\(r.inForce ? "*" : " ") \(r.version)\t\(r.effectiveFrom)\t\(r.status)\t\(r.title)")
        }
    }
}

struct LoadCalendar: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
        @Option(name: "as", help: "Administrator account (default admin)") var user: String?
    }
    var help: String { "Load one year's holiday calendar (TOML); open cases' deadlines follow it" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let text = try AdminCommand.read(signature.file)
        let ctx = try await AdminCommand.context(context.application, username: signature.user)
        do {
            let o = try await HolidayCalendars.load(text: text, ctx: ctx)
            context.console.print("Calendar \(o.year) \(o.replaced ? "replaced" : "loaded"): \(o.holidays) holidays, \(o.workingWeekends) swapped working days; \(o.deadlinesMoved) open cases' deadlines moved.")
        } catch let r as any Refusal { throw AdminCommand.refused(r) }
    }
}

struct ListCalendars: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "List the loaded holiday calendars" }

    func run(using context: CommandContext, signature: Signature) async throws {
        for y in try await HolidayCalendars.list(on: context.application.db) {
            context.console.print("\(y.year)\t\(y.holidays) holidays\t\(y.workingWeekends) swapped\t\(y.source)")
        }
    }
}

struct ImportAreas: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
        @Option(name: "as", help: "Administrator account (default admin)") var user: String?
    }
    var help: String { "Import the official division code list (CSV: code,name,urban_rural_code[,resident_population])" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let text = try AdminCommand.read(signature.file)
        let ctx = try await AdminCommand.context(context.application, username: signature.user)
        do {
            let o = try await DivisionImport.run(text: text, ctx: ctx)
            context.console.print("Areas imported: \(o.created) new, \(o.renamed) updated, \(o.unchanged) unchanged.")
        } catch let r as any Refusal { throw AdminCommand.refused(r) }
    }
}
