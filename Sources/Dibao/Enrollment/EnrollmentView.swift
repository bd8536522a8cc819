import Fluent
import Vapor
import DibaoCore

/// An enrolled household as its page and the API show it: status, class, next review,
/// reporting, decisions with their reasons, reviews, reports and early-review requests.
struct EnrolledView: Content {
    struct Decision: Content {
        var id: Int; var kind: String; var kindName: String; var from: String; var monthly: String
        var reason: String; var exitReason: String; var source: String; var sourceName: String
        var decidedOn: String; var decidedBy: String; var policyVersion: String
    }
    struct Report: Content { var id: Int; var reportedOn: String; var channel: String; var kinds: String; var text: String; var reviewID: Int? }
    struct Early: Content { var id: Int; var stage: String; var stageName: String; var reason: String; var answer: String; var requestedOn: String }
    /// One line of the household's history: a decision, a review opened or decided, a
    /// report, an early-review request — newest first.
    struct Event: Content { var on: String; var kind: String; var text: String; var who: String; var link: String }

    var id: String
    var householdID: String
    var head: String
    var villageCode: String
    var status: String
    var statusName: String
    var exitReason: String
    var reviewClass: String
    var reviewClassName: String
    var nextReviewOn: String
    var reviewOverdue: Bool
    var lastReportOn: String
    var reportDueOn: String
    var reportMissed: Bool
    var enrolledFrom: String
    var monthly: String
    var decisions: [Decision]
    var reviews: [ReviewQueries.Row]
    var reports: [Report]
    var earlyRequests: [Early]
    var timeline: [Event]
    /// A member is a registered close relative of a caseworker or cadre (二.七): every review needs a focused check.
    var relativeFlagged: Bool = false

    static func load(_ e: EnrolledHousehold, ctx: ServiceContext) async throws -> EnrolledView {
        var view = try await loadPlain(e, ctx: ctx)
        view.relativeFlagged = try await RelativeFlag.query(on: ctx.db).filter(\.$householdID == e.householdID).count() > 0
        return view
    }

