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

    static func load(_ e: EnrolledHousehold, ctx: ServiceContext) async throws -> EnrolledView {
        let lang = ctx.lang
        let policy = ctx.policy(on: ctx.today)
        let names = try await ReviewQueries.names(for: [e.householdID], ctx: ctx)
        let decisions = try await BenefitDecisionRecord.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id).all()
        let reviews = try await ReviewCase.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id, .descending).limit(50).all()
        let reports = try await ChangeReport.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id, .descending).limit(50).all()
        let early = try await EarlyReviewRequest.query(on: ctx.db).filter(\.$enrolledID == e.id!).sort(\.$id, .descending).limit(20).all()
        let lastReport = CivilDate(iso: e.lastReportOn) ?? ctx.today
        return EnrolledView(
            id: e.id!.uuidString, householdID: e.householdID.uuidString, head: names[e.householdID] ?? "", villageCode: e.villageCode,
            status: e.status.rawValue, statusName: e.status.name(lang), exitReason: e.exitReason?.name(lang) ?? "",
            reviewClass: e.reviewClass.rawValue, reviewClassName: lang == .zh ? e.reviewClass.zh : e.reviewClass.en,
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
                                             answer: $0.answer, requestedOn: $0.requestedOn) })
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
                                        kind: kind.rawValue, label: lang == .zh ? kind.zh : kind.en, value: fen == 0 ? "" : Money(fen: fen).plain))
                }
            }
        }
        let result = r.benefitResult
        var lines: [Line] = []
        if let result {
            lines = [Line(label: lang == .zh ? "保障标准 × 人数" : "Standard × members", amount: result.standardTotal.formatted),
                     Line(label: lang == .zh ? "家庭月收入" : "Household income", amount: result.householdIncome.formatted),
                     Line(label: lang == .zh ? "月保障金额" : "Monthly benefit", amount: result.amount.formatted)]
        }
        let steps = ReviewAction.allCases.filter { $0 != .open && ReviewMachine.from($0).contains(r.stage) && ReviewMachine.roles(for: $0).contains(ctx.actor.role) }
        return ReviewView(
            id: r.id ?? 0, enrolledID: r.enrolledID.uuidString, householdID: r.householdID.uuidString, head: names[r.householdID] ?? "",
            villageCode: r.villageCode, stage: r.stage.rawValue, stageName: r.stage.name(lang), trigger: r.trigger.rawValue,
            triggerName: r.trigger.name(lang), finding: r.finding, dueMonth: String(r.dueMonth.prefix(7)), openedOn: r.openedOn, openedBy: r.openedBy,
            currentAmount: Money(fen: e.monthlyFen).formatted, householdStatus: e.status.name(lang),
            visitKind: r.visitKind.map { lang == .zh ? $0.zh : $0.en } ?? "", visitors: r.visitors, visitedOn: r.visitedOn ?? "", notes: r.notes,
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
