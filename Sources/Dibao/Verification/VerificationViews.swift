import Fluent
import SQLKit
import Vapor
import DibaoCore

/// A verification report as one reader may see it: full ID numbers and account numbers
/// only for roles with `viewSensitive`; masked everywhere else (SPEC "Cross-cutting").
struct VerificationReportView: Content {
    struct Line: Content {
        var source: String
        var sourceName: String
        var reference: String
        var label: String
        var date: String
        var amount: String
        var detail: String
    }
    struct MemberView: Content {
        var position: Int
        var name: String
        var idNumber: String
        var registration: String
        var declaredIncome: String
        var verifiedIncome: String
        var incomes: [String]
        var lines: [Line]
    }
    struct Total: Content { var kind: String; var label: String; var value: String }
    struct Finding: Content { var kind: String; var title: String; var text: String }

    var id: UUID
    var requestID: UUID
    var requestNumber: String
    var householdID: UUID
    var caseID: UUID?
    var headName: String
    var villageName: String
    var checkedOn: String
    var policyVersion: String
    var incomeMonths: Int
    var delivered: [String]
    var notDelivered: [String]
    var members: [MemberView]
    var totals: [Total]
    var verifiedMonthlyIncome: String
    var contradictions: [Finding]

    static func make(_ record: VerificationReportRecord, requestNumber: String, for actor: StaffActor, lang: Language, on db: any Database) async throws -> VerificationReportView {
        let report = try record.decoded()
        let full = actor.may(.viewSensitive)
        let village = try await Area.find(record.villageCode, on: db)
        let head = report.members.first
        func t(_ key: String, _ args: String...) -> String { Strings.text(key, lang, args) }
        let members = report.members.map { m in
            MemberView(
                position: m.position, name: full ? m.name : Masking.name(m.name), idNumber: full ? m.idNumber : Masking.idNumber(m.idNumber),
                registration: m.registration.map { $0.name(lang) } ?? (report.delivered.contains(.householdRegistration) ? t("verification.no_registration_record") : t("verification.not_delivered")),
                declaredIncome: m.declaredMonthlyIncome.formatted, verifiedIncome: m.verifiedMonthlyIncome.formatted,
                incomes: m.verifiedIncome.map { "\($0.kind.name(lang)) \($0.monthly.formatted)" },
                lines: m.lines.map { l in
                    Line(source: l.source.rawValue, sourceName: l.source.name(lang), reference: full ? l.reference : Self.maskReference(l.reference),
                         label: Self.label(l, lang), date: l.date.map { l.months > 0 ? String($0.iso.prefix(7)) : $0.iso } ?? "",
                         amount: l.amount.formatted, detail: Self.detail(l, lang))
                })
        }
        let tt = report.totals
        let totals: [Total] = [
            .init(kind: "income", label: t("verification.total_income"), value: tt.monthlyIncome.formatted),
            .init(kind: "financial_assets", label: t("verification.total_financial"), value: tt.financialAssets.formatted),
            .init(kind: "vehicles", label: t("verification.total_vehicles"), value: "\(tt.vehicles)" + (tt.exemptVehicles > 0 ? t("verification.vehicles_exempt", "\(tt.exemptVehicles)") : "") + " · " + tt.vehicleValue.formatted),
            .init(kind: "housing", label: t("verification.total_housing"), value: "\(tt.dwellings) · \(Money(fen: tt.floorArea).plain) m²"),
            .init(kind: "businesses", label: t("verification.total_businesses"), value: "\(tt.businesses) · \(tt.businessCapital.formatted)"),
            .init(kind: "provident_fund", label: t("verification.total_provident"), value: tt.providentBalance.formatted),
        ]
        return VerificationReportView(
            id: try record.requireID(), requestID: record.requestID, requestNumber: requestNumber, householdID: record.householdID, caseID: record.caseID,
            headName: head.map { full ? $0.name : Masking.name($0.name) } ?? "", villageName: village?.name ?? record.villageCode,
            checkedOn: report.checkedOn.iso, policyVersion: report.policyVersion, incomeMonths: report.incomeMonths,
            delivered: report.delivered.map { $0.name(lang) },
            notDelivered: DepartmentSource.allCases.filter { !report.delivered.contains($0) }.map { $0.name(lang) },
            members: members, totals: totals, verifiedMonthlyIncome: tt.monthlyIncome.formatted,
            contradictions: report.contradictions.map { .init(kind: $0.kind.rawValue, title: $0.kind.name(lang), text: report.message($0, lang)) })
    }

