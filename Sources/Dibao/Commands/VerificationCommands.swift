import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// `dibao verification …`: deliver department files, run pending checks, write sample files.
struct VerificationCommands: AsyncCommandGroup {
    var help: String { "The verification platform (二.五): import, check, samples" }
    var commands: [String: any AnyAsyncCommand] { ["import": ImportBatch(), "check": RunChecks(), "samples": WriteSamples()] }
}

/// `dibao verification import --source S [--period YYYY-MM] FILE`
struct ImportBatch: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "source", help: "One of: \(DepartmentSource.allCases.map(\.rawValue).joined(separator: ", "))") var source: String?
        @Option(name: "period", help: "The month the data is for, YYYY-MM (default: this month)") var period: String?
        @Argument(name: "file", help: "CSV file, UTF-8 or GB18030, with the source's header") var file: String
    }

    var help: String { "Import one department's batch file (streamed; bad rows reported by line)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let source = signature.source.flatMap(DepartmentSource.init(rawValue:)) else {
            throw SettingsError("--source must be one of: \(DepartmentSource.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let started = Date()
        do {
            let outcome = try await DepartmentImport.importFile(at: signature.file, source: source, period: signature.period, by: .system(), app: context.application)
            let b = outcome.batch
            if outcome.duplicate {
                context.console.print("Already imported as batch \(b.id!) on \(VerificationRequestView.time(b.createdAtMs)): nothing changed.")
                return
            }
            let seconds = Date().timeIntervalSince(started)
            context.console.print("Batch \(b.id!) (\(source.zh), \(b.period), \(b.encoding)): \(b.rowsTotal) rows, \(b.rowsAccepted) stored, \(b.rowsRejected) refused; "
                + String(format: "%.1f s, %.0f rows/s", seconds, Double(b.rowsTotal) / max(seconds, 0.001)))
            for p in outcome.problems.prefix(20) { context.console.print("  \(p.zh)") }
            if b.rowsRejected > 20 { context.console.print("  … \(b.rowsRejected - 20) more in the batch's error report") }
        } catch let refused as BatchRefused {
            context.console.error("Refused whole: \(refused.outcome.batch.rowsRejected) of \(refused.outcome.batch.rowsTotal) rows are bad (\(refused.perMille)‰, the policy allows \(refused.threshold)‰). Nothing was stored.")
            for p in refused.outcome.problems.prefix(20) { context.console.error("  \(p.zh)") }
            throw SettingsError("batch refused")
        }
    }
}

/// `dibao verification check [--centre CODE]`: runs every pending request (of one centre).
struct RunChecks: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "centre", help: "Only this centre's requests (area code)") var centre: String?
    }

    var help: String { "Run the pending verification requests" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var q = VerificationRequest.query(on: app.db).filter(\.$status == "pending")
        if let centre = signature.centre { q = q.filter(\.$centreCode == (try AreaCode(centre)).value) }
        let pending = try await q.sort(\.$requestedAtMs).all()
        if pending.isEmpty { context.console.print("No pending request.") }
        for r in pending {
            let out = try await VerificationRun.run(r.id!, by: .system, username: "system", app: app)
            context.console.print("\(r.number): \(out.households) households, \(out.matchedRecords) records matched, \(out.withContradictions) with contradictions, "
                + String(format: "%.2f s", out.seconds))
        }
    }
}

/// `dibao verification samples --dir docs/samples`: a small file of each source.
struct WriteSamples: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "dir", help: "Folder to write to (default docs/samples)") var dir: String?
        @Option(name: "people", help: "People to invent (default 12)") var people: Int?
    }

    var help: String { "Write a small sample file of each department source" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let dir = signature.dir ?? "docs/samples"
        let files = try DepartmentFileSet(directory: dir)
        var gen = DepartmentSampleData(seed: 2013, today: CivilDate(year: 2026, month: 11, day: 25)!)
        for i in 0..<(signature.people ?? 12) {
            var chunk: [DepartmentSource: String] = [:]
            _ = gen.person(gen.stranger(i), name: "样例\(i)", into: &chunk)
            try files.append(chunk)
        }
        try files.close()
        for s in DepartmentSource.allCases { context.console.print("\(files.path(s)): \(files.rows[s] ?? 0) rows") }
    }
}
