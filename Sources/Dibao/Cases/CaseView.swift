import Fluent
import Vapor
import DibaoCore

/// A case as one actor may see it, with what that actor can do next.
struct CaseView: Content {
    struct Declaration: Content {
        var kind: String; var title: String; var signer: String; var heldTrue: Bool?; var note: String
        /// The investigation form marks this declaration untrue (stored, or as typed before a refusal).
        var untrue: Bool { heldTrue == false }

        enum CodingKeys: String, CodingKey { case kind, title, signer, heldTrue, note, untrue }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind); try c.encode(title, forKey: .title); try c.encode(signer, forKey: .signer)
            try c.encodeIfPresent(heldTrue, forKey: .heldTrue); try c.encode(note, forKey: .note); try c.encode(untrue, forKey: .untrue)
        }
        init(kind: String, title: String, signer: String, heldTrue: Bool?, note: String) {
            self.kind = kind; self.title = title; self.signer = signer; self.heldTrue = heldTrue; self.note = note
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(String.self, forKey: .kind); title = try c.decode(String.self, forKey: .title)
            signer = try c.decode(String.self, forKey: .signer); heldTrue = try c.decodeIfPresent(Bool.self, forKey: .heldTrue)
            note = try c.decode(String.self, forKey: .note)
        }
    }
    struct Evidence: Content { var id: UUID; var kind: String; var filename: String; var size: Int; var contentType: String }
    struct NoticeInfo: Content { var kind: String; var title: String; var postedOn: String; var endsOn: String?; var active: Bool }
    struct ObjectionInfo: Content { var id: UUID; var noticeKind: String; var raisedOn: String; var text: String; var status: String; var answerDue: String; var answer: String; var canAnswer: Bool }
    struct IncomeField: Content { var key: String; var member: String; var kind: String; var label: String; var value: String }
    struct Line: Content { var label: String; var amount: String }
    struct Step: Content { var action: String; var title: String; var needsReason: Bool }

    var id: UUID
    var receipt: String
    var stage: String
    var stageName: String
    var household: HouseholdView
    var villageName: String
    var channel: String
    var windowName: String
    /// 单人保: the one member the application covers ("" for the whole household), masked as the reader's role requires.
    var singlePerson: String = ""
    var submittedBy: String
    var submittedOn: String
    var acceptedOn: String?
    var deadline: String?
    var workingDaysLeft: Int?
    var overdue: Bool
    /// The deadline reaches into a year whose holiday calendar is not loaded: it counts plain
    /// weekdays there and will move when the year is loaded (issue 15).
    var provisional: Bool = false
    /// The policy version that judges this case (kept from its acceptance day, issue 15).
    var policyVersion: String = ""
    /// Where the version has one, the whole procedure's limit was extended with a reason.
    var timeLimitExtended: Bool = false
    var blacklistHit: Bool
    var blacklistNote: String
    /// A member is a registered close relative (近亲属备案, 二.七): approval waits for the focused check.
    var relativeFlagged: Bool = false
    var focusedChecks: [String] = []
    var declarations: [Declaration]
    var evidence: [Evidence]
    var investigators: String
    var investigatedOn: String?
    var investigationNotes: String
    var applicantSigned: Bool
    var householdIncome: String?
    var standard: String?
    var computedAmount: String?
    /// The most the rules allow (members × standard + top-ups): shown to whoever decides.
    var ruleCeiling: String?
    var breakdown: [Line]
    var incomeFields: [IncomeField]
    var evaluatedOn: String?
    var panelSize: Int
    var panelMinimum: Int
    var residentPopulation: Int
    var votesFor: Int
    var votesAgainst: Int
    var votesAbstain: Int
    var townshipOpinion: String
    var proposedAmount: String?
    var firstNoticePostedOn: String?
    var spotCheckPicked: Bool
    var spotCheckVisitedOn: String?
    var spotCheckFindings: String
    var approvedAmount: String?
    var firstMonth: String?
    var decidedOn: String?
    var reason: String
    var reviewClass: String?
    var nextReviewOn: String?
    var notices: [NoticeInfo]
    var objections: [ObjectionInfo]
    var openObjections: Int
    var steps: [Step]
    var today: String
    var thisMonth: String
    /// The household's latest verification report (二.五), for the reviewer and approver.
    var verification: CaseVerification?
    /// The papers this case has to print (受理回执, 告知书 or 纳入通知书; issue 16 part 6).
    var documents: [Document] = []
    struct Document: Content { var id: String; var title: String; var href: String }

    static func load(_ c: ApplicationCase, for actor: StaffActor, on req: Request) async throws -> CaseView {
        var view = try await loadPlain(c, for: actor, on: req)
        if try await RelativeFlag.query(on: req.db).filter(\.$householdID == c.householdID).count() > 0 {
            view.relativeFlagged = true
            view.focusedChecks = try await FocusedCheck.query(on: req.db).filter(\.$caseID == c.id).all().map { "\($0.checkedOn) \($0.finding.name(req.lang))：\($0.note)" }
        }
        return view
    }

    private static func loadPlain(_ c: ApplicationCase, for actor: StaffActor, on req: Request) async throws -> CaseView {
        let lang = req.lang
        let cid = try c.requireID()
        guard let household = try await Household.find(c.householdID, on: req.db) else { throw Abort(.notFound) }
        let view = try await HouseholdView.load(household, for: actor, lang: lang, on: req.db)
        let declarations = try await CaseDeclaration.query(on: req.db).filter(\.$caseID == cid).all()
        let evidence = try await EvidenceFile.query(on: req.db).filter(\.$caseID == cid).all()
        let notices = try await Notice.query(on: req.db).filter(\.$caseID == cid).sort(\.$postedOn).all()
        let objections = try await Objection.query(on: req.db).filter(\.$caseID == cid).sort(\.$raisedOn).all()
        let verified = try await VerifiedIncome.query(on: req.db).filter(\.$caseID == cid).all()
        let declared = try await IncomeRecord.query(on: req.db).filter(\.$householdID == c.householdID).all()
        let members = try await Member.query(on: req.db).filter(\.$household.$id == c.householdID).sort(\.$position).all()
        let village = try await Area.find(c.villageCode, on: req.db)
        let today = req.dibao.clock.today()
        let policy = CaseWorkflow.judgingPolicy(of: c, env: req.dibao, today: today)
        let clock = CaseWorkflow.clock(of: c, env: req.dibao)
        let full = actor.may(.viewSensitive)
        let result = c.breakdown.isEmpty ? nil : try? JSONDecoder().decode(BenefitResult.self, from: Data(c.breakdown.utf8))
        var incomeFields: [IncomeField] = []
        // Before the investigation is recorded, the form offers the verification centre's
        // figures where it has them (二.五), else what the household declared.
        let checked = c.investigatedOn == nil ? try await VerificationIncome.latest(householdID: c.householdID, on: req.db) : nil
        for m in members {
            for kind in IncomeKind.allCases {
                let found = c.investigatedOn == nil
                    ? checked?[m.position]?[kind]?.fen ?? declared.filter { $0.$member.id == m.id && $0.kind == kind }.reduce(0) { $0 + $1.monthlyFen }
                    : verified.filter { $0.memberID == m.id && $0.kind == kind }.reduce(0) { $0 + $1.monthlyFen }
                incomeFields.append(IncomeField(key: "\(m.id!.uuidString).\(kind.rawValue)", member: full ? m.name : Masking.name(m.name),
                                                kind: kind.rawValue, label: kind.name(lang), value: found == 0 ? "" : Money(fen: found).plain))
            }
        }
        let answerRoles: [NoticeKind: Set<Role>] = [.first: [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover], .second: [.countyCaseworker, .countyApprover]]
        let single = c.singlePersonID.flatMap { id in members.first { $0.id == id } }
            .map { "\($0.relation.name(lang)) \(full ? $0.name : Masking.name($0.name))" } ?? ""
        var shown = CaseView(
            id: cid, receipt: c.receipt, stage: c.stage.rawValue, stageName: c.stage.name(lang), household: view,
            villageName: village?.name ?? c.villageCode, channel: Strings.text("channel.\(c.channel)", lang), windowName: c.windowName,
            submittedBy: c.submittedBy, submittedOn: c.submittedOn, acceptedOn: c.acceptedOn,
            deadline: clock?.clock.deadline.iso, workingDaysLeft: clock?.daysLeft, overdue: clock.map { $0.clock.isOverdue(on: today) } ?? false,
            blacklistHit: c.blacklistHit, blacklistNote: c.blacklistNote,
            declarations: DeclarationKind.allCases.map { kind in
                let d = declarations.first { $0.kind == kind }
                return Declaration(kind: kind.rawValue, title: kind.name(lang), signer: d?.signerName ?? "", heldTrue: d?.heldTrue, note: d?.truthNote ?? "")
            },
            evidence: full ? evidence.map { Evidence(id: $0.id!, kind: Strings.text("evidence.\($0.kind)", lang), filename: $0.filename, size: $0.size, contentType: $0.contentType) } : [],
            investigators: c.investigators, investigatedOn: c.investigatedOn, investigationNotes: full ? c.investigationNotes : "",
            applicantSigned: c.applicantSigned,
            householdIncome: c.householdIncomeFen.map { Money(fen: $0).formatted }, standard: c.standardFen.map { Money(fen: $0).formatted },
            computedAmount: c.computedAmountFen.map { Money(fen: $0).formatted },
            ruleCeiling: result?.ruleCeiling.formatted,
            // A category top-up names why it is paid (a severe disability): as sensitive as the
            // detail it comes from (issue 12), so a role without `viewSensitive` sees the amount only.
            breakdown: (result?.lines ?? []).map { line in
                let masked = !full && line.key.hasPrefix("top_up.")
                return Line(label: masked ? Strings.text("cases.top_up_masked", lang) : line.label, amount: line.amount.formatted)
            },
            incomeFields: incomeFields,
            evaluatedOn: c.evaluatedOn, panelSize: c.panelSize,
            panelMinimum: policy.evaluationPanelMinimum(residentPopulation: village?.residentPopulation ?? 0),
            residentPopulation: village?.residentPopulation ?? 0,
            votesFor: c.votesFor, votesAgainst: c.votesAgainst, votesAbstain: c.votesAbstain,
            townshipOpinion: c.townshipOpinion, proposedAmount: c.proposedAmountFen.map { Money(fen: $0).plain },
            firstNoticePostedOn: c.firstNoticePostedOn, spotCheckPicked: c.spotCheckDrawID != nil,
            spotCheckVisitedOn: c.spotCheckVisitedOn, spotCheckFindings: c.spotCheckFindings,
            approvedAmount: c.approvedAmountFen.map { Money(fen: $0).formatted }, firstMonth: c.firstMonth.map { String($0.prefix(7)) },
            decidedOn: c.decidedOn, reason: c.reason,
            // The review class says "severe illness or disability" (二.六): masked like the detail.
            reviewClass: c.reviewClass.map { full ? ($0.name(lang)) : Masking.sensitiveLabel(lang) }, nextReviewOn: c.nextReviewOn,
            notices: notices.map { NoticeInfo(kind: $0.kind.rawValue, title: $0.kind.name(lang), postedOn: $0.postedOn, endsOn: $0.endsOn, active: $0.active) },
            objections: objections.map {
                ObjectionInfo(id: $0.id!, noticeKind: $0.noticeKind.rawValue, raisedOn: $0.raisedOn, text: $0.text, status: Strings.text("objection.\($0.status)", lang),
                              answerDue: $0.answerDue, answer: $0.answer, canAnswer: $0.isOpen && (answerRoles[$0.noticeKind]?.contains(actor.role) ?? false))
            },
            openObjections: objections.filter(\.isOpen).count,
            steps: CaseMachine.actions(at: c.stage, for: actor.role, policy: policy).filter { $0 != .drawSpotCheck }.map { Step(action: $0.rawValue, title: $0.name(lang), needsReason: $0.needsReason) },
            today: today.iso, thisMonth: String(today.iso.prefix(7)),
            verification: try await CaseVerification.load(caseID: cid, householdID: c.householdID, decided: c.decidedOn != nil, for: actor, lang: lang, on: req.db)
        )
        shown.provisional = clock.map { req.dibao.calendar.isProvisional(from: $0.clock.startedOn, through: $0.clock.deadline) } ?? false
        shown.policyVersion = policy.version
        shown.timeLimitExtended = c.timeLimitExtended ?? false
        shown.singlePerson = single
        if c.acceptedOn != nil, c.stage != .refusedAtIntake {
            shown.documents.append(.init(id: "doc-link-receipt", title: Strings.text("print.receipt_title", lang), href: "/cases/\(cid)/receipt"))
        }
        switch c.stage {
        case .refused, .refusedAtIntake:
            let kind = c.stage == .refusedAtIntake ? "not_accepted" : "refused"
            shown.documents.append(.init(id: "doc-link-letter", title: Strings.text("print.\(kind)_title", lang), href: "/cases/\(cid)/decision-letter"))
        case .enrolled:
            shown.documents.append(.init(id: "doc-link-letter", title: Strings.text("enr.letter_title_enrolled", lang), href: "/cases/\(cid)/decision-letter"))
        default: break
        }
        return shown
    }
}