    private static func loadPlain(_ e: EnrolledHousehold, ctx: ServiceContext) async throws -> EnrolledView {
        let lang = ctx.lang
        let policy = ctx.policy(on: ctx.today)
        let names = try await ReviewQueries.names(for: [e.householdID], ctx: ctx)
        let decisions = try await BenefitDecisionRecord.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id).all()
        let reviews = try await ReviewCase.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id, .descending).limit(50).all()
        let reports = try await ChangeReport.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id, .descending).limit(50).all()
        let early = try await EarlyReviewRequest.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id, .descending).limit(20).all()
        let lastReport = CivilDate(iso: e.lastReportOn) ?? ctx.today
        let hid = e.householdID.uuidString
        var timeline: [(Int, Event)] = []
        for d in decisions {
            let what = [d.kind.name(lang), String(d.fromMonth.prefix(7)), Money(fen: d.monthlyFen).formatted, d.exitReason?.name(lang) ?? "", d.reason]
            timeline.append((0, Event(on: d.decidedOn, kind: "decision", text: what.filter { !$0.isEmpty }.joined(separator: " · "), who: d.decidedBy,
                                      link: "/enrolled/\(hid)/decisions/\(d.id ?? 0)/letter")))
        }
        for r in reviews {
            timeline.append((1, Event(on: r.openedOn, kind: "review_opened", text: ctx.l10n("enr.review") + " · " + r.trigger.name(lang), who: r.openedBy,
                                      link: "/reviews/\(r.id ?? 0)")))
            if let on = r.decidedOn, let outcome = r.outcome {
                timeline.append((1, Event(on: on, kind: "review_decided", text: ctx.l10n("enr.review") + " · " + outcome.name(lang), who: r.decidedBy,
                                          link: "/reviews/\(r.id ?? 0)")))
            }
        }
        for r in reports {
            let kinds = r.kinds.split(separator: ",").compactMap { ChangeKind(rawValue: String($0))?.name(lang) }.joined(separator: "、")
            timeline.append((2, Event(on: r.reportedOn, kind: "report", text: ctx.l10n("enr.reports") + " · " + kinds, who: r.recordedBy,
                                      link: r.reviewID.map { "/reviews/\($0)" } ?? "")))
        }
        for x in early {
            timeline.append((3, Event(on: x.requestedOn, kind: "early_review", text: ctx.l10n("enr.early_requests") + " · " + x.stage.name(lang),
                                      who: x.requestedBy, link: x.reviewID.map { "/reviews/\($0)" } ?? "")))
        }
        // Newest first; on one day a decision before the review that made it.
        timeline.sort { ($0.1.on, -$0.0) > ($1.1.on, -$1.0) }
        return EnrolledView(
            id: e.id!.uuidString, householdID: e.householdID.uuidString, head: names[e.householdID] ?? "", villageCode: e.villageCode,
            status: e.status.rawValue, statusName: e.status.name(lang), exitReason: e.exitReason?.name(lang) ?? "",
            reviewClass: e.reviewClass.rawValue, reviewClassName: e.reviewClass.name(lang),
            nextReviewOn: e.nextReviewOn.map { String($0.prefix(7)) } ?? "",
            reviewOverdue: e.nextReviewOn.flatMap(CivilDate.init(iso:)).map { ReviewCalendar.isOverdue(nextReviewOn: $0, today: ctx.today) } ?? false,
            lastReportOn: e.lastReportOn, reportDueOn: ReviewCalendar.reportDue(since: lastReport, policy: policy).iso,
            reportMissed: e.status != .exited && ReviewCalendar.missedReport(since: lastReport, today: ctx.today, policy: policy),
            enrolledFrom: String(e.enrolledFrom.prefix(7)), monthly: Money(fen: e.status == .enrolled ? e.monthlyFen : 0).formatted,
            decisions: decisions.map { d in
                Decision(id: d.id ?? 0, kind: d.kind.rawValue, kindName: d.kind.name(lang), from: String(d.fromMonth.prefix(7)),
                         monthly: Money(fen: d.monthlyFen).formatted, reason: d.reason, exitReason: d.exitReason?.name(lang) ?? "",
                         source: d.source.rawValue, sourceName: d.source.name(lang), decidedOn: d.decidedOn, decidedBy: d.decidedBy,
                         policyVersion: d.policyVersion)
            },
            reviews: reviews.map { ReviewQueries.row($0, head: names[e.householdID] ?? "", ctx: ctx) },
            reports: reports.map { r in
                Report(id: r.id ?? 0, reportedOn: r.reportedOn, channel: r.channel,
                       kinds: r.kinds.split(separator: ",").compactMap { ChangeKind(rawValue: String($0))?.name(lang) }.joined(separator: "、"),
                       text: r.text, reviewID: r.reviewID)
            },
            earlyRequests: early.map { Early(id: $0.id ?? 0, stage: $0.stage.rawValue, stageName: $0.stage.name(lang), reason: $0.reason,
                                             answer: $0.answer, requestedOn: $0.requestedOn) },
            timeline: timeline.map(\.1))
    }
}

/// One review as its page and the API show it, with the steps the actor may take.
struct ReviewView: Content {
    struct Step: Content { var action: String; var title: String; var needsReason: Bool }
    struct Option: Content { var value: String; var label: String; var selected: Bool }
    struct Line: Content { var label: String; var amount: String }

    var id: Int
    var enrolledID: String
    var householdID: String
    var head: String
    var villageCode: String
    var stage: String
    var stageName: String
    var trigger: String
    var triggerName: String
    var finding: String
    /// A review opened by the periodic verification: its report and what it found.
    var reportID: String
    var contradictions: [String]
    var dueMonth: String
    var openedOn: String
    var openedBy: String
    var currentAmount: String
    var householdStatus: String
    var visitKind: String
    var visitors: String
    var visitedOn: String
    var notes: String
    var incomeStable: Bool
    var computed: String
    var breakdown: [Line]
    var outcome: String
    var outcomeName: String
    var proposed: String
    var exitReason: String
    var reason: String
    var decidedOn: String
    var decidedBy: String
    var steps: [Step]
    var incomeFields: [CaseView.IncomeField]
    var outcomes: [Option]
    var exitReasons: [Option]
    var today: String

