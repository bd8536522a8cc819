import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 定期核对 (二.六 "定期对低保家庭的收入、财产状况进行核对"): the county sends every enrolled
/// household of its area to the verification centre (a request of scope `enrolled`, purpose
/// `periodic`). When the centre has run it, each household whose report shows a
/// contradiction gets a review, opened by the system for the county, whose trigger names
/// the report — the review page shows the contradictions, and the township re-checks them
/// at home. A household already under review is not given a second one; the run's audit
/// event counts those. Running it again opens nothing twice (the report is the trigger).
enum PeriodicVerification {
    static let purpose = "periodic"

    struct Outcome: Sendable, Equatable {
        var opened: Int
        var alreadyUnderReview: Int
    }

    /// A report's id as a review's `trigger_id` holds it (upper-case text, as stored on SQLite).
    static func reportKey(_ column: String, _ sql: any SQLDatabase) -> String {
        sql.dialect.name == "sqlite" ? column : "UPPER(CAST(\(column) AS TEXT))"
    }

    /// Opens the reviews for request `requestID` (after its run), all in one transaction.
    @discardableResult
    static func openReviews(request requestID: UUID, app: Application) async throws -> Outcome {
        guard let request = try await VerificationRequest.find(requestID, on: app.db), request.purpose == purpose, request.status == "done" else {
            return Outcome(opened: 0, alreadyUnderReview: 0)
        }
        let area = try AreaCode(request.countyCode.isEmpty ? request.leagueCode : request.countyCode)
        let actor = StaffActor.system(area: area, actingAs: .countyCaseworker, job: "periodic-verification")
        let ctx = app.context(actor)
        return try await ctx.audit.write(on: ctx.db) { tx in
            let sql = tx as! any SQLDatabase
            // Flagged reports of enrolled or suspended households, not yet the trigger of a review.
            let rows = try await sql.raw("""
                SELECT r.id AS report_id, e.id AS enrolled_id FROM verification_reports r
                JOIN enrolled_households e ON e.household_id = r.household_id
                WHERE r.request_id = \(bind: requestID) AND r.contradictions > 0 AND e.status <> 'exited'
                  AND NOT EXISTS (SELECT 1 FROM reviews v WHERE v.trigger = \(bind: ReviewTrigger.verification.rawValue)
                                  AND v.trigger_id = \(unsafeRaw: reportKey("r.id", sql)))
                ORDER BY e.township_code, e.id
                """).all()
            var events: [AuditEntry] = []
            var outcome = Outcome(opened: 0, alreadyUnderReview: 0)
            for row in rows {
                let reportID = try row.decode(column: "report_id", as: UUID.self)
                guard let e = try await EnrolledHousehold.find(try row.decode(column: "enrolled_id", as: UUID.self), on: tx) else { continue }
                do {
                    let (_, event) = try await ReviewWorkflow.open(e, trigger: .verification, triggerID: reportID.uuidString,
                                                                   reason: "", ctx: ctx, tx: tx)
                    events.append(event)
                    outcome.opened += 1
                } catch let refusal as ReviewRefusal where refusal.reason == .reviewOpen {
                    outcome.alreadyUnderReview += 1
                }
            }
            events.append(AuditEntry(actor: actor.audit, action: "review.periodic_verification", entityType: "verification_request",
                                     entityID: requestID.uuidString, areaCode: area.value,
                                     detail: ["request": request.number, "opened": String(outcome.opened),
                                              "already_under_review": String(outcome.alreadyUnderReview)]))
            return (outcome, events)
        }
    }

    /// The contradictions of the report that opened review `r`, told in the reader's language.
    static func contradictions(of r: ReviewCase, ctx: ServiceContext) async throws -> (report: UUID, lines: [String])? {
        guard r.trigger == .verification, let id = UUID(uuidString: r.triggerID),
              let record = try await VerificationReportRecord.find(id, on: ctx.db), record.householdID == r.householdID else { return nil }
        let report = try record.decoded()
        return (id, report.contradictions.map { report.message($0, ctx.lang) })
    }
}
