/// 申请案件的阶段 — where one application stands in the procedure of 二.二 and the
/// two notices of 二.三.
public enum CaseStage: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "case_stage.\(self)" }

    /// 已申请（待受理）
    case submitted
    /// 不予受理 — 二.二.1 lets a township refuse only with a recorded reason.
    case refusedAtIntake
    /// 入户调查中
    case underInvestigation
    /// 调查完成
    case investigated
    /// 民主评议完成
    case evaluated
    /// 苏木乡镇（街道）审核完成
    case townshipReviewed
    /// 第一榜公示中
    case firstNotice
    /// 待旗县审批
    case awaitingApproval
    /// 抽查入户中 — drawn into the county's ≥ 30 % home spot-check sample (二.二.4).
    case spotCheck
    /// 退回重审
    case returned
    /// 审批同意
    case approved
    /// 不予批准
    case refused
    /// 第二榜长期公示
    case secondNotice
    /// 纳入保障 — the end of the application; the household's life goes on under 二.六.
    case enrolled
    /// 申请人撤回
    case withdrawn

    /// No action leads out of a terminal stage: a refused or withdrawn household
    /// applies again as a new case, so each decision keeps its own record.
    public var isTerminal: Bool {
        switch self {
        case .refusedAtIntake, .refused, .enrolled, .withdrawn: return true
        default: return false
        }
    }

    /// Stages during which the county's 30-working-day clock runs (from acceptance
    /// to decision). 二.二.4 counts from acceptance, not from the township's report,
    /// so the township's own steps use up the county's time; a case returned for
    /// re-review keeps running on a clock restarted on the day of the return
    /// ("需要重新进行审核的，工作时限也要重新计算").
    public var countyClockRuns: Bool {
        switch self {
        case .underInvestigation, .investigated, .evaluated, .townshipReviewed, .firstNotice,
             .awaitingApproval, .spotCheck, .returned:
            return true
        case .submitted, .refusedAtIntake, .approved, .refused, .secondNotice, .enrolled, .withdrawn:
            return false
        }
    }
}

/// 案件操作 — one step a staff member takes on a case.
public enum CaseAction: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "case_action.\(self)" }

    case accept, refuseIntake, completeInvestigation, recordEvaluation, townshipApprove, townshipRefuse,
         postFirstNotice, submitToCounty, drawSpotCheck, recordSpotCheckVisit, approve, refuse, returnForReview,
         reinvestigate, postSecondNotice, enroll, withdraw, extendTimeLimit

    /// The date of this action becomes the county clock's start (`CountyClock.startedOn`):
    /// acceptance starts the 30 working days and a return for re-review starts
    /// them again (二.二.4).
    public var startsCountyClock: Bool { self == .accept || self == .returnForReview }

    /// Actions that close or send back a case must say why: 二.二.1 forbids refusing
    /// an application "无正当理由", 二.三 requires a reasoned answer to the public, and
    /// a return or withdrawal is otherwise unexplained in the case's history.
    public var needsReason: Bool {
        switch self {
        // An extension of the time limit is allowed only "特殊情况下" (2021 第二十七条), so the case says which.
        case .refuseIntake, .townshipRefuse, .refuse, .returnForReview, .withdraw, .extendTimeLimit: return true
        default: return false
        }
    }
}