    static func load(_ r: ReviewCase, ctx: ServiceContext) async throws -> ReviewView {
        let lang = ctx.lang
        guard let e = try await EnrolledHousehold.find(r.enrolledID, on: ctx.db) else { throw Abort(.notFound) }
        let names = try await ReviewQueries.names(for: [r.householdID], ctx: ctx)
        let sensitive = ctx.actor.may(.viewSensitive)
        var fields: [CaseView.IncomeField] = []
        if !r.stage.isTerminal {
            let members = try await Member.query(on: ctx.db).filter(\.$household.$id == r.householdID).sort(\.$position).all()
            let declared = try await IncomeRecord.query(on: ctx.db).filter(\.$householdID == r.householdID).all()
            for m in members {
                for kind in IncomeKind.allCases {
                    let fen = declared.filter { $0.$member.id == m.id && $0.kind == kind }.reduce(Int64(0)) { $0 + $1.monthlyFen }
                    fields.append(.init(key: "\(m.id!.uuidString).\(kind.rawValue)", member: sensitive ? m.name : Masking.name(m.name),
                                        kind: kind.rawValue, label: kind.name(lang), value: fen == 0 ? "" : Money(fen: fen).plain))
                }
            }
        }
        let result = r.benefitResult
        var lines: [Line] = []
        if let result {
            lines = [Line(label: Strings.text("enr.line_standard_members", lang), amount: result.standardTotal.formatted),
                     Line(label: Strings.text("enr.line_household_income", lang), amount: result.householdIncome.formatted),
                     Line(label: Strings.text("enr.line_monthly_benefit", lang), amount: result.amount.formatted)]
        }
        let found = try await PeriodicVerification.contradictions(of: r, ctx: ctx)
        let steps = ReviewAction.allCases.filter { $0 != .open && ReviewMachine.from($0).contains(r.stage) && ReviewMachine.roles(for: $0).contains(ctx.actor.role) }
        return ReviewView(
            id: r.id ?? 0, enrolledID: r.enrolledID.uuidString, householdID: r.householdID.uuidString, head: names[r.householdID] ?? "",
            villageCode: r.villageCode, stage: r.stage.rawValue, stageName: r.stage.name(lang), trigger: r.trigger.rawValue,
            triggerName: r.trigger.name(lang), finding: r.finding,
            reportID: found?.report.uuidString ?? "", contradictions: found?.lines ?? [], dueMonth: String(r.dueMonth.prefix(7)), openedOn: r.openedOn, openedBy: r.openedBy,
            currentAmount: Money(fen: e.monthlyFen).formatted, householdStatus: e.status.name(lang),
            visitKind: r.visitKind.map { $0.name(lang) } ?? "", visitors: r.visitors, visitedOn: r.visitedOn ?? "", notes: r.notes,
            incomeStable: r.incomeStable, computed: r.computedFen.map { Money(fen: $0).formatted } ?? "", breakdown: lines,
            outcome: r.outcome?.rawValue ?? "", outcomeName: r.outcome?.name(lang) ?? "",
            proposed: r.proposedFen.map { Money(fen: $0).plain } ?? "", exitReason: r.exitReason?.name(lang) ?? "", reason: r.reason,
            decidedOn: r.decidedOn ?? "", decidedBy: r.decidedBy,
            steps: steps.map { Step(action: $0.rawValue, title: $0.name(lang), needsReason: $0.needsReason) },
            incomeFields: fields,
            outcomes: ReviewOutcome.allCases.map { Option(value: $0.rawValue, label: $0.name(lang), selected: $0 == r.outcome) },
            exitReasons: ExitReason.allCases.map { Option(value: $0.rawValue, label: $0.name(lang), selected: $0 == r.exitReason) },
            today: ctx.today.iso)
    }
}

