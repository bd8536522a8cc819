import Fluent
import Vapor
import DibaoCore

/// 两榜公示 (二.三). The first notice (township: investigation, evaluation and review
/// results) hangs in the village for the policy period; the second (county, after
/// approval: members, income, amount) is long-term, on the spot and online. What a
/// notice shows is fixed when it is posted and already masked: names as 张*明, and
/// nothing about ID numbers, phone, address detail, health or disability.
enum Notices {
    static func postFirst(caseID: UUID?, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let today = req.dibao.clock.today()
        let days = req.dibao.policy(on: today).firstNoticeDays
        return try await CaseWorkflow.perform(.postFirstNotice, caseID: caseID, by: actor, on: req) { c, tx in
            c.firstNoticePostedOn = today.iso
            let notice = try await make(.first, for: c, amountFen: c.proposedAmountFen ?? 0, on: tx)
            notice.postedOn = today.iso
            notice.endsOn = today.adding(days: days - 1).iso
            let evaluation = "民主评议：赞成\(c.votesFor)票，反对\(c.votesAgainst)票，弃权\(c.votesAbstain)票"
            notice.summary = "入户调查：已完成；\(evaluation)；乡镇审核：同意，拟保障金额 \(Money(fen: c.proposedAmountFen ?? 0).formatted)/月"
            try await notice.create(on: tx)
        }
    }

    static func postSecond(caseID: UUID?, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let today = req.dibao.clock.today()
        return try await CaseWorkflow.perform(.postSecondNotice, caseID: caseID, by: actor, on: req) { c, tx in
            c.secondNoticePostedOn = today.iso
            // The first notice has served its period; the long-term notice replaces it.
            for old in try await Notice.query(on: tx).filter(\.$caseID == c.id!).filter(\.$kind == .first).all() {
                old.active = false
                try await old.save(on: tx)
            }
            let notice = try await make(.second, for: c, amountFen: c.approvedAmountFen ?? 0, on: tx)
            notice.postedOn = today.iso
            notice.endsOn = nil
            notice.summary = ""
            try await notice.create(on: tx)
        }
    }

    /// 纳入保障: amount, first month, review class and next review date (二.六).
    static func enroll(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let today = req.dibao.clock.today()
        let policy = req.dibao.policy(on: today)
        let ctx = req.context(actor)
        return try await CaseWorkflow.perform(.enroll, caseID: caseID, ctx: ctx, effects: { c, tx in
            let all = try await Member.query(on: tx).filter(\.$household.$id == c.householdID).all()
            // 单人保: the review class is the one enrolled member's.
            let members = c.singlePersonID.map { id in all.filter { $0.id == id } } ?? all
            // Income counts as stable unless the caseworker says otherwise: the usual case for
            // the elderly, the disabled and pensioners who make up most of the caseload.
            let stable = input.incomeStable.map { StepInput.flag($0) } ?? true
            let reviewClass = HouseholdBenefit.reviewClass(members, incomeStable: stable, today: today, policy: policy)
            let first = c.firstMonth.flatMap { CivilDate(iso: $0) } ?? today.firstOfMonth
            let next = Enrollment.nextReviewDate(enrolledFrom: first, class: reviewClass, kind: c.kind, policy: policy)
            c.reviewClass = reviewClass
            c.nextReviewOn = next.iso
            if let household = try await Household.find(c.householdID, on: tx) {
                household.status = "enrolled"
                try await household.save(on: tx)
            }
            // Payment starts from the approved first month (二.二.5): the enrolled household's
            // first decision, from which the payroll's schedule is folded.
            return try await EnrollmentWorkflow.enroll(c, firstMonth: first, reviewClass: reviewClass, nextReview: next, ctx: ctx, tx: tx)
        })
    }

    private static func make(_ kind: NoticeKind, for c: ApplicationCase, amountFen: Int64, on db: any Database) async throws -> Notice {
        let all = try await Member.query(on: db).filter(\.$household.$id == c.householdID).sort(\.$position).all()
        // 单人保: the notice names the one member enrolled and counts one person.
        let members = c.singlePersonID.map { id in all.filter { $0.id == id } } ?? all
        let head = members.first { $0.relation == .head } ?? members.first
        let n = Notice()
        n.caseID = c.id!
        n.kind = kind
        n.regionCode = c.regionCode
        n.leagueCode = c.leagueCode
        n.countyCode = c.countyCode
        n.townshipCode = c.townshipCode
        n.villageCode = c.villageCode
        n.maskedHead = Masking.name(head?.name ?? "")
        n.maskedMembers = members.map { Masking.name($0.name) }.joined(separator: "、")
        n.memberCount = members.count
        n.monthlyIncomeFen = c.householdIncomeFen ?? 0
        n.amountFen = amountFen
        n.active = true
        return n
    }
}

