import Fluent
import SQLKit
import Vapor
import DibaoCore

/// 保障对象 — one enrolled household over time (二.六): status, review class, next review,
/// reporting period and current amount, with its benefit decisions as rows. Its id is the
/// id of its payroll schedule (`BenefitScheduleRecord`), which is folded from the
/// decisions and written only with them. Only `EnrollmentWorkflow` writes either.
public final class EnrolledHousehold: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "enrolled_households"

    @ID(custom: "id", generatedBy: .user) public var id: UUID?
    @Field(key: "household_id") public var householdID: UUID
    @OptionalField(key: "case_id") public var caseID: UUID?
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "kind") public var kind: AreaKind
    @Field(key: "status") public var status: EnrolledStatus
    @OptionalField(key: "exit_reason") public var exitReason: ExitReason?
    @Field(key: "review_class") public var reviewClass: ReviewClass
    /// The first of the month in which the household is next reviewed; nil once it has left.
    @OptionalField(key: "next_review_on") public var nextReviewOn: String?
    /// When the household last reported in writing, or was enrolled.
    @Field(key: "last_report_on") public var lastReportOn: String
    @Field(key: "enrolled_from") public var enrolledFrom: String
    /// The amount of the newest decision: what the household is paid from its month on.
    @Field(key: "monthly_fen") public var monthlyFen: Int64
    @Field(key: "version") public var version: Int
    /// 单人保: the one member enrolled alone; reviews assess that member only.
    @OptionalField(key: "single_person_id") public var singlePersonID: UUID?

    public init() {}

    public var area: AreaCode? { try? AreaCode(villageCode) }
}

/// One benefit decision (`DibaoCore.BenefitDecision`) with its reason, inputs and author.
public final class BenefitDecisionRecord: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "benefit_decisions"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "enrolled_id") public var enrolledID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "kind") public var kind: BenefitDecision.Kind
    @Field(key: "from_month") public var fromMonth: String
    @Field(key: "monthly_fen") public var monthlyFen: Int64
    /// What the decider wrote; for an exit, its reason code is in `exit_reason`.
    @Field(key: "reason") public var reason: String
    @OptionalField(key: "exit_reason") public var exitReason: ExitReason?
    /// The core calculation's result as JSON (members, incomes, standard, top-ups), "" if none.
    @Field(key: "inputs") public var inputs: String
    @Field(key: "policy_version") public var policyVersion: String
    @Field(key: "decided_on") public var decidedOn: String
    @Field(key: "decided_by") public var decidedBy: String
    @Field(key: "source") public var source: BenefitDecision.Source
    /// The record the decision came from (case, review, …) as text.
    @Field(key: "source_id") public var sourceID: String

    public init() {}

    var decision: BenefitDecision? {
        CivilDate(iso: fromMonth).map { BenefitDecision(kind: kind, from: $0, monthly: Money(fen: monthlyFen)) }
    }
}

/// 复核 — one review of an enrolled household (`DibaoCore.ReviewMachine`).
public final class ReviewCase: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "reviews"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "enrolled_id") public var enrolledID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "stage") public var stage: ReviewStage
    @Field(key: "version") public var version: Int
    @Field(key: "trigger") public var trigger: ReviewTrigger
    /// The change report, early-review request or verification report behind it, as text.
    @Field(key: "trigger_id") public var triggerID: String
    /// What the periodic verification found, already worded for staff (no ID numbers).
    @Field(key: "finding") public var finding: String
    /// The month whose due list opened it (first of month).
    @Field(key: "due_month") public var dueMonth: String
    @Field(key: "opened_on") public var openedOn: String
    @Field(key: "opened_by") public var openedBy: String
    @OptionalField(key: "visit_kind") public var visitKind: VisitKind?
    @OptionalField(key: "visited_on") public var visitedOn: String?
    @Field(key: "visitors") public var visitors: String
    @Field(key: "notes") public var notes: String
    @Field(key: "income_stable") public var incomeStable: Bool
    @OptionalField(key: "computed_fen") public var computedFen: Int64?
    @Field(key: "breakdown") public var breakdown: String
    @OptionalField(key: "outcome") public var outcome: ReviewOutcome?
    @OptionalField(key: "proposed_fen") public var proposedFen: Int64?
    @OptionalField(key: "exit_reason") public var exitReason: ExitReason?
    @Field(key: "reason") public var reason: String
    @OptionalField(key: "decided_on") public var decidedOn: String?
    @Field(key: "decided_by") public var decidedBy: String
    @OptionalField(key: "decision_id") public var decisionID: Int?

    public init() {}

    var benefitResult: BenefitResult? {
        breakdown.isEmpty ? nil : try? JSONDecoder().decode(BenefitResult.self, from: Data(breakdown.utf8))
    }
}

/// 书面报告 — a household's written report of a change.
public final class ChangeReport: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "change_reports"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "enrolled_id") public var enrolledID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "reported_on") public var reportedOn: String
    /// "village" (through the village assistant) or "township".
    @Field(key: "channel") public var channel: String
    /// Comma-separated `ChangeKind` values; empty for a report of no change.
    @Field(key: "kinds") public var kinds: String
    @Field(key: "text") public var text: String
    @Field(key: "recorded_by") public var recordedBy: String
    @OptionalField(key: "review_id") public var reviewID: Int?

    public init() {}
}

/// 报请旗县复核 — a township's request for an early review (`DibaoCore.EarlyReviewMachine`).
public final class EarlyReviewRequest: Model, AreaScoped, @unchecked Sendable {
    public static let schema = "early_review_requests"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "enrolled_id") public var enrolledID: UUID
    @Field(key: "household_id") public var householdID: UUID
    @Field(key: "region_code") public var regionCode: String
    @Field(key: "league_code") public var leagueCode: String
    @Field(key: "county_code") public var countyCode: String
    @Field(key: "township_code") public var townshipCode: String
    @Field(key: "village_code") public var villageCode: String
    @Field(key: "stage") public var stage: EarlyReviewStage
    @Field(key: "version") public var version: Int
    @Field(key: "reason") public var reason: String
    @Field(key: "requested_by") public var requestedBy: String
    @Field(key: "requested_on") public var requestedOn: String
    @Field(key: "answer") public var answer: String
    @Field(key: "answered_by") public var answeredBy: String
    @OptionalField(key: "answered_on") public var answeredOn: String?
    @OptionalField(key: "review_id") public var reviewID: Int?

    public init() {}
}

extension ReviewCase: WorkflowRecord {
    typealias Machine = ReviewMachine
    static var entityType: String { "review" }
}

extension EarlyReviewRequest: WorkflowRecord {
    typealias Machine = EarlyReviewMachine
    static var entityType: String { "early_review" }
}

/// Stamps the five area columns of a new record from the enrolled household.
protocol AreaStamped: AnyObject {
    var regionCode: String { get set }
    var leagueCode: String { get set }
    var countyCode: String { get set }
    var townshipCode: String { get set }
    var villageCode: String { get set }
}

extension AreaStamped {
    func stamp(from e: EnrolledHousehold) {
        regionCode = e.regionCode
        leagueCode = e.leagueCode
        countyCode = e.countyCode
        townshipCode = e.townshipCode
        villageCode = e.villageCode
    }
}

extension BenefitDecisionRecord: AreaStamped {}
extension ReviewCase: AreaStamped {}
extension ChangeReport: AreaStamped {}
extension EarlyReviewRequest: AreaStamped {}
