/// 投诉举报、信访 (二.八) — one complaint or petition from its receipt to its answer.
///
/// The source text: the county names people to handle dibao petitions, "实行专人负责和首问责任制";
/// the first receiver handles a complete matter within the time limit, tells the petitioner
/// at once everything that is missing ("一次性告之"), and guides a matter outside its duty to
/// the right office; a matter already handled, reviewed or re-reviewed that comes again on the
/// same facts and reasons is not accepted again but explained; major matters go to discipline
/// inspection (纪检监察).

/// How the complaint reached the office.
public enum ComplaintChannel: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "complaint_channel.\(self)" }

    /// 全区统一投诉举报电话 (12349).
    case hotline
    /// 旗县公开的监督咨询电话.
    case countyPhone = "county_phone"
    case letter
    case visit
    /// The public form on the site (no sign-in).
    case online
    /// 媒体发现、揭露的问题: its result is published.
    case media
    /// 征求意见卡.
    case opinionCard = "opinion_card"
    /// 调查问卷.
    case survey

    /// 二.八 "对于媒体发现、揭露的问题，及时查处并公布处理结果": the media's and the public's.
    public var resultPublished: Bool { self == .media || self == .online }
}

/// What a complaint is about, when it names something.
public enum ComplaintSubject: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "complaint_subject.\(self)" }

    case none, household, application, staff, office, area
}

public enum ComplaintStage: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "complaint_stage.\(self)" }

    /// Came in through the public form; nobody owns it yet.
    case received
    /// Owned by its first receiver (首问责任人), who decides whether it is accepted.
    case registered
    /// One notice listed everything missing; the clock waits for the complainant.
    case awaitingMaterials = "awaiting_materials"
    /// Accepted and being handled within the time limit.
    case accepted
    /// A review of the enrolled household is under way; its decision is the answer.
    case underReview = "under_review"
    /// Referred to discipline inspection (纪检监察); the county answers once it has reported.
    case referred
    case answered
    /// Outside the office's duty: the complainant was told where to go (负责引导).
    case redirected
    /// The same facts and reasons as a matter already handled: answered with that decision.
    case notAccepted = "not_accepted"

    public var isOpen: Bool { ![.answered, .redirected, .notAccepted].contains(self) }
}

public enum ComplaintAction: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "complaint_action.\(self)" }

    /// Staff record a complaint received by phone, letter or visit: they own it (首问).
    case record
    /// The public form.
    case submitOnline = "submit_online"
    /// The first staff member to open an online complaint takes it (首问).
    case take
    /// Handed to another staff member, with the reason.
    case handOver = "hand_over"
    case requestMaterials = "request_materials"
    case completeMaterials = "complete_materials"
    case accept
    case redirect
    case declineRepeat = "decline_repeat"
    case openReview = "open_review"
    case refer
    case answer
    /// 信访工作条例 第三十二条: extended once, by the policy's days, with the reason told.
    case extend
}

/// What the complaint rules look at, filled from the stored complaint.
public struct ComplaintFacts: Sendable, Equatable {
    /// The acting staff member owns the complaint (首问责任人) — or the system acts.
    public var actorIsOwner: Bool
    public var reason: String
    /// The missing materials, one per line, for the one notice.
    public var missingItems: [String]
    /// A notice of missing materials was already given: the rule is one notice (一次性).
    public var materialsAlreadyRequested: Bool
    /// The staff member it is handed to exists in the office's area and handles complaints.
    public var handOverTargetValid: Bool
    /// The office the complainant is guided to.
    public var guidance: String
    /// The earlier complaint with the same facts and reasons, concluded.
    public var repeatOfConcluded: Bool
    /// The complaint names an enrolled household that has no review under way.
    public var subjectEnrolled: Bool
    public var answer: String
    /// The handling limit was already extended once.
    public var alreadyExtended: Bool = false

    public init(actorIsOwner: Bool = false, reason: String = "", missingItems: [String] = [], materialsAlreadyRequested: Bool = false,
                handOverTargetValid: Bool = false, guidance: String = "", repeatOfConcluded: Bool = false, subjectEnrolled: Bool = false,
                answer: String = "") {
        self.actorIsOwner = actorIsOwner
        self.reason = reason
        self.missingItems = missingItems
        self.materialsAlreadyRequested = materialsAlreadyRequested
        self.handOverTargetValid = handOverTargetValid
        self.guidance = guidance
        self.repeatOfConcluded = repeatOfConcluded
        self.subjectEnrolled = subjectEnrolled
        self.answer = answer
    }
}