/// 办理条件 — what the rules need to know about a case at the moment an action is taken. The
/// application layer fills it from the stored case; the core never reads storage.
public struct CaseFacts: Sendable, Equatable {
    public var today: CivilDate
    /// The reason typed with the action ("" if none).
    public var reason: String
    /// How many of the three declarations of 二.二.1 the applicant has signed
    /// (`CaseMachine.requiredDeclarations`).
    public var declarationsSigned: Int
    /// Distinct investigators recorded on the home investigation.
    public var investigators: Int
    /// Each declaration marked true or untrue by the investigators (二.二.2 "各项声明事项的真实性").
    public var declarationsJudged: Bool
    public var investigationSignedByApplicant: Bool
    /// Members of the democratic-evaluation panel (民主评议小组).
    public var panelSize: Int
    /// Resident population (常住人口) of the village or community, which sets the panel's size.
    public var residentPopulation: Int
    public var votesFor: Int
    public var votesAgainst: Int
    public var votesAbstain: Int
    /// Signed by the panel and the applicant (二.二.3 "共同签字确认").
    public var evaluationSigned: Bool
    /// The township's proposed or the county's decided monthly amount.
    public var proposedAmount: Money?
    public var firstNoticePostedOn: CivilDate?
    /// Objections (异议) raised and not yet answered.
    public var openObjections: Int
    public var spotCheckDrawn: Bool
    public var spotCheckVisited: Bool
    /// The case's batch has had its spot-check draw, picked or not (二.二.4: at least the
    /// policy share of every batch is visited, so no case is decided from an undrawn batch).
    public var inDrawnBatch: Bool
    /// A member is a registered close relative of a caseworker or cadre (近亲属备案, 二.七)…
    public var relativeFlagged: Bool = false
    /// …and the focused check (重点核查) of this application is recorded.
    public var focusedCheckRecorded: Bool = false
    /// First month of payment, as the 1st of that month.
    public var firstMonth: CivilDate?
    /// Objections raised against the first notice, answered or not: under a version that
    /// evaluates only on objection (2021 第二十二条), one objection makes the evaluation due.
    public var objectionsRaised: Int = 0
    /// A democratic evaluation is recorded on the case.
    public var evaluationRecorded: Bool = false
    /// The whole procedure's time limit was already extended once.
    public var timeLimitExtended: Bool = false

    public init(today: CivilDate, reason: String = "", declarationsSigned: Int = 0, investigators: Int = 0,
                declarationsJudged: Bool = false, investigationSignedByApplicant: Bool = false,
                panelSize: Int = 0, residentPopulation: Int = 0,
                votesFor: Int = 0, votesAgainst: Int = 0, votesAbstain: Int = 0, evaluationSigned: Bool = false,
                proposedAmount: Money? = nil, firstNoticePostedOn: CivilDate? = nil, openObjections: Int = 0,
                spotCheckDrawn: Bool = false, spotCheckVisited: Bool = false, firstMonth: CivilDate? = nil,
                inDrawnBatch: Bool = false) {
        self.inDrawnBatch = inDrawnBatch
        self.today = today
        self.reason = reason
        self.declarationsSigned = declarationsSigned
        self.investigators = investigators
        self.declarationsJudged = declarationsJudged
        self.investigationSignedByApplicant = investigationSignedByApplicant
        self.panelSize = panelSize
        self.residentPopulation = residentPopulation
        self.votesFor = votesFor
        self.votesAgainst = votesAgainst
        self.votesAbstain = votesAbstain
        self.evaluationSigned = evaluationSigned
        self.proposedAmount = proposedAmount
        self.firstNoticePostedOn = firstNoticePostedOn
        self.openObjections = openObjections
        self.spotCheckDrawn = spotCheckDrawn
        self.spotCheckVisited = spotCheckVisited
        self.firstMonth = firstMonth
    }
}

