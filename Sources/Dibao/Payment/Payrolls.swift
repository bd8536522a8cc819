import Crypto
import Fluent
import Foundation
import FluentSQLiteDriver
import SQLKit
import Vapor
import DibaoCore

/// Who acts on payments: a signed-in account, or the system (commands, the benchmark).
struct PaymentOperator: Sendable {
    var username: String
    var role: Role
    var area: AreaCode
    var audit: AuditActor
    /// A bank operator's bank: it exchanges that bank's files only.
    var bank: String?
    /// The actor this operator was made from, for the services it calls (a decision on the
    /// enrolled household is taken through the service context).
    var actor: StaffActor?

    init(_ actor: StaffActor, bank: String? = nil) {
        self.init(username: actor.username, role: actor.role, area: actor.area, audit: actor.audit, bank: bank)
        self.actor = actor
    }

    /// The service context of this operator (a command's operator acts as itself, audited under its name).
    func context(_ app: Application) -> ServiceContext {
        let a = actor ?? StaffActor(userID: UUID(uuidString: audit.id) ?? UUID(), username: username, displayName: audit.name,
                                    role: role, area: area, viaToken: false)
        return app.context(a)
    }

    init(username: String, role: Role, area: AreaCode, audit: AuditActor? = nil, bank: String? = nil) {
        self.username = username
        self.role = role
        self.area = area
        self.audit = audit ?? AuditActor(id: username, name: username, role: role.rawValue)
        self.bank = bank
    }

    /// Whether this account may see `bank`'s files: everyone but a bank operator, and a
    /// bank operator for its own bank.
    func sees(bank code: String) -> Bool { role != .bankOperator || bank == code }

    /// Whether a county's records are within this account's area.
    func covers(county: String) -> Bool {
        guard let c = try? AreaCode(county) else { return false }
        return area.contains(c)
    }
}

/// 发放 — a county's payroll from draft to close (二.二.5). Every step checks
/// `PayrollMachine`, runs in one transaction with its audit event, and leaves the
/// payroll either as it was or wholly moved on.
enum Payrolls {
    /// The county's payment frequency: its own decision, else the policy's default.
    static func frequency(county: String, policy: Policy, on db: any Database) async throws -> PaymentFrequency {
        try await CountyPaymentSetting.find(county, on: db)?.frequency ?? policy.paymentFrequency
    }

    static func number(county: String, period: PayrollPeriod) -> String { "\(county.prefix(6))-\(period.label)" }

    /// A payroll `op` may see: in its area (a bank operator's through its bank's files);
    /// otherwise 404, as if it did not exist.
    /// A township or village account sees its county's payrolls (and on them, its own lines only).
    static func visible(_ id: UUID?, to op: PaymentOperator, on db: any Database) async throws -> Payroll {
        guard let id, let p = try await Payroll.find(id, on: db),
              op.covers(county: p.countyCode) || op.area.ancestor(at: .county)?.value == p.countyCode else { throw Abort(.notFound) }
        return p
    }

    private static func check(_ action: PayrollAction, _ payroll: Payroll?, _ op: PaymentOperator) throws {
        if let refusal = PayrollMachine.refusal(action, stage: payroll?.stage, role: op.role, actor: op.username,
                                                drafter: payroll?.draftedBy ?? "") { throw refusal }
    }

    // MARK: Draft

    struct DraftOutcome: Sendable {
        var payroll: Payroll
        var seconds: (read: Double, compute: Double, write: Double)
    }

