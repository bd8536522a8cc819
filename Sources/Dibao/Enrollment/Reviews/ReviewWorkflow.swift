import Fluent
import SQLKit
import Vapor
import DibaoCore

/// What a review step's form or API call carries.
struct ReviewInput: Content {
    var reason: String?
    // The visit (入户调查、邻里访问)
    var visitKind: String?
    var visitors: String?
    var visitedOn: String?
    var notes: String?
    /// "<member id>.<income kind>" → monthly yuan, as on the investigation form.
    var incomes: [String: String]?
    var useVerifiedIncome: String?
    var incomeStable: String?
    // The proposal and the decision
    var outcome: String?
    var amount: String?
    var exitReason: String?
}

/// 复核 (二.六) through the workflow kernel: opened (by the due list, a change report, an
/// accepted early review, the periodic verification, or by hand), visited by the township
/// with incomes re-verified and the benefit recalculated, proposed by its head, decided
/// by the county. The decision is the enrolled household's next benefit decision, from
/// the whole month the policy sets, and it sets the review class and the next review.
enum ReviewWorkflow {
    static let openStages: [ReviewStage] = [.opened, .visited, .proposed]

    /// Opens a review of `e` inside the caller's transaction.
    static func open(_ e: EnrolledHousehold, trigger: ReviewTrigger, triggerID: String, finding: String = "", reason: String = "",
                     ctx: ServiceContext, tx: any Database) async throws -> (ReviewCase, AuditEntry) {
        let open = try await ReviewCase.query(on: tx).filter(\.$enrolledID == e.id!).filter(\.$stage ~~ openStages).count()
        let r = ReviewCase()
        r.enrolledID = e.id!
        r.householdID = e.householdID
        r.stamp(from: e)
        r.stage = .opened
        r.version = 1
        r.trigger = trigger
        r.triggerID = triggerID
        r.finding = String(finding.prefix(2000))
        r.dueMonth = ctx.today.firstOfMonth.iso
        r.openedOn = ctx.today.iso
        r.openedBy = ctx.actor.username
        r.visitors = ""
        r.notes = ""
        r.incomeStable = true
        r.breakdown = ""
        r.reason = reason
        r.decidedBy = ""
        let facts = ReviewFacts(today: ctx.today, reason: reason, currentAmount: Money(fen: e.monthlyFen),
                                householdSuspended: e.status == .suspended, householdExited: e.status == .exited, reviewOpen: open > 0)
        let event = try await Kernel.open(r, action: .open, ctx: ctx, policy: ctx.policy(on: ctx.today), facts: facts, reason: reason,
                                          detail: ["trigger": trigger.rawValue, "trigger_id": triggerID, "enrolled": e.id!.uuidString], tx: tx)
        return (r, event)
    }

    /// Opens a review of the enrolled household `id` by hand (township or county staff).
    static func open(enrolled id: UUID?, reason: String, ctx: ServiceContext) async throws -> ReviewCase {
        let e = try await EnrollmentWorkflow.visible(id, ctx: ctx)
        try await Kernel.allow(ReviewMachine.self, .open, ctx: ctx, entityType: "enrolled_household", entityID: e.id!.uuidString)
        let trigger: ReviewTrigger = .manual
        return try await ctx.audit.write(on: ctx.db) { tx in
            guard let current = try await EnrolledHousehold.find(e.id, on: tx) else { throw Abort(.notFound) }
            let (r, event) = try await open(current, trigger: trigger, triggerID: "", reason: reason.trimmingWhitespace(), ctx: ctx, tx: tx)
            return (r, [event])
        }
    }

    /// One step of review `id`.
    @discardableResult
    static func perform(_ action: ReviewAction, review id: Int?, input: ReviewInput, ctx: ServiceContext) async throws -> ReviewCase {
        let reason = (input.reason ?? "").trimmingWhitespace()
        switch action {
        case .open: throw Abort(.badRequest)
        case .recordVisit: return try await recordVisit(id, input: input, reason: reason, ctx: ctx)
        case .propose, .decide:
            let proposal = try proposal(input, ctx: ctx)
            return try await Kernel.perform(action, on: ReviewCase.self, id: id, ctx: ctx, notFound: "error.review_not_found", reason: reason,
                                            detail: ["outcome": proposal.outcome?.rawValue ?? ""],
                                            record: { r, tx in
                if let o = proposal.outcome { r.outcome = o }
                if let amount = proposal.amount {
                    r.proposedFen = amount.fen
                } else if action == .propose, let o = r.outcome {
                    // Unless typed, keeping means the amount in force and a change means the recalculated one.
                    let current = try await EnrolledHousehold.find(r.enrolledID, on: tx)?.monthlyFen
                    r.proposedFen = o == .keep ? current : [.raise, .lower].contains(o) ? r.computedFen : nil
                }
                if let x = proposal.exitReason { r.exitReason = x }
                if !reason.isEmpty { r.reason = reason }
            }, facts: { r, tx in try await facts(r, reason: r.reason, ctx: ctx, tx: tx) },
               effects: { r, tx in action == .decide ? try await decide(r, ctx: ctx, tx: tx) : [] })
        case .returnToTownship, .cancel:
            return try await Kernel.perform(action, on: ReviewCase.self, id: id, ctx: ctx, notFound: "error.review_not_found", reason: reason,
                                            record: { r, _ in r.reason = reason },
                                            facts: { r, tx in try await facts(r, reason: reason, ctx: ctx, tx: tx) })
        }
    }