public struct ComplaintRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case notAllowedInStage(ComplaintStage)
        case roleMayNot(Role)
        case notOwner
        case reasonRequired
        case missingItemsRequired
        case materialsAlreadyRequested
        case handOverTargetInvalid
        case guidanceRequired
        case repeatOfRequired
        case subjectNotEnrolled
        case answerRequired
        case alreadyExtended
    }

    public let action: ComplaintAction
    public let reason: Reason
    public let field: String
    public let rule: String

    public init(action: ComplaintAction, reason: Reason) {
        self.action = action
        self.reason = reason
        switch reason {
        case .notAllowedInStage: (field, rule) = ("stage", "complaint.stage")
        case .roleMayNot: (field, rule) = ("role", "complaint.role")
        case .notOwner: (field, rule) = ("owner", "complaint.first_inquiry_owner")
        case .reasonRequired: (field, rule) = ("reason", "complaint.reason_required")
        case .missingItemsRequired: (field, rule) = ("missing_items", "complaint.missing_items")
        case .materialsAlreadyRequested: (field, rule) = ("missing_items", "complaint.one_notice")
        case .handOverTargetInvalid: (field, rule) = ("to_user", "complaint.hand_over_target")
        case .guidanceRequired: (field, rule) = ("guidance", "complaint.guidance")
        case .repeatOfRequired: (field, rule) = ("repeat_of", "complaint.repeat_of")
        case .subjectNotEnrolled: (field, rule) = ("subject", "complaint.subject_enrolled")
        case .answerRequired: (field, rule) = ("answer", "complaint.answer")
        case .alreadyExtended: (field, rule) = ("reason", "complaint.extended_once")
        }
    }

    /// The sentence names the refused action first (`{1}`), then why, each in the reader's language.
    public var phrase: Phrase {
        let act = action.namePhrase
        switch reason {
        case .notAllowedInStage(let s): return Phrase("complaint.refusal_stage", act, s.namePhrase)
        case .roleMayNot(let r): return Phrase("complaint.refusal_role", act, Self.roleName(r))
        case .notOwner: return Phrase("complaint.refusal_not_owner", act)
        case .reasonRequired: return Phrase("complaint.refusal_reason_required", act)
        case .missingItemsRequired: return Phrase("complaint.refusal_missing_items", act)
        case .materialsAlreadyRequested: return Phrase("complaint.refusal_one_notice", act)
        case .handOverTargetInvalid: return Phrase("complaint.refusal_hand_over_target", act)
        case .guidanceRequired: return Phrase("complaint.refusal_guidance", act)
        case .repeatOfRequired: return Phrase("complaint.refusal_repeat_of", act)
        case .subjectNotEnrolled: return Phrase("complaint.refusal_subject_enrolled", act)
        case .answerRequired: return Phrase("complaint.refusal_answer_required", act)
        case .alreadyExtended: return Phrase("complaint.refusal_extended_once", act)
        }
    }

    /// A role named inside a refusal's sentence. English writes it in lower case after "a"
    /// ("a township caseworker may not do this"), which the role's own name, a title, is not;
    /// so the sentence has its own key per role.
    static func roleName(_ role: Role) -> Phrase { Phrase("complaint.refusal_role_name.\(role.rawValue)") }
}

/// The complaint procedure. The township and the county receive and handle complaints
/// (二.八: "旗县（市、区）民政部门和苏木乡镇人民政府（街道办事处）应当加强低保来信来访工作");
/// once someone owns one, only they act on it (首问责任制), or hand it on with a reason; the
/// county approver may take any complaint of the county over, with a reason.
public enum ComplaintMachine: StateMachine {
    public static let handlers: Set<Role> = [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover]

    public static func roles(for action: ComplaintAction) -> Set<Role> {
        switch action {
        // The public form has no account; the application submits it as the system.
        case .submitOnline: return handlers
        case .refer: return [.countyCaseworker, .countyApprover]
        default: return handlers
        }
    }

    public static func from(_ action: ComplaintAction) -> Set<ComplaintStage> {
        switch action {
        case .record, .submitOnline: return []
        case .take: return [.received]
        case .handOver: return [.registered, .awaitingMaterials, .accepted, .referred]
        case .requestMaterials: return [.registered]
        case .completeMaterials: return [.awaitingMaterials]
        case .accept, .redirect, .declineRepeat: return [.registered]
        case .openReview, .refer: return [.accepted]
        case .answer, .extend: return [.accepted, .underReview, .referred]
        }
    }

    public static func target(of action: ComplaintAction, at stage: ComplaintStage) -> ComplaintStage {
        switch action {
        case .record, .take, .completeMaterials: return .registered
        case .submitOnline: return .received
        case .handOver, .extend: return stage
        case .requestMaterials: return .awaitingMaterials
        case .accept: return .accepted
        case .redirect: return .redirected
        case .declineRepeat: return .notAccepted
        case .openReview: return .underReview
        case .refer: return .referred
        case .answer: return .answered
        }
    }

