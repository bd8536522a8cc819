import NIOConcurrencyHelpers
import Fluent
import Foundation
import SQLKit
import SQLiteNIO
import Vapor
import DibaoCore

/// 核对中心 (二.五 "自治区、盟市、旗县（市、区）分别成立核对中心"): one per region, league and
/// county. A request goes to the centre of the requester's own level; townships and
/// villages are served by their county's centre.
enum VerificationCentre {
    static func code(for area: AreaCode) -> AreaCode {
        var a = area
        while a.level == .township || a.level == .village, let parent = a.parent { a = parent }
        return a
    }

    static func name(_ code: String, on db: any Database) async throws -> String {
        let area = try await Area.find(code, on: db)
        return (area?.name ?? code) + "核对中心"
    }
}

/// Who asks for a check: a signed-in account, or the system (commands, benchmarks).
struct Requester: Sendable {
    var area: AreaCode
    var username: String
    var audit: AuditActor

    init(_ actor: StaffActor) { self.init(area: actor.area, username: actor.username, audit: actor.audit) }
    init(area: AreaCode, username: String, audit: AuditActor) { self.area = area; self.username = username; self.audit = audit }
}

/// Which households a request covers besides those listed.
enum RequestScope: String, Sendable {
    /// Every enrolled household of the requester's area: the periodic check of 二.六.
    case enrolled
    /// Every registered household of the area.
    case all
}