    private struct Proposal: Sendable { var outcome: ReviewOutcome?; var amount: Money?; var exitReason: ExitReason? }

    private static func proposal(_ input: ReviewInput, ctx: ServiceContext) throws -> Proposal {
        var problems: [FieldRefusal] = []
        var p = Proposal()
        if let o = input.outcome, !o.isEmpty {
            if let v = ReviewOutcome(rawValue: o) { p.outcome = v } else {
                problems.append(FieldRefusal(field: "outcome", rule: "review.outcome", .labelled(Phrase("enr.outcome"), Phrase("review.refusal_choose_one"))))
            }
        }
        if let x = input.exitReason, !x.isEmpty {
            if let v = ExitReason(rawValue: x) { p.exitReason = v } else {
                problems.append(FieldRefusal(field: "exit_reason", rule: "review.exit_reason", .labelled(Phrase("enr.exit_reason"), Phrase("review.refusal_choose_one"))))
            }
        }
        do { p.amount = try CaseSteps.money(input.amount, field: "amount") } catch let r as FieldRefusal { problems.append(r) } catch {
            problems.append(FieldRefusal(field: "amount", rule: "money.format", .labelled(Phrase("enr.monthly"), Phrase("review.refusal_amount_format"))))
        }
        if let amount = p.amount, amount > ctx.policy(on: ctx.today).maximumItemAmount {
            problems.append(FieldRefusal(field: "amount", rule: "money.maximum", .labelled(Phrase("enr.monthly"), Phrase("review.refusal_amount_above_limit"))))
        }
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw FormRefused(problems: problems) }
        return p
    }

    /// 入户调查 / 邻里访问: who visited and how, each member's incomes re-verified (from the
    /// form, or the latest verification report), and the benefit recalculated exactly as the
    /// application's investigation does.
    private static func recordVisit(_ id: Int?, input: ReviewInput, reason: String, ctx: ServiceContext) async throws -> ReviewCase {
        let found = try await Kernel.visible(ReviewCase.self, id, ctx: ctx, notFound: "error.review_not_found")
        try await Kernel.allow(ReviewMachine.self, .recordVisit, ctx: ctx, entityType: "review", entityID: String(found.id ?? 0))
        var problems: [FieldRefusal] = []
        let kind = input.visitKind.flatMap { VisitKind(rawValue: $0) }
        if let k = input.visitKind, !k.isEmpty, kind == nil {
            problems.append(FieldRefusal(field: "visit_kind", rule: "review.visit_kind", .labelled(Phrase("enr.visit_kind"), Phrase("review.refusal_visit_kind_choose"))))
        }
        var visited = ctx.today
        do {
            if let d = try CaseSteps.date(input.visitedOn, field: "visited_on", label: Phrase("case.refusal_date_label_review")) { visited = d }
        } catch let r as FieldRefusal { problems.append(r) }
        if visited > ctx.today {
            problems.append(FieldRefusal(field: "visited_on", rule: "date.future", .labelled(Phrase("review.refusal_label_visited_on"), Phrase("review.refusal_not_after_today"))))
        }
        guard let household = try await Household.find(found.householdID, on: ctx.db) else { throw Abort(.notFound) }
        let single = try await EnrolledHousehold.find(found.enrolledID, on: ctx.db)?.singlePersonID
        let (assessed, incomeProblems) = try await HouseholdBenefit.assess(household, incomes: input.incomes, useVerified: StepInput.flag(input.useVerifiedIncome),
                                                                           today: ctx.today, policy: ctx.policy(on: ctx.today), onlyMember: single, db: ctx.db)
        problems += incomeProblems
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw FormRefused(problems: problems) }
        guard let assessment = assessed else { throw Abort(.internalServerError) }
        let visitedOn = visited
        let visitors = Investigators.names(input.visitors ?? "")
        let stable = input.incomeStable.map { StepInput.flag($0) } ?? true
        return try await Kernel.perform(.recordVisit, on: ReviewCase.self, id: id, ctx: ctx, notFound: "error.review_not_found", reason: reason,
                                        detail: ["amount": String(assessment.result.amount.fen), "visit_kind": kind?.rawValue ?? "",
                                                 "income_from": assessment.fromCheck ? "verification" : "form"],
                                        record: { r, _ in
            r.visitKind = kind
            r.visitors = visitors.joined(separator: "、")
            r.visitedOn = visitedOn.iso
            r.notes = String((input.notes ?? "").prefix(1000))
            r.incomeStable = stable
            r.computedFen = assessment.result.amount.fen
            r.breakdown = assessment.breakdown
        }, facts: { r, tx in try await facts(r, reason: reason, ctx: ctx, tx: tx) })
    }

    static func facts(_ r: ReviewCase, reason: String, ctx: ServiceContext, tx: any Database) async throws -> ReviewFacts {
        guard let e = try await EnrolledHousehold.find(r.enrolledID, on: tx) else { throw Abort(.notFound) }
        var f = ReviewFacts(today: ctx.today, reason: reason, visitors: Investigators.names(r.visitors).count, visitKind: r.visitKind,
                            computedAmount: r.computedFen.map(Money.init(fen:)), currentAmount: Money(fen: e.monthlyFen),
                            householdSuspended: e.status == .suspended, outcome: r.outcome,
                            proposedAmount: r.proposedFen.map(Money.init(fen:)), exitReason: r.exitReason,
                            householdExited: e.status == .exited)
        if try await RelativeFlag.query(on: tx).filter(\.$householdID == e.householdID).count() > 0, let rid = r.id {
            f.focusedCheckMissing = try await FocusedCheck.query(on: tx).filter(\.$reviewID == rid).count() == 0
        }
        return f
    }

    /// The county's decision: a benefit decision from the policy's month, the class the
    /// review found, and the next review counted from the month the decision applies.
    private static func decide(_ r: ReviewCase, ctx: ServiceContext, tx: any Database) async throws -> [AuditEntry] {
        guard let e = try await EnrolledHousehold.find(r.enrolledID, on: tx), let outcome = r.outcome else { throw Abort(.notFound) }
        let policy = ctx.policy(on: ctx.today)
        if [.keep, .raise, .lower].contains(outcome), let amount = r.proposedFen.map(Money.init(fen:)) {
            // The same ceiling and reason rule as the application's approval (二.二.4).
            try DecidedAmount.check(amount, calculation: r.benefitResult, calculated: r.computedFen.map(Money.init(fen:)), reason: r.reason)
        }
        let from = BenefitDecision.effectiveMonth(decidedOn: ctx.today, policy: policy)
        // 渐退期 (2021 第三十四条): under a version that allows it, a household leaving because its
        // income rose above the standard keeps its amount for the version's months, and the
        // exit takes effect after them; other exits, and versions without it, end at `from`.
        let gradual = outcome == .end && r.exitReason == .incomeAboveStandard && e.status == .enrolled ? policy.procedure.gradualExitMonths : 0
        let (decision, _) = outcome.decision(amount: r.proposedFen.map(Money.init(fen:)), from: from.adding(months: gradual), suspended: e.status == .suspended)
        let all = try await Member.query(on: tx).filter(\.$household.$id == e.householdID).all()
        let members = e.singlePersonID.map { id in all.filter { $0.id == id } } ?? all
        let newClass = HouseholdBenefit.reviewClass(members, incomeStable: r.incomeStable, today: ctx.today, policy: policy)
        e.reviewClass = newClass
        e.nextReviewOn = ReviewCalendar.nextReview(after: from, class: newClass, kind: e.kind, policy: policy).iso
        let (record, event) = try await EnrollmentWorkflow.decide(
            decision, for: e, basis: .init(reason: r.reason, exitReason: outcome == .end ? r.exitReason : nil, inputs: r.breakdown,
                                           source: .review, sourceID: String(r.id ?? 0)), ctx: ctx, tx: tx)
        r.decidedOn = ctx.today.iso
        r.decidedBy = ctx.actor.username
        r.decisionID = record.id
        var more = [event]
        if gradual > 0 {
            more.append(AuditEntry(actor: ctx.actor.audit, action: "review.gradual_exit", entityType: "household", entityID: e.householdID.uuidString,
                                   areaCode: e.villageCode, detail: ["months": String(gradual), "paid_until": from.adding(months: gradual - 1).iso,
                                                                     "exit_from": from.adding(months: gradual).iso, "policy_version": policy.version]))
        }
        more += try await ComplaintWorkflow.reviewConcluded(r, ctx: ctx, tx: tx)
        // Another review still open on the household ends with this decision when it exits.
        if outcome == .end {
            for other in try await ReviewCase.query(on: tx).filter(\.$enrolledID == e.id!).filter(\.$stage ~~ openStages).filter(\.$id != r.id!).all() {
                other.stage = .cancelled
                other.version += 1
                try await other.save(on: tx)
                more.append(Kernel.event(ReviewCase.self, "cancel", other, ctx: ctx, reason: "exited", detail: ["by_review": String(r.id ?? 0)]))
            }
        }
        return more
    }
}
