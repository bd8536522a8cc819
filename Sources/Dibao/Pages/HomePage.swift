import Fluent
import Vapor
import DibaoCore

/// Each role's start page: where the account sits, the size of its area's register,
/// what it can do, and (for roles that read the log) the latest activity in its area.
struct HomePage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    struct Link: Encodable { var href: String; var label: String }
    struct Body: Encodable {
        var role: String
        var area: String
        var households: Int?
        var links: [Link]
        var events: [HistoryRow]
        /// The cases waiting for this role, oldest deadline first (the same queue as /cases).
        var rows: [CaseRow]
        var waiting: Int
        var overdue: Int
        /// From 1 November, county staff and the administrator are told when next year's
        /// holiday calendar is missing (issue 15): their deadlines would be provisional.
        var calendarWarning: String?
    }

    func home(req: Request) async throws -> Response {
        guard let actor = req.actor else { return req.redirect(to: "/login") }
        var households: Int?
        var links: [Link] = []
        if actor.may(.readHouseholds) {
            // Over a county or a league this counts hundreds of thousands of rows: kept
            // until the next change in the area, like a page.
            let area = actor.area
            households = try await req.responseCache.value(area: area, "home.households|\(area.value)") {
                try await Household.query(on: req.db).within(area).count()
            }
            links.append(Link(href: "/households", label: req.l10n("nav.households")))
        }
        if actor.may(.writeHouseholds) { links.append(Link(href: "/households/new", label: req.l10n("nav.new_household"))) }
        var events: [HistoryRow] = []
        if actor.may(.readAudit) {
            let range = actor.area.subtreeCodes
            events = try await AuditEvent.query(on: req.db)
                .filter(\.$areaCode >= range.lowerBound)
                .filter(\.$areaCode <= range.upperBound)
                .sort(\.$id, .descending).limit(10).all().map {
                    HistoryRow(seq: $0.id ?? 0, when: ShanghaiTime.minute($0.occurredAt), who: $0.actorName,
                               action: AuditActions.label($0.action, req.lang), reason: $0.reason, detail: $0.entityType)
                }
        }
        var queue: [ApplicationCase] = []
        var overdue = 0
        if actor.may(.readHouseholds) {
            queue = try await CaseQueues.queue(for: actor, on: req)
            overdue = try await CaseQueues.overdue(for: actor, on: req).count
            links.append(Link(href: "/cases", label: req.l10n("nav.cases")))
        }
        if CaseMachine.roles(for: .drawSpotCheck).contains(actor.role) { links.append(Link(href: "/approval", label: req.l10n("nav.approval"))) }
        if actor.may(.administerPolicy) { links.append(Link(href: "/admin", label: req.l10n("nav.admin"))) }
        if actor.may(.manageStandards) { links.append(Link(href: "/admin/standards", label: req.l10n("admin.standards"))) }
        if actor.may(.manageStandards) { links.append(Link(href: "/admin/conditions", label: req.l10n("conditions.admin_title"))) }
        if actor.may(.readPerformance) { links.append(Link(href: "/performance", label: req.l10n("perf.title"))) }
        if actor.may(.manageWorkGuarantees) { links.append(Link(href: "/admin/staffing", label: req.l10n("perf.staffing_title"))) }
        if actor.may(.manageServiceNetwork) { links.append(Link(href: "/admin/network", label: req.l10n("network.title"))) }
        let countyStaff = actor.area.level <= .county && actor.role != .departmentClerk
        let warning = countyStaff ? HolidayCalendars.missingNextYear(env: req.dibao, today: req.dibao.clock.today())
            .map { Strings.format("calendar.missing_next_year", req.lang, String($0)) } : nil
        let areaName = try await Area.find(actor.area.value, on: req.db)?.name ?? actor.area.value
        return try await req.render("home", title: req.l10n("home.title"), Body(
            role: actor.role.name(req.lang), area: areaName, households: households, links: links, events: events,
            rows: try await CaseRow.rows(Array(queue.prefix(10)), for: actor, on: req), waiting: queue.count, overdue: overdue, calendarWarning: warning))
    }
}