enum VerificationRequests {
    /// Sends `households` to the centre of `actor`'s level. Every household must be in the
    /// actor's area and have its signed 授权核对委托书 on file (二.二.1): the check reads
    /// people's bank and tax records only with their written authority. The request is
    /// refused whole, naming the households without one.
    static func create(households: [UUID], scope: RequestScope? = nil, caseID: UUID?, purpose: String, note: String,
                       by actor: Requester, app: Application, db: (any Database)? = nil) async throws -> VerificationRequest {
        let db = db ?? app.db
        guard !households.isEmpty || scope != nil else {
            throw FieldRefusal(field: "households", rule: "verification.no_households", .labelled(Phrase("verification.field_households"), Phrase("verification.refusal_choose_one")))
        }
        let centre = VerificationCentre.code(for: actor.area)
        let env = app.dibao
        let today = env.clock.today()
        let request = VerificationRequest()
        request.id = UUID()
        let requestID = request.id!
        let codes = actor.area.lineage
        request.regionCode = codes[.region] ?? ""
        request.leagueCode = codes[.league] ?? ""
        request.countyCode = codes[.county] ?? ""
        request.townshipCode = codes[.township] ?? ""
        request.villageCode = codes[.village] ?? ""
        request.centreCode = centre.value
        request.purpose = purpose
        request.caseID = caseID
        request.status = "pending"
        request.requestedBy = actor.username
        request.requestedAtMs = Int64(env.clock.now().timeIntervalSince1970 * 1000)
        request.note = String(note.prefix(500))
        request.durationMs = 0
        request.contradictionHouseholds = 0
        let unique = Array(Set(households))
        let area = actor.area

        return try await app.audit.write(on: db) { tx in
            let sql = tx as! any SQLDatabase
            let todays = try await VerificationRequest.query(on: tx).filter(\.$centreCode == centre.value)
                .filter(\.$requestedAtMs >= Int64(today.startInShanghai.timeIntervalSince1970 * 1000)).count()
            request.number = "HD\(centre.value.prefix(6))\(today.compact)\(String(format: "%04d", todays + 1))"
            if let scope {
                // The county's periodic check of everyone enrolled (二.六 "定期对低保家庭 … 进行核对").
                try await sql.raw("""
                    INSERT INTO verification_subjects (id, request_id, household_id, case_id)
                    SELECT \(unsafeRaw: sql.dialect.name == "sqlite" ? "randomblob(16)" : "gen_random_uuid()"), \(bind: requestID), h.id, NULL
                    FROM households h WHERE h.\(unsafeRaw: area.householdColumn) = \(bind: area.value)
                    \(unsafeRaw: scope == .enrolled ? "AND h.status = 'enrolled'" : "")
                    """).run()
            } else {
                for chunk in stride(from: 0, to: unique.count, by: 5_000) {
                    let ids = Array(unique[chunk..<min(unique.count, chunk + 5_000)])
                    let inArea = try await Household.query(on: tx).filter(\.$id ~~ ids).within(area).count()
                    guard inArea == ids.count else {
                        throw FieldRefusal(field: "households", rule: "verification.outside_area",
                                           .labelled(Phrase("verification.field_households"), Phrase("verification.refusal_outside_area", ids.count - inArea)))
                    }
                    var insert = sql.insert(into: VerificationSubjectRecord.schema).columns("id", "request_id", "household_id", "case_id")
                    for h in ids { insert = insert.values([UUID(), requestID, h, caseID] as [any Encodable & Sendable]) }
                    try await insert.run()
                }
            }
            let count = try await VerificationSubjectRecord.query(on: tx).filter(\.$requestID == requestID).count()
            guard count > 0 else {
                throw FieldRefusal(field: "households", rule: "verification.no_households", .labelled(Phrase("verification.field_households"), Phrase("verification.refusal_none_enrolled")))
            }
            request.householdCount = count
            let missing = try await sql.raw("""
                SELECT h.head_name FROM verification_subjects s JOIN households h ON h.id = s.household_id
                WHERE s.request_id = \(bind: requestID) AND NOT EXISTS (
                  SELECT 1 FROM cases c JOIN case_declarations d ON d.case_id = c.id
                  WHERE c.household_id = s.household_id AND d.kind = \(bind: DeclarationKind.verificationAuthorization.rawValue))
                ORDER BY h.head_name LIMIT 6
                """).all().map { try $0.decode(column: "head_name", as: String.self) }
            if !missing.isEmpty {
                let names = Phrase(missing.count > 5 ? "verification.names_and_more" : "verification.names",
                                   args: [.list(missing.prefix(5).map { .text(Masking.name($0)) })])
                throw FieldRefusal(field: "authorization", rule: "verification.authorization_missing",
                                   .labelled(Phrase("verification.field_authorization"), Phrase("verification.refusal_authorization_missing", names)))
            }
            try await request.create(on: tx)
            return (request, [AuditEntry(actor: actor.audit, action: "verification.requested", entityType: "verification_request",
                                         entityID: requestID.uuidString, areaCode: area.value,
                                         detail: ["centre": centre.value, "households": String(count), "purpose": purpose,
                                                  "case": caseID?.uuidString ?? ""])])
        }
    }

    /// A request as `actor` may see it: a centre's officer sees the requests sent to that
    /// centre and no other; requesters see the requests of their area. Anything else is
    /// answered as missing, and the attempt is audited.
    static func visible(_ id: UUID?, to actor: StaffActor, on req: Request) async throws -> VerificationRequest {
        guard let id, let found = try await VerificationRequest.find(id, on: req.db) else {
            throw Abort(.notFound, reason: req.l10n("verification.not_found"))
        }
        if mayRead(found, actor) { return found }
        try await req.recordDenial(actor, target: "verification_centre", entityType: "verification_request", entityID: id.uuidString)
        throw Abort(.notFound, reason: req.l10n("verification.not_found"))
    }

    static func mayRead(_ request: VerificationRequest, _ actor: StaffActor) -> Bool {
        if actor.role == .verificationOfficer { return request.centreCode == actor.area.value }
        guard actor.may(.readVerification) || actor.may(.requestVerification) else { return false }
        let codes = [request.regionCode, request.leagueCode, request.countyCode, request.townshipCode, request.villageCode]
        return codes.contains(actor.area.value)
    }

