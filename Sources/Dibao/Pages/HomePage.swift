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
    /// One kind of work waiting for this role (issue 16): how many, the oldest first, and
    /// where to do it.
    struct WorkItem: Encodable {
        var id: String
        var label: String
        var count: Int
        var oldest: String?
        var href: String
    }
    struct Body: Encodable {
        var role: String
        var area: String
        var households: Int?
        var links: [Link]
        var events: [HistoryRow]
        /// The cases waiting for this role, oldest deadline first (the same queue as /cases).
        var rows: [CaseRow]
        /// What waits for the role besides applications: payrolls to release, bank files to
        /// collect and results to return, failed payments to settle, checks to run, what is
        /// overdue in a supervisor's area.
        var work: [WorkItem]
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
            rows: try await CaseRow.rows(Array(queue.prefix(10)), for: actor, on: req), work: try await Self.work(for: actor, overdue: overdue, req),
            waiting: queue.count, overdue: overdue, calendarWarning: warning))
    }

    /// The role's own queue, from the same queries as the pages it leads to; only kinds with
    /// something waiting are listed.
    static func work(for actor: StaffActor, overdue: Int, _ req: Request) async throws -> [WorkItem] {
        var items: [WorkItem] = []
        func payrolls(_ stage: PayrollStage, id: String, label: String) async throws {
            let op = try await PaymentPages.op(req)
            var waiting = try await PaymentPages.payrollsQuery(for: op, on: req.db).filter(\.$stage == stage).sort(\.$period).all()
            // A bank sees only the payrolls that hold a file for it, as on the payments page.
            if let bank = op.bank {
                let mine = Set(try await PayrollBankFile.query(on: req.db).filter(\.$bankCode == bank).all().map(\.payrollID))
                waiting = waiting.filter { mine.contains($0.id!) }
            }
            if !waiting.isEmpty {
                items.append(WorkItem(id: id, label: req.l10n(label), count: waiting.count, oldest: waiting.first?.period, href: "/payments"))
            }
        }
        switch actor.role {
        case .financeOfficer:
            try await payrolls(.drafted, id: "work-release", label: "home.work_release")
        case .bankOperator:
            try await payrolls(.exported, id: "work-bank", label: "home.work_bank")
        case .countyCaseworker:
            try await payrolls(.resultsIn, id: "work-settle", label: "home.work_settle")
        case .verificationOfficer:
            let pending = try await VerificationRequests.list(for: actor, status: "pending", on: req.db, limit: 10_000)
            if !pending.isEmpty {
                let oldest = pending.map(\.requestedAtMs).min().map { ShanghaiTime.minute(Date(timeIntervalSince1970: Double($0) / 1000)) }
                items.append(WorkItem(id: "work-verify", label: req.l10n("home.work_verify"), count: pending.count, oldest: oldest, href: "/verification"))
            }
        case .supervisor:
            // Counted with the rest of the home (a role that reads applications); the link
            // leads to the overdue list that role may open.
            if overdue > 0 {
                items.append(WorkItem(id: "work-overdue", label: req.l10n("home.work_overdue"), count: overdue, oldest: nil, href: "/cases/overdue"))
            }
        default:
            break
        }
        return items
    }
}
