import Fluent
import Vapor
import DibaoCore

/// Pages of dynamic management (二.六): the review queue with the early-review requests,
/// missed reports and the twelve-month review calendar; one review with the steps the
/// actor may take; one enrolled household with its decisions, reviews and reports.
struct EnrollmentPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("reviews", use: queue)
        routes.write("reviews", "due-list", guard: .permission(.workReviews), use: dueList)
        routes.get("reviews", ":id", use: review)
        routes.write("reviews", ":id", "steps", ":action", guard: .permission(.workReviews), use: step)
        routes.write("reviews", "early", ":id", ":answer", guard: .permission(.workReviews), use: answerEarly)
        routes.get("enrolled", ":id", use: enrolled)
        routes.get("enrolled", ":id", "decisions", ":decision", "letter", use: letter)
        routes.write("enrolled", ":id", "reviews", guard: .permission(.workReviews), use: openReview)
        routes.write("enrolled", ":id", "reports", guard: .permission(.reportChanges), use: report)
        routes.write("enrolled", ":id", "early-review", guard: .permission(.workReviews), use: requestEarly)
    }

    struct Problem: Encodable { var field: String; var message: String }

    static func problems(_ error: any Error, lang: Language) -> [Problem]? {
        if let f = error as? FormRefused { return f.problems.map { Problem(field: $0.field, message: $0.message(lang)) } }
        if let r = error as? any Refusal { return [Problem(field: r.field, message: r.message(lang))] }
        return nil
    }

    // MARK: Queue

    struct QueuePage: Encodable {
        struct Month: Encodable { var month: String; var due: Int }
        var rows: [ReviewQueries.Row]
        var prev: String?
        var next: String?
        var all: Bool
        var q: String
        var early: [ReviewQueries.EarlyRow]
        var missed: [ChangeReports.Missed]
        var calendar: [Month]
        var canRunDueList: Bool
        var month: String
        var done: String?
        var problems: [Problem]
    }

    /// Read far more often than it changes: cached per session (the page carries the
    /// session's form token) until the next change anywhere, like the case queue.
    func queue(req: Request) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let key = "reviews|\(req.dibao.clock.today().iso)|\(req.session.id?.string ?? actor.userID.uuidString)|\(req.lang)|"
            + "\(req.query[String.self, at: "all"] ?? "")|\(String((req.query[String.self, at: "q"] ?? "").prefix(50)))|\(req.query[String.self, at: "done"] ?? "")|\(Self.page(req))"
        return try await req.responseCache.response(area: actor.area, key, for: req) { try await queuePage(req, problems: []) }
    }

    /// The queue's page number from `?page=`, bounded (a page past the end is simply empty).
    static func page(_ req: Request) -> Int {
        min(max(1, req.query[Int.self, at: "page"] ?? 1), 10_000)
    }

    func queuePage(_ req: Request, problems: [Problem]) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let ctx = req.context(actor)
        let all = req.query[String.self, at: "all"] == "1"
        let q = String((req.query[String.self, at: "q"] ?? "").prefix(50))
        let county = actor.area.level == .county && [.countyCaseworker, .countyApprover].contains(actor.role)
        // One page of the queue, oldest due first; one row more tells whether a next page exists.
        let page = Self.page(req), size = ReviewQueries.pageRows
        var rows = try await ReviewQueries.queue(ctx: ctx, all: all, search: q, offset: (page - 1) * size, limit: size + 1)
        let more = rows.count > size
        if more { rows.removeLast() }
        func link(_ p: Int) -> String {
            var query = ["page=\(p)"]
            if all { query.append("all=1") }
            if !q.isEmpty { query.append("q=" + (q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")) }
            return "/reviews?" + query.joined(separator: "&")
        }
        let r = try await req.render("enrollment/queue", title: req.l10n("enr.queue"), QueuePage(
            rows: rows, prev: page > 1 ? link(page - 1) : nil, next: more ? link(page + 1) : nil,
            all: all, q: q,
            early: actor.may(.workReviews) && EarlyReviewMachine.roles(for: .accept).contains(actor.role) ? try await ReviewQueries.earlyRequests(ctx: ctx) : [],
            missed: try await ChangeReports.missed(ctx: ctx, limit: 50),
            calendar: try await ReviewQueries.calendar(ctx: ctx).map { .init(month: String($0.month.iso.prefix(7)), due: $0.due) },
            canRunDueList: county, month: String(ctx.today.firstOfMonth.iso.prefix(7)),
            done: req.query[String.self, at: "done"], problems: problems))
        if !problems.isEmpty { r.status = .unprocessableEntity }
        return r
    }

    struct MonthForm: Content { var month: String? }

    /// The county runs the month's due list (the system opens the reviews for it).
    func dueList(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        guard actor.area.level == .county, [.countyCaseworker, .countyApprover].contains(actor.role) else {
            try await req.recordDenial(actor, target: "review.due_list", entityType: "route", entityID: req.url.path)
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        let form = try req.content.decode(MonthForm.self)
        guard let month = CivilDate(iso: (form.month ?? "") + "-01") else {
            return try await queuePage(req, problems: [Problem(field: "month", message: req.l10n("enr.month_invalid"))])
        }
        let run = try await DueList.run(month: month, area: actor.area, app: req.application)
        return req.redirect(to: "/reviews?all=1&done=\(run.opened)")
    }

    // MARK: One review

    struct ReviewPage: Encodable { var r: ReviewView; var done: String?; var problems: [Problem]; var input: ReviewInput? }

    func review(req: Request) async throws -> Response {
        try await reviewPage(req, problems: [], input: nil)
    }

    func reviewPage(_ req: Request, problems: [Problem], input: ReviewInput?) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let ctx = req.context(actor)
        let r = try await Kernel.visible(ReviewCase.self, req.parameters.get("id", as: Int.self), ctx: ctx, notFound: "error.review_not_found")
        let res = try await req.render("enrollment/review", title: req.l10n("enr.review"),
                                       ReviewPage(r: try await ReviewView.load(r, ctx: ctx), done: req.query[String.self, at: "done"],
                                                  problems: problems, input: input))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    func step(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        guard let action = req.parameters.get("action").flatMap(ReviewAction.init(rawValue:)), action != .open else { throw Abort(.notFound) }
        let id = req.parameters.get("id", as: Int.self)
        let input = try req.content.decode(ReviewInput.self)
        do {
            try await ReviewWorkflow.perform(action, review: id, input: input, ctx: req.context(actor))
        } catch {
            guard let problems = Self.problems(error, lang: req.lang) else { throw error }
            return try await reviewPage(req, problems: problems, input: input)
        }
        return req.redirect(to: "/reviews/\(id ?? 0)?done=\(action.rawValue)")
    }

    struct ReasonForm: Content { var reason: String? }

    func answerEarly(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        guard let action = req.parameters.get("answer").flatMap(EarlyReviewAction.init(rawValue:)), action != .request else { throw Abort(.notFound) }
        let form = try req.content.decode(ReasonForm.self)
        do {
            let answered = try await EarlyReviews.answer(action, request: req.parameters.get("id", as: Int.self), reason: form.reason ?? "", ctx: req.context(actor))
            if let review = answered.reviewID { return req.redirect(to: "/reviews/\(review)?done=open") }
        } catch {
            guard let problems = Self.problems(error, lang: req.lang) else { throw error }
            return try await queuePage(req, problems: problems)
        }
        return req.redirect(to: "/reviews?done=\(action.rawValue)")
    }

    // MARK: One enrolled household

    struct EnrolledPage: Encodable {
        struct Option: Encodable { var value: String; var label: String }
        var e: EnrolledView
        var canOpen: Bool
        var canReport: Bool
        var canAskEarly: Bool
        var changeKinds: [Option]
        var today: String
        var done: String?
        var problems: [Problem]
    }

    /// The enrolled household of household `:household` (its latest enrollment).
    static func enrolledRecord(_ req: Request, ctx: ServiceContext) async throws -> EnrolledHousehold {
        guard let hid = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound, reason: ctx.l10n("error.enrolled_not_found")) }
        let found = try await EnrolledHousehold.query(on: ctx.db).filter(\.$householdID == hid).sort(\.$enrolledFrom, .descending).first()
        return try await EnrollmentWorkflow.visible(found?.id ?? UUID(), ctx: ctx)
    }

    func enrolled(req: Request) async throws -> Response {
        try await enrolledPage(req, problems: [])
    }

    func enrolledPage(_ req: Request, problems: [Problem]) async throws -> Response {
        let actor = try await req.require(.readHouseholds)
        let ctx = req.context(actor)
        let e = try await Self.enrolledRecord(req, ctx: ctx)
        let live = e.status != .exited
        let res = try await req.render("enrollment/enrolled", title: req.l10n("enr.household"), EnrolledPage(
            e: try await EnrolledView.load(e, ctx: ctx),
            canOpen: live && ReviewMachine.roles(for: .open).contains(actor.role),
            canReport: live && actor.may(.reportChanges),
            canAskEarly: live && EarlyReviewMachine.roles(for: .request).contains(actor.role),
            changeKinds: ChangeKind.allCases.map { .init(value: $0.rawValue, label: $0.name(req.lang)) },
            today: ctx.today.iso, done: req.query[String.self, at: "done"], problems: problems))
        if !problems.isEmpty { res.status = .unprocessableEntity }
        return res
    }

    /// The printable letter of one of the household's decisions.
    func letter(req: Request) async throws -> Response {
        let letter = try await Self.letter(req)
        return try await req.render("enrollment/letter", title: letter.title, letter)
    }

    /// Decision `:decision` of the enrolled household of `:id`, as the visibility check allows.
    static func letter(_ req: Request) async throws -> DecisionLetter {
        let actor = try await req.require(.readHouseholds)
        let ctx = req.context(actor)
        let e = try await Self.enrolledRecord(req, ctx: ctx)
        guard let id = req.parameters.get("decision", as: Int.self), let d = try await BenefitDecisionRecord.find(id, on: ctx.db),
              d.householdID == e.householdID else { throw Abort(.notFound, reason: ctx.l10n("error.enrolled_not_found")) }
        return try await DecisionLetter.load(d, enrolled: e, ctx: ctx)
    }

    func openReview(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        let ctx = req.context(actor)
        let e = try await Self.enrolledRecord(req, ctx: ctx)
        let form = try req.content.decode(ReasonForm.self)
        do {
            let r = try await ReviewWorkflow.open(enrolled: e.id, reason: form.reason ?? "", ctx: ctx)
            return req.redirect(to: "/reviews/\(r.id ?? 0)?done=open")
        } catch {
            guard let problems = Self.problems(error, lang: req.lang) else { throw error }
            return try await enrolledPage(req, problems: problems)
        }
    }

    func report(req: Request) async throws -> Response {
        let actor = try await req.require(.reportChanges)
        let ctx = req.context(actor)
        let e = try await Self.enrolledRecord(req, ctx: ctx)
        let input = try req.content.decode(ChangeReportInput.self)
        do {
            let r = try await ChangeReports.record(enrolled: e.id, input: input, ctx: ctx)
            if let review = r.reviewID, actor.role != .villageAssistant { return req.redirect(to: "/reviews/\(review)?done=open") }
        } catch {
            guard let problems = Self.problems(error, lang: req.lang) else { throw error }
            return try await enrolledPage(req, problems: problems)
        }
        return req.redirect(to: "/enrolled/\(e.householdID.uuidString)?done=report")
    }

    func requestEarly(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        let ctx = req.context(actor)
        let e = try await Self.enrolledRecord(req, ctx: ctx)
        let form = try req.content.decode(ReasonForm.self)
        do {
            _ = try await EarlyReviews.request(enrolled: e.id, reason: form.reason ?? "", ctx: ctx)
        } catch {
            guard let problems = Self.problems(error, lang: req.lang) else { throw error }
            return try await enrolledPage(req, problems: problems)
        }
        return req.redirect(to: "/enrolled/\(e.householdID.uuidString)?done=early")
    }
}