/// 不予办理的理由 — why an action on a case was refused. `field` names the fact that is missing,
/// so a page can point at the part of the case that needs work.
public struct CaseRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case notAllowedInStage(CaseStage, CaseAction)
        case roleMayNot(Role, CaseAction)
        case reasonRequired
        case declarationsMissing(signed: Int)
        case tooFewInvestigators(Int, minimum: Int)
        case declarationsNotJudged
        case applicantSignatureMissing
        case panelTooSmall(Int, minimum: Int)
        case panelTooLarge(Int, maximum: Int)
        /// Also when a count is negative, since then the ballots cannot be the panel's.
        case ballotsDoNotAddUp(cast: Int, panel: Int)
        case evaluationNotSigned
        case amountRequired
        case noticeNotPosted
        /// `until` is the last day of the notice period.
        case noticePeriodRunning(until: CivilDate)
        case objectionOpen(Int)
        case notDrawnForSpotCheck
        case batchNotDrawn(minimumPercent: Int)
        case spotCheckVisitMissing
        case firstMonthInvalid
        case focusedCheckMissing
        /// The notice drew an objection and the version evaluates on objection: the panel first.
        case evaluationRequired(objections: Int)
        /// The version evaluates only on objection, and the notice has drawn none.
        case noObjectionToEvaluate
        /// The case already had its one extension.
        case alreadyExtended
    }

    public let action: CaseAction
    public let reason: Reason
    public let field: String
    public let rule: String

    public init(action: CaseAction, reason: Reason) {
        self.action = action
        self.reason = reason
        switch reason {
        case .notAllowedInStage: (field, rule) = ("stage", "case.stage")
        case .roleMayNot: (field, rule) = ("role", "case.role")
        case .reasonRequired: (field, rule) = ("reason", "case.reason_required")
        case .declarationsMissing: (field, rule) = ("declarations_signed", "case.declarations")
        case .tooFewInvestigators: (field, rule) = ("investigators", "case.investigators")
        case .declarationsNotJudged: (field, rule) = ("declarations_judged", "case.declarations_judged")
        case .applicantSignatureMissing: (field, rule) = ("investigation_signed_by_applicant", "case.applicant_signature")
        case .panelTooSmall: (field, rule) = ("panel_size", "case.panel_too_small")
        case .panelTooLarge: (field, rule) = ("panel_size", "case.panel_too_large")
        case .ballotsDoNotAddUp: (field, rule) = ("votes", "case.ballots")
        case .evaluationNotSigned: (field, rule) = ("evaluation_signed", "case.evaluation_signature")
        case .amountRequired: (field, rule) = ("proposed_amount", "case.amount")
        case .noticeNotPosted: (field, rule) = ("first_notice_posted_on", "case.notice_not_posted")
        case .noticePeriodRunning: (field, rule) = ("first_notice_posted_on", "case.notice_period")
        case .objectionOpen: (field, rule) = ("open_objections", "case.objection_open")
        case .notDrawnForSpotCheck: (field, rule) = ("spot_check_drawn", "case.not_drawn")
        case .batchNotDrawn: (field, rule) = ("spot_check", "spot_check.batch_not_drawn")
        case .spotCheckVisitMissing: (field, rule) = ("spot_check_visited", "case.spot_check_visit")
        case .firstMonthInvalid: (field, rule) = ("first_month", "case.first_month")
        case .focusedCheckMissing: (field, rule) = ("focused_check", "case.focused_check")
        case .evaluationRequired: (field, rule) = ("evaluation", "case.evaluation_on_objection")
        case .noObjectionToEvaluate: (field, rule) = ("evaluation", "case.evaluation_without_objection")
        case .alreadyExtended: (field, rule) = ("time_limit", "case.already_extended")
        }
    }

    /// `“action”：reason` — the action stands as the refusal's label, so the reason reads
    /// the same in every language and a page may put it beside the step's form.
    public var phrase: Phrase {
        .labelled(Phrase("case.refusal_action", action.namePhrase), reasonPhrase)
    }

    private var reasonPhrase: Phrase {
        switch reason {
        case .notAllowedInStage(let stage, _):
            return Phrase("case.refusal_stage", stage.namePhrase)
        case .roleMayNot(let role, _):
            // The English sentence names the role in lower case, inside the sentence.
            return Phrase("case.refusal_role", Phrase("case.refusal_role_name.\(role.rawValue)"))
        case .reasonRequired:
            return Phrase("case.refusal_reason_required")
        case .declarationsMissing(let signed):
            // The catalogue names the documents of `CaseMachine.requiredDeclarations` in each language.
            return Phrase("case.refusal_declarations", CaseMachine.requiredDeclarations.count, signed)
        case .tooFewInvestigators(let n, let minimum):
            return Phrase("case.refusal_investigators", minimum, n)
        case .declarationsNotJudged:
            return Phrase("case.refusal_declarations_judged")
        case .applicantSignatureMissing:
            return Phrase("case.refusal_applicant_signature")
        case .panelTooSmall(let n, let minimum):
            return Phrase("case.refusal_panel_too_small", minimum, n)
        case .panelTooLarge(let n, let maximum):
            return Phrase("case.refusal_panel_too_large", maximum, n)
        case .ballotsDoNotAddUp(let cast, let panel):
            return Phrase("case.refusal_ballots", cast, panel)
        case .evaluationNotSigned:
            return Phrase("case.refusal_evaluation_signature")
        case .amountRequired:
            return Phrase(action == .approve ? "case.refusal_amount_approve" : "case.refusal_amount_proposed")
        case .noticeNotPosted:
            return Phrase("case.refusal_notice_not_posted")
        case .noticePeriodRunning(let until):
            return Phrase("case.refusal_notice_period", until.iso)
        case .objectionOpen(let n):
            return Phrase("case.refusal_objection_open", n)
        case .notDrawnForSpotCheck:
            return Phrase("case.refusal_not_drawn")
        case .batchNotDrawn(let share):
            return Phrase("case.refusal_batch_not_drawn", share)
        case .spotCheckVisitMissing:
            return Phrase("case.refusal_spot_check_visit")
        case .firstMonthInvalid:
            return Phrase("case.refusal_first_month")
        case .focusedCheckMissing:
            return Phrase("case.refusal_focused_check")
        case .evaluationRequired(let n):
            return Phrase("case.refusal_evaluation_on_objection", n)
        case .noObjectionToEvaluate:
            return Phrase("case.refusal_evaluation_without_objection")
        case .alreadyExtended:
            return Phrase("case.refusal_already_extended")
        }
    }
}