    /// The requests `actor` may see, newest first.
    static func list(for actor: StaffActor, status: String?, on db: any Database, limit: Int = 200) async throws -> [VerificationRequest] {
        var q = VerificationRequest.query(on: db)
        if actor.role == .verificationOfficer { q = q.filter(\.$centreCode == actor.area.value) } else { q = q.within(actor.area) }
        if let status { q = q.filter(\.$status == status) }
        return try await q.sort(\.$requestedAtMs, .descending).limit(limit).all()
    }
}

extension AreaCode {
    /// This area and each of its ancestors, by level.
    var lineage: [AreaLevel: String] {
        var out: [AreaLevel: String] = [:]
        var cursor: AreaCode? = self
        while let c = cursor { out[c.level] = c.value; cursor = c.parent }
        return out
    }
}

/// Runs a request: matches every member of every household against every source and
/// writes one report per household (二.五). All reads are set-wise (a handful of queries
/// whatever the number of households); all writes are one transaction, with one audit
/// event per household looked up — who checked whom, for which case.
enum VerificationRun {
    struct Outcome: Sendable {
        var households: Int
        var withContradictions: Int
        var matchedRecords: Int
        var seconds: Double
        /// Seconds per phase, in order: where a check spends its time.
        var phases: [(String, Double)] = []
    }

    /// One household of a request as the pass brings it: who it is, its members, and every
    /// department record of each of them.
    struct Household: Sendable {
        /// The household's ID as the database stores it (upper-case text); kept as read, so
        /// a hundred thousand IDs are neither parsed nor formatted again.
        var key: String
        /// Position in the request, for a stable order of reports and audit events.
        var order: Int
        /// The case the check is for, as stored; empty for none.
        var caseKey: String
        var codes: [String]
        var villageCode: String
        var kind: AreaKind
        var members: [VerificationSubject.Person] = []
        /// Each member's ID as stored, for their declared income.
        var memberKeys: [String] = []
        var records: [DepartmentRecord] = []
    }

    /// What the households of a request declared, read beside the pass.
    struct Declarations: Sendable {
        /// Declared monthly income by member (ID as stored).
        var income: [String: Money] = [:]
        /// Declared assets by household: how many of each kind, and their value.
        var counts: [String: [AssetKind: Int]] = [:]
        var values: [String: [AssetKind: Money]] = [:]
        /// "village|kind" of every household, for the standards in force.
        var standardKeys: Set<String> = []
    }

    /// What a run found, for the request and its closing audit event.
    struct Summary: Sendable {
        var households: Int
        var flagged: Int
        var matched: Int
        var seconds: Double
    }

    /// One household's report as it is stored, with its audit event.
    struct Made: Sendable {
        var village: String
        var order: Int
        var row: [SQLCell]
        var entry: AuditEntry
        var flagged: Bool
    }

    /// What every report of one run shares; turns a household and its records into a
    /// stored report. Pure, so households are shared out across the cores.
    struct ReportMaker: Sendable {
        var requestID: UUID
        /// `requestID` as stored, formatted once for every report.
        var requestKey: String
        var number: String
        var actor: AuditActor
        var today: CivilDate
        var policy: Policy
        var delivered: Set<DepartmentSource>
        /// Standard per person by "village|kind", for the asset limit.
        var standards: [String: Money?]

        var declared: Declarations