    /// 编制: one line per enrolled household of `county` with money due for `periodText`,
    /// computed from its schedule and what it has been paid (`Adjustment`). All in one
    /// transaction: a crash at any moment leaves no payroll or the whole one.
    static func draft(county: AreaCode, period periodText: String, by op: PaymentOperator, app: Application) async throws -> DraftOutcome {
        try check(.draft, nil, op)
        guard county.level == .county, op.covers(county: county.value) else { throw Abort(.notFound) }
        guard let period = PayrollPeriod.parse(periodText) else { throw PayrollRefusal.badPeriod(periodText) }
        let env = app.dibao
        let today = env.clock.today()
        let expected = try await frequency(county: county.value, policy: env.policy(on: period.first), on: app.db)
        guard period.frequency == expected else { throw PayrollRefusal.wrongFrequency(period: period.label, expected: expected) }
        let codes = county.lineage

        return try await app.audit.write(on: app.db) { tx in
            // Checked inside the transaction, so two drafts of one county cannot both pass.
            let existing = try await Payroll.query(on: tx).filter(\.$countyCode == county.value).all()
            if existing.contains(where: { $0.period == period.label }) { throw PayrollRefusal.periodExists(period.label) }
            if let latest = existing.compactMap({ p in p.payrollPeriod.map { (p, $0) } }).max(by: { $0.1 < $1.1 }) {
                if !(latest.1.last < period.first) { throw PayrollRefusal.notAfterLatest(period: period.label, latest: latest.1.label) }
                // An unreleased earlier payroll has not yet counted as paid: drafting past it would pay twice.
                if latest.0.stage == .drafted { throw PayrollRefusal.stage(.draft, .drafted) }
            }
            try await BulkSQL.prepareForBulkWrite(tx)
            let payroll = Payroll()
            payroll.id = UUID()
            payroll.number = number(county: county.value, period: period)
            payroll.regionCode = codes[.region] ?? ""
            payroll.leagueCode = codes[.league] ?? ""
            payroll.countyCode = county.value
            payroll.period = period.label
            payroll.stage = .drafted
            payroll.version = 1
            payroll.draftedBy = op.username
            payroll.draftedOn = today.iso
            payroll.releasedBy = ""
            payroll.lineCount = 0; payroll.totalFen = 0; payroll.heldCount = 0; payroll.heldFen = 0
            payroll.firstLine = 0; payroll.lastLine = 0
            payroll.paidCount = 0; payroll.paidFen = 0; payroll.failedCount = 0; payroll.failedFen = 0
            try await payroll.create(on: tx)

            let t0 = Date()
            let before = try await maxLineID(tx)
            var lines = ComputedLines()
            var t1 = t0, t2 = t0
            if let lite = tx as? any SQLiteDatabase {
                // On SQLite the rows never leave the database: the rules run inside the INSERT …
                // SELECT as a function of the connection, so a county's payroll is one statement.
                try await insertLinesInSQLite(lite, payroll: payroll.id!, county: county.value, period: period)
                t1 = Date(); t2 = t1
            } else {
                let rows = try await BulkSQL.rows(tx, """
                    SELECT s.id, s.household_id, s.township_code, s.village_code, s.steps, s.settled_fen,
                           h.head_name, h.member_count, a.bank_code, a.account_number, a.holder_name
                    FROM benefit_schedules s JOIN households h ON h.id = s.household_id
                    LEFT JOIN payment_accounts a ON a.household_id = s.household_id
                    WHERE s.county_code = \(bind: county.value) AND s.active = \(bind: true)
                    """)
                t1 = Date()
                lines = computeLines(rows, payroll: payroll.id!, period: period)
                t2 = Date()
                try await BulkSQL.insert(tx, into: PayrollLine.schema, columns: lineColumns, rows: lines.rows)
            }
            let after = try await maxLineID(tx)
            // Written in one run under the write lock (SQLite's, and the audit chain's lock on
            // PostgreSQL): the new lines are exactly the ids after the old maximum.
            payroll.firstLine = after > before ? before + 1 : 0
            payroll.lastLine = after > before ? after : 0
            let totals = try await BulkSQL.rows(tx, """
                SELECT CASE WHEN status = 'held' THEN 1 ELSE 0 END AS held, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)
                FROM payroll_lines WHERE \(linesOf(payroll)) GROUP BY CASE WHEN status = 'held' THEN 1 ELSE 0 END
                """)
            for t in totals {
                if t.int(0) != 0 { payroll.heldCount = Int(t.int(1)); payroll.heldFen = t.int(2) }
                else { payroll.lineCount = Int(t.int(1)); payroll.totalFen = t.int(2) }
            }
            if !lines.rows.isEmpty {
                // The Swift path's own sums must agree with what was written.
                guard lines.count == payroll.lineCount, lines.total == payroll.totalFen else {
                    throw Abort(.internalServerError, reason: "payroll lines do not add up to what was computed")
                }
            }
            try await payroll.save(on: tx)
            let t3 = Date()
            let outcome = DraftOutcome(payroll: payroll, seconds: (t1.timeIntervalSince(t0), t2.timeIntervalSince(t1), t3.timeIntervalSince(t2)))
            return (outcome, [AuditEntry(actor: op.audit, action: "payroll.drafted", entityType: "payroll", entityID: payroll.id!.uuidString,
                                         areaCode: county.value, detail: ["number": payroll.number, "period": period.label,
                                                                          "lines": String(lines.count), "total_fen": String(lines.total),
                                                                          "held": String(lines.heldCount), "held_fen": String(lines.held)])])
        }
    }