    /// Plates, accounts and certificates keep their last four characters.
    static func maskReference(_ s: String) -> String {
        s.count <= 4 ? s : String(repeating: "*", count: min(8, s.count - 4)) + s.suffix(4)
    }

    static func label(_ l: SourceLine, _ lang: Language) -> String {
        switch l.source {
        case .employment: return EmploymentItem(rawValue: l.label).map { $0.name(lang) } ?? l.label
        default: return l.label
        }
    }

    static func detail(_ l: SourceLine, _ lang: Language) -> String {
        if l.months > 0 { return Strings.format("verification.months_total", lang, "\(l.months)") }
        switch l.source {
        case .householdRegistration: return RegistrationStatus(rawValue: l.status).map { $0.name(lang) } ?? l.status
        case .vehicle, .housing:
            let area = l.source == .housing ? "\(Money(fen: l.quantity).plain) m² " : ""
            return area + (AssetStatus(rawValue: l.status) ?? .held).name(lang)
        case .business: return BusinessStatus(rawValue: l.status).map { $0.name(lang) } ?? l.status
        default: return ""
        }
    }
}

/// A request with the summary of each household's report.
struct VerificationRequestView: Content {
    struct Row: Content {
        var reportID: UUID
        var householdID: UUID
        var headName: String
        var villageCode: String
        var contradictions: Int
        var verifiedIncome: String
        var financialAssets: String
    }
    var id: UUID
    var number: String
    var centreCode: String
    var centreName: String
    var purpose: String
    var purposeName: String
    /// For a periodic check: how many reviews its contradictions opened (二.六 定期核对).
    var reviewsOpened: Int?
    var caseID: UUID?
    var householdCount: Int
    var status: String
    var statusName: String
    var requestedBy: String
    var requestedAt: String
    var note: String
    var runBy: String?
    var durationMs: Int64
    var contradictionHouseholds: Int
    var reports: [Row]
    var canRun: Bool

    static func make(_ r: VerificationRequest, for actor: StaffActor, lang: Language, on db: any Database, withReports: Bool = true) async throws -> VerificationRequestView {
        var rows: [Row] = []
        if withReports, r.status == "done" {
            let records = try await VerificationReportRecord.query(on: db).filter(\.$requestID == r.id!)
                .field(\.$id).field(\.$householdID).field(\.$villageCode).field(\.$contradictions).field(\.$verifiedIncomeFen).field(\.$financialAssetsFen)
                .sort(\.$contradictions, .descending).sort(\.$villageCode).limit(500).all()
            let heads = Dictionary(try await Household.query(on: db).filter(\.$id ~~ records.map(\.householdID)).all().map { ($0.id!, $0.headName) }, uniquingKeysWith: { a, _ in a })
            let full = actor.may(.viewSensitive)
            rows = records.map { rec in
                let name = heads[rec.householdID] ?? ""
                return Row(reportID: rec.id!, householdID: rec.householdID, headName: full ? name : Masking.name(name), villageCode: rec.villageCode,
                           contradictions: rec.contradictions, verifiedIncome: Money(fen: rec.verifiedIncomeFen).formatted,
                           financialAssets: Money(fen: rec.financialAssetsFen).formatted)
            }
        }
        var reviewsOpened: Int?
        if withReports, r.purpose == PeriodicVerification.purpose, r.status == "done", let sql = db as? any SQLDatabase {
            let key = PeriodicVerification.reportKey("id", sql)
            reviewsOpened = try await sql.raw("""
                SELECT COUNT(*) AS n FROM reviews WHERE trigger = \(bind: ReviewTrigger.verification.rawValue) AND trigger_id IN
                  (SELECT \(unsafeRaw: key) FROM verification_reports WHERE request_id = \(bind: r.id!) AND contradictions > 0)
                """).first()?.decode(column: "n", as: Int.self)
        }
        return VerificationRequestView(
            id: r.id!, number: r.number, centreCode: r.centreCode, centreName: try await VerificationCentre.name(r.centreCode, on: db),
            purpose: r.purpose, purposeName: Strings.text("verification.purpose_\(r.purpose)", lang), reviewsOpened: reviewsOpened, caseID: r.caseID, householdCount: r.householdCount, status: r.status,
            statusName: Strings.text(r.status == "done" ? "verification.request_done" : "verification.request_waiting", lang),
            requestedBy: r.requestedBy, requestedAt: Self.time(r.requestedAtMs), note: r.note, runBy: r.runBy, durationMs: r.durationMs,
            contradictionHouseholds: r.contradictionHouseholds, reports: rows,
            canRun: r.status == "pending" && actor.role == .verificationOfficer && actor.area.value == r.centreCode)
    }

