import Fluent
import Vapor
import DibaoCore

/// `/api/v1` for dynamic management (二.六): the same services, rules, scoping and masking as the pages.
struct EnrollmentAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("reviews", use: queue)
        routes.write("reviews", "due-list", guard: .permission(.workReviews), use: dueList)
        routes.get("reviews", ":id", use: review)
        routes.write("reviews", ":id", "steps", ":action", guard: .permission(.workReviews), use: step)
        routes.write("reviews", "early", ":id", ":answer", guard: .permission(.workReviews), use: answerEarly)
        routes.get("enrolled", ":id", use: enrolled)
        routes.get("enrolled", ":id", "decisions", ":decision", "letter") { req in try await EnrollmentPages.letter(req) }
        routes.write("enrolled", ":id", "reviews", guard: .permission(.workReviews), use: openReview)
        routes.write("enrolled", ":id", "reports", guard: .permission(.reportChanges), use: report)
        routes.write("enrolled", ":id", "early-review", guard: .permission(.workReviews), use: requestEarly)
    }

    func queue(req: Request) async throws -> [ReviewQueries.Row] {
        let actor = try await req.require(.readHouseholds)
        return try await ReviewQueries.queue(ctx: req.context(actor), all: req.query[String.self, at: "all"] == "1",
                                             search: String((req.query[String.self, at: "q"] ?? "").prefix(50)))
    }

    struct RunView: Content { var id: String; var month: String; var opened: Int }

    func dueList(req: Request) async throws -> RunView {
        let actor = try await req.require(.workReviews)
        guard actor.area.level == .county, [.countyCaseworker, .countyApprover].contains(actor.role) else {
            try await req.recordDenial(actor, target: "review.due_list", entityType: "route", entityID: req.url.path)
            throw Abort(.forbidden, reason: req.l10n("error.forbidden"))
        }
        let form = try req.content.decode(EnrollmentPages.MonthForm.self)
        guard let month = CivilDate(iso: (form.month ?? "") + "-01") else {
            throw FieldRefusal(field: "month", rule: "date.month", Phrase("enr.month_invalid"))
        }
        let run = try await DueList.run(month: month, area: actor.area, app: req.application)
        return RunView(id: run.id, month: String(run.month.iso.prefix(7)), opened: run.opened)
    }

    func review(req: Request) async throws -> ReviewView {
        let actor = try await req.require(.readHouseholds)
        let ctx = req.context(actor)
        let r = try await Kernel.visible(ReviewCase.self, req.parameters.get("id", as: Int.self), ctx: ctx, notFound: "error.review_not_found")
        return try await ReviewView.load(r, ctx: ctx)
    }

    func step(req: Request) async throws -> ReviewView {
        let actor = try await req.require(.workReviews)
        guard let action = req.parameters.get("action").flatMap(ReviewAction.init(rawValue:)), action != .open else { throw Abort(.notFound) }
        let ctx = req.context(actor)
        let r = try await ReviewWorkflow.perform(action, review: req.parameters.get("id", as: Int.self), input: try req.content.decode(ReviewInput.self), ctx: ctx)
        return try await ReviewView.load(r, ctx: ctx)
    }

    struct EarlyView: Content { var id: Int; var stage: String; var reviewID: Int? }

    func answerEarly(req: Request) async throws -> EarlyView {
        let actor = try await req.require(.workReviews)
        guard let action = req.parameters.get("answer").flatMap(EarlyReviewAction.init(rawValue:)), action != .request else { throw Abort(.notFound) }
        let form = try req.content.decode(EnrollmentPages.ReasonForm.self)
        let r = try await EarlyReviews.answer(action, request: req.parameters.get("id", as: Int.self), reason: form.reason ?? "", ctx: req.context(actor))
        return EarlyView(id: r.id ?? 0, stage: r.stage.rawValue, reviewID: r.reviewID)
    }

    func enrolled(req: Request) async throws -> EnrolledView {
        let actor = try await req.require(.readHouseholds)
        let ctx = req.context(actor)
        return try await EnrolledView.load(try await EnrollmentPages.enrolledRecord(req, ctx: ctx), ctx: ctx)
    }

    func openReview(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        let ctx = req.context(actor)
        let e = try await EnrollmentPages.enrolledRecord(req, ctx: ctx)
        let form = try req.content.decode(EnrollmentPages.ReasonForm.self)
        let r = try await ReviewWorkflow.open(enrolled: e.id, reason: form.reason ?? "", ctx: ctx)
        return try await ReviewView.load(r, ctx: ctx).encodeResponse(status: .created, for: req)
    }

    struct ReportView: Content { var id: Int; var reviewID: Int? }

    func report(req: Request) async throws -> Response {
        let actor = try await req.require(.reportChanges)
        let ctx = req.context(actor)
        let e = try await EnrollmentPages.enrolledRecord(req, ctx: ctx)
        let r = try await ChangeReports.record(enrolled: e.id, input: try req.content.decode(ChangeReportInput.self), ctx: ctx)
        return try await ReportView(id: r.id ?? 0, reviewID: r.reviewID).encodeResponse(status: .created, for: req)
    }

    func requestEarly(req: Request) async throws -> Response {
        let actor = try await req.require(.workReviews)
        let ctx = req.context(actor)
        let e = try await EnrollmentPages.enrolledRecord(req, ctx: ctx)
        let form = try req.content.decode(EnrollmentPages.ReasonForm.self)
        let r = try await EarlyReviews.request(enrolled: e.id, reason: form.reason ?? "", ctx: ctx)
        return try await EarlyView(id: r.id ?? 0, stage: r.stage.rawValue, reviewID: r.reviewID).encodeResponse(status: .created, for: req)
    }
}
