import Fluent
import SQLKit
import Vapor
import DibaoCore

/// `dibao demo [--households N] [--serve] [--port P]`: a demo region with real Inner
/// Mongolia area codes — 呼和浩特市, an urban district (新城区) and a rural county
/// (托克托县), their streets/towns and communities/villages — one account per role, and
/// N realistic households with valid ID numbers. With `--serve` the server starts after.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "households", help: "How many households to generate (default 300)") var households: Int?
        @Option(name: "password", help: "Password for every demo account (default Demo-2026)") var password: String?
        @Flag(name: "serve", help: "Start the server after seeding") var serve: Bool
        @Option(name: "port", help: "Port for --serve (default 8080)") var port: Int?
        @Option(name: "hostname", help: "Hostname for --serve (default 127.0.0.1)") var hostname: String?
    }

    var help: String { "Load a demo region, demo accounts and households" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = max(0, signature.households ?? 300)
        let password = signature.password ?? DemoData.defaultPassword
        let started = Date()
        let seeded = try await DemoData.seed(app: app, households: count, password: password, payrollHistory: true) { done in
            context.console.print("  … \(done) households")
        }
        if seeded.households > 0 && seeded.households <= 200_000 {
            let records = try await DepartmentSampleData.loadDemo(app: app)
            context.console.print("Department data for the verification centres: \(records) records from \(DepartmentSource.allCases.count) sources.")
        }
        let seconds = Date().timeIntervalSince(started)
        context.console.print("Demo region ready on \(app.dibao.settings.database) in \(String(format: "%.1f", seconds)) s: \(seeded.households) new households, \(seeded.members) members (\(seeded.existing) were already there).")
        context.console.print("")
        context.console.print("Demo sign-ins (password for all: \(password)):")
        for a in DemoData.accounts {
            context.console.print("  \(a.username.padding(toLength: 18, withPad: " ", startingAt: 0)) \(a.role.zh) / \(a.role.en) — \(a.areaName)")
        }
        if signature.serve {
            let host = signature.hostname ?? "127.0.0.1"
            let port = signature.port ?? 8080
            context.console.print("")
            context.console.print("Dibao is running at http://\(host):\(port)/  (Ctrl-C stops it)")
            var serveContext = context
            serveContext.input = CommandInput(arguments: ["dibao", "--hostname", host, "--port", String(port)])
            guard let serve = app.asyncCommands.commands["serve"] else { throw SettingsError("serve command missing") }
            try await serve.run(using: &serveContext)
        }
    }
}

enum DemoData {
    static let defaultPassword = "Demo-2026"

    struct Account { var username: String; var name: String; var role: Role; var area: String; var areaName: String }

    // 呼和浩特市 and two of its counties, with their official codes.
    static let region = ("150000000000", "内蒙古自治区")
    static let league = ("150100000000", "呼和浩特市")
    static let urbanCounty = ("150102000000", "新城区")
    static let ruralCounty = ("150122000000", "托克托县")
    static let urbanTownships = [("150102001000", "海拉尔东路街道"), ("150102002000", "锡林郭勒北路街道"), ("150102003000", "东街街道"), ("150102004000", "西街街道"), ("150102005000", "中山东路街道")]
    static let ruralTownships = [("150122100000", "双河镇"), ("150122101000", "新营子镇"), ("150122102000", "五申镇"), ("150122103000", "伍什家镇"), ("150122104000", "古城镇")]
    static let villageWords = ["东营子", "西营子", "南园子", "北什轴", "黑城", "河口", "新营", "章盖营", "树尔营", "五犋牛", "郝家窑", "大羊场", "沙拉湖滩", "燕山营", "南坪", "蒲滩拐"]
    static let communityWords = ["光明", "团结", "和平", "民族", "北垣", "东风", "新华", "兴安", "青城", "公园", "锡林", "海拉尔"]

