import Fluent
import Foundation
import Vapor
import DibaoCore

/// The demo's dynamic management (二.六), made through the same services the offices use,
/// on the days it happened: in each demo township some households were reviewed earlier
/// this year and lowered, suspended or ended (so the replayed payrolls pay what those
/// decisions say), and today reviews stand at every stage — some overdue — beside reported
/// changes, early-review requests and a few missed reports.
enum DemoReviews {
    static let townships: [(township: String, caseworker: String, head: String, county: String, approver: String, village: String?)] = [
        ("150102001000", "xc_township", "xc_head", "xc_county", "xc_approver", "xc_village"),
        ("150122100000", "tk_township", "tk_head", "tk_county", "tk_approver", "tk_village"),
    ]

    static func seed(app: Application) async throws {
        let today = app.dibao.clock.today()
        // Decided in a month whose payroll the replay makes: early this year, at most three months back.
        let back = today.firstOfMonth.adding(months: -3)
        let decidedMonth = back.year == today.year ? back : CivilDate(year: today.year, month: 1, day: 1)!
        let decidedOn = CivilDate(year: decidedMonth.year, month: decidedMonth.month, day: 12)!
        for t in townships {
            func ctx(_ username: String, on date: CivilDate) async throws -> ServiceContext {
                guard let user = try await User.query(on: app.db).filter(\.$username == username).first(),
                      let actor = StaffActor(user, viaToken: false) else { throw Abort(.notFound, reason: "demo account \(username)") }
                return app.context(actor).on(date)
            }
            let h = try await EnrolledHousehold.query(on: app.db).filter(\.$townshipCode == t.township).filter(\.$status == .enrolled)
                .filter(\.$enrolledFrom < decidedMonth.iso).sort(\.$id).limit(14).all()
            guard h.count >= 14 else { continue }
            let township = try await ctx(t.caseworker, on: decidedOn), head = try await ctx(t.head, on: decidedOn)
            let county = try await ctx(t.county, on: decidedOn), approver = try await ctx(t.approver, on: decidedOn)

            /// A whole review decided on `decidedOn`: visit (with `extraWage` yuan more wages for
            /// the first member), proposal, decision.
            func review(_ e: EnrolledHousehold, extraWage: Int64 = 0, outcome chosen: ReviewOutcome? = nil, exit: ExitReason? = nil,
                        reason: String, until stage: ReviewStage = .decided, kind: VisitKind = .home, byHand: Bool = false) async throws {
                let r: ReviewCase
                if byHand {
                    r = try await ReviewWorkflow.open(enrolled: e.id, reason: reason, ctx: county)
                } else {
                    // Due by its class (分类复核): opened by the system for the county, as the
                    // monthly due list opens it, one household at a time through the kernel.
                    let system = app.context(StaffActor.system(area: county.actor.area, actingAs: .countyCaseworker, job: "review-schedule")).on(decidedOn)
                    r = try await system.audit.write(on: system.db) { tx in
                        let (opened, event) = try await ReviewWorkflow.open(e, trigger: .schedule, triggerID: "demo-\(decidedMonth.iso.prefix(7))", ctx: system, tx: tx)
                        return (opened, [event])
                    }
                }
                guard stage != .opened else { return }
                var visit = ReviewInput(visitKind: kind.rawValue, visitors: "张复核、刘复核", notes: "入户核实家庭成员、收入和财产情况")
                if extraWage > 0, let m = try await Member.query(on: app.db).filter(\.$household.$id == e.householdID).sort(\.$position).first() {
                    let wages = try await IncomeRecord.query(on: app.db).filter(\.$member.$id == m.id!).filter(\.$kind == .wages).all().reduce(Int64(0)) { $0 + $1.monthlyFen }
                    visit.incomes = ["\(m.id!.uuidString).wages": Money(fen: wages + extraWage * 100).plain]
                }
                let visited = try await ReviewWorkflow.perform(.recordVisit, review: r.id, input: visit, ctx: township)
                guard stage != .visited else { return }
                let current = Money(fen: e.monthlyFen), computed = Money(fen: visited.computedFen ?? e.monthlyFen)
                let outcome = chosen ?? (computed.isPositive ? (computed < current ? .lower : computed > current ? .raise : .keep) : .end)
                let input = ReviewInput(reason: reason, outcome: outcome.rawValue,
                                        exitReason: (exit ?? (outcome == .end ? .incomeAboveStandard : nil))?.rawValue)
                try await ReviewWorkflow.perform(.propose, review: r.id, input: input, ctx: head)
                guard stage != .proposed else { return }
                try await ReviewWorkflow.perform(.decide, review: r.id, input: ReviewInput(), ctx: approver)
            }

            // Earlier this year: decided, and paid accordingly from the next month.
            try await review(h[0], extraWage: 150, reason: "家庭成员就业，收入增加")
            try await review(h[1], outcome: .end, exit: .death, reason: "保障对象已死亡", kind: .neighbours)
            try await review(h[2], outcome: .suspend, reason: "全家外出，多次联系不上")
            try await review(h[3], outcome: .end, exit: .movedAway, reason: "户籍已迁出本旗县")
            // Overdue: the due list of that month opened reviews that stand unfinished today.
            _ = try await DueList.run(month: decidedMonth, area: try AreaCode(String(t.township.prefix(6)) + "000000"), app: app, actingOn: decidedOn)
            // Under way today, at every stage.
            let now = (township: try await ctx(t.caseworker, on: today), county: try await ctx(t.county, on: today),
                       approver: try await ctx(t.approver, on: today))
            let stages: [(EnrolledHousehold, ReviewStage)] = [(h[4], .proposed), (h[5], .visited), (h[6], .opened)]
            for (e, stage) in stages {
                if let open = try await ReviewCase.query(on: app.db).filter(\.$enrolledID == e.id!).filter(\.$stage ~~ ReviewWorkflow.openStages).first() {
                    try await advance(open, to: stage, township: township, head: head)
                } else {
                    try await review(e, reason: "例行复核", until: stage)
                }
            }
            // Returned by the county for another visit; one cancelled.
            try await review(h[7], reason: "收入情况核实", until: .proposed)
            if let r = try await openReview(h[7], app) {
                try await ReviewWorkflow.perform(.returnToTownship, review: r.id, input: ReviewInput(reason: "未核实儿子的务工收入，请补充邻里访问"), ctx: now.approver)
            }
            try await review(h[8], reason: "乡镇发起复核", until: .opened, byHand: true)
            if let r = try await openReview(h[8], app) {
                try await ReviewWorkflow.perform(.cancel, review: r.id, input: ReviewInput(reason: "重复启动"), ctx: now.county)
            }
            // A reported change (through the village assistant) opens a review today.
            if try await openReview(h[9], app) == nil {
                // Through the village assistant when the household is in that assistant's village.
                var assistant: ServiceContext?
                if let v = t.village { assistant = try await ctx(v, on: today) }
                let reporter = assistant.flatMap { $0.actor.area.value == h[9].villageCode ? $0 : nil } ?? now.township
                _ = try await ChangeReports.record(enrolled: h[9].id, input: ChangeReportInput(kinds: ["income", "employment"], text: "户主到县城务工，月工资约 2000 元"), ctx: reporter)
            }
            // Early reviews: one waiting for the county, one accepted.
            if try await openReview(h[10], app) == nil {
                _ = try await EarlyReviews.request(enrolled: h[10].id, reason: "连续两期未报告家庭变化，群众反映有经营收入", ctx: now.township)
            }
            if try await openReview(h[11], app) == nil {
                let asked = try await EarlyReviews.request(enrolled: h[11].id, reason: "邻居反映家中新购车辆", ctx: now.township)
                _ = try await EarlyReviews.answer(.accept, request: asked.id, reason: "同意提前复核", ctx: now.county)
            }
            // Reports: every household of the township reported within its period except the last two.
            // (A province-sized demo leaves its townships' reports as enrollment set them.)
            let all = try await EnrolledHousehold.query(on: app.db).filter(\.$townshipCode == t.township).filter(\.$status != .exited).sort(\.$id).limit(5001).all()
            guard all.count <= 5000 else { continue }
            for (i, e) in all.enumerated() where e.id != h[12].id && e.id != h[13].id && e.id != h[9].id {
                let day = today.adding(days: -(i % 60))
                _ = try await ChangeReports.record(enrolled: e.id, input: ChangeReportInput(reportedOn: day.iso, kinds: []), ctx: now.township)
            }
        }
    }

    private static func openReview(_ e: EnrolledHousehold, _ app: Application) async throws -> ReviewCase? {
        try await ReviewCase.query(on: app.db).filter(\.$enrolledID == e.id!).filter(\.$stage ~~ ReviewWorkflow.openStages).first()
    }

    private static func advance(_ r: ReviewCase, to stage: ReviewStage, township: ServiceContext, head: ServiceContext) async throws {
        if stage == .opened { return }
        if r.stage == .opened {
            try await ReviewWorkflow.perform(.recordVisit, review: r.id, input: ReviewInput(visitKind: "home", visitors: "张复核、刘复核"), ctx: township)
        }
        if stage == .proposed {
            try await ReviewWorkflow.perform(.propose, review: r.id, input: ReviewInput(outcome: "keep"), ctx: head)
        }
    }
}