    static func time(_ ms: Int64) -> String {
        let d = Date(timeIntervalSince1970: Double(ms) / 1000)
        let day = CivilDate.today(now: d)
        let seconds = Int((d.timeIntervalSince1970 + 8 * 3600).truncatingRemainder(dividingBy: 86_400))
        return day.iso + String(format: " %02d:%02d", seconds / 3600, seconds % 3600 / 60)
    }
}

/// A delivered batch and its error report.
struct DepartmentBatchView: Content {
    struct Problem: Content { var line: Int; var field: String; var rule: String; var message: String }
    var id: UUID
    var source: String
    var sourceName: String
    var department: String
    var period: String
    var fileName: String
    var checksum: String
    var encoding: String
    var rowsTotal: Int
    var rowsAccepted: Int
    var rowsRejected: Int
    var status: String
    var statusName: String
    var deliveredBy: String
    var channel: String
    var deliveredAt: String
    var durationMs: Int64
    var duplicate: Bool
    var problems: [Problem]

    static func make(_ b: DepartmentBatch, duplicate: Bool = false, problems: [RowProblem], lang: Language) -> DepartmentBatchView {
        return DepartmentBatchView(
            id: b.id!, source: b.source.rawValue, sourceName: b.source.name(lang), department: b.source.department, period: b.period,
            fileName: b.fileName, checksum: b.checksum, encoding: b.encoding, rowsTotal: b.rowsTotal, rowsAccepted: b.rowsAccepted,
            rowsRejected: b.rowsRejected, status: b.status,
            statusName: Strings.text(b.status == "accepted" ? "verification.batch_accepted" : "verification.batch_refused", lang),
            deliveredBy: b.deliveredBy, channel: b.channel, deliveredAt: VerificationRequestView.time(b.createdAtMs), durationMs: b.durationMs,
            duplicate: duplicate,
            problems: problems.map { .init(line: $0.line, field: $0.field, rule: $0.rule, message: $0.message(lang)) })
    }

    static func load(_ b: DepartmentBatch, lang: Language, on db: any Database, limit: Int = 1_000) async throws -> DepartmentBatchView {
        let errors = try await DepartmentBatchError.query(on: db).filter(\.$batchID == b.id!).sort(\.$line).limit(limit).all()
        return make(b, problems: errors.map { RowProblem.stored(line: $0.line, field: $0.field, rule: $0.rule, message: $0.message) }, lang: lang)
    }
}

/// The latest report of a case's household, as the case page shows it to the township
/// reviewer and the county approver (二.五 results used in 二.二.2–二.二.4).
struct CaseVerification: Content {
    var reportID: UUID?
    var requestNumber: String?
    var checkedOn: String?
    var verifiedIncome: String?
    var contradictions: [VerificationReportView.Finding]
    var pending: Bool
    var canRequest: Bool

    static func load(caseID: UUID, householdID: UUID, decided: Bool, for actor: StaffActor, lang: Language, on db: any Database) async throws -> CaseVerification? {
        let canRequest = actor.may(.requestVerification) && !decided
        guard actor.may(.readVerification) || canRequest else { return nil }
        let latest = try await VerificationReportRecord.query(on: db).filter(\.$householdID == householdID).sort(\.$checkedOn, .descending).first()
        let pending = try await VerificationRequest.query(on: db).filter(\.$caseID == caseID).filter(\.$status == "pending").count() > 0
        guard let latest else { return CaseVerification(contradictions: [], pending: pending, canRequest: canRequest && !pending) }
        let report = try latest.decoded()
        let number = try await VerificationRequest.find(latest.requestID, on: db)?.number
        return CaseVerification(
            reportID: latest.id, requestNumber: number, checkedOn: latest.checkedOn, verifiedIncome: report.totals.monthlyIncome.formatted,
            contradictions: report.contradictions.map { .init(kind: $0.kind.rawValue, title: $0.kind.name(lang), text: report.message($0, lang)) },
            pending: pending, canRequest: canRequest && !pending)
    }
}

/// The verified income of a household's latest report, by member position and kind —
/// what the investigation may take as the proposed benefit's income (二.二.2 with 二.五).
enum VerificationIncome {
    static func latest(householdID: UUID, on db: any Database) async throws -> [Int: [IncomeKind: Money]]? {
        guard let record = try await VerificationReportRecord.query(on: db).filter(\.$householdID == householdID)
            .sort(\.$checkedOn, .descending).first() else { return nil }
        let report = try record.decoded()
        var out: [Int: [IncomeKind: Money]] = [:]
        for m in report.members {
            for line in m.verifiedIncome { out[m.position, default: [:]][line.kind] = line.monthly }
        }
        return out
    }
}