    static let accounts: [Account] = [
        .init(username: "admin", name: "系统管理员", role: .administrator, area: region.0, areaName: region.1),
        .init(username: "supervisor", name: "市民政局监督科", role: .supervisor, area: league.0, areaName: league.1),
        .init(username: "verify", name: "市核对中心", role: .verificationOfficer, area: league.0, areaName: league.1),
        .init(username: "xc_county", name: "新城区民政局经办人", role: .countyCaseworker, area: urbanCounty.0, areaName: urbanCounty.1),
        .init(username: "xc_approver", name: "新城区民政局审批人", role: .countyApprover, area: urbanCounty.0, areaName: urbanCounty.1),
        .init(username: "xc_finance", name: "新城区财政局", role: .financeOfficer, area: urbanCounty.0, areaName: urbanCounty.1),
        .init(username: "xc_bank", name: "代发银行新城区支行", role: .bankOperator, area: urbanCounty.0, areaName: urbanCounty.1),
        .init(username: "xc_verify", name: "新城区核对中心", role: .verificationOfficer, area: urbanCounty.0, areaName: urbanCounty.1),
        .init(username: "xc_township", name: "海拉尔东路街道经办人", role: .townshipCaseworker, area: urbanTownships[0].0, areaName: urbanTownships[0].1),
        .init(username: "xc_head", name: "海拉尔东路街道审核人", role: .townshipHead, area: urbanTownships[0].0, areaName: urbanTownships[0].1),
        .init(username: "xc_discipline", name: "新城区纪委监委", role: .disciplineInspector, area: urbanCounty.0, areaName: urbanCounty.1),
        .init(username: "xc_village", name: "光明社区协理员", role: .villageAssistant, area: "150102001001", areaName: "海拉尔东路街道光明社区"),
        .init(username: "tk_county", name: "托克托县民政局经办人", role: .countyCaseworker, area: ruralCounty.0, areaName: ruralCounty.1),
        .init(username: "tk_approver", name: "托克托县民政局审批人", role: .countyApprover, area: ruralCounty.0, areaName: ruralCounty.1),
        .init(username: "tk_finance", name: "托克托县财政局", role: .financeOfficer, area: ruralCounty.0, areaName: ruralCounty.1),
        .init(username: "tk_bank", name: "代发银行托克托县支行", role: .bankOperator, area: ruralCounty.0, areaName: ruralCounty.1),
        .init(username: "tk_verify", name: "托克托县核对中心", role: .verificationOfficer, area: ruralCounty.0, areaName: ruralCounty.1),
        .init(username: "dept_gongan", name: "自治区公安厅数据报送", role: .departmentClerk, area: region.0, areaName: region.1),
        .init(username: "tk_township", name: "双河镇经办人", role: .townshipCaseworker, area: ruralTownships[0].0, areaName: ruralTownships[0].1),
        .init(username: "tk_head", name: "双河镇审核人", role: .townshipHead, area: ruralTownships[0].0, areaName: ruralTownships[0].1),
        .init(username: "tk_village", name: "东营子村协理员", role: .villageAssistant, area: "150122100201", areaName: "双河镇东营子村"),
    ]

    /// Villages per township grow with the household count, so that a province-sized
    /// demo keeps villages of a few hundred households, as real ones are.
    static func villagesPerTownship(for households: Int) -> Int {
        min(900, max(4, (households + 3_999) / 4_000))
    }

    struct Outcome { var households: Int; var members: Int; var existing: Int }

    /// The paying banks of the demo, and which bank operator account works for which.
    static let banks: [(code: String, name: String, operator: String)] = [
        ("PSBC", "中国邮政储蓄银行", "xc_bank"), ("NMRC", "内蒙古农村商业银行", "tk_bank"),
    ]