/// 审核审批程序 — the procedure of 二.二 as a state machine: which action leads where, who may
/// take it, and what must be true first.
///
/// Approval of a household that was never investigated is impossible by
/// construction (二.二.4 "严禁不经调查直接将任何群体或个人纳入低保范围"): `approve`
/// starts only from `awaitingApproval`, which only `submitToCounty` reaches, from
/// `firstNotice`, reached only through `townshipReviewed` and (through `evaluated` where
/// the version evaluates every case) `investigated` — and `investigated` only by
/// `completeInvestigation`, which needs
/// the investigators, the judged declarations and the applicant's signature. A
/// return for re-review goes back through `underInvestigation` the same way.
public enum CaseMachine: Sendable {
    /// The three documents an applicant signs at intake (二.二.1).
    public static let requiredDeclarations = ["家庭收入和财产状况声明", "授权核对委托书", "诚信承诺书"]

    /// Who may take `action`. The township runs intake, investigation, evaluation
    /// and the first notice (二.二.1–3); only its review head (审核负责人) signs the
    /// township's opinion, and only the county approver decides (二.二.4). The
    /// village assistant files on a household's behalf (二.二.1 "代为提交") but takes
    /// no step of the procedure; finance, bank, verification, supervisors and
    /// administrators take none either.
    public static func roles(for action: CaseAction) -> Set<Role> {
        switch action {
        case .accept, .refuseIntake, .postFirstNotice, .submitToCounty, .reinvestigate, .withdraw:
            return [.townshipCaseworker, .townshipHead]
        case .completeInvestigation, .recordEvaluation:
            return [.townshipCaseworker]
        case .townshipApprove, .townshipRefuse:
            return [.townshipHead]
        case .drawSpotCheck, .recordSpotCheckVisit, .postSecondNotice, .enroll:
            return [.countyCaseworker, .countyApprover]
        case .approve, .refuse, .returnForReview:
            return [.countyApprover]
        // The township head for the township's part, the county approver for the county's.
        case .extendTimeLimit:
            return [.townshipHead, .countyApprover]
        }
    }

    /// The stages `action` may be taken in under `policy`, the version judging the case: its
    /// procedure decides whether the evaluation comes before the township's opinion or only
    /// after an objection to the notice, whether a second notice is posted, and whether the
    /// time limit may be extended (issue 15).
    public static func from(_ action: CaseAction, policy: Policy) -> Set<CaseStage> {
        let procedure = policy.procedure
        switch action {
        case .accept, .refuseIntake: return [.submitted]
        case .completeInvestigation: return [.underInvestigation]
        // 2013 二.二.3: every application is evaluated before the township reviews it; 2021
        // 第二十二条: the panel meets while the notice stands, when it draws an objection.
        case .recordEvaluation: return procedure.evaluation == .always ? [.investigated] : [.firstNotice]
        case .townshipApprove, .townshipRefuse: return procedure.evaluation == .always ? [.evaluated] : [.investigated]
        case .postFirstNotice: return [.townshipReviewed]
        case .submitToCounty: return [.firstNotice]
        case .drawSpotCheck: return [.awaitingApproval]
        case .recordSpotCheckVisit: return [.spotCheck]
        case .approve, .refuse: return [.awaitingApproval]
        // A drawn case can be sent back from the visit itself when the visit finds
        // the township's materials wrong.
        case .returnForReview: return [.awaitingApproval, .spotCheck]
        case .reinvestigate: return [.returned]
        case .postSecondNotice: return procedure.secondNotice ? [.approved] : []
        case .enroll: return procedure.secondNotice ? [.secondNotice] : [.approved]
        // The applicant may withdraw until the county decides; after approval
        // leaving is a matter for dynamic management (二.六), not this workflow.
        case .withdraw:
            return [.submitted, .underInvestigation, .investigated, .evaluated, .townshipReviewed,
                    .firstNotice, .awaitingApproval, .spotCheck, .returned]
        case .extendTimeLimit:
            return procedure.extendedProcedureWorkingDays == nil ? [] : Set(CaseStage.allCases.filter(\.countyClockRuns))
        }
    }