    public static func actions(at stage: ComplaintStage, for role: Role) -> [ComplaintAction] {
        ComplaintAction.allCases.filter { ![.record, .submitOnline].contains($0) && from($0).contains(stage) && roles(for: $0).contains(role) }
    }

    public static func apply(_ action: ComplaintAction, at stage: ComplaintStage, by role: Role, facts: ComplaintFacts,
                             policy: Policy) -> Result<ComplaintStage, ComplaintRefusal> {
        let opening = action == .record || action == .submitOnline
        guard opening || from(action).contains(stage) else {
            return .failure(ComplaintRefusal(action: action, reason: .notAllowedInStage(stage)))
        }
        guard roles(for: action).contains(role) else { return .failure(ComplaintRefusal(action: action, reason: .roleMayNot(role))) }
        if let first = unmet(action, facts: facts, policy: policy).first { return .failure(first) }
        return .success(target(of: action, at: stage))
    }

    public static func unmet(_ action: ComplaintAction, facts: ComplaintFacts, policy: Policy) -> [ComplaintRefusal] {
        var reasons: [ComplaintRefusal.Reason] = []
        let ownerless: Set<ComplaintAction> = [.record, .submitOnline, .take]
        // The county approver may take a complaint over, as a hand-over with its reason.
        if !ownerless.contains(action) && !facts.actorIsOwner { reasons.append(.notOwner) }
        switch action {
        case .handOver:
            if facts.reason.trimmingWhitespace().isEmpty { reasons.append(.reasonRequired) }
            if !facts.handOverTargetValid { reasons.append(.handOverTargetInvalid) }
        case .requestMaterials:
            if facts.materialsAlreadyRequested { reasons.append(.materialsAlreadyRequested) }
            if facts.missingItems.allSatisfy({ $0.trimmingWhitespace().isEmpty }) { reasons.append(.missingItemsRequired) }
        case .redirect:
            if facts.guidance.trimmingWhitespace().isEmpty { reasons.append(.guidanceRequired) }
        case .declineRepeat:
            if !facts.repeatOfConcluded { reasons.append(.repeatOfRequired) }
        case .openReview:
            if !facts.subjectEnrolled { reasons.append(.subjectNotEnrolled) }
        case .refer:
            if facts.reason.trimmingWhitespace().isEmpty { reasons.append(.reasonRequired) }
        case .extend:
            if facts.reason.trimmingWhitespace().isEmpty { reasons.append(.reasonRequired) }
            if facts.alreadyExtended { reasons.append(.alreadyExtended) }
        case .answer:
            if facts.answer.trimmingWhitespace().isEmpty { reasons.append(.answerRequired) }
        case .record, .submitOnline, .take, .completeMaterials, .accept:
            break
        }
        return reasons.map { ComplaintRefusal(action: action, reason: $0) }
    }
}

/// 重复信访 (二.八 "对已经处理、复查、复核的信访事项，信访人仍以同一事实和理由提出信访请求的，
/// 不再受理"): the system proposes earlier concluded complaints by the same complainant or on the
/// same subject whose facts read alike; the handler confirms. "Alike" is the share of shared
/// character pairs (bigrams) of the two texts without spaces and punctuation — Chinese text
/// has no word breaks, and a petitioner retelling the same facts reuses most of the pairs.
public enum RepeatComplaints {
    public static let similarityThreshold = 0.5

    public static func similarity(_ a: String, _ b: String) -> Double {
        let x = bigrams(a), y = bigrams(b)
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        let shared = x.intersection(y).count
        return Double(shared) / Double(min(x.count, y.count))
    }

    public static func isLikelyRepeat(_ a: String, _ b: String) -> Bool { similarity(a, b) >= similarityThreshold }

    static func bigrams(_ text: String) -> Set<String> {
        let chars = text.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace && !$0.properties.isPunctuationLike }.map(Character.init)
        guard chars.count >= 2 else { return chars.isEmpty ? [] : [String(chars)] }
        return Set((0..<(chars.count - 1)).map { String([chars[$0], chars[$0 + 1]]) })
    }
}

extension Unicode.Scalar.Properties {
    /// Punctuation and symbols of either script (，。、！？“” as well as ASCII).
    var isPunctuationLike: Bool {
        switch generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

extension ComplaintAction: Labelled {}

extension ComplaintChannel: Labelled {}

extension ComplaintStage: Labelled {}

extension ComplaintSubject: Labelled {}