    /// With `payrollHistory`, this year's payrolls up to last month are made through the
    /// real steps (drafted, released, exported, answered by the bank), so the payment pages
    /// and the budget dashboard have a year to show.
    static func seed(app: Application, households target: Int, password: String, payrollHistory: Bool = false,
                     progress: (Int) -> Void) async throws -> Outcome {
        let db = app.db
        guard db is any SQLDatabase else { throw SettingsError("demo needs an SQL database") }
        let perTownship = villagesPerTownship(for: target)

        // Areas (idempotent: only the missing ones are added).
        var areas: [(String, String, AreaKind?, Int)] = [(region.0, region.1, nil, 0), (league.0, league.1, nil, 0),
                                                        (urbanCounty.0, urbanCounty.1, nil, 0), (ruralCounty.0, ruralCounty.1, nil, 0)]
        var villages: [(code: String, kind: AreaKind, county: String)] = []
        for (townships, kind) in [(urbanTownships, AreaKind.urban), (ruralTownships, AreaKind.rural)] {
            for (code, name) in townships {
                areas.append((code, name, kind, 0))
                let township = try AreaCode(code)
                for v in 0..<perTownship {
                    // Rural villages are numbered from 201 as in the official codes (2xx 村委会),
                    // urban communities from 001 (0xx 居委会).
                    let number = kind == .rural ? 201 + v : 1 + v
                    let village = township.child(number).value
                    let word = kind == .rural ? villageWords[v % villageWords.count] : communityWords[v % communityWords.count]
                    let suffix = v < (kind == .rural ? villageWords.count : communityWords.count) ? "" : "\(v / (kind == .rural ? villageWords.count : communityWords.count) + 1)"
                    areas.append((village, name + word + suffix + (kind == .rural ? "村" : "社区"), kind, 0))
                    villages.append((village, kind, String(code.prefix(6))))
                }
            }
        }
        let existingAreas = Set(try await Area.query(on: db).all(\.$id).compactMap { $0 })
        let newAreas = areas.filter { !existingAreas.contains($0.0) }
        try await db.transaction { tx in
            for chunk in newAreas.chunked(500) {
                var insert = (tx as! any SQLDatabase).insert(into: Area.schema).columns("code", "name", "level", "parent_code", "kind", "resident_population")
                for a in chunk {
                    let code = try AreaCode(a.0)
                    insert = insert.values([code.value, a.1, code.level.rawValue, code.parent?.value, a.2?.rawValue, 1_000] as [any Encodable & Sendable])
                }
                try await insert.run()
            }
            // Demo standards (yuan/person/month) set at the league, effective 2025-07-01.
            if try await Standard.query(on: tx).filter(\.$areaCode == league.0).count() == 0 {
                let from = CivilDate(year: 2025, month: 7, day: 1)!
                try await Standard(area: try AreaCode(league.0), kind: .urban, monthly: Money(yuan: 906), effectiveFrom: from).create(on: tx)
                try await Standard(area: try AreaCode(league.0), kind: .rural, monthly: Money(yuan: 650), effectiveFrom: from).create(on: tx)
            }
        }

        // Accounts: created if missing, and their password reset to the demo one.
        let hash = try app.password.hash(password)
        for a in accounts {
            if let user = try await User.query(on: db).filter(\.$username == a.username).first() {
                user.passwordHash = hash
                user.failedSignIns = 0
                user.lockedUntil = nil
                try await user.save(on: db)
            } else {
                let user = User(username: a.username, displayName: a.name, passwordHash: hash, role: a.role, areaCode: try AreaCode(a.area))
                try await app.audit.write(on: db) { tx in
                    try await user.create(on: tx)
                    return ((), [AuditEntry(actor: .system, action: "user.created", entityType: "user", entityID: user.id!.uuidString, areaCode: a.area, detail: ["username": a.username, "role": a.role.rawValue])])
                }
            }
        }

        try await DemoPayments.banks(app: app)
        try await DemoNetwork.seed(app: app)

        let existing = try await Household.query(on: db).filter(\.$leagueCode == league.0).count()
        guard existing == 0, target > 0 else { return Outcome(households: 0, members: 0, existing: existing) }

        let today = app.dibao.clock.today()
        var generator = DemoGenerator(villages: villages, today: today, calendar: app.dibao.calendar)
        if payrollHistory { generator.paidUpTo = CivilDate(year: today.year, month: 1, day: 1)! }
        let batch = 25_000
        var made = 0, members = 0
        while made < target {
            let n = min(batch, target - made)
            let rows = generator.next(n)
            try await db.transaction { tx in
                let tsql = tx as! any SQLDatabase
                if tsql.dialect.name == "sqlite" {
                    // The random-keyed indexes of a province-sized register outgrow SQLite's
                    // default 2 MB page cache; with 1 GB the load stays in memory. Per
                    // connection, so set on whichever connection this batch got.
                    try await tsql.raw("PRAGMA cache_size = -1048576").run()
                }
                try await insertRows(tsql, Household.schema, ["id", "head_name", "region_code", "league_code", "county_code", "township_code", "village_code", "kind", "address", "phone", "member_count", "status", "version", "created_at", "updated_at"], rows.households)
                try await insertRows(tsql, Member.schema, ["id", "household_id", "position", "name", "id_number", "relation", "sex", "birth_date", "disability_level", "severe_illness", "illness_note", "work_capacity", "employment"], rows.members)
                try await insertRows(tsql, IncomeRecord.schema, ["id", "member_id", "household_id", "kind", "monthly_fen", "note"], rows.incomes)
                try await insertRows(tsql, Supporter.schema, ["id", "household_id", "name", "id_number", "duty", "monthly_support_fen", "note"], rows.supporters)
                try await insertRows(tsql, ApplicationCase.schema, DemoGenerator.caseColumns, rows.cases)
                try await insertRows(tsql, CaseDeclaration.schema, DemoGenerator.declarationColumns, rows.declarations)
                try await insertRows(tsql, Notice.schema, DemoGenerator.noticeColumns, rows.notices)
                try await insertRows(tsql, BenefitScheduleRecord.schema, DemoGenerator.scheduleColumns, rows.schedules)
                try await insertRows(tsql, PaymentAccount.schema, DemoGenerator.accountColumns, rows.accounts)
                // The enrolled households and their first decisions, as a migrated database has them.
                try await MoveSchedulesToDecisions.backfill(tx)
            }
            made += n
            members += rows.members.count
            if target >= 50_000 && made % 100_000 == 0 { progress(made) }
        }
        try await DemoPayments.budgets(app: app)
        if payrollHistory {
            // Reviews first, on the days they happened, so the replayed payrolls pay what they decided.
            try await DemoReviews.seed(app: app)
            try await DemoPayments.replayYear(app: app)
            try await DemoOversight.seed(app: app)
        }
        try await app.audit.record([AuditEntry(actor: .system, action: "demo.seeded", entityType: "area", entityID: league.0, areaCode: league.0,
                                               detail: ["households": String(made), "members": String(members)])], on: db)
        return Outcome(households: made, members: members, existing: 0)
    }

