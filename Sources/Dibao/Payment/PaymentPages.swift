import Fluent
import SQLKit
import Vapor
import DibaoCore

/// Pages of the payment module: the county's payrolls, one payroll with its steps and
/// bank files, the printable payment list, a household's payments, the budget dashboard.
struct PaymentPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let p = routes.grouped("payments")
        p.get(use: index)
        p.write("payrolls", guard: .permission(.workPayrolls), use: draft)
        p.get("payrolls", ":id", use: payroll)
        p.write("payrolls", ":id", ":step", guard: .permission(.workPayrolls), use: step)
        p.get("payrolls", ":id", "files", ":bank", use: file)
        p.write("payrolls", ":id", "results", body: .collect(maxSize: "200mb"), guard: .permission(.workPayrolls), use: result)
        p.get("payrolls", ":id", "list", use: list)
        p.write("lines", ":line", "resolve", guard: .permission(.workPayrolls), use: resolve)
        p.get("households", ":id", use: household)
        p.write("households", ":id", "account", guard: .permission(.manageBenefits), use: account)
        p.get("budget", use: budget)
        p.write("budget", guard: .permission(.manageBudget), use: setBudget)
    }

    // MARK: Who is asking

    /// The signed-in account as a payment operator, with its bank if it is a bank's.
    static func op(_ req: Request) async throws -> PaymentOperator {
        guard let actor = req.actor else { throw Abort(.unauthorized) }
        guard actor.may(.readPayments) || actor.may(.bankExchange) else {
            try await req.recordDenial(actor, target: "permission:read_payments", entityType: "route", entityID: req.url.path)
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        var bank: String?
        if actor.role == .bankOperator {
            bank = try await BankStaff.query(on: req.db).filter(\.$userID == actor.userID).first()?.bankCode
            // A bank operator not bound to a bank sees nothing.
            if bank == nil { bank = "" }
        }
        return PaymentOperator(actor, bank: bank)
    }

    /// Runs a payroll step; a refusal by role is a denied access (403, audited), any other
    /// refusal is shown to the person.
    static func guarded<T>(_ req: Request, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch PayrollRefusal.role(let action, let role) {
            if let actor = req.actor { try await req.recordDenial(actor, target: "payroll.\(action.rawValue)", entityType: "route", entityID: req.url.path) }
            throw Abort(.forbidden, reason: PayrollRefusal.role(action, role).message(req.lang))
        }
    }

    // MARK: Index

    struct PayrollRow: Encodable {
        var id: String; var number: String; var county: String; var period: String; var stage: String; var stageKey: String
        var lines: Int; var total: String; var held: Int; var paid: String; var failed: Int
    }

    struct IndexPage: Encodable {
        var payrolls: [PayrollRow]
        var canDraft: Bool
        var nextPeriod: String
        var frequency: String
        var bankName: String?
        var problems: [Problem]
    }

    struct Problem: Encodable { var field: String; var message: String }

    static func row(_ p: Payroll, lang: Language, countyName: String) -> PayrollRow {
        PayrollRow(id: p.id!.uuidString, number: p.number, county: countyName, period: p.period, stage: p.stage.name(lang),
                   stageKey: p.stage.rawValue, lines: p.lineCount, total: Money(fen: p.totalFen).formatted, held: p.heldCount,
                   paid: Money(fen: p.paidFen).formatted, failed: p.failedCount)
    }

    func index(req: Request) async throws -> Response {
        try await indexPage(req, problems: [])
    }

    func indexPage(_ req: Request, problems: [any Refusal]) async throws -> Response {
        let op = try await Self.op(req)
        var payrolls = try await Self.payrollsQuery(for: op, on: req.db).sort(\.$period, .descending).limit(120).all()
        if let bank = op.bank {
            let mine = Set(try await PayrollBankFile.query(on: req.db).filter(\.$bankCode == bank).all().map(\.payrollID))
            payrolls = payrolls.filter { mine.contains($0.id!) }
        }
        let names = try await Self.areaNames(Set(payrolls.map(\.countyCode)), on: req.db)
        let today = req.dibao.clock.today()
        var next = ""
        var frequency = ""
        let county = op.area.level == .county ? op.area.value : nil
        if let county {
            let f = try await Payrolls.frequency(county: county, policy: req.dibao.policy(on: today), on: req.db)
            frequency = f.name(req.lang)
            let latest = payrolls.filter { $0.countyCode == county }.compactMap(\.payrollPeriod).max()
            next = (latest.map { $0.frequency == f ? $0.next : PayrollPeriod.containing($0.last.adding(days: 1), frequency: f) }
                ?? PayrollPeriod.containing(today, frequency: f)).label
        }
        let bankName = try await op.bank.asyncMap { try await Bank.find($0, on: req.db)?.name ?? $0 }
        return try await req.render("payments/index", title: req.l10n("pay.title"), IndexPage(
            payrolls: payrolls.map { Self.row($0, lang: req.lang, countyName: names[$0.countyCode] ?? $0.countyCode) },
            canDraft: op.role == .countyCaseworker && county != nil, nextPeriod: next, frequency: frequency, bankName: bankName,
            problems: problems.map { Problem(field: $0.field, message: $0.message(req.lang)) }))
    }

    /// The payrolls `op` may see, narrowed in the query: a region's or league's, else the
    /// county's (a township or village sees its county's payrolls, and its own lines on them).
    static func payrollsQuery(for op: PaymentOperator, on db: any Database) -> QueryBuilder<Payroll> {
        let query = Payroll.query(on: db)
        switch op.area.level {
        case .region: return query.filter(\.$regionCode == op.area.value)
        case .league: return query.filter(\.$leagueCode == op.area.value)
        default: return query.filter(\.$countyCode == (op.area.ancestor(at: .county)?.value ?? op.area.value))
        }
    }

    static func areaNames(_ codes: Set<String>, on db: any Database) async throws -> [String: String] {
        guard !codes.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await Area.query(on: db).filter(\.$id ~~ Array(codes)).all().map { ($0.id!, $0.name) })
    }

    struct DraftForm: Content { var period: String? }

    func draft(req: Request) async throws -> Response {
        let op = try await Self.op(req)
        let form = try req.content.decode(DraftForm.self)
        do {
            let out = try await Self.guarded(req) {
                try await Payrolls.draft(county: op.area, period: form.period ?? "", by: op, app: req.application)
            }
            return req.redirect(to: "/payments/payrolls/\(out.payroll.id!.uuidString)")
        } catch let refusal as PayrollRefusal {
            let r = try await indexPage(req, problems: [refusal])
            r.status = .unprocessableEntity
            return r
        }
    }

    // MARK: One payroll

    struct PayrollPage: Encodable {
        struct Township: Encodable { var code: String; var name: String; var households: Int; var total: String }
        struct File: Encodable {
            var bank: String; var bankName: String; var lines: Int; var total: String; var sha256: String
            var resultOn: String?; var paid: Int; var failed: Int; var failedTotal: String; var canUpload: Bool
        }
        struct Line: Encodable {
            var id: Int; var household: String; var head: String; var village: String; var account: String; var amount: String
            var reason: String; var status: String
        }
        var row: PayrollRow
        var draftedBy: String; var draftedOn: String; var releasedBy: String; var releasedOn: String
        var heldTotal: String; var failedTotal: String
        var townships: [Township]
        var levelTotal: String; var levelHouseholds: Int
        var files: [File]
        var failures: [Line]
        var banks: [Bank.Choice]
        var can: [String: Bool]
        var problems: [Problem]
        var done: String?
    }

    func payroll(req: Request) async throws -> Response {
        try await payrollPage(req, id: req.parameters.get("id", as: UUID.self), problems: [])
    }

    func payrollPage(_ req: Request, id: UUID?, problems: [any Refusal]) async throws -> Response {
        let op = try await Self.op(req)
        let p = try await Payrolls.visible(id, to: op, on: req.db)
        var files = try await PayrollBankFile.query(on: req.db).filter(\.$payrollID == p.id!).sort(\.$bankCode).all()
        if let bank = op.bank {
            files = files.filter { $0.bankCode == bank }
            guard !files.isEmpty else { throw Abort(.notFound) }
        }
        let bankNames = Dictionary(uniqueKeysWithValues: try await Bank.query(on: req.db).all().map { ($0.id!, $0.name) })
        // Township totals: a township account sees its own only; a bank sees none.
        var townships: [PayrollPage.Township] = []
        var levelFen: Int64 = 0
        if op.bank == nil {
            let rows = try await BulkSQL.rows(req.db, """
                SELECT township_code, COUNT(*), CAST(SUM(amount_fen) AS BIGINT) FROM payroll_lines
                WHERE \(Payrolls.linesOf(p)) AND status <> \(bind: PayrollLineStatus.held.rawValue) GROUP BY township_code ORDER BY township_code
                """)
            let names = try await Self.areaNames(Set(rows.map { $0.text(0) }), on: req.db)
            for r in rows where op.area.level <= .county || ((try? AreaCode(r.text(0))).map(op.area.contains) ?? false) {
                levelFen += r.int(2)
                townships.append(.init(code: r.text(0), name: names[r.text(0)] ?? r.text(0), households: Int(r.int(1)), total: Money(fen: r.int(2)).formatted))
            }
        }
        var failures: [PayrollPage.Line] = []
        if op.bank == nil && op.area.level <= .county {
            let lines = try await PayrollLine.query(on: req.db).of(p).filter(\.$status ~~ [.failed, .repay, .suspended])
                .sort(\.$id).limit(500).all()
            let villages = try await Self.areaNames(Set(lines.map(\.villageCode)), on: req.db)
            failures = lines.map { .init(id: $0.id!, household: $0.householdID.uuidString, head: $0.headName, village: villages[$0.villageCode] ?? $0.villageCode,
                                         account: Masking.account($0.accountNumber), amount: Money(fen: $0.amountFen).formatted, reason: $0.note,
                                         status: $0.status.name(req.lang)) }
        }
        let stage = p.stage
        func may(_ a: PayrollAction) -> Bool {
            PayrollMachine.refusal(a, stage: stage, role: op.role, actor: op.username, drafter: p.draftedBy) == nil
        }
        let levelTotal = Money(fen: levelFen)
        let page = PayrollPage(
            row: Self.row(p, lang: req.lang, countyName: try await Area.find(p.countyCode, on: req.db)?.name ?? p.countyCode),
            draftedBy: p.draftedBy, draftedOn: p.draftedOn, releasedBy: p.releasedBy, releasedOn: p.releasedOn ?? "",
            heldTotal: Money(fen: p.heldFen).formatted, failedTotal: Money(fen: p.failedFen).formatted,
            townships: townships, levelTotal: levelTotal.formatted, levelHouseholds: townships.reduce(0) { $0 + $1.households },
            files: files.map { .init(bank: $0.bankCode, bankName: bankNames[$0.bankCode] ?? $0.bankCode, lines: $0.lineCount,
                                     total: Money(fen: $0.totalFen).formatted, sha256: String($0.sha256.prefix(16)), resultOn: $0.resultOn,
                                     paid: $0.paidCount, failed: $0.failedCount, failedTotal: Money(fen: $0.failedFen).formatted,
                                     canUpload: $0.resultOn == nil && may(.importResult) && op.sees(bank: $0.bankCode)) },
            failures: failures,
            banks: bankNames.sorted { $0.key < $1.key }.map { .init(code: $0.key, name: $0.value) },
            can: ["release": may(.release), "discard": may(.discard), "export": may(.export) && stage == .released,
                  "close": may(.close), "resolve": may(.resolveFailure),
                  "download": (op.area.level <= .county && op.role != .supervisor) || op.role == .bankOperator],
            problems: problems.map { Problem(field: $0.field, message: $0.message(req.lang)) },
            done: req.query[String.self, at: "done"])
        let r = try await req.render("payments/payroll", title: "\(req.l10n("pay.payrolls")) \(p.number)", page)
        if !problems.isEmpty { r.status = .unprocessableEntity }
        return r
    }

    func step(req: Request) async throws -> Response {
        let op = try await Self.op(req)
        let id = req.parameters.get("id", as: UUID.self)
        let name = req.parameters.get("step") ?? ""
        let app = req.application
        do {
            switch name {
            case "release": _ = try await Self.guarded(req) { try await Payrolls.release(id, by: op, app: app) }
            case "discard":
                try await Self.guarded(req) { try await Payrolls.discard(id, by: op, app: app) }
                return req.redirect(to: "/payments")
            case "export": _ = try await Self.guarded(req) { try await Payrolls.export(id, by: op, app: app) }
            case "close": _ = try await Self.guarded(req) { try await Payrolls.close(id, by: op, app: app) }
            default: throw Abort(.notFound)
            }
        } catch let refusal as PayrollRefusal {
            return try await payrollPage(req, id: id, problems: [refusal])
        }
        return req.redirect(to: "/payments/payrolls/\(id!.uuidString)?done=\(name)")
    }

    /// The bank's payment file, as exported (the same bytes every time).
    func file(req: Request) async throws -> Response {
        let op = try await Self.op(req)
        guard op.role != .supervisor, op.role.may(.readPayments) && op.area.level <= .county || op.role == .bankOperator else { throw Abort(.forbidden) }
        let bank = req.parameters.get("bank") ?? ""
        guard op.sees(bank: bank) else { throw Abort(.notFound) }
        let p = try await Payrolls.visible(req.parameters.get("id", as: UUID.self), to: op, on: req.db)
        guard let known = try await PayrollBankFile.query(on: req.db).filter(\.$payrollID == p.id!).filter(\.$bankCode == bank).first() else {
            throw Abort(.notFound)
        }
        let (text, _, _) = try await Payrolls.paymentFile(p, bank: bank, created: CivilDate(iso: p.releasedOn ?? "") ?? req.dibao.clock.today(), on: req.db)
        guard Payrolls.sha256(text) == known.sha256 else { throw Abort(.internalServerError, reason: "payment file changed after release") }
        try await req.audit.record([AuditEntry(actor: op.audit, action: "payroll.file_downloaded", entityType: "payroll", entityID: p.id!.uuidString,
                                               areaCode: p.countyCode, detail: ["bank": bank])], on: req.db)
        let r = Response(status: .ok, body: .init(string: text))
        r.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["charset": "utf-8"])
        r.headers.attachment(filename: "\(p.number)-\(bank).txt")
        r.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return r
    }

    struct ResultForm: Content { var bank: String?; var file: File? }

    func result(req: Request) async throws -> Response {
        let op = try await Self.op(req)
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode(ResultForm.self)
        guard let file = form.file, file.data.readableBytes > 0 else {
            return try await payrollPage(req, id: id, problems: [FieldRefusal(field: "file", rule: "bank_file.empty",
                .labelled(Phrase("bankfile.refusal_label_result_file"), Phrase("bankfile.refusal_choose_file")))])
        }
        do {
            let text = try BankResultText.decode(file.data)
            _ = try await Self.guarded(req) {
                try await Payrolls.importResult(id, bank: form.bank ?? op.bank ?? "", text: text, by: op, app: req.application)
            }
        } catch let refusal as any Refusal {
            return try await payrollPage(req, id: id, problems: [refusal])
        }
        return req.redirect(to: "/payments/payrolls/\(id!.uuidString)?done=import_result")
    }

    struct ResolveForm: Content { var action: String?; var bank: String?; var account: String?; var holder: String?; var note: String? }

    func resolve(req: Request) async throws -> Response {
        let op = try await Self.op(req)
        let form = try req.content.decode(ResolveForm.self)
        let lineID = req.parameters.get("line", as: Int.self)
        let resolution: Payrolls.Resolution = form.action == "suspend" ? .suspend
            : .repay(bank: form.bank ?? "", account: (form.account ?? "").trimmingCharacters(in: .whitespaces), holder: form.holder ?? "")
        let line = try await PayrollLine.find(lineID, on: req.db)
        do {
            _ = try await Self.guarded(req) {
                try await Payrolls.resolve(line: lineID, resolution, note: form.note ?? "", by: op, app: req.application)
            }
        } catch let refusal as any Refusal {
            return try await payrollPage(req, id: line?.payrollID, problems: [refusal])
        } catch let refused as FormRefused {
            return try await payrollPage(req, id: line?.payrollID, problems: refused.problems)
        }
        return req.redirect(to: "/payments/payrolls/\(line!.payrollID.uuidString)?done=resolve")
    }

    // MARK: Payment list (发放清单)

    struct ListPage: Encodable {
        struct Village: Encodable { var name: String; var households: Int; var total: String; var lines: [Line] }
        struct Line: Encodable { var id: Int; var head: String; var members: Int; var account: String; var holder: String
            var period: String; var adjustment: String; var amount: String; var status: String }
        var number: String; var period: String; var countyName: String; var townshipName: String; var township: String
        var villages: [Village]; var households: Int; var total: String; var csv: String
        var title: String = ""; var office: String = ""; var date: String = ""
    }

    /// 发放清单 of one township (and optionally one village), with totals per village and
    /// for the township; `?format=csv` (and `&encoding=gb18030`) for spreadsheets.
    func list(req: Request) async throws -> Response {
        let op = try await Self.op(req)
        guard op.bank == nil else { throw Abort(.notFound) }
        let p = try await Payrolls.visible(req.parameters.get("id", as: UUID.self), to: op, on: req.db)
        let township = req.query[String.self, at: "township"] ?? (op.area.level >= .township ? op.area.ancestor(at: .township)?.value : nil) ?? ""
        guard let tcode = try? AreaCode(township), tcode.level == .township, op.area.contains(tcode) || tcode.contains(op.area) else {
            throw FieldRefusal(field: "township", rule: "payment_list.township",
                               .labelled(Phrase("payment.refusal_label_township"), Phrase("payment.refusal_township")))
        }
        var query = PayrollLine.query(on: req.db).of(p).filter(\.$townshipCode == tcode.value)
        if op.area.level == .village { query = query.filter(\.$villageCode == op.area.value) }
        if let v = req.query[String.self, at: "village"], !v.isEmpty { query = query.filter(\.$villageCode == v) }
        let lines = try await query.sort(\.$villageCode).sort(\.$id).all()
        let names = try await Self.areaNames(Set(lines.map(\.villageCode) + [tcode.value, p.countyCode]), on: req.db)
        let sensitive = op.role.may(.viewSensitive)
        let status = { (l: PayrollLine) in l.status.name(req.lang) }
        if req.query[String.self, at: "format"] == "csv" {
            let header = ["no", "village", "head", "members", "bank", "account", "holder", "period", "adjustment", "amount", "status"]
                .map { req.l10n("pay.list_col_\($0)") }
            var rows = lines.map { l in
                [String(l.id ?? 0), names[l.villageCode] ?? l.villageCode, l.headName, String(l.memberCount), l.bankCode,
                 CSVExport.asText(sensitive ? l.accountNumber : Masking.account(l.accountNumber)), l.holderName, Money(fen: l.periodFen).plain,
                 Money(fen: l.adjustmentFen).plain, Money(fen: l.amountFen).plain, status(l)]
            }
            let paid = lines.filter { $0.status != .held }
            rows.append(["", req.l10n("pay.level_total"), "", String(paid.count), "", "", "", "", "", Money(fen: paid.map(\.amountFen).reduce(0, +)).plain, ""])
            let gb = req.query[String.self, at: "encoding"] == "gb18030"
            let body = try CSVExport.encode(header: header, rows: rows, gb18030: gb)
            try await req.audit.record([AuditEntry(actor: op.audit, action: "payment_list.exported", entityType: "payroll", entityID: p.id!.uuidString,
                                                   areaCode: tcode.value, detail: ["rows": String(lines.count), "encoding": gb ? "gb18030" : "utf-8"])], on: req.db)
            let r = Response(status: .ok, body: .init(data: body))
            r.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": gb ? "GB18030" : "utf-8"])
            r.headers.attachment(filename: "\(p.number)-\(tcode.value)\(gb ? "-gb18030" : "-utf8").csv")
            return r
        }
        var villages: [ListPage.Village] = []
        for (code, group) in Dictionary(grouping: lines, by: \.villageCode).sorted(by: { $0.key < $1.key }) {
            let paid = group.filter { $0.status != .held }
            villages.append(.init(name: names[code] ?? code, households: paid.count, total: Money(fen: paid.map(\.amountFen).reduce(0, +)).formatted,
                                  lines: group.map { l in .init(id: l.id ?? 0, head: l.headName, members: l.memberCount,
                                                                // The list is printed and signed on paper (issue 16): accounts are
                                                                // masked on it for every reader; the bank file and the CSV carry them.
                                                                account: l.accountNumber.isEmpty ? "—" : Masking.account(l.accountNumber),
                                                                holder: l.holderName, period: Money(fen: l.periodFen).formatted,
                                                                adjustment: Money(fen: l.adjustmentFen).formatted, amount: Money(fen: l.amountFen).formatted,
                                                                status: status(l)) }))
        }
        let paid = lines.filter { $0.status != .held }
        let query2 = "township=\(tcode.value)" + (req.query[String.self, at: "village"].map { "&village=\($0)" } ?? "")
        return try await req.render("payments/list", title: "\(req.l10n("pay.payment_list")) \(p.number)", ListPage(
            number: p.number, period: p.period, countyName: names[p.countyCode] ?? p.countyCode, townshipName: names[tcode.value] ?? tcode.value,
            township: tcode.value, villages: villages, households: paid.count, total: Money(fen: paid.map(\.amountFen).reduce(0, +)).formatted,
            csv: "/payments/payrolls/\(p.id!.uuidString)/list?\(query2)&format=csv",
            title: Strings.text("print.list_title", req.lang, [names[tcode.value] ?? tcode.value, p.period]),
            office: Strings.text("print.township_government", req.lang, [names[tcode.value] ?? tcode.value]),
            date: DocumentDate.text(req.dibao.clock.today(), req.lang)))
    }

    // MARK: A household's payments

    struct HouseholdPage: Encodable {
        struct Step: Encodable { var from: String; var monthly: String; var reason: String }
        struct Paid: Encodable { var number: String; var period: String; var amount: String; var status: String }
        var householdID: String; var head: String
        var hasSchedule: Bool; var steps: [Step]; var settled: String
        var bank: String; var account: String; var holder: String
        var history: [Paid]; var banks: [Bank.Choice]; var canManage: Bool; var today: String
        var problems: [Problem]; var done: String?
    }

    func household(req: Request) async throws -> Response {
        try await householdPage(req, id: req.parameters.get("id", as: UUID.self), problems: [])
    }

    func householdPage(_ req: Request, id: UUID?, problems: [any Refusal]) async throws -> Response {
        let op = try await Self.op(req)
        guard let actor = req.actor, op.bank == nil else { throw Abort(.notFound) }
        let h = try await Household.visible(id, to: actor, on: req)
        let record = try await BenefitSchedules.current(household: h.id!, for: op, on: req.db)
        let account = try await PaymentAccount.query(on: req.db).filter(\.$householdID == h.id!).first()
        let schedules = try await BenefitScheduleRecord.query(on: req.db).filter(\.$householdID == h.id!).all().compactMap(\.id)
        let lines = schedules.isEmpty ? [] : try await PayrollLine.query(on: req.db).filter(\.$scheduleID ~~ schedules).all()
        let payrolls = Dictionary(uniqueKeysWithValues: try await Payroll.query(on: req.db).filter(\.$id ~~ Array(Set(lines.map(\.payrollID)))).all().map { ($0.id!, $0) })
        let history = lines.compactMap { l in payrolls[l.payrollID].map { (p: $0, l: l) } }.sorted { $0.p.period > $1.p.period }
            .map { HouseholdPage.Paid(number: $0.p.number, period: $0.p.period, amount: Money(fen: $0.l.amountFen).formatted,
                                      status: $0.l.status.name(req.lang)) }
        let sensitive = op.role.may(.viewSensitive)
        let banks = try await Bank.query(on: req.db).sort(\.$id).all().map { Bank.Choice(code: $0.id!, name: $0.name) }
        let r = try await req.render("payments/household", title: req.l10n("pay.household"), HouseholdPage(
            householdID: h.id!.uuidString, head: sensitive ? h.headName : Masking.name(h.headName),
            hasSchedule: record != nil,
            steps: record?.schedule?.steps.map { s in .init(from: String(s.from.iso.prefix(7)), monthly: s.monthly.formatted,
                                                           reason: s.reason.name(req.lang)) } ?? [],
            settled: Money(fen: record?.settledFen ?? 0).formatted,
            bank: account?.bankCode ?? "", account: account.map { sensitive ? $0.accountNumber : Masking.account($0.accountNumber) } ?? "",
            holder: account?.holderName ?? "", history: history, banks: banks, canManage: op.role.may(.manageBenefits),
            today: req.dibao.clock.today().iso, problems: problems.map { Problem(field: $0.field, message: $0.message(req.lang)) },
            done: req.query[String.self, at: "done"]))
        if !problems.isEmpty { r.status = .unprocessableEntity }
        return r
    }

    struct AccountForm: Content { var bank: String?; var account: String?; var holder: String? }

    func account(req: Request) async throws -> Response {
        let actor = try await req.require(.manageBenefits)
        let op = try await Self.op(req)
        let id = req.parameters.get("id", as: UUID.self)
        let h = try await Household.visible(id, to: actor, on: req)
        let form = try req.content.decode(AccountForm.self)
        do {
            try await PaymentAccounts.set(household: h.id!, bank: form.bank ?? "", account: (form.account ?? "").trimmingCharacters(in: .whitespaces),
                                          holder: form.holder ?? "", by: op, app: req.application)
        } catch let refusal as FieldRefusal {
            return try await householdPage(req, id: id, problems: [refusal])
        } catch let refused as FormRefused {
            return try await householdPage(req, id: id, problems: refused.problems)
        }
        return req.redirect(to: "/payments/households/\(h.id!.uuidString)?done=account")
    }

    // MARK: Budget dashboard

    struct BudgetPage: Encodable {
        struct SourceRow: Encodable { var name: String; var key: String; var budget: String; var spent: String; var percent: String }
        struct QuarterRow: Encodable { var quarter: String; var total: String; var sources: [String] }
        struct CountyRow: Encodable {
            var code: String; var name: String; var budget: String; var spent: String; var progress: String; var time: String
            var evenness: String; var carryOver: String; var flagged: Bool
            var sources: [SourceRow]; var quarters: [QuarterRow]; var monthlyChart: String; var sourceChart: String
        }
        var year: Int; var counties: [CountyRow]; var sourceNames: [String]
        var canSet: Bool; var county: String; var problems: [Problem]; var done: String?
        var totalBudget: String; var totalSpent: String; var overall: String
        var areaName: String; var areaTime: String; var areaEvenness: String; var areaFlagged: Bool
    }

    func budget(req: Request) async throws -> Response {
        try await budgetPage(req, problems: [])
    }

    func budgetPage(_ req: Request, problems: [any Refusal]) async throws -> Response {
        let op = try await Self.op(req)
        guard op.bank == nil, op.area.level <= .county, [.financeOfficer, .supervisor, .countyCaseworker, .countyApprover].contains(op.role) else {
            if let actor = req.actor { try await req.recordDenial(actor, target: "budget", entityType: "route", entityID: req.url.path) }
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        let today = req.dibao.clock.today()
        let year = try req.boundedQuery(.year, fallback: today.year)
        let throughMonth = BudgetExecution.monthsClosed(year: year, today: today)
        let policy = req.dibao.policy(on: CivilDate(year: year, month: 12, day: 31) ?? today)
        let rows = try await Budgets.execution(area: op.area, year: year, on: req.db)
        let names = try await Self.areaNames(Set(rows.map(\.county)), on: req.db)
        let monthsLabel = (1...12).map { Strings.format("pay.month_short", req.lang, "\($0)") }
        func pct(_ perMille: Int) -> String { String(format: "%.1f%%", Double(perMille) / 10) }
        var totalBudget = Money.zero, totalSpent = Money.zero
        let counties = rows.map { county, e -> BudgetPage.CountyRow in
            totalBudget = totalBudget + e.totalBudget
            totalSpent = totalSpent + e.spent
            let bySource = e.spentBySource
            let sources = FundSource.allCases.map { s -> BudgetPage.SourceRow in
                let b = e.budget[s] ?? .zero, sp = bySource[s] ?? .zero
                return .init(name: s.name(req.lang), key: s.rawValue, budget: b.formatted, spent: sp.formatted,
                             percent: b.isPositive ? pct(Int(sp.fen * 1000 / b.fen)) : "—")
            }
            let quarters = (1...4).map { q in
                BudgetPage.QuarterRow(quarter: Strings.format("pay.quarter_n", req.lang, "\(q)"), total: e.quarter(q).formatted,
                                      sources: FundSource.allCases.map { (e.quarterBySource(q)[$0] ?? .zero).formatted })
            }
            let months = max(1, throughMonth)
            let evenPace = e.monthly.prefix(months).map(\.fen).reduce(0, +) / Int64(months)
            let monthlyChart = SVGChart.bars((0..<12).map { .init(label: monthsLabel[$0], value: e.monthly[$0].fen, title: "\(monthsLabel[$0]) \(e.monthly[$0].formatted)") },
                                             reference: evenPace, referenceLabel: req.l10n("pay.evenness"), id: "monthly-\(county)")
            let sourceChart = SVGChart.progress(FundSource.allCases.map { (label: $0.name(req.lang), budget: (e.budget[$0] ?? .zero).fen, spent: (bySource[$0] ?? .zero).fen) },
                                                id: "sources-\(county)")
            let (carry, flagged) = e.carryOverOutlook(monthsClosed: throughMonth, policy: policy)
            return .init(code: county, name: names[county] ?? county, budget: e.totalBudget.formatted, spent: e.spent.formatted,
                         progress: pct(e.progressPerMille), time: pct(BudgetExecution.timePerMille(throughMonth: throughMonth)),
                         evenness: pct(e.evennessPerMille(months: months)), carryOver: carry.formatted, flagged: flagged,
                         sources: sources, quarters: quarters, monthlyChart: monthlyChart, sourceChart: sourceChart)
        }
        let area = BudgetExecution.combined(rows.map(\.execution), year: year)
        let overall = totalBudget.isPositive ? pct(area.progressPerMille) : "—"
        let areaMonths = max(1, throughMonth)
        let areaFlagged = area.carryOverOutlook(monthsClosed: throughMonth, policy: policy).flagged
        let r = try await req.render("payments/budget", title: req.l10n("pay.budget"), BudgetPage(
            year: year, counties: counties, sourceNames: FundSource.allCases.map { $0.name(req.lang) },
            canSet: op.role.may(.manageBudget) && op.area.level == .county, county: op.area.value,
            problems: problems.map { Problem(field: $0.field, message: $0.message(req.lang)) }, done: req.query[String.self, at: "done"],
            totalBudget: totalBudget.formatted, totalSpent: totalSpent.formatted, overall: overall,
            areaName: try await Area.find(op.area.value, on: req.db)?.name ?? op.area.value,
            areaTime: pct(BudgetExecution.timePerMille(throughMonth: throughMonth)), areaEvenness: pct(area.evennessPerMille(months: areaMonths)),
            areaFlagged: areaFlagged))
        if !problems.isEmpty { r.status = .unprocessableEntity }
        return r
    }

    struct BudgetForm: Content {
        var year: Int?
        var central: String?; var region: String?; var league: String?; var county: String?
    }

    func setBudget(req: Request) async throws -> Response {
        try await req.require(.manageBudget)
        let op = try await Self.op(req)
        let form = try req.content.decode(BudgetForm.self)
        let year = try BoundedNumber.year.check(form.year ?? req.dibao.clock.today().year)
        do {
            var amounts: [FundSource: Money] = [:]
            for (source, text) in [(FundSource.central, form.central), (.region, form.region), (.league, form.league), (.county, form.county)] {
                amounts[source] = (text ?? "").isEmpty ? .zero : try Money.parse(text!, field: "amount_\(source.rawValue)")
            }
            try await Budgets.set(county: op.area, year: year, amounts: amounts, by: op, app: req.application)
        } catch let refusal as any Refusal {
            return try await budgetPage(req, problems: [refusal])
        }
        return req.redirect(to: "/payments/budget?year=\(year)&done=budget")
    }
}

extension Bank {
    struct Choice: Encodable { var code: String; var name: String }
}

extension Optional {
    func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let v = self else { return nil }
        return try await f(v)
    }
}