/// A line of a work queue or case list.
struct CaseRow: Content {
    var id: UUID
    var receipt: String
    var head: String
    var village: String
    var stage: String
    var stageName: String
    var deadline: String?
    var workingDaysLeft: Int?
    var overdue: Bool
    var openObjections: Int
    var provisional: Bool = false

    static func rows(_ cases: [ApplicationCase], for actor: StaffActor, on req: Request) async throws -> [CaseRow] {
        let full = actor.may(.viewSensitive)
        let households = Dictionary(try await Household.query(on: req.db).filter(\.$id ~~ cases.map(\.householdID)).all().map { ($0.id!, $0.headName) }, uniquingKeysWith: { a, _ in a })
        let villages = Dictionary(try await Area.query(on: req.db).filter(\.$id ~~ Array(Set(cases.map(\.villageCode)))).all().map { ($0.id ?? "", $0.name) }, uniquingKeysWith: { a, _ in a })
        let open = try await Objection.query(on: req.db).filter(\.$caseID ~~ cases.compactMap(\.id)).filter(\.$status == "open").all()
        let today = req.dibao.clock.today()
        return cases.map { c in
            let clock = CaseWorkflow.clock(of: c, env: req.dibao)
            let head = households[c.householdID] ?? ""
            return CaseRow(id: c.id!, receipt: c.receipt, head: full ? head : Masking.name(head), village: villages[c.villageCode] ?? c.villageCode,
                           stage: c.stage.rawValue, stageName: c.stage.name(req.lang), deadline: clock?.clock.deadline.iso,
                           workingDaysLeft: clock?.daysLeft, overdue: clock.map { $0.clock.isOverdue(on: today) } ?? false,
                           openObjections: open.filter { $0.caseID == c.id }.count,
                           provisional: clock.map { req.dibao.calendar.isProvisional(from: $0.clock.startedOn, through: $0.clock.deadline) } ?? false)
        }
    }
}