    /// The stage `action` taken at `stage` leads to. An evaluation held during the notice
    /// (on objection) and an extension leave the case where it is; every other action has
    /// one target whatever the stage.
    public static func target(of action: CaseAction, at stage: CaseStage) -> CaseStage {
        switch action {
        case .extendTimeLimit: return stage
        case .recordEvaluation where stage == .firstNotice: return .firstNotice
        case .accept: return .underInvestigation
        case .refuseIntake: return .refusedAtIntake
        case .completeInvestigation: return .investigated
        case .recordEvaluation: return .evaluated
        case .townshipApprove: return .townshipReviewed
        case .townshipRefuse: return .refused
        case .postFirstNotice: return .firstNotice
        case .submitToCounty: return .awaitingApproval
        case .drawSpotCheck: return .spotCheck
        case .recordSpotCheckVisit: return .awaitingApproval
        case .approve: return .approved
        case .refuse: return .refused
        case .returnForReview: return .returned
        case .reinvestigate: return .underInvestigation
        case .postSecondNotice: return .secondNotice
        case .enroll: return .enrolled
        case .withdraw: return .withdrawn
        }
    }

    /// The stage the action leads to, or why it is refused. Checks, in this order:
    /// stage, role, then preconditions — so a person who may not act at all is
    /// told so before being told what is missing.
    public static func apply(_ action: CaseAction, at stage: CaseStage, by role: Role, facts: CaseFacts,
                             policy: Policy) -> Result<CaseStage, CaseRefusal> {
        guard from(action, policy: policy).contains(stage) else {
            return .failure(CaseRefusal(action: action, reason: .notAllowedInStage(stage, action)))
        }
        guard roles(for: action).contains(role) else {
            return .failure(CaseRefusal(action: action, reason: .roleMayNot(role, action)))
        }
        if let first = unmetPreconditions(of: action, facts: facts, policy: policy).first {
            return .failure(first)
        }
        return .success(target(of: action, at: stage))
    }

    /// What a work queue can offer `role` on a case at `stage`, in `CaseAction`
    /// order. Preconditions are not checked here: the offer is shown, and `apply`
    /// says what is still missing.
    public static func actions(at stage: CaseStage, for role: Role, policy: Policy) -> [CaseAction] {
        CaseAction.allCases.filter { from($0, policy: policy).contains(stage) && roles(for: $0).contains(role) }
    }

