import Fluent
import Vapor
import DibaoCore

/// `/api/v1/payrolls…`: the payroll steps for county systems, and the file exchange for
/// banks (a bank's token sees its own bank's files only).
struct PaymentAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("payrolls")
        p.get(use: list)
        p.write(guard: .permission(.workPayrolls), use: draft)
        p.get(":id", use: show)
        p.write(":id", ":step", guard: .permission(.workPayrolls), use: step)
        p.get(":id", "files", ":bank", use: file)
        p.write(":id", "files", ":bank", "result", body: .collect(maxSize: "200mb"), guard: .permission(.workPayrolls), use: result)
        routes.get("budget-execution", use: budget)
    }

    struct PayrollDTO: Content {
        struct File: Content { var bank: String; var lines: Int; var total: String; var sha256: String; var resultOn: String?; var paid: Int; var failed: Int }
        var id: UUID; var number: String; var county: String; var period: String; var stage: String
        var lines: Int; var total: String; var held: Int; var heldTotal: String; var paid: String; var failed: Int; var failedTotal: String
        var draftedBy: String; var releasedBy: String; var files: [File]?
    }

    static func dto(_ p: Payroll, files: [PayrollBankFile]? = nil) -> PayrollDTO {
        PayrollDTO(id: p.id!, number: p.number, county: p.countyCode, period: p.period, stage: p.stage.rawValue, lines: p.lineCount,
                   total: Money(fen: p.totalFen).plain, held: p.heldCount, heldTotal: Money(fen: p.heldFen).plain, paid: Money(fen: p.paidFen).plain,
                   failed: p.failedCount, failedTotal: Money(fen: p.failedFen).plain, draftedBy: p.draftedBy, releasedBy: p.releasedBy,
                   files: files?.map { .init(bank: $0.bankCode, lines: $0.lineCount, total: Money(fen: $0.totalFen).plain, sha256: $0.sha256,
                                             resultOn: $0.resultOn, paid: $0.paidCount, failed: $0.failedCount) })
    }

    func list(req: Request) async throws -> [PayrollDTO] {
        let op = try await PaymentPages.op(req)
        var all = try await PaymentPages.payrollsQuery(for: op, on: req.db).sort(\.$period, .descending).limit(500).all()
        if let bank = op.bank {
            let mine = Set(try await PayrollBankFile.query(on: req.db).filter(\.$bankCode == bank).all().map(\.payrollID))
            all = all.filter { mine.contains($0.id!) }
        }
        return all.map { Self.dto($0) }
    }

    func show(req: Request) async throws -> PayrollDTO {
        let op = try await PaymentPages.op(req)
        let p = try await Payrolls.visible(req.parameters.get("id", as: UUID.self), to: op, on: req.db)
        let files = try await PayrollBankFile.query(on: req.db).filter(\.$payrollID == p.id!).all().filter { op.sees(bank: $0.bankCode) }
        if op.bank != nil && files.isEmpty { throw Abort(.notFound) }
        return Self.dto(p, files: files)
    }

    struct DraftInput: Content { var period: String }

    func draft(req: Request) async throws -> Response {
        let op = try await PaymentPages.op(req)
        let input = try req.content.decode(DraftInput.self)
        let out = try await PaymentPages.guarded(req) {
            try await Payrolls.draft(county: op.area, period: input.period, by: op, app: req.application)
        }
        return try await Self.dto(out.payroll).encodeResponse(status: .created, for: req)
    }

    func step(req: Request) async throws -> PayrollDTO {
        let op = try await PaymentPages.op(req)
        let id = req.parameters.get("id", as: UUID.self)
        let app = req.application
        let p: Payroll
        switch req.parameters.get("step") ?? "" {
        case "release": p = try await PaymentPages.guarded(req) { try await Payrolls.release(id, by: op, app: app) }
        case "export":
            _ = try await PaymentPages.guarded(req) { try await Payrolls.export(id, by: op, app: app) }
            p = try await Payrolls.visible(id, to: op, on: req.db)
        case "close": p = try await PaymentPages.guarded(req) { try await Payrolls.close(id, by: op, app: app) }
        default: throw Abort(.notFound)
        }
        return Self.dto(p, files: try await PayrollBankFile.query(on: req.db).filter(\.$payrollID == p.id!).all())
    }

    func file(req: Request) async throws -> Response {
        try await PaymentPages().file(req: req)
    }

    struct ResultDTO: Content { var paid: Int; var failed: Int; var failedTotal: String }

    /// The bank's result file as the request body (text/plain, UTF-8).
    func result(req: Request) async throws -> ResultDTO {
        let op = try await PaymentPages.op(req)
        let bank = req.parameters.get("bank") ?? ""
        guard let body = req.body.data else {
            throw FieldRefusal(field: "file", rule: "bank_file.empty",
                               .labelled(Phrase("bankfile.refusal_label_result_file"), Phrase("bankfile.refusal_empty_body")))
        }
        let text = try BankResultText.decode(body)
        let out = try await PaymentPages.guarded(req) {
            try await Payrolls.importResult(req.parameters.get("id", as: UUID.self), bank: bank, text: text, by: op, app: req.application)
        }
        return ResultDTO(paid: out.paid, failed: out.failed, failedTotal: Money(fen: out.failedFen).plain)
    }

    struct ExecutionDTO: Content {
        struct Source: Content { var source: String; var budget: String; var spent: String }
        var county: String; var year: Int; var budget: String; var spent: String; var monthly: [String]; var quarters: [String]
        var progressPerMille: Int; var evennessPerMille: Int; var carryOver: String; var carryOverFlagged: Bool; var sources: [Source]
    }

    func budget(req: Request) async throws -> [ExecutionDTO] {
        let op = try await PaymentPages.op(req)
        guard op.bank == nil, op.area.level <= .county else { throw Abort(.forbidden) }
        let today = req.dibao.clock.today()
        let year = try req.boundedQuery(.year, fallback: today.year)
        let months = BudgetExecution.monthsClosed(year: year, today: today)
        let policy = req.dibao.policy(on: today)
        return try await Budgets.execution(area: op.area, year: year, on: req.db).map { county, e in
            let spent = e.spentBySource
            let outlook = e.carryOverOutlook(monthsClosed: months, policy: policy)
            return ExecutionDTO(county: county, year: year, budget: e.totalBudget.plain, spent: e.spent.plain, monthly: e.monthly.map(\.plain),
                                quarters: (1...4).map { e.quarter($0).plain }, progressPerMille: e.progressPerMille,
                                evennessPerMille: e.evennessPerMille(months: months),
                                carryOver: outlook.carryOver.plain, carryOverFlagged: outlook.flagged,
                                sources: FundSource.allCases.map { .init(source: $0.rawValue, budget: (e.budget[$0] ?? .zero).plain, spent: (spent[$0] ?? .zero).plain) })
        }
    }
}