        func make(_ h: Household, ids: inout TimeOrderedID) -> Made {
            // Members by their place in the household, each with what they declared.
            var members = h.members
            for k in members.indices { members[k].declaredMonthlyIncome = declared.income[h.memberKeys[k]] ?? .zero }
            if zip(members, members.dropFirst()).contains(where: { $0.position > $1.position }) { members.sort { $0.position < $1.position } }
            let subject = VerificationSubject(members: members, declaredCounts: declared.counts[h.key] ?? [:], declaredValues: declared.values[h.key] ?? [:],
                                              standardPerPerson: standards["\(h.villageCode)|\(h.kind.rawValue)"] ?? nil)
            let records = h.records
            let report = VerificationCheck.run(subject, records: records, delivered: delivered, policy: policy, on: today)
            let row: [SQLCell] = [.uuid(ids.next()), .uuidText(requestKey), .uuidText(h.key), h.caseKey.isEmpty ? .null : .uuidText(h.caseKey), .text(h.codes[0]), .text(h.codes[1]),
                                  .text(h.codes[2]), .text(h.codes[3]), .text(h.codes[4]), .text(today.iso), .int(Int64(report.contradictions.count)),
                                  .int(report.totals.monthlyIncome.fen), .int(report.totals.financialAssets.fen), .utf8(report.storedUTF8)]
            let entry = AuditEntry(actor: actor, action: "verification.lookup", entityType: "household", entityID: h.key,
                                   areaCode: h.codes[4], detail: ["request": number, "case": h.caseKey,
                                                                  "members": String(h.members.count), "records": String(records.count),
                                                                  "contradictions": String(report.contradictions.count)])
            return Made(village: h.codes[4], order: h.order, row: row, entry: entry, flagged: !report.contradictions.isEmpty)
        }
    }

    /// Households checked per task: enough to outweigh starting one, few enough that the
    /// cores are busy while the match is still being read.
    static let batchSize = 1_000

