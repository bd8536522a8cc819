import Fluent
import SQLKit
import Vapor
import DibaoCore

struct ChangeReportInput: Content {
    var reportedOn: String?
    /// "village" or "township".
    var channel: String?
    /// Comma-separated `ChangeKind` values, or the form's checkboxes; empty: no change.
    var kinds: [String]?
    var text: String?
}

/// 书面报告 (二.六): an enrolled household reports changes in members, income, assets or work,
/// through the village assistant or at the township, at least once per reporting period.
/// A report naming a change opens a review; a report of no change only restarts the period.
/// A household past its period is on the missed-report list, from which the township may
/// ask the county for an early review (`EarlyReviews`).
enum ChangeReports {
    static let maxText = 2000

    static func record(enrolled id: UUID?, input: ChangeReportInput, ctx: ServiceContext) async throws -> ChangeReport {
        guard [.villageAssistant, .townshipCaseworker, .townshipHead].contains(ctx.actor.role) else {
            try await ctx.forbidden(target: "change_report.record", entityType: "enrolled_household", entityID: id?.uuidString ?? "")
        }
        let e = try await EnrollmentWorkflow.visible(id, ctx: ctx)
        var problems: [FieldRefusal] = []
        var kinds: [ChangeKind] = []
        for k in (input.kinds ?? []).flatMap({ $0.split(separator: ",") }).map({ String($0).trimmingWhitespace() }) where !k.isEmpty {
            if let v = ChangeKind(rawValue: k) { if !kinds.contains(v) { kinds.append(v) } } else {
                problems.append(FieldRefusal(field: "kinds", rule: "change_report.kind", .labelled(Phrase("report.refusal_label_kinds"), Phrase("report.refusal_not_a_choice", k))))
            }
        }
        let channel = input.channel ?? (ctx.actor.role == .villageAssistant ? "village" : "township")
        if !["village", "township"].contains(channel) {
            problems.append(FieldRefusal(field: "channel", rule: "change_report.channel", .labelled(Phrase("report.refusal_label_channel"), Phrase("report.refusal_channel"))))
        }
        var reported = ctx.today
        do {
            if let d = try CaseSteps.date(input.reportedOn, field: "reported_on", label: Phrase("case.refusal_date_label_reported")) { reported = d }
        } catch let r as FieldRefusal { problems.append(r) }
        if reported > ctx.today {
            problems.append(FieldRefusal(field: "reported_on", rule: "date.future", .labelled(Phrase("enr.reported_on"), Phrase("review.refusal_not_after_today"))))
        }
        let text = (input.text ?? "").trimmingWhitespace()
        if text.count > maxText {
            problems.append(FieldRefusal(field: "text", rule: "text.too_long", .labelled(Phrase("report.refusal_label_text"), Phrase("report.refusal_too_long", maxText))))
        }
        if !kinds.isEmpty && text.isEmpty {
            problems.append(FieldRefusal(field: "text", rule: "change_report.text_required", .labelled(Phrase("report.refusal_label_text"), Phrase("report.refusal_text_required"))))
        }
        if e.status == .exited {
            problems.append(FieldRefusal(field: "household", rule: "review.household_exited", Phrase("report.refusal_household_exited")))
        }
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw FormRefused(problems: problems) }
        let reportedOn = reported
        let changes = kinds
        return try await ctx.audit.write(on: ctx.db) { tx in
            guard let current = try await EnrolledHousehold.find(e.id, on: tx) else { throw Abort(.notFound) }
            let r = ChangeReport()
            r.enrolledID = current.id!
            r.householdID = current.householdID
            r.stamp(from: current)
            r.reportedOn = reportedOn.iso
            r.channel = channel
            r.kinds = changes.map(\.rawValue).joined(separator: ",")
            r.text = text
            r.recordedBy = ctx.actor.username
            try await r.create(on: tx)
            var events = [AuditEntry(actor: ctx.actor.audit, action: "change_report.recorded", entityType: "change_report", entityID: String(r.id ?? 0),
                                     areaCode: current.villageCode, detail: ["enrolled": current.id!.uuidString, "kinds": r.kinds, "channel": channel])]
            if reportedOn.iso > current.lastReportOn {
                current.lastReportOn = reportedOn.iso
                current.version += 1
                try await current.save(on: tx)
                events.append(AuditEntry(actor: ctx.actor.audit, action: "enrolled.reported", entityType: "enrolled_household",
                                         entityID: current.id!.uuidString, areaCode: current.villageCode, detail: ["last_report_on": reportedOn.iso]))
            }
            // A reported change is reviewed (二.六); the system opens the review for the county
            // so the township's queue shows it, unless one is already under way.
            let open = try await ReviewCase.query(on: tx).filter(\.$enrolledID == current.id!).filter(\.$stage ~~ ReviewWorkflow.openStages).first()
            if !changes.isEmpty {
                if let open {
                    r.reviewID = open.id
                } else {
                    let system = StaffActor.system(area: ctx.actor.area, actingAs: .countyCaseworker, job: "change-report")
                    let sctx = ServiceContext(db: ctx.db, env: ctx.env, audit: ctx.audit, actor: system, lang: ctx.lang, origin: ctx.origin, actingOn: ctx.actingOn)
                    let (review, event) = try await ReviewWorkflow.open(current, trigger: .changeReport, triggerID: String(r.id ?? 0),
                                                                        finding: changes.map { $0.zh }.joined(separator: "、") + "：" + text, ctx: sctx, tx: tx)
                    r.reviewID = review.id
                    events.append(event)
                }
                try await r.save(on: tx)
            }
            return (r, events)
        }
    }

    struct Missed: Sendable, Encodable {
        var enrolledID: String; var householdID: String; var villageCode: String; var head: String
        var lastReportOn: String; var dueOn: String; var earlyReviewAsked: Bool
    }

    /// Households in the actor's area past their reporting period (二.六), oldest report first.
    static func missed(ctx: ServiceContext, limit: Int = 500) async throws -> [Missed] {
        let policy = ctx.policy(on: ctx.today)
        // Due means `last_report_on + period < today`, i.e. `last_report_on < today − period`.
        let cutoff = ctx.today.adding(months: -policy.reportingPeriodMonths).iso
        let rows = try await EnrolledHousehold.query(on: ctx.db).within(ctx.actor.area).filter(\.$status != .exited)
            .filter(\.$lastReportOn < cutoff).sort(\.$lastReportOn).limit(limit).all()
        let households = Dictionary(uniqueKeysWithValues: try await Household.query(on: ctx.db).filter(\.$id ~~ rows.map(\.householdID)).all().map { ($0.id!, $0) })
        let asked = Set(try await EarlyReviewRequest.query(on: ctx.db).filter(\.$enrolledID ~~ rows.compactMap(\.id))
            .filter(\.$stage == .requested).all().map(\.enrolledID))
        let sensitive = ctx.actor.may(.viewSensitive)
        return rows.map { e in
            let name = households[e.householdID]?.headName ?? ""
            return Missed(enrolledID: e.id!.uuidString, householdID: e.householdID.uuidString, villageCode: e.villageCode,
                          head: sensitive ? name : Masking.name(name), lastReportOn: e.lastReportOn,
                          dueOn: ReviewCalendar.reportDue(since: CivilDate(iso: e.lastReportOn) ?? ctx.today, policy: policy).iso,
                          earlyReviewAsked: asked.contains(e.id!))
        }
    }
}