enum CaseQueues {
    /// The stages in which `role` has the next step of the procedure to take under any loaded
    /// version (cases of the old and the new procedure run side by side, issue 15). Withdrawal
    /// and an extension are possible almost throughout and so are never what a case waits for.
    static func stages(for role: Role, policies: PolicyBook) -> [CaseStage] {
        CaseStage.allCases.filter { stage in
            policies.versions.contains { policy in
                !CaseMachine.actions(at: stage, for: role, policy: policy).filter { $0 != .withdraw && $0 != .extendTimeLimit }.isEmpty
            }
        }
    }

    /// The actor's work queue: cases in its area waiting for its role, oldest deadline first;
    /// cases whose county clock has not started yet (before acceptance) follow, oldest first.
    static func queue(for actor: StaffActor, stage: CaseStage? = nil, limit: Int = 200, on req: Request) async throws -> [ApplicationCase] {
        let stages = stage.map { [$0] } ?? stages(for: actor.role, policies: req.dibao.policyBook)
        guard !stages.isEmpty else { return [] }
        let timed = try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage ~~ stages)
            .filter(\.$deadline != nil).sort(\.$deadline).sort(\.$receipt).limit(limit).all()
        guard timed.count < limit else { return timed }
        let untimed = try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage ~~ stages)
            .filter(\.$deadline == nil).sort(\.$submittedOn).sort(\.$receipt).limit(limit - timed.count).all()
        return timed + untimed
    }

    /// Cases past the county's deadline in the actor's area.
    static func overdue(for actor: StaffActor, on req: Request) async throws -> [ApplicationCase] {
        let running = CaseStage.allCases.filter(\.countyClockRuns)
        let today = req.dibao.clock.today().iso
        return try await ApplicationCase.query(on: req.db).within(actor.area).filter(\.$stage ~~ running)
            .filter(\.$deadline < today).sort(\.$deadline).limit(1_000).all()
    }
}