/// 纳入/变更/停发通知书 (二.六): the letter the township hands the household for one benefit
/// decision — what was decided, from which month, why, on which policy, and the household's
/// remedies (reconsideration or suit, with the periods the policy version carries) and the
/// supervision phone. Printed on A4 from its own page.
struct DecisionLetter: Content {
    var decisionID: Int
    var householdID: String
    var number: String
    var title: String
    var kind: String
    var head: String
    var address: String
    var township: String
    var county: String
    var fromMonth: String
    var amount: String
    var reason: String
    var policy: String
    var appealDays: Int
    var litigationMonths: Int
    var phone: String
    var decidedOn: String
    var body: String
    var remedy: String
    var issuer: String

    static func load(_ d: BenefitDecisionRecord, enrolled e: EnrolledHousehold, ctx: ServiceContext) async throws -> DecisionLetter {
        let lang = ctx.lang
        func t(_ key: String, _ args: String...) -> String { Strings.text(key, lang, args) }
        // The letter is the household's own: whole name and address for staff who see
        // personal data, masked name and no address for the others (as on the household page).
        let household = try await Household.find(e.householdID, on: ctx.db)
        let sensitive = ctx.actor.may(.viewSensitive)
        let head = household.map { sensitive ? $0.headName : Masking.name($0.headName) } ?? ""
        let areas = try await PaymentPages.areaNames([e.countyCode, e.townshipCode], on: ctx.db)
        let decided = CivilDate(iso: d.decidedOn) ?? ctx.today
        let policy = ctx.policy(on: decided)
        let month = CivilDate(iso: d.fromMonth).map { t("enr.letter_month", "\($0.year)", lang == .en ? String(format: "%02d", $0.month) : "\($0.month)") } ?? d.fromMonth
        let amount = Money(fen: d.monthlyFen).formatted
        // The letter's kind names its title and body (纳入/变更/暂停/停止通知书, 二.六).
        let letterKind: String
        switch d.kind {
        case .enrolled: letterKind = "enrolled"
        case .changed, .kept, .resumed: letterKind = "changed"
        case .suspended: letterKind = "suspended"
        case .exited: letterKind = "exited"
        }
        let title = t("enr.letter_title_" + letterKind)
        let body = letterKind == "changed" ? t("enr.letter_body_changed", month, amount)
            : letterKind == "enrolled" ? t("enr.letter_body_enrolled", month, amount) : t("enr.letter_body_" + letterKind, month)
        let county = areas[e.countyCode] ?? e.countyCode
        let reason = [d.exitReason?.name(lang) ?? "", d.reason].filter { !$0.isEmpty }.joined(separator: t("enr.letter_reason_separator"))
        return DecisionLetter(
            decisionID: d.id ?? 0, householdID: e.householdID.uuidString,
            number: "\(e.countyCode.prefix(6))-\(decided.year)-\(String(format: "%06d", d.id ?? 0))",
            title: title, kind: d.kind.rawValue, head: head, address: sensitive ? household?.address ?? "" : "",
            township: areas[e.townshipCode] ?? e.townshipCode, county: county,
            fromMonth: month, amount: amount, reason: reason,
            policy: d.policyVersion.isEmpty ? policy.title : (ctx.env.policyBook.version(d.policyVersion)?.title ?? d.policyVersion),
            appealDays: policy.appealDays, litigationMonths: policy.litigationMonths, phone: policy.supervisionPhone,
            decidedOn: lang == .en ? decided.iso : t("enr.letter_decided_on", "\(decided.year)", "\(decided.month)", "\(decided.day)"), body: body,
            remedy: t("enr.letter_remedy", "\(policy.appealDays)", county, "\(policy.litigationMonths)", policy.supervisionPhone),
            issuer: t("enr.letter_issuer", county))
    }
}