/// 报请旗县提前复核 (二.六): the township asks, the county accepts (which opens a review
/// that appears in the township's queue) or declines with its reason.
enum EarlyReviews {
    static func request(enrolled id: UUID?, reason: String, ctx: ServiceContext) async throws -> EarlyReviewRequest {
        try await Kernel.allow(EarlyReviewMachine.self, .request, ctx: ctx, entityType: "enrolled_household", entityID: id?.uuidString ?? "")
        let e = try await EnrollmentWorkflow.visible(id, ctx: ctx)
        let reason = reason.trimmingWhitespace()
        return try await ctx.audit.write(on: ctx.db) { tx in
            guard let current = try await EnrolledHousehold.find(e.id, on: tx) else { throw Abort(.notFound) }
            let open = try await ReviewCase.query(on: tx).filter(\.$enrolledID == current.id!).filter(\.$stage ~~ ReviewWorkflow.openStages).count()
            let r = EarlyReviewRequest()
            r.enrolledID = current.id!
            r.householdID = current.householdID
            r.stamp(from: current)
            r.stage = .requested
            r.version = 1
            r.reason = String(reason.prefix(1000))
            r.requestedBy = ctx.actor.username
            r.requestedOn = ctx.today.iso
            r.answer = ""
            r.answeredBy = ""
            let event = try await Kernel.open(r, action: .request, ctx: ctx, policy: ctx.policy(on: ctx.today),
                                              facts: EarlyReviewFacts(reason: reason, householdExited: current.status == .exited, reviewOpen: open > 0),
                                              reason: reason, detail: ["enrolled": current.id!.uuidString], tx: tx)
            return (r, [event])
        }
    }

    static func answer(_ action: EarlyReviewAction, request id: Int?, reason: String, ctx: ServiceContext) async throws -> EarlyReviewRequest {
        let reason = reason.trimmingWhitespace()
        return try await Kernel.perform(action, on: EarlyReviewRequest.self, id: id, ctx: ctx, notFound: "error.early_review_not_found", reason: reason,
                                        record: { r, _ in
            r.answer = String(reason.prefix(1000))
            r.answeredBy = ctx.actor.username
            r.answeredOn = ctx.today.iso
        }, facts: { r, tx in
            let e = try await EnrolledHousehold.find(r.enrolledID, on: tx)
            let open = try await ReviewCase.query(on: tx).filter(\.$enrolledID == r.enrolledID).filter(\.$stage ~~ ReviewWorkflow.openStages).count()
            return EarlyReviewFacts(reason: reason, householdExited: e?.status == .exited, reviewOpen: open > 0)
        }, effects: { r, tx in
            guard action == .accept, let e = try await EnrolledHousehold.find(r.enrolledID, on: tx) else { return [] }
            let (review, event) = try await ReviewWorkflow.open(e, trigger: .earlyReview, triggerID: String(r.id ?? 0), finding: r.reason,
                                                                reason: reason, ctx: ctx, tx: tx)
            r.reviewID = review.id
            return [event]
        })
    }
}