    /// Every precondition of `action` that `facts` does not meet, in the order
    /// `apply` checks them, so a page can list all that is missing at once instead
    /// of one per attempt. Stage and role are not checked here.
    public static func unmetPreconditions(of action: CaseAction, facts: CaseFacts, policy: Policy) -> [CaseRefusal] {
        var reasons: [CaseRefusal.Reason] = []
        if action.needsReason && facts.reason.trimmingWhitespace().isEmpty {
            reasons.append(.reasonRequired)
        }
        switch action {
        case .accept:
            if facts.declarationsSigned < requiredDeclarations.count {
                reasons.append(.declarationsMissing(signed: facts.declarationsSigned))
            }
        case .completeInvestigation:
            if facts.investigators < policy.minimumInvestigators {
                reasons.append(.tooFewInvestigators(facts.investigators, minimum: policy.minimumInvestigators))
            }
            if !facts.declarationsJudged { reasons.append(.declarationsNotJudged) }
            if !facts.investigationSignedByApplicant { reasons.append(.applicantSignatureMissing) }
        case .recordEvaluation:
            // A panel of nobody is never an evaluation, even for a village whose
            // population is not yet recorded.
            let minimum = max(1, policy.evaluationPanelMinimum(residentPopulation: facts.residentPopulation))
            let maximum = max(minimum, policy.evaluationPanelMaximum(residentPopulation: facts.residentPopulation))
            if facts.panelSize < minimum {
                reasons.append(.panelTooSmall(facts.panelSize, minimum: minimum))
            } else if facts.panelSize > maximum {
                reasons.append(.panelTooLarge(facts.panelSize, maximum: maximum))
            }
            let votes = [facts.votesFor, facts.votesAgainst, facts.votesAbstain]
            // Ballot counts come from a form: each is checked against the panel before
            // they are added, so no count can overflow the sum (issue 12).
            let plausible = votes.allSatisfy { (0...max(0, facts.panelSize)).contains($0) }
            let cast = plausible ? votes.reduce(0, +) : votes.reduce(0) { $0.addingReportingOverflow($1).overflow ? Int.max : $0 &+ $1 }
            if !plausible || cast != facts.panelSize {
                reasons.append(.ballotsDoNotAddUp(cast: cast, panel: facts.panelSize))
            }
            if !facts.evaluationSigned { reasons.append(.evaluationNotSigned) }
            if policy.procedure.evaluation == .onObjection && facts.objectionsRaised == 0 { reasons.append(.noObjectionToEvaluate) }
        case .townshipApprove:
            // Zero is a township's finding too (income at the standard); the county
            // then refuses rather than approving a payment of nothing.
            if facts.proposedAmount.map({ $0.isNegative }) ?? true { reasons.append(.amountRequired) }
        case .submitToCounty:
            if let posted = facts.firstNoticePostedOn {
                let firstDayAfter = posted.adding(days: policy.firstNoticeDays)
                if facts.today < firstDayAfter {
                    reasons.append(.noticePeriodRunning(until: firstDayAfter.adding(days: -1)))
                }
            } else {
                reasons.append(.noticeNotPosted)
            }
            // 二.三: an objection is answered by a review before the case moves on.
            if facts.openObjections > 0 { reasons.append(.objectionOpen(facts.openObjections)) }
            if policy.procedure.evaluation == .onObjection && facts.objectionsRaised > 0 && !facts.evaluationRecorded {
                reasons.append(.evaluationRequired(objections: facts.objectionsRaised))
            }
        case .drawSpotCheck, .recordSpotCheckVisit:
            if !facts.spotCheckDrawn { reasons.append(.notDrawnForSpotCheck) }
        case .approve:
            if facts.openObjections > 0 { reasons.append(.objectionOpen(facts.openObjections)) }
            if !(facts.proposedAmount?.isPositive ?? false) { reasons.append(.amountRequired) }
            // Paying for a month already past would be back pay, which this
            // procedure does not decide.
            let monthValid = facts.firstMonth.map { $0.day == 1 && $0 >= facts.today.firstOfMonth } ?? false
            if !monthValid { reasons.append(.firstMonthInvalid) }
            // 二.二.4: every batch is drawn before any of it is decided, and a drawn
            // household is visited before the decision.
            // A version with no fixed share (2021) leaves the draw to the county; a drawn case is still visited.
            if policy.spotCheckMinPercent > 0 && !facts.inDrawnBatch {
                reasons.append(.batchNotDrawn(minimumPercent: policy.spotCheckMinPercent))
            }
            if facts.spotCheckDrawn && !facts.spotCheckVisited { reasons.append(.spotCheckVisitMissing) }
            // 二.七: "对备案的低保对象进行重点核查" — before the county decides.
            if facts.relativeFlagged && !facts.focusedCheckRecorded { reasons.append(.focusedCheckMissing) }
        case .extendTimeLimit:
            if facts.timeLimitExtended { reasons.append(.alreadyExtended) }
        case .refuseIntake, .townshipRefuse, .postFirstNotice, .refuse, .returnForReview, .reinvestigate,
             .postSecondNotice, .enroll, .withdraw:
            break
        }
        return reasons.map { CaseRefusal(action: action, reason: $0) }
    }
}

extension CaseAction: Labelled {}

extension CaseStage: Labelled {}
