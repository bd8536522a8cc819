import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// Who delivers a batch, and how.
struct Deliverer: Sendable {
    var audit: AuditActor
    var username: String
    var areaCode: String
    /// "command", "page" or "api".
    var channel: String

    static func system(channel: String = "command") -> Deliverer {
        Deliverer(audit: .system, username: "system", areaCode: "150000000000", channel: channel)
    }

    init(audit: AuditActor, username: String, areaCode: String, channel: String) {
        self.audit = audit
        self.username = username
        self.areaCode = areaCode
        self.channel = channel
    }

    init(_ actor: StaffActor, channel: String) {
        self.init(audit: actor.audit, username: actor.username, areaCode: actor.area.value, channel: channel)
    }
}

/// What became of a delivered file.
struct ImportOutcome: Sendable {
    var batch: DepartmentBatch
    /// The same file (same source, same SHA-256) was already accepted: nothing was changed.
    var duplicate: Bool
    /// The first problems, for the screen; the full report is stored with the batch.
    var problems: [RowProblem]
}

/// A whole batch is refused: too many bad rows for the policy's threshold. Nothing of it
/// was stored except the refused batch and its error report.
struct BatchRefused: Error, Sendable {
    var outcome: ImportOutcome
    var perMille: Int
    var threshold: Int
}

/// Streams a department file into the platform (二.五 "批量上传"): read in blocks, each
/// line validated against the source's documented format, good rows upserted in
/// multi-row statements, bad rows kept with line and reason — all in one transaction, so
/// a batch is stored whole or not at all.
enum DepartmentImport {
    /// Stored error lines per batch; the count is always complete.
    static let storedErrorLimit = 10_000
    static let rowsPerStatement = 2_000
    static let blockSize = 1 << 20

    enum TextEncoding: String, Sendable { case utf8 = "utf-8", gb18030 }

    static func importFile(at path: String, source: DepartmentSource, period: String?, fileName: String? = nil,
                           by deliverer: Deliverer, app: Application, db: (any Database)? = nil) async throws -> ImportOutcome {
        let db = db ?? app.db
        let env = app.dibao
        let today = env.clock.today()
        let policy = env.policy(on: today)
        let period = try checkPeriod(period, today: today)
        let started = Date()
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FieldRefusal(field: "file", rule: "import.unreadable", .labelled(Phrase("import.field_file"), Phrase("import.refusal_cannot_open", path)))
        }
        defer { try? handle.close() }
        let (checksum, encoding) = try fingerprint(handle)
        if let existing = try await DepartmentBatch.query(on: db).filter(\.$source == source).filter(\.$checksum == checksum)
            .filter(\.$status == "accepted").first() {
            return ImportOutcome(batch: existing, duplicate: true, problems: [])
        }
        try handle.seek(toOffset: 0)

        let batch = DepartmentBatch()
        batch.id = UUID()
        batch.source = source
        batch.period = period
        batch.fileName = String((fileName ?? URL(fileURLWithPath: path).lastPathComponent).prefix(200))
        batch.checksum = checksum
        batch.encoding = encoding.rawValue
        batch.deliveredBy = deliverer.username
        batch.channel = deliverer.channel
        batch.areaCode = deliverer.areaCode
        batch.createdAtMs = Int64(env.clock.now().timeIntervalSince1970 * 1000)
        let batchID = batch.id!

