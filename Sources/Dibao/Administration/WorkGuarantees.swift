import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 三.二 staffing of a county or township for a year: posts, filled, full-time, purchased services.
final class StaffingRecord: Model, @unchecked Sendable {
    static let schema = "staffing"

    @ID(key: .id) var id: UUID?
    @Field(key: "area_code") var areaCode: String
    @Field(key: "year") var year: Int
    @Field(key: "posts") var posts: Int
    @Field(key: "filled") var filled: Int
    @Field(key: "full_time") var fullTime: Int
    @Field(key: "purchased") var purchased: Int
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_on") var updatedOn: String

    init() {}

    var staffing: Staffing { Staffing(posts: posts, filled: filled, fullTime: fullTime, purchased: purchased) }
}

/// 三.三 a county's dibao work funds for a year (工作经费), allocated and spent.
final class WorkFundRecord: Model, @unchecked Sendable {
    static let schema = "work_funds"

    @ID(key: .id) var id: UUID?
    @Field(key: "county_code") var countyCode: String
    @Field(key: "year") var year: Int
    @Field(key: "allocated_fen") var allocatedFen: Int64
    @Field(key: "spent_fen") var spentFen: Int64
    @Field(key: "document") var document: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_on") var updatedOn: String

    init() {}
}

struct CreateWorkGuarantees: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffingRecord.schema)
            .id()
            .field("area_code", .string, .required)
            .field("year", .int, .required)
            .field("posts", .int, .required)
            .field("filled", .int, .required)
            .field("full_time", .int, .required)
            .field("purchased", .int, .required)
            .field("updated_by", .string, .required)
            .field("updated_on", .string, .required)
            .unique(on: "area_code", "year")
            .create()
        try await database.schema(WorkFundRecord.schema)
            .id()
            .field("county_code", .string, .required)
            .field("year", .int, .required)
            .field("allocated_fen", .int64, .required)
            .field("spent_fen", .int64, .required)
            .field("document", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_on", .string, .required)
            .unique(on: "county_code", "year")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WorkFundRecord.schema).delete()
        try await database.schema(StaffingRecord.schema).delete()
    }
}

/// 工作保障 (三.二, 三.三, 三.五): county civil affairs records its own and its townships' staffing
/// and its work funds for each year; the performance page puts them beside the budget's
/// execution and the share of decisions, reviews and complaints concluded within their limits.
enum WorkGuarantees {
    /// Far above any county's work funds: a typo of extra zeros is refused.
    static let fundsCeiling = Money(yuan: 1_000_000_000)

    static func refuse(_ field: String, _ rule: String, _ phrase: Phrase) -> FieldRefusal {
        FieldRefusal(field: field, rule: rule, phrase)
    }

    /// `label：reason` — the field named as the work-guarantee forms name it, then the rule.
    static func refuse(_ field: String, _ rule: String, label: Phrase, _ reason: Phrase) -> FieldRefusal {
        refuse(field, rule, .labelled(label, reason))
    }

    static func year(_ text: String?, today: CivilDate) throws -> Int {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard let y = Int(t), t.allSatisfy(\.isASCII), (2000...(today.year + 1)).contains(y) else {
            throw refuse("year", "work.year", label: Phrase("inspection.refusal_label_year"), Phrase("guarantee.refusal_year", today.year + 1))
        }
        return y
    }

    struct StaffingInput: Content {
        var area: String?
        var year: String?
        var posts: String?
        var filled: String?
        var fullTime: String?
        var purchased: String?
    }