    /// Multi-row INSERTs kept under SQLite's bound-parameter limit.
    private static func insertRows(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]]) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perStatement)
            var insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { insert = insert.values(row) }
            try await insert.run()
            start = end
        }
    }
}

/// Deterministic household generator (a fixed seed, so every demo database is alike).
struct DemoGenerator {
    struct Rows {
        var households: [[any Encodable & Sendable]] = []
        var members: [[any Encodable & Sendable]] = []
        var incomes: [[any Encodable & Sendable]] = []
        var supporters: [[any Encodable & Sendable]] = []
        var cases: [[any Encodable & Sendable]] = []
        var declarations: [[any Encodable & Sendable]] = []
        var notices: [[any Encodable & Sendable]] = []
        var schedules: [[any Encodable & Sendable]] = []
        var accounts: [[any Encodable & Sendable]] = []
    }

    static let caseColumns = ["id", "receipt", "household_id", "region_code", "league_code", "county_code", "township_code", "village_code", "kind", "stage", "version",
                              "channel", "window_name", "submitted_by", "submitted_on", "accepted_on", "clock_started_on", "deadline", "blacklist_hit", "blacklist_note",
                              "investigated_on", "investigators", "investigation_notes", "applicant_signed", "household_income_fen", "standard_fen", "computed_amount_fen", "breakdown",
                              "evaluated_on", "panel_size", "resident_population", "votes_for", "votes_against", "votes_abstain", "evaluation_signed",
                              "township_opinion", "proposed_amount_fen", "township_reviewed_on", "first_notice_posted_on",
                              "spot_check_batch_id", "spot_check_draw_id", "spot_check_visited_on", "spot_check_findings",
                              "decided_on", "decided_by", "approved_amount_fen", "first_month", "reason",
                              "second_notice_posted_on", "review_class", "next_review_on", "created_at", "updated_at"]
    static let declarationColumns = ["id", "case_id", "kind", "signer_name", "signed_at_ms", "recorded_by", "held_true", "truth_note"]
    static let scheduleColumns = ["id", "household_id", "case_id", "region_code", "league_code", "county_code", "township_code", "village_code",
                                  "steps", "settled_fen", "active"]
    static let accountColumns = ["id", "household_id", "bank_code", "account_number", "holder_name", "updated_on", "updated_by"]
    static let noticeColumns = ["id", "case_id", "kind", "region_code", "league_code", "county_code", "township_code", "village_code", "posted_on", "ends_on",
                                "masked_head", "masked_members", "member_count", "monthly_income_fen", "amount_fen", "summary", "active"]