    static let lineColumns = ["payroll_id", "household_id", "schedule_id", "township_code", "village_code", "head_name",
                              "member_count", "bank_code", "account_number", "holder_name", "period_fen", "adjustment_fen",
                              "amount_fen", "status", "note"]

    /// The draft's lines in one INSERT … SELECT on the transaction's own connection, with
    /// the payroll rules (`Adjustment.lineAmount`, `BenefitSchedule.amount`) installed as
    /// SQL functions for the statement.
    static func insertLinesInSQLite(_ lite: any SQLiteDatabase, payroll: UUID, county: String, period: PayrollPeriod) async throws {
        let own = SQLiteCustomFunction("dibao_period_amount", argumentCount: 1, pure: true) { args in
            guard case .text(let steps) = args[0], let schedule = BenefitSchedule(stored: steps) else { return nil as Int? }
            return Int(schedule.amount(for: period).fen)
        }
        let due = SQLiteCustomFunction("dibao_line_amount", argumentCount: 2, pure: true) { args in
            guard case .text(let steps) = args[0], case .integer(let settled) = args[1],
                  let schedule = BenefitSchedule(stored: steps) else { return nil as Int? }
            return Int(Adjustment.lineAmount(schedule: schedule, settled: Money(fen: Int64(settled)), period: period).pay.fen)
        }
        let held = PayrollLineStatus.held.rawValue, pending = PayrollLineStatus.pending.rawValue
        let statement = """
            INSERT INTO payroll_lines (\(lineColumns.joined(separator: ", ")))
            SELECT ?, x.household_id, x.id, x.township_code, x.village_code, x.head_name, x.member_count, x.bank, x.account, x.holder,
                   x.own, x.pay - x.own, x.pay, CASE WHEN x.account = '' THEN '\(held)' ELSE '\(pending)' END, ''
            FROM (SELECT s.id, s.household_id, s.township_code, s.village_code, h.head_name, h.member_count,
                         COALESCE(a.bank_code, '') AS bank, COALESCE(a.account_number, '') AS account, COALESCE(a.holder_name, '') AS holder,
                         dibao_period_amount(s.steps) AS own, dibao_line_amount(s.steps, s.settled_fen) AS pay
                  FROM benefit_schedules s JOIN households h ON h.id = s.household_id
                  LEFT JOIN payment_accounts a ON a.household_id = s.household_id
                  WHERE s.county_code = ? AND s.active = 1 LIMIT -1) x
            WHERE x.pay > 0
            """
        // `LIMIT -1` keeps SQLite from folding the inner query into the outer one, which would
        // call the functions once per use of `own` and `pay` instead of once per household.
        try await lite.withConnection { conn in
            try await conn.install(customFunction: own)
            try await conn.install(customFunction: due)
            do {
                try await conn.query(statement, [.text(payroll.uuidString), .text(county)]) { _ in }
            } catch {
                try? await conn.uninstall(customFunction: own)
                try? await conn.uninstall(customFunction: due)
                throw error
            }
            try await conn.uninstall(customFunction: own)
            try await conn.uninstall(customFunction: due)
        }
    }

