import Fluent
import Vapor
import DibaoCore

/// `/performance`: each county of the reader's area for a year — budget execution and its
/// evenness, decisions, reviews and complaints within their limits, households per worker,
/// work funds (三.五). `/admin/staffing`: where county civil affairs records its staffing and
/// work funds (三.二, 三.三).
struct WorkGuaranteePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("performance", use: performance)
        routes.get("admin", "staffing", use: staffing)
        routes.write("admin", "staffing", guard: .permission(.manageWorkGuarantees), use: saveStaffing)
        routes.write("admin", "work-funds", guard: .permission(.manageWorkGuarantees), use: saveFunds)
    }

    struct Row: Encodable {
        var county: String
        var name: String
        var budget: String
        var spent: String
        var execution: String
        var time: String
        var evenness: String
        var decisions: String
        var reviews: String
        var complaints: String
        var households: Int
        var workers: Int
        var posts: Int
        var filled: Int
        var fullTime: Int
        var purchased: Int
        var perWorker: String
        var fundsAllocated: String
        var fundsSpent: String
        var lagging: Bool
    }

    struct PerformancePage: Encodable {
        var year: Int
        var rows: [Row]
        var canEdit: Bool
    }

    static func percent(_ perMille: Int?) -> String {
        perMille.map { String(format: "%.1f%%", Double($0) / 10) } ?? "—"
    }

    static func share(_ c: OnTimeCount) -> String {
        c.concluded == 0 ? "—" : "\(c.onTime)/\(c.concluded)（\(percent(c.perMille))）"
    }

    static func rows(_ data: [WorkGuarantees.CountyPerformance]) -> [Row] {
        data.map { p in
            Row(county: p.county, name: p.name, budget: p.budget, spent: p.spent, execution: percent(p.executionPerMille), time: percent(p.timePerMille),
                evenness: percent(p.evennessPerMille), decisions: share(p.decisions), reviews: share(p.reviews), complaints: share(p.complaints),
                households: p.households, workers: p.staffing.workers, posts: p.staffing.posts, filled: p.staffing.filled, fullTime: p.staffing.fullTime,
                purchased: p.staffing.purchased, perWorker: p.householdsPerWorker.map(String.init) ?? "—", fundsAllocated: p.fundsAllocated, fundsSpent: p.fundsSpent,
                // Behind the calendar by more than a tenth of the year: the page marks it.
                lagging: p.timePerMille - p.executionPerMille > 100)
        }
    }

    func performance(req: Request) async throws -> Response {
        let actor = try await req.require(.readPerformance)
        let year = try req.boundedQuery(.year, fallback: req.dibao.clock.today().year)
        let data = try await WorkGuarantees.performance(area: actor.area, year: year, ctx: req.context(actor))
        return try await req.render("performance/index", title: req.l10n("perf.title"),
                                    PerformancePage(year: year, rows: Self.rows(data), canEdit: actor.may(.manageWorkGuarantees)))
    }

    struct StaffingRow: Encodable {
        var area: String
        var name: String
        var isCounty: Bool
        var posts: String
        var filled: String
        var fullTime: String
        var purchased: String
        var households: Int
    }

    struct CountyChoice: Encodable { var code: String; var name: String; var selected: Bool }

    struct StaffingPage: Encodable {
        var year: Int
        var county: String
        var countyName: String
        var counties: [CountyChoice]
        var rows: [StaffingRow]
        var funds: WorkGuarantees.FundsInput
        var error: String?
        var errorArea: String
        var done: Bool
    }

    func staffing(req: Request) async throws -> Response {
        try await staffingPage(req, error: nil, errorArea: "", typed: nil, funds: nil)
    }

    func staffingPage(_ req: Request, error: String?, errorArea: String, typed: WorkGuarantees.StaffingInput?, funds typedFunds: WorkGuarantees.FundsInput?) async throws -> Response {
        let actor = try await req.require(.manageWorkGuarantees)
        let today = req.dibao.clock.today()
        let year = (try? WorkGuarantees.year(req.query[String.self, at: "year"] ?? typed?.year ?? typedFunds?.year ?? String(today.year), today: today)) ?? today.year
        let counties = actor.area.level >= .county ? [actor.area.ancestor(at: .county) ?? actor.area].compactMap { $0 }
            : try await AreaQueries.within(actor.area, level: .county, on: req.db).compactMap(\.code)
        let asked = req.query[String.self, at: "county"] ?? typedFunds?.county ?? typed.flatMap { (try? AreaCode($0.area ?? ""))?.ancestor(at: .county)?.value }
        guard let county = counties.first(where: { $0.value == asked }) ?? counties.first else { throw Abort(.notFound, reason: req.l10n("error.not_found")) }
        let areas = try await AreaQueries.within(county, on: req.db).filter { $0.areaLevel == .county || $0.areaLevel == .township }
        let stored = Dictionary(try await StaffingRecord.query(on: req.db).filter(\.$year == year).filter(\.$areaCode ~~ areas.compactMap(\.id)).all()
            .map { ($0.areaCode, $0) }, uniquingKeysWith: { a, _ in a })
        var households: [String: Int] = [:]
        for r in try await BulkSQL.rows(req.db, """
            SELECT township_code, COUNT(*) FROM \(ident: EnrolledHousehold.schema) WHERE county_code = \(bind: county.value) AND status <> \(bind: EnrolledStatus.exited.rawValue) GROUP BY township_code
            """) { households[r.text(0)] = Int(r.int(1)) }
        let rows = areas.map { a -> StaffingRow in
            let code = a.id ?? ""
            if let typed, typed.area == code {
                return StaffingRow(area: code, name: a.name, isCounty: a.areaLevel == .county, posts: typed.posts ?? "", filled: typed.filled ?? "",
                                   fullTime: typed.fullTime ?? "", purchased: typed.purchased ?? "", households: households[code] ?? 0)
            }
            let s = stored[code]
            return StaffingRow(area: code, name: a.name, isCounty: a.areaLevel == .county, posts: s.map { String($0.posts) } ?? "", filled: s.map { String($0.filled) } ?? "",
                               fullTime: s.map { String($0.fullTime) } ?? "", purchased: s.map { String($0.purchased) } ?? "",
                               households: a.areaLevel == .county ? households.values.reduce(0, +) : households[code] ?? 0)
        }
        let storedFunds = try await WorkFundRecord.query(on: req.db).filter(\.$countyCode == county.value).filter(\.$year == year).first()
        let funds = typedFunds ?? WorkGuarantees.FundsInput(county: county.value, year: String(year),
                                                            allocated: storedFunds.map { Money(fen: $0.allocatedFen).plain }, spent: storedFunds.map { Money(fen: $0.spentFen).plain },
                                                            document: storedFunds?.document)
        let names = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ counties.map(\.value)).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        let page = StaffingPage(year: year, county: county.value, countyName: names[county.value] ?? county.value,
                                counties: counties.map { CountyChoice(code: $0.value, name: names[$0.value] ?? $0.value, selected: $0 == county) },
                                rows: rows, funds: funds, error: error, errorArea: errorArea, done: req.query[String.self, at: "done"] == "saved")
        let r = try await req.render("performance/staffing", title: req.l10n("perf.staffing_title"), page)
        if error != nil { r.status = .unprocessableEntity }
        return r
    }

    func saveStaffing(req: Request) async throws -> Response {
        let actor = try await req.require(.manageWorkGuarantees)
        let input = try req.content.decode(WorkGuarantees.StaffingInput.self)
        do {
            let r = try await WorkGuarantees.saveStaffing(input, ctx: req.context(actor))
            let county = (try? AreaCode(r.areaCode))?.ancestor(at: .county)?.value ?? ""
            return req.redirect(to: "/admin/staffing?county=\(county)&year=\(r.year)&done=saved")
        } catch let refused as FormRefused {
            return try await staffingPage(req, error: refused.problems.map { $0.message(req.lang) }.joined(separator: "；"), errorArea: input.area ?? "", typed: input, funds: nil)
        } catch let refusal as any Refusal {
            return try await staffingPage(req, error: refusal.message(req.lang), errorArea: input.area ?? "", typed: input, funds: nil)
        }
    }

    func saveFunds(req: Request) async throws -> Response {
        let actor = try await req.require(.manageWorkGuarantees)
        let input = try req.content.decode(WorkGuarantees.FundsInput.self)
        do {
            let r = try await WorkGuarantees.saveFunds(input, ctx: req.context(actor))
            return req.redirect(to: "/admin/staffing?county=\(r.countyCode)&year=\(r.year)&done=saved")
        } catch let refusal as any Refusal {
            return try await staffingPage(req, error: refusal.message(req.lang), errorArea: "funds", typed: nil, funds: input)
        }
    }
}