    static func run(_ requestID: UUID, by actor: AuditActor, username: String, app: Application) async throws -> Outcome {
        let db = app.db
        let started = Date()
        guard let request = try await VerificationRequest.find(requestID, on: db) else { throw Abort(.notFound) }
        guard request.status == "pending" else {
            throw FieldRefusal(field: "request", rule: "verification.already_run", .labelled(Phrase("verification.field_request"), Phrase("verification.refusal_already_run")))
        }
        let env = app.dibao
        let today = env.clock.today()
        let sql = db as! any SQLDatabase
        let rid = requestID

        var phases: [(String, Double)] = []
        var mark = Date()
        func phase(_ name: String) { let now = Date(); phases.append((name, now.timeIntervalSince(mark))); mark = now }

        // On the embedded database the pass is stepped on a thread of its own, and each batch
        // of households is checked as it arrives while the rest is still being read: reading,
        // matching and the rules overlap. Elsewhere the pass is read whole first.
        let stream: AsyncThrowingStream<[Household], any Error>
        var reader: Task<Date, any Error>?
        let read: @Sendable (SQLQueryString) async throws -> [FastRow]
        if case .sqlite(let path) = env.settings.database {
            let (s, continuation) = AsyncThrowingStream<[Household], any Error>.makeStream()
            stream = s
            // In two halves of the households, each stepped on a thread of its own: the pass
            // is the longest single piece of a check, and on one thread it would finish last
            // with the other core idle.
            let total = request.householdCount
            let halves = try await splitForPass(path: path, requestID: rid, households: total)
            reader = Task {
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (n, range) in halves.enumerated() {
                            group.addTask {
                                _ = try await SQLiteFile.onOwnThread {
                                    try streamPass(path: path, requestID: rid, range: range, firstOrder: n * total) { continuation.yield($0) }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    continuation.finish()
                    return Date()
                } catch {
                    continuation.finish(throwing: error)
                    throw error
                }
            }
            read = { try await BulkSQL.rows(file: path, db, $0) }
        } else {
            var assembler = Assembler()
            var households: [Household] = []
            for row in try await BulkSQL.rows(db, passQuery(rid)) { if let h = assembler.add(row) { households.append(h) } }
            if let h = assembler.finish() { households.append(h) }
            stream = AsyncThrowingStream { [households] c in
                for start in stride(from: 0, to: households.count, by: batchSize) { c.yield(Array(households[start..<min(households.count, start + batchSize)])) }
                c.finish()
            }
            read = { try await BulkSQL.rows(db, $0) }
        }
        defer { reader?.cancel() }

        let declared = try await loadDeclarations(rid, read: read)
        let delivered = Set(try await sql.raw("SELECT DISTINCT source FROM department_batches WHERE status = 'accepted'").all()
            .compactMap { DepartmentSource(rawValue: try $0.decode(column: "source", as: String.self)) })
        let standards = try await Standard.inForce(for: declared.standardKeys, on: today, db: db)
        let maker = ReportMaker(requestID: rid, requestKey: rid.uuidString, number: request.number, actor: actor, today: today, policy: env.policy(on: today),
                                delivered: delivered, standards: standards, declared: declared)
        phase("read declarations, standards and policy")

        let columns = ["id", "request_id", "household_id", "case_id", "region_code", "league_code", "county_code", "township_code",
                       "village_code", "checked_on", "contradictions", "verified_income_fen", "financial_assets_fen", "body"]
        let clock = env.clock, centre = request.centreCode
        // Only a pending request is completed: a second run racing this one finds it done.
        let complete: @Sendable (Summary) -> SQLQueryString = { s in """
            UPDATE verification_requests SET status = 'done', run_by = \(bind: username), run_at_ms = \(bind: Int64(clock.now().timeIntervalSince1970 * 1000)),
            duration_ms = \(bind: Int64(s.seconds * 1000)), contradiction_households = \(bind: s.flagged)
            WHERE id = \(bind: rid) AND status = 'pending' RETURNING id
            """ }
        let alreadyRun = FieldRefusal(field: "request", rule: "verification.already_run", .labelled(Phrase("verification.field_request"), Phrase("verification.refusal_already_run")))
        let ran: @Sendable (Summary) -> AuditEntry = { s in
            AuditEntry(actor: actor, action: "verification.run", entityType: "verification_request", entityID: rid.uuidString, areaCode: centre,
                       detail: ["households": String(s.households), "contradictions": String(s.flagged), "records": String(s.matched)])
        }

        // On the embedded database each batch's reports, with their audit events, are written
        // as soon as they are made, by a transaction on a thread of its own, while the rest is
        // still being checked; the request is completed and committed after the last one.
        let handOver = HandOver<[Made], Summary>()
        var writing: Task<Void, any Error>?
        if case .sqlite(let path) = env.settings.database {
            writing = Task {
                try await app.audit.write(file: path) { file, append in
                    while true {
                        switch try handOver.next() {
                        case .item(let piece):
                            try file.insert(into: VerificationReportRecord.schema, columns: columns, rows: piece.map(\.row))
                            try append(piece.map(\.entry))
                        case .end(let summary):
                            guard try file.prepare(complete(summary), serializer: sql).step() else { throw alreadyRun }
                            return ((), [ran(summary)])
                        }
                    }
                }
            }
        }

        // The rules are pure: batches go to as many tasks as there are cores, in turn.
        let parts = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        var made: [Made] = []
        var checked = 0, matched = 0, flagged = 0
        var readDone: Date?
        do {
            try await withThrowingTaskGroup(of: ([Made], Int).self) { group in
                var running = 0, batches = 0
                func collect(_ piece: ([Made], Int)) {
                    checked += piece.0.count
                    matched += piece.1
                    flagged += piece.0.reduce(0) { $0 + ($1.flagged ? 1 : 0) }
                    if writing != nil { handOver.put(piece.0) } else { made += piece.0 }
                }
                for try await batch in stream {
                    if running >= parts, let piece = try await group.next() { collect(piece); running -= 1 }
                    batches += 1
                    let lane = UInt8(batches % 16)
                    group.addTask {
                        var ids = TimeOrderedID(stream: lane)
                        var out: [Made] = []
                        out.reserveCapacity(batch.count)
                        var records = 0
                        for h in batch { out.append(maker.make(h, ids: &ids)); records += h.records.count }
                        return (out, records)
                    }
                    running += 1
                }
                while let piece = try await group.next() { collect(piece) }
            }
            if let reader { readDone = try await reader.value }
        } catch {
            // Nothing of the check stays: the writer rolls its transaction back.
            handOver.fail(error)
            _ = try? await writing?.value
            throw error
        }
        let summary = Summary(households: checked, flagged: flagged, matched: matched, seconds: Date().timeIntervalSince(started))
        if let writing {
            phase("match, rules, and writing each batch's reports")
            handOver.finish(summary)
            try await writing.value
            phase("last batch, complete the request, commit")
            if let readDone { phases.append(("(the match was read by)", readDone.timeIntervalSince(started))) }
        } else {
            phase("match, rules and reports")
            made.sort { ($0.village, $0.order) < ($1.village, $1.order) }
            let reportRows = made.map(\.row), events = made.map(\.entry) + [ran(summary)]
            made = []
            try await app.audit.write(on: db) { tx in
                try await BulkSQL.insert(tx, into: VerificationReportRecord.schema, columns: columns, rows: reportRows)
                guard try await (tx as! any SQLDatabase).raw(complete(summary)).all().count == 1 else { throw alreadyRun }
                return ((), events)
            }
            phase("write reports and audit events, commit")
        }
        if request.purpose == PeriodicVerification.purpose {
            // The county's periodic check (二.六): each flagged enrolled household gets a review.
            try await PeriodicVerification.openReviews(request: rid, app: app)
            phase("open reviews for the flagged enrolled households")
        }
        return Outcome(households: checked, withContradictions: flagged, matchedRecords: matched, seconds: Date().timeIntervalSince(started), phases: phases)
    }

    /// What the households of a request declared (their income by member, their assets by
    /// household) and the village and kind of each, for the standards: three reads at once,
    /// each on a connection (and on the embedded database a thread) of its own.
    static func loadDeclarations(_ rid: UUID, read: @Sendable (SQLQueryString) async throws -> [FastRow]) async throws -> Declarations {
        async let incomeRows = read("""
            SELECT i.member_id, i.monthly_fen FROM verification_subjects s JOIN income_items i ON i.household_id = s.household_id
            WHERE s.request_id = \(bind: rid)
            """)
        async let assetRows = read("""
            SELECT a.household_id, a.kind, COUNT(*) AS n, CAST(SUM(a.value_fen) AS BIGINT) AS total FROM verification_subjects s JOIN assets a ON a.household_id = s.household_id
            WHERE s.request_id = \(bind: rid) GROUP BY a.household_id, a.kind
            """)
        async let kindRows = read("""
            SELECT DISTINCT h.village_code, h.kind FROM verification_subjects s JOIN households h ON h.id = s.household_id WHERE s.request_id = \(bind: rid)
            """)
        var out = Declarations()
        for row in try await incomeRows { out.income[row.text(0), default: .zero] += Money(fen: row.int(1)) }
        for row in try await assetRows {
            guard let kind = AssetKind(rawValue: row.text(1)) else { continue }
            out.counts[row.text(0), default: [:]][kind] = Int(row.int(2))
            out.values[row.text(0), default: [:]][kind] = Money(fen: row.int(3))
        }
        out.standardKeys = Set(try await kindRows.map { "\($0.text(0))|\($0.text(1))" })
        return out
    }

    /// The pass behind a check: every member of every household of the request with each
    /// of their department records, a row per record (or one for a member no source knows,
    /// and one for a household without members), households in order so that each comes
    /// whole. SQLite walks the subjects' index in that order and does not sort. `?` is the
    /// request.
    static func passSQL(range: String = "") -> String { """
        SELECT s.household_id, s.case_id, h.village_code, h.kind, m.id, m.position, m.name, m.id_number,
          r.source, r.reference, r.label, r.on_date, r.amount_fen, r.quantity, r.status
        FROM verification_subjects s JOIN households h ON h.id = s.household_id
        LEFT JOIN members m ON m.household_id = s.household_id
        LEFT JOIN department_records r ON r.id_number = m.id_number
        WHERE s.request_id = ?\(range) ORDER BY s.household_id
        """ }

    static func passQuery(_ requestID: UUID) -> SQLQueryString { bound(passSQL(), requestID) }

    /// Households from `from` (if any) and before `to` (if any), by stored key.
    struct KeyRange: Sendable {
        var from: String?
        var to: String?
    }

    /// The request's households in two halves by key, or whole when there are few.
    static func splitForPass(path: String, requestID: UUID, households: Int) async throws -> [KeyRange] {
        guard households >= 4 * batchSize else { return [KeyRange()] }
        return try await SQLiteFile.onOwnThread {
            let middle = try SQLiteFile(path: path).prepare(
                "SELECT household_id FROM verification_subjects WHERE request_id = ? ORDER BY household_id LIMIT 1 OFFSET ?",
                [.text(requestID.uuidString), .integer(households / 2)])
            guard try middle.step() else { return [KeyRange()] }
            let key = middle.text(0)
            return [KeyRange(to: key), KeyRange(from: key)]
        }
    }

    /// The plain join that finds a check's matches (what `passSQL` finds, without the
    /// households' and members' own columns): the benchmark's yardstick. `?` is the request.
    static let matchSQL = """
        SELECT s.household_id, r.source, r.id_number, r.reference, r.label, r.on_date, r.amount_fen, r.quantity, r.status
        FROM verification_subjects s JOIN members m ON m.household_id = s.household_id
        JOIN department_records r ON r.id_number = m.id_number
        WHERE s.request_id = ? ORDER BY s.household_id
        """

    static func matchQuery(_ requestID: UUID) -> SQLQueryString { bound(matchSQL, requestID) }

    private static func bound(_ sql: String, _ requestID: UUID) -> SQLQueryString {
        let parts = sql.components(separatedBy: "?")
        return "\(unsafeRaw: parts[0])\(bind: requestID)\(unsafeRaw: parts[1])"
    }

    /// The pass stepped on the SQLite file directly (see `SQLiteFile`), its households
    /// handed on a thousand at a time. Returns the rows read.
    static func streamPass(path: String, requestID: UUID, range: KeyRange = KeyRange(), firstOrder: Int = 0,
                           _ send: ([Household]) -> Void) throws -> Int {
        let file = try SQLiteFile(path: path)
        let conditions = (range.from == nil ? "" : " AND s.household_id >= ?") + (range.to == nil ? "" : " AND s.household_id < ?")
        var binds: [SQLiteData] = [.text(requestID.uuidString)]
        if let from = range.from { binds.append(.text(from)) }
        if let to = range.to { binds.append(.text(to)) }
        let rows = try file.prepare(passSQL(range: conditions), binds)
        var assembler = Assembler(firstOrder: firstOrder)
        var batch: [Household] = []
        batch.reserveCapacity(batchSize)
        while try rows.step() {
            guard let h = assembler.add(rows) else { continue }
            batch.append(h)
            if batch.count >= batchSize { send(batch); batch = []; batch.reserveCapacity(batchSize) }
        }
        if let h = assembler.finish() { batch.append(h) }
        if !batch.isEmpty { send(batch) }
        return assembler.rows
    }

    /// Makes households of the pass's rows, read as bytes in place. A household's key,
    /// each member's ID number and a repeated reference, label, status or date become
    /// values once, not once a row: two million rows go through here.
    struct Assembler {
        private var current: Household?
        private var member = -1
        private var reference = "", label = "", status = "", village = ""
        private var codes: [String] = []
        private var lineages: [String: [String]] = [:]
        private var dates: [Int: CivilDate] = [:]
        private var households: Int
        private(set) var rows = 0

        /// `firstOrder`: where this part's households start in the order of the request.
        init(firstOrder: Int = 0) { households = firstOrder }

        /// Takes a row; returns the previous household when this one starts the next.
        mutating func add(_ row: some ByteRow) -> Household? {
            rows += 1
            var finished: Household?
            if current == nil || !row.withBytes(0, { ByteText.equal($0, current!.key) }) {
                finished = current
                current = start(row)
                member = -1
            }
            guard !row.isNull(4) else { return finished }
            // A member's rows come together from SQLite; a server that sorts by household
            // only may interleave them, so a member already met is looked for.
            if member < 0 || !row.withBytes(4, { ByteText.equal($0, current!.memberKeys[member]) }) {
                if let k = current!.memberKeys.firstIndex(where: { key in row.withBytes(4) { ByteText.equal($0, key) } }) {
                    member = k
                } else {
                    current!.members.append(.init(position: Int(row.int(5)), name: row.string(6), idNumber: row.string(7), declaredMonthlyIncome: .zero))
                    current!.memberKeys.append(row.string(4))
                    member = current!.members.count - 1
                }
            }
            guard !row.isNull(8), let source = row.withBytes(8, { DepartmentSource(utf8: $0) }) else { return finished }
            // A wage or a tax item repeats its reference and label month after month.
            row.intern(9, &reference)
            row.intern(10, &label)
            row.intern(14, &status)
            current!.records.append(DepartmentRecord(source: source, idNumber: current!.members[member].idNumber, reference: reference, label: label,
                                                     date: date(row, 11), amount: Money(fen: row.int(12)), quantity: row.int(13), status: status))
            return finished
        }

        /// The last household.
        mutating func finish() -> Household? {
            defer { current = nil }
            return current
        }

        private mutating func start(_ row: some ByteRow) -> Household {
            // The other area codes follow from the village's; worked out once per village.
            if !row.withBytes(2, { ByteText.equal($0, village) }) {
                village = row.string(2)
                if let known = lineages[village] {
                    codes = known
                } else {
                    let lineage = (try? AreaCode(village))?.lineage ?? [:]
                    codes = [AreaLevel.region, .league, .county, .township].map { lineage[$0] ?? "" } + [village]
                    lineages[village] = codes
                }
            }
            households += 1
            return Household(key: row.string(0), order: households, caseKey: row.isNull(1) ? "" : row.string(1), codes: codes,
                             villageCode: village, kind: AreaKind(rawValue: row.string(3)) ?? .urban)
        }

        /// "YYYY-MM-DD"; a few hundred distinct dates recur millions of times.
        private mutating func date(_ row: some ByteRow, _ i: Int32) -> CivilDate? {
            row.withBytes(i) { d -> CivilDate? in
                guard d.count == 10 else { return nil }
                let code = d.prefix(4).reduce(0) { $0 * 10 + Int($1) - 48 } * 10_000 + (Int(d[5]) - 48) * 1_000 + (Int(d[6]) - 48) * 100
                    + (Int(d[8]) - 48) * 10 + Int(d[9]) - 48
                if let known = dates[code] { return known }
                let parsed = CivilDate(iso: String(decoding: d, as: UTF8.self))
                dates[code] = parsed
                return parsed
            }
        }
    }
}

/// A result row whose columns are read as bytes where they lie: SQLite's own row, or a row
/// read through the driver (PostgreSQL), so that one piece of code reads both.
protocol ByteRow {
    func withBytes<R>(_ i: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R
    func int(_ i: Int32) -> Int64
    func isNull(_ i: Int32) -> Bool
}

extension ByteRow {
    func string(_ i: Int32) -> String { withBytes(i) { String(decoding: $0, as: UTF8.self) } }

    /// Sets `text` to column `i` unless it holds it already: one string for a run of equal values.
    func intern(_ i: Int32, _ text: inout String) {
        if !withBytes(i, { ByteText.equal($0, text) }) { text = string(i) }
    }
}

extension SQLiteFile.Statement: ByteRow {
    func withBytes<R>(_ i: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R { try body(bytes(i)) }
}

extension FastRow: ByteRow {
    func withBytes<R>(_ i: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var text = text(Int(i))
        return try text.withUTF8(body)
    }
    func int(_ i: Int32) -> Int64 { int(Int(i)) }
    func isNull(_ i: Int32) -> Bool { isNull(Int(i)) }
}