        do {
            return try await app.audit.write(on: db) { tx in
                try await BulkSQL.prepareForBulkWrite(tx)
                var problems: [RowProblem] = []
                var rejected = 0
                var accepted = 0
                var pending: [DepartmentRecord] = []
                pending.reserveCapacity(rowsPerStatement)
                var reader: DepartmentFileReader?
                var line = 0
                try await eachLine(handle) { bytes in
                    line += 1
                    guard let text = decode(bytes, encoding) else {
                        if line == 1 { throw DepartmentFileRefusal(source: source, reason: .unreadable) }
                        rejected += 1
                        if problems.count < storedErrorLimit {
                            problems.append(.row(line, rule: "import.encoding", Phrase("import.refusal_line_encoding", encoding.rawValue)))
                        }
                        return
                    }
                    guard let r = reader else {
                        guard let header = CSVLine.fields(Substring(text)) else { throw DepartmentFileRefusal(source: source, reason: .empty) }
                        reader = try DepartmentFileReader(source: source, header: header)
                        return
                    }
                    if text.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" || $0 == "," }) { return }
                    let outcome: Result<DepartmentRecord, RowProblem>
                    if let fields = CSVLine.fields(Substring(text)) {
                        outcome = r.read(fields, line: line)
                    } else {
                        outcome = .failure(.row(line, rule: "import.quote", Phrase("import.refusal_quote")))
                    }
                    switch outcome {
                    case .success(let record):
                        pending.append(record)
                        accepted += 1
                        if pending.count == rowsPerStatement {
                            try await upsert(pending, batch: batchID, on: tx)
                            pending.removeAll(keepingCapacity: true)
                        }
                    case .failure(let p):
                        rejected += 1
                        if problems.count < storedErrorLimit { problems.append(p) }
                    }
                }
                if reader == nil { throw DepartmentFileRefusal(source: source, reason: .empty) }
                try await upsert(pending, batch: batchID, on: tx)
                let total = accepted + rejected
                let perMille = total == 0 ? 0 : rejected * 1000 / total
                if rejected * 1000 > total * policy.importMaxErrorPerMille {
                    throw Threshold(perMille: perMille, total: total, rejected: rejected, problems: problems)
                }
                batch.rowsTotal = total
                batch.rowsAccepted = accepted
                batch.rowsRejected = rejected
                batch.status = "accepted"
                batch.durationMs = Int64(Date().timeIntervalSince(started) * 1000)
                try await batch.create(on: tx)
                try await storeErrors(problems, batch: batchID, on: tx)
                return (ImportOutcome(batch: batch, duplicate: false, problems: Array(problems.prefix(100))),
                        [AuditEntry(actor: deliverer.audit, action: "verification.batch_imported", entityType: "department_batch",
                                    entityID: batchID.uuidString, areaCode: deliverer.areaCode,
                                    detail: ["source": source.rawValue, "period": period, "rows": String(total), "accepted": String(accepted),
                                             "rejected": String(rejected), "checksum": checksum, "channel": deliverer.channel])])
            }
        } catch let t as Threshold {
            // Refused whole: the records were rolled back; the refusal and its error report stay.
            batch.rowsTotal = t.total
            batch.rowsAccepted = 0
            batch.rowsRejected = t.rejected
            batch.status = "refused"
            batch.durationMs = Int64(Date().timeIntervalSince(started) * 1000)
            let problems = t.problems, rejected = t.rejected
            let outcome = ImportOutcome(batch: batch, duplicate: false, problems: Array(problems.prefix(100)))
            try await app.audit.write(on: db) { tx in
                try await batch.create(on: tx)
                try await storeErrors(problems, batch: batchID, on: tx)
                return ((), [AuditEntry(actor: deliverer.audit, action: "verification.batch_refused", entityType: "department_batch",
                                        entityID: batchID.uuidString, areaCode: deliverer.areaCode,
                                        reason: "error share \(t.perMille)‰ over \(policy.importMaxErrorPerMille)‰",
                                        detail: ["source": source.rawValue, "rows": String(t.total), "rejected": String(rejected), "checksum": checksum])])
            }
            throw BatchRefused(outcome: outcome, perMille: t.perMille, threshold: policy.importMaxErrorPerMille)
        }
    }

    private struct Threshold: Error { var perMille: Int; var total: Int; var rejected: Int; var problems: [RowProblem] }

    /// "YYYY-MM"; the current month when not given.
    static func checkPeriod(_ text: String?, today: CivilDate) throws -> String {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return String(today.iso.prefix(7)) }
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
              CivilDate(year: y, month: m, day: 1) != nil else {
            throw FieldRefusal(field: "period", rule: "import.period", .labelled(Phrase("import.field_period"), Phrase("import.refusal_period")))
        }
        return text
    }

    /// The file's SHA-256 and its encoding: UTF-8 (with or without BOM) when the first
    /// megabyte is valid UTF-8, otherwise GB18030 (spreadsheets saved as "CSV" on a
    /// Chinese-language system).
    static func fingerprint(_ handle: FileHandle) throws -> (String, TextEncoding) {
        var hasher = SHA256()
        var encoding: TextEncoding?
        while let block = try handle.read(upToCount: blockSize), !block.isEmpty {
            if encoding == nil {
                let bytes = [UInt8](block)
                // A block may end inside a character: a valid text with up to three bytes cut off is UTF-8.
                let valid = (0...min(3, bytes.count)).contains { String(validating: bytes.dropLast($0), as: UTF8.self) != nil }
                encoding = valid ? .utf8 : .gb18030
            }
            hasher.update(data: block)
        }
        return (AuditLog.hex(hasher.finalize()), encoding ?? .utf8)
    }

    static func decode(_ bytes: ArraySlice<UInt8>, _ encoding: TextEncoding) -> String? {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        switch encoding {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .gb18030:
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            return String(data: Data(bytes), encoding: .gb18030)
        }
    }

    /// Calls `body` with each line's bytes (without the newline). A newline byte never
    /// occurs inside a UTF-8 or GB18030 character, so splitting on it is safe for both.
    static func eachLine(_ handle: FileHandle, _ body: (ArraySlice<UInt8>) async throws -> Void) async throws {
        var carry: [UInt8] = []
        while let block = try handle.read(upToCount: blockSize), !block.isEmpty {
            var bytes = carry
            bytes.append(contentsOf: block)
            var start = 0
            while let nl = bytes[start...].firstIndex(of: 0x0A) {
                try await body(bytes[start..<nl])
                start = nl + 1
            }
            carry = Array(bytes[start...])
        }
        if !carry.isEmpty { try await body(carry[...]) }
    }

    /// Multi-row upsert: a record already delivered for the same item and date is
    /// replaced by the later delivery, never doubled.
    static func upsert(_ records: [DepartmentRecord], batch: UUID, on sql: any Database) async throws {
        guard !records.isEmpty else { return }
        // One statement may not touch the same key twice (PostgreSQL refuses it): the last row wins.
        var seen: [String: Int] = [:]
        var rows: [DepartmentRecord] = []
        rows.reserveCapacity(records.count)
        for r in records {
            let key = "\(r.idNumber)|\(r.source.rawValue)|\(r.reference)|\(r.date?.iso ?? "")"
            if let i = seen[key] { rows[i] = r } else { seen[key] = rows.count; rows.append(r) }
        }
        let batchText = SQLCell.text(batch.uuidString)
        try await BulkSQL.insert(sql, into: DepartmentRecordTable.name, columns: DepartmentRecordTable.columns, rows: rows.map { r in
            [.text(r.idNumber), .text(r.source.rawValue), .text(r.reference), .text(r.date?.iso ?? ""), .text(r.label),
             .int(r.amount.fen), .int(r.quantity), .text(r.status), batchText]
        }, conflict: (key: ["id_number", "source", "reference", "on_date"], update: ["label", "amount_fen", "quantity", "status", "batch_id"]))
    }

    static func storeErrors(_ problems: [RowProblem], batch: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, !problems.isEmpty else { return }
        for start in stride(from: 0, to: problems.count, by: 1_000) {
            var insert = sql.insert(into: DepartmentBatchError.schema).columns("id", "batch_id", "line", "field", "rule", "message")
            for p in problems[start..<min(problems.count, start + 1_000)] {
                insert = insert.values([UUID(), batch, p.line, p.field, p.rule, StoredPhrase.encode(p.phrase.holdsWrittenText ? RowProblem.legacy(line: p.line, field: p.field, rule: p.rule) : p.phrase)] as [any Encodable & Sendable])
            }
            try await insert.run()
        }
    }
}