    static func maxLineID(_ db: any Database) async throws -> Int {
        Int(try await BulkSQL.rows(db, "SELECT COALESCE(MAX(id), 0) FROM payroll_lines").first?.int(0) ?? 0)
    }

    /// The payroll's lines as an SQL condition: its key range, and its id for safety.
    static func linesOf(_ p: Payroll, alias: String = "") -> SQLQueryString {
        let a = alias.isEmpty ? "" : alias + "."
        return "\(unsafeRaw: a)id BETWEEN \(bind: p.firstLine) AND \(bind: p.lastLine) AND \(unsafeRaw: a)payroll_id = \(bind: p.id!)"
    }

    struct ComputedLines {
        var rows: [[SQLCell]] = []
        var count = 0
        var total: Int64 = 0
        var heldCount = 0
        var held: Int64 = 0
    }

    /// The lines of a payroll from its schedule rows. Split across the cores: each
    /// household's line depends on its own schedule only.
    static func computeLines(_ rows: [FastRow], payroll: UUID, period: PayrollPeriod) -> ComputedLines {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 20_000 + 1))
        let chunk = (rows.count + workers - 1) / max(1, workers)
        let parts = WorkerSlots(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var out: [[SQLCell]] = []
            let range = (w * chunk)..<min(rows.count, (w + 1) * chunk)
            out.reserveCapacity(range.count)
            for i in range {
                let r = rows[i]
                guard let schedule = BenefitSchedule(stored: r.text(4)) else { continue }
                let (pay, _) = Adjustment.lineAmount(schedule: schedule, settled: Money(fen: r.int(5)), period: period)
                guard pay.isPositive else { continue }
                let own = schedule.amount(for: period)
                let hasAccount = !r.isNull(8) && !r.text(9).isEmpty
                out.append([.uuid(payroll), .uuidText(r.text(1)), .uuidText(r.text(0)), .text(r.text(2)), .text(r.text(3)),
                            .text(r.text(6)), .int(r.int(7)), .text(hasAccount ? r.text(8) : ""), .text(hasAccount ? r.text(9) : ""),
                            .text(hasAccount ? r.text(10) : ""), .int(own.fen), .int(pay.fen - own.fen), .int(pay.fen),
                            .text(hasAccount ? PayrollLineStatus.pending.rawValue : PayrollLineStatus.held.rawValue), .text("")])
            }
            parts.set(w, out)
        }
        var result = ComputedLines()
        result.rows.reserveCapacity(rows.count)
        for part in parts.all() {
            for row in part {
                guard case .int(let amount) = row[12], case .text(let status) = row[13] else { continue }
                if status == PayrollLineStatus.held.rawValue { result.heldCount += 1; result.held += amount }
                else { result.count += 1; result.total += amount }
                result.rows.append(row)
            }
        }
        return result
    }

    // MARK: Discard, release

    /// A draft thrown away before release (e.g. a decision came in late); the period can be drawn again.
    static func discard(_ id: UUID?, by op: PaymentOperator, app: Application) async throws {
        let p = try await visible(id, to: op, on: app.db)
        try check(.discard, p, op)
        try await app.audit.write(on: app.db) { tx in
            guard let current = try await Payroll.find(p.id, on: tx), current.stage == .drafted else { throw PayrollRefusal.stage(.discard, p.stage) }
            try await (tx as! any SQLDatabase).raw("DELETE FROM payroll_lines WHERE \(linesOf(current))").run()
            try await current.delete(on: tx)
            return ((), [AuditEntry(actor: op.audit, action: "payroll.discarded", entityType: "payroll", entityID: p.id!.uuidString,
                                    areaCode: p.countyCode, detail: ["number": p.number])])
        }
    }

    /// 审核拨付: finance releases the list. From here on it never changes; what it sends
    /// to banks counts as paid until a bank says otherwise.
    static func release(_ id: UUID?, by op: PaymentOperator, app: Application) async throws -> Payroll {
        let p = try await visible(id, to: op, on: app.db)
        try check(.release, p, op)
        let today = app.dibao.clock.today()
        return try await app.audit.write(on: app.db) { tx in
            guard let current = try await Payroll.find(p.id, on: tx), current.version == p.version else {
                throw Abort(.conflict, reason: "stale")
            }
            try check(.release, current, op)
            current.stage = .released
            current.releasedBy = op.username
            current.releasedOn = today.iso
            current.version += 1
            try await current.save(on: tx)
            let sql = tx as! any SQLDatabase
            try await sql.raw("""
                UPDATE benefit_schedules SET settled_fen = settled_fen + l.amount_fen
                FROM payroll_lines l
                WHERE l.schedule_id = benefit_schedules.id AND \(linesOf(current, alias: "l")) AND l.status = \(bind: PayrollLineStatus.pending.rawValue)
                """).run()
            return (current, [AuditEntry(actor: op.audit, action: "payroll.released", entityType: "payroll", entityID: current.id!.uuidString,
                                         areaCode: current.countyCode, detail: ["number": current.number, "lines": String(current.lineCount),
                                                                                "total_fen": String(current.totalFen)])])
        }
    }

    // MARK: Bank files

    /// The payments of `payroll` for `bank`, in line order.
    static func payments(_ payroll: Payroll, bank: String, on db: any Database) async throws -> [BankFile.Payment] {
        let rows = try await BulkSQL.rows(db, """
            SELECT id, account_number, holder_name, amount_fen FROM payroll_lines
            WHERE \(linesOf(payroll)) AND bank_code = \(bind: bank) AND status <> \(bind: PayrollLineStatus.held.rawValue)
            ORDER BY id
            """)
        return rows.map { BankFile.Payment(reference: String($0.int(0)), account: $0.text(1), holder: $0.text(2), amount: Money(fen: $0.int(3))) }
    }

    /// The payment file of `payroll` for `bank`, written as the lines are read (on SQLite
    /// straight from the connection, without a row object per line).
    static func paymentFile(_ p: Payroll, bank: String, created: CivilDate, on db: any Database) async throws -> (String, Int, Money) {
        let header = BankFile.Header(payroll: p.number, county: p.countyCode, period: p.period, bank: bank)
        guard let lite = db as? any SQLiteDatabase else {
            let payments = try await payments(p, bank: bank, on: db)
            return (BankFile.paymentFile(header, created: created, payments: payments), payments.count, payments.map(\.amount).sum())
        }
        final class Box: @unchecked Sendable { var writer: BankFile.PaymentWriter; init(_ w: BankFile.PaymentWriter) { writer = w } }
        let box = Box(BankFile.PaymentWriter(header, created: created, expectedLines: p.lineCount))
        let statement = """
            SELECT id, account_number, holder_name, amount_fen FROM payroll_lines
            WHERE id BETWEEN ? AND ? AND payroll_id = ? AND bank_code = ? AND status <> ? ORDER BY id
            """
        let binds: [SQLiteData] = [.integer(p.firstLine), .integer(p.lastLine), .text(p.id!.uuidString), .text(bank), .text(PayrollLineStatus.held.rawValue)]
        // The connection calls back on its own thread, one row after another; the writer is
        // read only after the query has finished.
        try await lite.withConnection { conn in
            try await conn.query(statement, binds) { row in
                let c = row.columns
                guard case .integer(let id) = c[0].data, case .text(let account) = c[1].data, case .text(let holder) = c[2].data,
                      case .integer(let fen) = c[3].data else { return }
                box.writer.add(reference: Int64(id), account: account, holder: holder, amount: Money(fen: Int64(fen)))
            }
        }
        let count = box.writer.count, total = box.writer.total
        return (box.writer.finish(), count, total)
    }

    static func banks(of payroll: Payroll, on db: any Database) async throws -> [String] {
        try await BulkSQL.rows(db, """
            SELECT DISTINCT bank_code FROM payroll_lines
            WHERE \(linesOf(payroll)) AND status <> \(bind: PayrollLineStatus.held.rawValue) ORDER BY bank_code
            """).map { $0.text(0) }
    }

    struct ExportedFile: Sendable {
        var bank: String
        var fileName: String
        var text: String
        var count: Int
        var total: Money
    }

    /// 生成代发文件: one payment file per bank. The file is made from the frozen lines, so
    /// exporting again gives the same bytes; the first export records each file's
    /// checksum and moves the payroll on.
    static func export(_ id: UUID?, by op: PaymentOperator, app: Application) async throws -> [ExportedFile] {
        let p = try await visible(id, to: op, on: app.db)
        try check(.export, p, op)
        let created = CivilDate(iso: p.releasedOn ?? "") ?? app.dibao.clock.today()
        var files: [ExportedFile] = []
        for bank in try await banks(of: p, on: app.db) {
            let (text, count, total) = try await paymentFile(p, bank: bank, created: created, on: app.db)
            files.append(ExportedFile(bank: bank, fileName: "\(p.number)-\(bank).txt", text: text, count: count, total: total))
        }
        let today = app.dibao.clock.today()
        let finished = files
        try await app.audit.write(on: app.db) { tx in
            guard let current = try await Payroll.find(p.id, on: tx) else { throw Abort(.notFound) }
            try check(.export, current, op)
            var entries: [AuditEntry] = []
            for f in finished {
                let digest = sha256(f.text)
                if let known = try await PayrollBankFile.query(on: tx).filter(\.$payrollID == p.id!).filter(\.$bankCode == f.bank).first() {
                    // Lines are frozen after release: a different file would mean they changed.
                    guard known.sha256 == digest else { throw Abort(.internalServerError, reason: "payment file changed after release") }
                    continue
                }
                let file = PayrollBankFile()
                file.payrollID = p.id!; file.bankCode = f.bank; file.lineCount = f.count; file.totalFen = f.total.fen
                file.sha256 = digest; file.exportedOn = today.iso; file.exportedBy = op.username; file.resultBy = ""
                file.paidCount = 0; file.paidFen = 0; file.failedCount = 0; file.failedFen = 0
                try await file.create(on: tx)
                entries.append(AuditEntry(actor: op.audit, action: "payroll.exported", entityType: "payroll", entityID: p.id!.uuidString,
                                          areaCode: p.countyCode, detail: ["bank": f.bank, "lines": String(f.count), "total_fen": String(f.total.fen), "sha256": digest]))
            }
            if current.stage == .released {
                // With no line for any bank (nobody due, or every account missing) there is
                // no result to wait for.
                current.stage = finished.isEmpty ? .resultsIn : .exported
                current.exportedOn = today.iso
                current.version += 1
                try await current.save(on: tx)
            }
            return ((), entries)
        }
        return files
    }

    // MARK: Bank results

    struct ResultOutcome: Sendable {
        var paid: Int
        var failed: Int
        var failedFen: Int64
    }

    /// 回盘: the bank's result for its file of `payroll`, checked whole against what was
    /// sent (`BankFile.reconcile`) before anything is booked. Failed lines go back to
    /// owed (the schedule's settled total drops) and wait for a decision.
    static func importResult(_ id: UUID?, bank: String, text: String, by op: PaymentOperator, app: Application) async throws -> ResultOutcome {
        // The bank first: another bank's operator learns nothing, not even the stage (issue 12).
        guard op.sees(bank: bank) else { throw Abort(.notFound) }
        let p = try await visible(id, to: op, on: app.db)
        try check(.importResult, p, op)
        guard let file = try await PayrollBankFile.query(on: app.db).filter(\.$payrollID == p.id!).filter(\.$bankCode == bank).first() else {
            throw FieldRefusal(field: "bank", rule: "bank_file.no_payment_file",
                               .labelled(Phrase("bankfile.refusal_label_bank"), Phrase("bankfile.refusal_no_payment_file", bank)))
        }
        guard file.resultOn == nil else {
            throw FieldRefusal(field: "file", rule: "bank_file.result_exists",
                               .labelled(Phrase("bankfile.refusal_label_file"), Phrase("bankfile.refusal_result_exists", bank, file.resultOn!)))
        }
        let sent = try await payments(p, bank: bank, on: app.db)
        let results = try BankFile.reconcile(text, payroll: p.number, bank: bank, payments: sent)
        let failed = results.filter { $0.outcome == .failed }
        let today = app.dibao.clock.today()
        let digest = sha256(text)
        return try await app.audit.write(on: app.db) { tx in
            guard let current = try await Payroll.find(p.id, on: tx), let f = try await PayrollBankFile.find(file.id, on: tx), f.resultOn == nil else {
                throw Abort(.conflict, reason: "stale")
            }
            try check(.importResult, current, op)
            let sql = tx as! any SQLDatabase
            for r in failed {
                let line = Int(r.reference) ?? -1
                try await sql.raw("""
                    UPDATE payroll_lines SET status = \(bind: PayrollLineStatus.failed.rawValue), note = \(bind: r.reason)
                    WHERE id = \(bind: line) AND payroll_id = \(bind: p.id!)
                    """).run()
                try await sql.raw("""
                    UPDATE benefit_schedules SET settled_fen = settled_fen - \(bind: r.amount.fen)
                    WHERE id = (SELECT schedule_id FROM payroll_lines WHERE id = \(bind: line) AND payroll_id = \(bind: p.id!))
                    """).run()
            }
            try await sql.raw("""
                UPDATE payroll_lines SET status = \(bind: PayrollLineStatus.paid.rawValue)
                WHERE \(linesOf(current)) AND bank_code = \(bind: bank) AND status = \(bind: PayrollLineStatus.pending.rawValue)
                """).run()
            let failedFen = failed.map(\.amount.fen).reduce(0, +)
            f.resultSHA256 = digest; f.resultOn = today.iso; f.resultBy = op.username
            f.failedCount = failed.count; f.failedFen = failedFen
            f.paidCount = results.count - failed.count; f.paidFen = f.totalFen - failedFen
            try await f.save(on: tx)
            current.paidCount += f.paidCount; current.paidFen += f.paidFen
            current.failedCount += f.failedCount; current.failedFen += f.failedFen
            let files = try await PayrollBankFile.query(on: tx).filter(\.$payrollID == p.id!).all()
            let banks = try await banks(of: current, on: tx)
            if files.count == banks.count && files.allSatisfy({ $0.resultOn != nil }) { current.stage = .resultsIn }
            current.version += 1
            try await current.save(on: tx)
            let outcome = ResultOutcome(paid: f.paidCount, failed: f.failedCount, failedFen: failedFen)
            return (outcome, [AuditEntry(actor: op.audit, action: "payroll.result_imported", entityType: "payroll", entityID: p.id!.uuidString,
                                         areaCode: p.countyCode, detail: ["bank": bank, "paid": String(f.paidCount), "failed": String(f.failedCount),
                                                                          "failed_fen": String(failedFen), "sha256": digest])])
        }
    }

    // MARK: Failures and close

    enum Resolution: Sendable {
        /// The account is corrected; the next payroll pays the amount again.
        case repay(bank: String, account: String, holder: String)
        /// Payment stops from the month after the decision until the household is reached.
        case suspend
    }

    /// 失败处理: a failed line is settled by correcting the account (paid again in the
    /// next payroll, through its adjustment) or by suspending payment.
    static func resolve(line lineID: Int?, _ resolution: Resolution, note: String, by op: PaymentOperator, app: Application) async throws -> PayrollLine {
        guard let lineID, let line = try await PayrollLine.find(lineID, on: app.db) else { throw Abort(.notFound) }
        let p = try await visible(line.payrollID, to: op, on: app.db)
        try check(.resolveFailure, p, op)
        guard line.status == .failed else {
            throw FieldRefusal(field: "line", rule: "payroll.line_not_failed",
                               .labelled(Phrase("payroll.refusal_label_line"), Phrase("payroll.refusal_line_not_failed", line.status.namePhrase)))
        }
        let today = app.dibao.clock.today()
        let policy = app.dibao.policy(on: today)
        if case let .repay(bank, account, holder) = resolution {
            try PaymentAccounts.validate(bank: bank, account: account, holder: holder)
            guard try await Bank.find(bank, on: app.db) != nil else { throw PaymentAccounts.unknownBank(bank) }
        }
        let ctx = op.context(app)
        return try await app.audit.write(on: app.db) { tx in
            guard let current = try await PayrollLine.find(lineID, on: tx), current.status == .failed else { throw Abort(.conflict, reason: "stale") }
            var more: [AuditEntry] = []
            var detail = ["payroll": p.number, "line": String(current.id ?? 0), "amount_fen": String(current.amountFen)]
            switch resolution {
            case let .repay(bank, account, holder):
                try await PaymentAccounts.put(household: current.householdID, bank: bank, account: account, holder: holder,
                                              by: op.username, on: today, tx)
                current.status = .repay
                detail["bank"] = bank
            case .suspend:
                // 二.六: a suspension is a decision on the enrolled household, from the month the policy's effect rule gives.
                guard let e = try await EnrolledHousehold.find(current.scheduleID, on: tx) else { throw Abort(.notFound) }
                let (_, event) = try await EnrollmentWorkflow.decide(
                    BenefitDecision(kind: .suspended, from: policy.changeEffectiveFrom(decidedOn: today), monthly: .zero), for: e,
                    basis: .init(reason: note, source: .paymentFailure, sourceID: String(current.id ?? 0)), ctx: ctx, tx: tx)
                more.append(event)
                current.status = .suspended
            }
            current.note = note.isEmpty ? current.note : current.note + "；" + note
            try await current.save(on: tx)
            return (current, [AuditEntry(actor: op.audit, action: "payroll.failure_\(current.status.rawValue)", entityType: "household",
                                         entityID: current.householdID.uuidString, areaCode: current.villageCode, reason: note, detail: detail)] + more)
        }
    }

    static func close(_ id: UUID?, by op: PaymentOperator, app: Application) async throws -> Payroll {
        let p = try await visible(id, to: op, on: app.db)
        try check(.close, p, op)
        let today = app.dibao.clock.today()
        return try await app.audit.write(on: app.db) { tx in
            guard let current = try await Payroll.find(p.id, on: tx) else { throw Abort(.notFound) }
            try check(.close, current, op)
            let open = try await PayrollLine.query(on: tx).of(current).filter(\.$status == .failed).count()
            guard open == 0 else { throw PayrollRefusal.unresolvedFailures(open) }
            current.stage = .closed
            current.closedOn = today.iso
            current.version += 1
            try await current.save(on: tx)
            return (current, [AuditEntry(actor: op.audit, action: "payroll.closed", entityType: "payroll", entityID: p.id!.uuidString,
                                         areaCode: p.countyCode, detail: ["number": p.number, "paid_fen": String(current.paidFen)])])
        }
    }

    static func sha256(_ text: String) -> String {
        AuditLog.hex(SHA256.hash(data: Data(text.utf8)))
    }
}

/// Results of parallel workers, one slot each.
final class WorkerSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[[SQLCell]]]

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ i: Int, _ value: [[SQLCell]]) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }

    func all() -> [[[SQLCell]]] {
        lock.lock(); defer { lock.unlock() }
        return slots
    }
}

extension QueryBuilder where Model == PayrollLine {
    /// The lines of `payroll`: its key range (read straight off the table's key) and its id.
    func of(_ payroll: Payroll) -> Self {
        filter(\.$id >= payroll.firstLine).filter(\.$id <= payroll.lastLine).filter(\.$payrollID == payroll.id!)
    }
}