/// `/api/v1/performance` and the staffing and work-funds writes, for a county's or league's script.
struct WorkGuaranteeAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("performance", use: performance)
        routes.write("admin", "staffing", guard: .permission(.manageWorkGuarantees), use: saveStaffing)
        routes.write("admin", "work-funds", guard: .permission(.manageWorkGuarantees), use: saveFunds)
    }

    func performance(req: Request) async throws -> [WorkGuarantees.CountyPerformance] {
        let actor = try await req.require(.readPerformance)
        return try await WorkGuarantees.performance(area: actor.area, year: try req.boundedQuery(.year, fallback: req.dibao.clock.today().year), ctx: req.context(actor))
    }

    struct Saved: Content { var area: String; var year: Int }

    func saveStaffing(req: Request) async throws -> Saved {
        let actor = try await req.require(.manageWorkGuarantees)
        let r = try await WorkGuarantees.saveStaffing(try req.content.decode(WorkGuarantees.StaffingInput.self), ctx: req.context(actor))
        return Saved(area: r.areaCode, year: r.year)
    }

    func saveFunds(req: Request) async throws -> Saved {
        let actor = try await req.require(.manageWorkGuarantees)
        let r = try await WorkGuarantees.saveFunds(try req.content.decode(WorkGuarantees.FundsInput.self), ctx: req.context(actor))
        return Saved(area: r.countyCode, year: r.year)
    }
}
