import Crypto
import Fluent
import Vapor
import DibaoCore

/// 申请受理 (二.二.1): a household applies at the township of its registration, at a
/// window or through its village committee; it signs three declarations; evidence is
/// attached; the integrity blacklist is checked and shown. The township may refuse to
/// accept only with a recorded reason (a `CaseWorkflow` step).
enum Intake {
    struct Input: Content {
        var channel: String?
        /// The window's name as typed, for a township that has no registered window yet.
        var windowName: String?
        /// The id of the township window that took the application (二.四 窗口式受理), from
        /// `GET /api/v1/admin/network` or the form's list; required once the township has windows.
        var window: String?
        /// 单人保: the id of the member applying alone (2021 第十条), when the version in force allows it.
        var singlePerson: String?
        /// Who signed each declaration, by `DeclarationKind` raw value; blank = not signed.
        var signers: [String: String]?
    }

    static let channels = ["window", "village_committee"]

    static func file(for householdID: UUID?, _ input: Input, evidence: [EvidenceUpload], by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        guard [.villageAssistant, .townshipCaseworker, .townshipHead].contains(actor.role) else {
            try await req.recordDenial(actor, target: "case.submit", entityType: "household", entityID: householdID?.uuidString ?? "")
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        let household = try await Household.visible(householdID, to: actor, on: req)
        let hid = try household.requireID()
        var problems: [FieldRefusal] = []
        let channel = input.channel ?? (actor.role == .villageAssistant ? "village_committee" : "window")
        if !channels.contains(channel) {
            problems.append(.init(field: "channel", rule: "intake.channel", Phrase("intake.refusal_channel")))
        }
        if actor.role == .villageAssistant && channel != "village_committee" {
            problems.append(.init(field: "channel", rule: "intake.channel_role", Phrase("intake.refusal_channel_role")))
        }
        let open = try await ApplicationCase.query(on: req.db).filter(\.$householdID == hid)
            .filter(\.$stage !~ CaseStage.allCases.filter(\.isTerminal)).count()
        if open > 0 {
            problems.append(.init(field: "household", rule: "intake.case_open", Phrase("intake.refusal_case_open")))
        }
        for upload in evidence { problems += upload.problems(max: req.dibao.settings.maxEvidenceBytes) }
        // 二.四: an application at a window is tagged with the window, chosen from the
        // township's registered list; a township with none yet types the window's name.
        var window: ServicePoint? = nil
        var windowName = String((input.windowName ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(60))
        if channel == "window" {
            let windows = try await ServiceNetwork.windows(of: household.townshipCode, on: req.db)
            if !windows.isEmpty {
                let chosen = UUID(uuidString: (input.window ?? "").trimmingCharacters(in: .whitespaces))
                if let chosen, let w = windows.first(where: { $0.id == chosen }) {
                    window = w
                    windowName = w.name
                } else {
                    problems.append(.init(field: "window", rule: "intake.window", Phrase("intake.refusal_window")))
                }
            }
        } else {
            windowName = ""
        }
        let today = req.dibao.clock.today()
        let members = try await Member.query(on: req.db).filter(\.$household.$id == hid).all()
        let (single, singleProblem) = SinglePersonIntake.check(input.singlePerson, members: members, today: today, policy: req.dibao.policy(on: today))
        if let singleProblem { problems.append(singleProblem) }
        guard problems.isEmpty else { throw FormRefused(problems: problems) }
        let takenAt = window?.id, takenAtName = windowName

        let hits = try await BlacklistEntry.query(on: req.db).filter(\.$idNumber ~~ members.map(\.idNumber)).filter(\.$active == true).all()
        let now = Int64((req.dibao.clock.now().timeIntervalSince1970 * 1000).rounded())
        let storage = req.dibao.settings.storageDirectory
        let township = try AreaCode(household.townshipCode)
        // Files are written first under random names; if the case does not land they are removed.
        var written: [EvidenceFile] = []
        for upload in evidence { written.append(try upload.store(in: storage, by: actor.username)) }
        let files = written
        do {
            return try await req.audit.write(on: req.db) { tx in
                // Receipt numbers count the township's applications of the day; the unique
                // index on `receipt` guards against a race.
                let prefix = "\(township.significant)-\(today.compact)"
                let sequence = try await ApplicationCase.query(on: tx).filter(\.$receipt >= prefix + "-").filter(\.$receipt < prefix + "-\u{10FFFF}").count() + 1
                let receipt = ReceiptNumber.make(township: township, date: today, sequence: sequence)
                let c = ApplicationCase(household: household, receipt: receipt, channel: channel,
                                        windowName: takenAtName, submittedBy: actor.username, on: today)
                c.windowID = takenAt
                c.singlePersonID = single
                c.blacklistHit = !hits.isEmpty
                c.blacklistNote = hits.map { "\(Masking.name($0.name))：\($0.reason)" }.joined(separator: "；")
                try await c.create(on: tx)
                let cid = try c.requireID()
                for kind in DeclarationKind.allCases {
                    let signer = (input.signers?[kind.rawValue] ?? "").trimmingCharacters(in: .whitespaces)
                    guard !signer.isEmpty else { continue }
                    let d = CaseDeclaration()
                    d.caseID = cid
                    d.kind = kind
                    d.signerName = String(signer.prefix(30))
                    d.signedAtMs = now
                    d.recordedBy = actor.username
                    d.truthNote = ""
                    try await d.create(on: tx)
                }
                for record in files {
                    record.caseID = cid
                    try await record.create(on: tx)
                }
                // 二.七: every application is matched against the relatives registry at once.
                let flagged = try await RelativesRegistry.match(households: [hid], source: "application", on: today, tx: tx)
                let entry = AuditEntry(actor: actor.audit, action: "case.submitted", entityType: "case", entityID: cid.uuidString,
                                       areaCode: c.villageCode, detail: ["receipt": c.receipt, "household": hid.uuidString, "channel": channel,
                                                                         "blacklist_hit": String(c.blacklistHit), "evidence": String(evidence.count),
                                                                         "relative_flags": String(flagged)])
                return (c, [entry])
            }
        } catch {
            // All or nothing: files written for a case that did not land are removed.
            for record in files { try? FileManager.default.removeItem(atPath: storage + "/" + record.storedName) }
            throw error
        }
    }
}

/// An evidence file as uploaded, before it is trusted.
struct EvidenceUpload: Sendable {
    var kind: String
    var filename: String
    var data: Data

    static let kinds = ["household_registration", "income", "assets", "other"]
    /// PDF and the two photo formats phones and scanners produce, recognised by content, not by name.
    static let signatures: [(type: String, bytes: [UInt8])] = [("application/pdf", Array("%PDF".utf8)), ("image/jpeg", [0xFF, 0xD8, 0xFF]), ("image/png", [0x89, 0x50, 0x4E, 0x47])]

    var contentType: String? {
        Self.signatures.first { sig in data.count >= sig.bytes.count && Array(data.prefix(sig.bytes.count)) == sig.bytes }?.type
    }

    func problems(max: Int) -> [FieldRefusal] {
        var out: [FieldRefusal] = []
        let label = Phrase("intake.refusal_evidence_file", filename)
        if !Self.kinds.contains(kind) {
            out.append(.init(field: "evidence.kind", rule: "evidence.kind", Phrase("intake.refusal_evidence_kind")))
        }
        if data.isEmpty {
            out.append(.init(field: "evidence.file", rule: "evidence.empty", .labelled(label, Phrase("intake.refusal_evidence_empty"))))
        } else if data.count > max {
            out.append(.init(field: "evidence.file", rule: "evidence.size", .labelled(label, Phrase("intake.refusal_evidence_size", max / 1024 / 1024))))
        } else if contentType == nil {
            // The formats are named as they are written in every language.
            out.append(.init(field: "evidence.file", rule: "evidence.type", .labelled(label, Phrase("intake.refusal_evidence_type", "PDF", "JPEG", "PNG"))))
        }
        return out
    }

    /// Writes the file under a random name (the uploaded name is kept only as a label,
    /// cleaned of path characters) and returns its record.
    func store(in directory: String, by username: String) throws -> EvidenceFile {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = UUID().uuidString.lowercased()
        let path = directory + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "evidence storage is not writable")
        }
        let record = EvidenceFile()
        record.kind = kind
        record.filename = String(filename.split(whereSeparator: { "/\\".contains($0) }).last.map(String.init)?.prefix(100) ?? "file")
        record.contentType = contentType ?? "application/octet-stream"
        record.size = data.count
        record.sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        record.storedName = name
        record.uploadedBy = username
        return record
    }
}