    @discardableResult
    static func saveStaffing(_ input: StaffingInput, ctx: ServiceContext) async throws -> StaffingRecord {
        let actor = ctx.actor
        guard actor.may(.manageWorkGuarantees) else { try await ctx.forbidden(target: "staffing.save", entityType: "staffing", entityID: input.area ?? "") }
        let area = try await AreaInput.resolve(input.area, levels: [.county, .township], rule: "staffing.area",
                                               label: Phrase("guarantee.refusal_label_area"), reason: Phrase("guarantee.refusal_staffing_area"), ctx: ctx)
        let y = try year(input.year, today: ctx.today)
        let s = try StaffingRules.check(StaffingDraft(posts: input.posts, filled: input.filled, fullTime: input.fullTime, purchased: input.purchased))
        let existing = try await StaffingRecord.query(on: ctx.db).filter(\.$areaCode == area.value).filter(\.$year == y).first()
        let r = existing ?? StaffingRecord()
        var detail: [String: String] = ["year": String(y), "posts": String(s.posts), "filled": String(s.filled), "full_time": String(s.fullTime), "purchased": String(s.purchased)]
        if let e = existing {
            detail.merge(["old_posts": String(e.posts), "old_filled": String(e.filled), "old_full_time": String(e.fullTime), "old_purchased": String(e.purchased)]) { a, _ in a }
        }
        r.areaCode = area.value
        r.year = y
        r.posts = s.posts
        r.filled = s.filled
        r.fullTime = s.fullTime
        r.purchased = s.purchased
        r.updatedBy = actor.username
        r.updatedOn = ctx.today.iso
        let recorded = detail
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await r.save(on: tx)
            return (r, [AuditEntry(actor: actor.audit, action: "staffing.saved", entityType: "staffing", entityID: "\(area.value)-\(y)", areaCode: area.value, detail: recorded)])
        }
    }

    struct FundsInput: Content {
        var county: String?
        var year: String?
        var allocated: String?
        var spent: String?
        var document: String?
    }

    static func amount(_ raw: String?, _ field: String, _ label: Phrase) throws -> Money {
        let typed = (raw ?? "").trimmingCharacters(in: .whitespaces)
        let m: Money
        do throws(MoneyRefusal) { m = try Money.parse(typed.isEmpty ? "0" : typed, field: field) } catch {
            // The money rule's refusal under this form's label, in place of its own.
            throw FieldRefusal(error, field: field, label: label)
        }
        guard !m.isNegative, m <= fundsCeiling else {
            throw refuse(field, "work_funds.amount", label: label, Phrase("guarantee.refusal_funds_amount", fundsCeiling.formatted))
        }
        return m
    }

    @discardableResult
    static func saveFunds(_ input: FundsInput, ctx: ServiceContext) async throws -> WorkFundRecord {
        let actor = ctx.actor
        guard actor.may(.manageWorkGuarantees) else { try await ctx.forbidden(target: "work_funds.save", entityType: "work_funds", entityID: input.county ?? "") }
        let county = try await AreaInput.resolve(input.county, field: "county", levels: [.county], rule: "work_funds.county",
                                                 label: Phrase("guarantee.refusal_label_county"), reason: Phrase("guarantee.refusal_county_area"), ctx: ctx)
        let y = try year(input.year, today: ctx.today)
        let allocated = try amount(input.allocated, "allocated", Phrase("guarantee.refusal_label_allocated"))
        let spent = try amount(input.spent, "spent", Phrase("guarantee.refusal_label_spent"))
        let document = (input.document ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard document.count <= 200 else { throw refuse("document", "work_funds.document", label: Phrase("guarantee.refusal_label_document"), Phrase("guarantee.refusal_document_length")) }
        let existing = try await WorkFundRecord.query(on: ctx.db).filter(\.$countyCode == county.value).filter(\.$year == y).first()
        let r = existing ?? WorkFundRecord()
        var detail = ["year": String(y), "allocated_fen": String(allocated.fen), "spent_fen": String(spent.fen), "document": document]
        if let e = existing { detail["old_allocated_fen"] = String(e.allocatedFen); detail["old_spent_fen"] = String(e.spentFen) }
        r.countyCode = county.value
        r.year = y
        r.allocatedFen = allocated.fen
        r.spentFen = spent.fen
        r.document = document
        r.updatedBy = actor.username
        r.updatedOn = ctx.today.iso
        let recorded = detail
        return try await ctx.audit.write(on: ctx.db) { tx in
            try await r.save(on: tx)
            return (r, [AuditEntry(actor: actor.audit, action: "work_funds.saved", entityType: "work_funds", entityID: "\(county.value)-\(y)", areaCode: county.value, detail: recorded)])
        }
    }

    /// One county's year, as the performance page shows it.
    struct CountyPerformance: Content {
        var county: String
        var name: String
        var budget: String
        var spent: String
        var executionPerMille: Int
        var timePerMille: Int
        var evennessPerMille: Int
        var decisions: OnTimeCount
        var reviews: OnTimeCount
        var complaints: OnTimeCount
        var households: Int
        var staffing: Staffing
        var householdsPerWorker: Int?
        var fundsAllocated: String
        var fundsSpent: String
    }

    /// Every county of `area` for `year`: the budget's execution (from the released payrolls),
    /// the decisions, reviews and complaints concluded in the year and how many within their
    /// limit, enrolled households against staff, and the work funds.
    static func performance(area: AreaCode, year: Int, ctx: ServiceContext) async throws -> [CountyPerformance] {
        guard ctx.actor.may(.readPerformance) else { try await ctx.forbidden(target: "performance", entityType: "area", entityID: area.value) }
        let db = ctx.db
        let counties = area.level >= .county ? [area.ancestor(at: .county) ?? area] : try await AreaQueries.within(area, level: .county, on: db).compactMap(\.code)
        let scope = area.level > .county ? (area.ancestor(at: .county) ?? area) : area
        let column = scope.householdColumn
        let from = "\(year)-01-01", to = "\(year + 1)-01-01"
        let today = ctx.today
        let throughMonth = BudgetExecution.monthsClosed(year: year, today: today)
        let executions = Dictionary(try await Budgets.execution(area: scope, year: year, on: db).map { ($0.county, $0.execution) }, uniquingKeysWith: { a, _ in a })

        var decisions: [String: OnTimeCount] = [:]
        for r in try await BulkSQL.rows(db, """
            SELECT county_code, decided_on, deadline FROM \(ident: ApplicationCase.schema)
            WHERE \(ident: column) = \(bind: scope.value) AND decided_on >= \(bind: from) AND decided_on < \(bind: to)
            """) {
            guard let decided = CivilDate(iso: r.text(1)) else { continue }
            decisions[r.text(0), default: OnTimeCount()].add(onTime: Performance.decisionOnTime(decidedOn: decided, deadline: CivilDate(iso: r.text(2))))
        }
        var reviews: [String: OnTimeCount] = [:]
        for r in try await BulkSQL.rows(db, """
            SELECT county_code, due_month, decided_on FROM \(ident: ReviewCase.schema)
            WHERE \(ident: column) = \(bind: scope.value) AND decided_on >= \(bind: from) AND decided_on < \(bind: to)
            """) {
            guard let due = CivilDate(iso: r.text(1)), let decided = CivilDate(iso: r.text(2)) else { continue }
            reviews[r.text(0), default: OnTimeCount()].add(onTime: Performance.reviewOnTime(dueMonth: due, decidedOn: decided))
        }
        var complaints: [String: OnTimeCount] = [:]
        let answered = try await Complaint.query(on: db).within(scope).filter(\.$answeredOn >= from).filter(\.$answeredOn < to).all()
        for c in answered {
            let policy = ctx.policy(on: CivilDate(iso: c.receivedOn) ?? today)
            let state = c.timeState(on: today, policy: policy, calendar: ctx.calendar).state
            complaints[c.countyCode, default: OnTimeCount()].add(onTime: state != .late)
        }
        var households: [String: Int] = [:]
        for r in try await BulkSQL.rows(db, """
            SELECT county_code, COUNT(*) FROM \(ident: EnrolledHousehold.schema)
            WHERE \(ident: column) = \(bind: scope.value) AND status <> \(bind: EnrolledStatus.exited.rawValue) GROUP BY county_code
            """) { households[r.text(0)] = Int(r.int(1)) }
        let range = scope.subtreeCodes
        var staffing: [String: Staffing] = [:]
        for s in try await StaffingRecord.query(on: db).filter(\.$year == year)
            .filter(\.$areaCode >= range.lowerBound).filter(\.$areaCode <= range.upperBound).all() {
            guard let county = (try? AreaCode(s.areaCode))?.ancestor(at: .county)?.value else { continue }
            var sum = staffing[county] ?? Staffing(posts: 0, filled: 0, fullTime: 0, purchased: 0)
            sum.posts += s.posts; sum.filled += s.filled; sum.fullTime += s.fullTime; sum.purchased += s.purchased
            staffing[county] = sum
        }
        let funds = Dictionary(try await WorkFundRecord.query(on: db).filter(\.$year == year).filter(\.$countyCode ~~ counties.map(\.value)).all()
            .map { ($0.countyCode, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(try await Area.query(on: db).filter(\.$id ~~ counties.map(\.value)).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        return counties.map { c in
            let e = executions[c.value] ?? BudgetExecution(year: year, budget: [:], monthly: Array(repeating: .zero, count: 12))
            let s = staffing[c.value] ?? Staffing(posts: 0, filled: 0, fullTime: 0, purchased: 0)
            let h = households[c.value] ?? 0
            return CountyPerformance(
                county: c.value, name: names[c.value] ?? c.value, budget: e.totalBudget.formatted, spent: e.spent.formatted,
                executionPerMille: e.progressPerMille, timePerMille: BudgetExecution.timePerMille(throughMonth: throughMonth),
                evennessPerMille: e.evennessPerMille(months: max(1, throughMonth)),
                decisions: decisions[c.value] ?? OnTimeCount(), reviews: reviews[c.value] ?? OnTimeCount(), complaints: complaints[c.value] ?? OnTimeCount(),
                households: h, staffing: s, householdsPerWorker: StaffingRules.householdsPerWorker(households: h, staffing: s),
                fundsAllocated: Money(fen: funds[c.value]?.allocatedFen ?? 0).formatted, fundsSpent: Money(fen: funds[c.value]?.spentFen ?? 0).formatted)
        }
    }
}