    let villages: [(code: String, kind: AreaKind, county: String)]
    let today: CivilDate
    /// Enrolled households count as paid for every month before this one.
    var paidUpTo: CivilDate
    let policy = Policy.default2013
    let calendar: WorkingDayCalendar
    /// Receipt sequences used per township and day.
    var receipts: [String: Int] = [:]
    var rng = SplitMix64(seed: 20_130_701)
    var index = 0
    /// Row identifiers in creation order: the leading bytes count up (as in a UUIDv7), so
    /// every primary-key index of a province-sized load grows at its end instead of being
    /// rewritten page by page at random.
    var serial: UInt64 = 0
    let runPrefix = UInt32.random(in: .min ... .max)

    mutating func nextID() -> UUID {
        serial += 1
        let s = serial, p = runPrefix, r = rng.next()
        let bytes: [UInt8] = [UInt8(p >> 24), UInt8(p >> 16 & 0xFF), UInt8(p >> 8 & 0xFF), UInt8(p & 0xFF),
                              UInt8(s >> 40 & 0xFF), UInt8(s >> 32 & 0xFF), 0x70 | UInt8(s >> 28 & 0x0F), UInt8(s >> 20 & 0xFF),
                              0x80 | UInt8(s >> 14 & 0x3F), UInt8(s >> 6 & 0xFF), UInt8((s & 0x3F) << 2) | UInt8(r & 0x3), UInt8(r >> 8 & 0xFF),
                              UInt8(r >> 16 & 0xFF), UInt8(r >> 24 & 0xFF), UInt8(r >> 32 & 0xFF), UInt8(r >> 40 & 0xFF)]
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
    /// Sequence numbers used per (county, birth date, sex), so every ID number is unique.
    var used: [String: Int] = [:]

    init(villages: [(code: String, kind: AreaKind, county: String)], today: CivilDate, calendar: WorkingDayCalendar) {
        self.calendar = calendar
        self.villages = villages
        self.today = today
        self.paidUpTo = today.firstOfMonth
    }

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文").map(String.init)
    static let given = Array("建国秀英志强丽华海燕红梅玉兰桂芳文明晓东永胜春花金山宝音其木格巴特尔乌云娜仁图雅苏日那").map(String.init)
    static let streets = ["新华东街", "中山东路", "锡林南路", "海拉尔东路", "东影南路", "兴安北路", "呼伦贝尔路"]

    mutating func name(_ surname: String) -> String {
        let parts = rng.below(3) == 0 ? 1 : 2
        return surname + (0..<parts).map { _ in Self.given[rng.below(Self.given.count)] }.joined()
    }

    mutating func id(county: String, born: CivilDate, sex: Sex) -> ResidentID {
        var date = born
        while true {
            let key = "\(county)\(date.iso)\(sex.rawValue)"
            let n = used[key, default: 0]
            if n < 500 {
                used[key] = n + 1
                return ResidentID.make(regionCode: county, birthDate: date, sequence: n, sex: sex)
            }
            date = date.adding(days: 1)
        }
    }

    mutating func birth(age: Int) -> CivilDate {
        today.adding(days: -(age * 365 + rng.below(365)))
    }

    mutating func next(_ n: Int) -> Rows {
        var rows = Rows()
        let now = Date()
        for _ in 0..<n {
            let village = villages[index % villages.count]
            index += 1
            let hid = nextID()
            let surname = Self.surnames[rng.below(Self.surnames.count)]
            // Household sizes as a dibao caseload has them: many single elderly and small families.
            let size = [1, 1, 2, 2, 2, 3, 3, 3, 4, 5][rng.below(10)]
            let headAge = size == 1 ? 55 + rng.below(30) : 30 + rng.below(35)
            let headSex: Sex = rng.below(2) == 0 ? .male : .female
            var people: [(String, Kinship, Int, Sex)] = [(name(surname), .head, headAge, headSex)]
            var incomeFen: Int64 = 0
            var situations: [MemberSituation] = []
            if size >= 2 { people.append((name(Self.surnames[rng.below(Self.surnames.count)]), .spouse, max(20, headAge - 3 + rng.below(6)), headSex == .male ? .female : .male)) }
            for _ in 2..<max(2, size) {
                people.append((name(surname), rng.below(5) == 0 ? .parent : .child, rng.below(5) == 0 ? headAge + 25 : max(1, headAge - 22 - rng.below(10)), rng.below(2) == 0 ? .male : .female))
            }
            for (position, p) in people.enumerated() {
                let mid = nextID()
                let rid = id(county: village.county, born: birth(age: p.2), sex: p.3)
                let disability = rng.below(12) == 0 ? 1 + rng.below(4) : 0
                let ill = rng.below(10) == 0
                let capacity: WorkCapacity = (p.2 >= 60 || disability == 1 || disability == 2) ? .none : (ill ? .partial : .full)
                let employment: Employment = p.2 < 6 ? .notApplicable : p.2 < 18 ? .student : p.2 >= 60 ? .retired : (village.kind == .rural ? .farmingHerding : (rng.below(3) == 0 ? .unemployed : .flexible))
                rows.members.append([mid, hid, position, p.0, rid.value, p.1.rawValue, p.3.rawValue, rid.birthDate.iso, disability, ill, ill ? "慢性病" : "", capacity.rawValue, employment.rawValue])
                if capacity != .none && p.2 >= 18 && p.2 < 60 {
                    let kind: IncomeKind = village.kind == .rural ? .farming : .wages
                    let fen = Int64(20_000 + rng.below(60_000))
                    incomeFen += fen
                    rows.incomes.append([nextID(), mid, hid, kind.rawValue, fen, ""])
                } else if p.2 >= 60 {
                    let fen = Int64(15_000 + rng.below(20_000))
                    incomeFen += fen
                    rows.incomes.append([nextID(), mid, hid, IncomeKind.pension.rawValue, fen, "城乡居民基本养老保险"])
                }
                situations.append(MemberSituation(label: p.0, birthDate: rid.birthDate, disability: DisabilityLevel(rawValue: disability) ?? .none, severeIllness: ill))
            }
            if people[0].2 >= 60 && rng.below(3) == 0 {
                let fen = Int64(10_000 + rng.below(20_000))
                incomeFen += fen
                rows.supporters.append([nextID(), hid, name(surname), "", SupportDuty.elders.rawValue, fen, "子女在外务工"])
            }
            let address = village.kind == .rural ? "\(rng.below(5) + 1)组\(rng.below(90) + 1)号" : "\(Self.streets[rng.below(Self.streets.count)])\(rng.below(200) + 1)号\(rng.below(6) + 1)单元"
            let phone = "1\([3, 5, 8][rng.below(3)])\(String(format: "%09d", rng.below(1_000_000_000)))"
            let township = String(village.code.prefix(9)) + "000"
            let enrolled = addCase(&rows, household: hid, village: village, township: township, people: people.map { ($0.0, $0.1) },
                                   situations: situations, incomeFen: incomeFen, now: now)
            rows.households.append([hid, people[0].0, DemoData.region.0, DemoData.league.0, village.county + "000000", township, village.code, village.kind.rawValue, address, phone, people.count, enrolled ? "enrolled" : "registered", 1, now, now])
        }
        return rows
    }

    /// The household's application, at a stage drawn the way a county's caseload stands:
    /// most decided long ago (enrolled, or refused when income is above the standard), a few
    /// percent at each stage in progress, some of those past the county's deadline.
    mutating func addCase(_ rows: inout Rows, household hid: UUID, village: (code: String, kind: AreaKind, county: String), township: String,
                          people: [(String, Kinship)], situations: [MemberSituation], incomeFen: Int64, now: Date) -> Bool {
        let standard: Int64 = village.kind == .urban ? 90_600 : 65_000
        let amount = max(0, standard * Int64(people.count) - incomeFen)
        let r = rng.below(100)
        let stage: CaseStage = r < 1 ? .submitted : r < 2 ? .underInvestigation : r < 3 ? .evaluated : r < 4 ? .firstNotice : r < 7 ? .awaitingApproval
            : (amount > 0 ? .enrolled : .refused)
        let inProgress = r < 7
        let submitted = today.adding(days: -(inProgress ? (stage == .awaitingApproval ? 10 + rng.below(50) : rng.below(6)) : 60 + rng.below(1000)))
        guard let townshipCode = try? AreaCode(township) else { return false }
        let key = township + submitted.iso
        let sequence = receipts[key, default: 0] + 1
        receipts[key] = sequence
        let receipt = ReceiptNumber.make(township: townshipCode, date: submitted, sequence: sequence).value
        let accepted: CivilDate? = stage == .submitted ? nil : submitted.adding(days: 1)
        let deadline = accepted.map { calendar.adding(workingDays: policy.countyDecisionWorkingDays, to: $0) }
        let investigated: CivilDate? = [.submitted, .underInvestigation].contains(stage) ? nil : submitted.adding(days: 4)
        let evaluated: CivilDate? = investigated.map { $0.adding(days: 3) }
        let reviewed: CivilDate? = [.submitted, .underInvestigation, .evaluated].contains(stage) ? nil : submitted.adding(days: 8)
        let firstNotice: CivilDate? = stage == .firstNotice ? today.adding(days: -rng.below(6)) : reviewed.map { $0.adding(days: 1) }
        let decided: CivilDate? = inProgress ? nil : submitted.adding(days: 30)
        let firstMonth = decided.map { $0.adding(months: 1).firstOfMonth }
        var reviewClass: ReviewClass?
        var nextReview: CivilDate?
        if stage == .enrolled, let firstMonth {
            let able = situations.contains { $0.birthDate.age(on: today) >= policy.childAge && $0.birthDate.age(on: today) < policy.elderlyAge && !$0.disability.isSevere }
            let c = ReviewClass.classify(members: situations, incomeStable: true, ableToWork: able)
            reviewClass = c
            var next = Enrollment.nextReviewDate(enrolledFrom: firstMonth, class: c, kind: village.kind, policy: policy)
            while next < today.firstOfMonth { next = Enrollment.nextReviewDate(enrolledFrom: next, class: c, kind: village.kind, policy: policy) }
            nextReview = next
        }
        let panel = 50 + rng.below(20)
        let against = rng.below(5)
        let cid = nextID()
        let head = people.first?.0 ?? ""
        let decidedStage = stage == .enrolled || stage == .refused
        rows.cases.append([
            cid, receipt, hid, DemoData.region.0, DemoData.league.0, village.county + "000000", township, village.code, village.kind.rawValue, stage.rawValue, 1,
            "window", "便民服务大厅", "demo", submitted.iso, accepted?.iso, accepted?.iso, deadline?.iso, false, "",
            investigated?.iso, investigated == nil ? "" : "王调查、李调查", "", investigated != nil, investigated == nil ? nil : incomeFen, investigated == nil ? nil : standard,
            investigated == nil ? nil : amount, "",
            evaluated?.iso, evaluated == nil ? 0 : panel, 1_000, evaluated == nil ? 0 : panel - against - 1, evaluated == nil ? 0 : against, evaluated == nil ? 0 : 1, evaluated != nil,
            reviewed == nil ? "" : "同意", reviewed == nil ? nil : amount, reviewed?.iso, firstNotice?.iso,
            decidedStage ? cid : nil, nil as UUID?, nil as String?, "",
            decided?.iso, decidedStage ? "demo" : "", stage == .enrolled ? amount : nil, stage == .enrolled ? firstMonth?.iso : nil,
            stage == .refused ? "家庭人均收入高于当地低保标准" : "",
            stage == .enrolled ? decided?.iso : nil, reviewClass?.rawValue, nextReview?.iso, now, now,
        ])
        for kind in DeclarationKind.allCases {
            rows.declarations.append([nextID(), cid, kind.rawValue, head, Int64(0), "demo", investigated == nil ? nil : true as Bool?, ""])
        }
        if stage == .enrolled || stage == .firstNotice, let posted = stage == .enrolled ? decided : firstNotice {
            let kind: NoticeKind = stage == .enrolled ? .second : .first
            rows.notices.append([nextID(), cid, kind.rawValue, DemoData.region.0, DemoData.league.0, village.county + "000000", township, village.code,
                                 posted.iso, kind == .first ? posted.adding(days: policy.firstNoticeDays - 1).iso : nil,
                                 Masking.name(head), people.map { Masking.name($0.0) }.joined(separator: "、"), people.count, incomeFen, amount,
                                 kind == .first ? "入户调查：已完成；民主评议：通过；乡镇审核：同意" : "", true])
        }
        if stage == .enrolled, let firstMonth {
            // Paid up to `paidThrough` (the first of the current month, or of the year when
            // the demo replays this year's payrolls), so the next payroll owes one period.
            let paidThrough = max(firstMonth, paidUpTo)
            let months = (paidThrough.year - firstMonth.year) * 12 + paidThrough.month - firstMonth.month
            rows.schedules.append([nextID(), hid, cid, DemoData.region.0, DemoData.league.0, village.county + "000000", township, village.code,
                                   BenefitSchedule.storedEnrollment(firstMonth: firstMonth, monthly: Money(fen: amount)), amount * Int64(months), true])
            // A few households have not yet brought their one-card account: their payment is held.
            if rng.below(40) != 0 {
                let bank = village.kind == .urban ? DemoData.banks[0].code : DemoData.banks[1].code
                let account = "6217" + String(format: "%015llu", rng.next() % 1_000_000_000_000_000)
                rows.accounts.append([nextID(), hid, bank, account, head, firstMonth.iso, "demo"])
            }
        }
        return stage == .enrolled
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next(below: UInt64(n))) }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min(count, $0 + size)] }
    }
}
