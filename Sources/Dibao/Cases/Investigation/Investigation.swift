import Fluent
import Vapor
import DibaoCore

/// 入户调查 (二.二.2): at least two investigators visit; each member's income is verified;
/// each declaration is judged true or untrue; investigators and applicant sign. The
/// household's income and the proposed benefit come from the core calculation with the
/// standard in force, and the breakdown is kept with the case. An untrue declaration
/// may put the applicant on the integrity blacklist (二.二.1).
enum Investigation {
    static func complete(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let today = req.dibao.clock.today()
        let visited = try CaseSteps.date(input.visitedOn, field: "visited_on", label: Phrase("investigation.refusal_visit_date")) ?? today
        let policy = req.dibao.policy(on: today)
        let found = try await CaseWorkflow.visible(caseID, to: actor, on: req)
        guard let household = try await Household.find(found.householdID, on: req.db) else { throw Abort(.notFound) }
        var (assessed, problems) = try await HouseholdBenefit.assess(household, incomes: input.incomes,
                                                                     useVerified: StepInput.flag(input.useVerifiedIncome),
                                                                     today: today, policy: policy, onlyMember: found.singlePersonID, db: req.db)
        let truth = input.truth ?? [:]
        for kind in DeclarationKind.allCases {
            if let v = truth[kind.rawValue], !["true", "false"].contains(v) {
                problems.append(.init(field: "truth.\(kind.rawValue)", rule: "investigation.truth", .labelled(kind.namePhrase, Phrase("investigation.refusal_truth"))))
            }
        }
        let listsBlacklist = StepInput.flag(input.blacklist)
        let blacklistReason = (input.blacklistReason ?? "").trimmingCharacters(in: .whitespaces)
        if listsBlacklist && (blacklistReason.isEmpty || !truth.values.contains("false")) {
            problems.append(.init(field: "blacklist_reason", rule: "blacklist.grounds", Phrase("investigation.refusal_blacklist")))
        }
        guard problems.isEmpty else { throw FormRefused(problems: problems) }

        // No problems means an assessment was made.
        guard let assessment = assessed else { throw Abort(.internalServerError) }
        let result = assessment.result
        let breakdown = assessment.breakdown
        let members = assessment.members
        let head = members.first { $0.relation == .head } ?? members.first
        let verifiedRows = assessment.verified

        return try await CaseWorkflow.perform(.completeInvestigation, caseID: caseID, by: actor,
                                              detail: ["amount": String(result.amount.fen), "income_from": assessment.fromCheck ? "verification" : "form"], on: req) { c, tx in
            let cid = try c.requireID()
            c.investigators = Investigators.names(input.investigators ?? "").joined(separator: "、")
            c.investigatedOn = visited.iso
            c.investigationNotes = String((input.notes ?? "").prefix(1000))
            c.applicantSigned = StepInput.flag(input.applicantSigned)
            c.householdIncomeFen = result.householdIncome.fen
            c.standardFen = assessment.standardFen
            c.computedAmountFen = result.amount.fen
            c.breakdown = breakdown
            for d in try await CaseDeclaration.query(on: tx).filter(\.$caseID == cid).all() {
                if let v = truth[d.kind.rawValue] { d.heldTrue = v == "true" }
                d.truthNote = String((input.truthNote?[d.kind.rawValue] ?? "").prefix(500))
                try await d.save(on: tx)
            }
            try await VerifiedIncome.query(on: tx).filter(\.$caseID == cid).delete()
            for v in verifiedRows {
                let row = VerifiedIncome()
                row.caseID = cid
                row.memberID = v.memberID
                row.kind = v.kind
                row.monthlyFen = v.fen
                try await row.create(on: tx)
            }
            if listsBlacklist, let head {
                let entry = BlacklistEntry()
                entry.idNumber = head.idNumber
                entry.name = head.name
                entry.reason = String(blacklistReason.prefix(500))
                entry.caseID = cid
                entry.decidedBy = actor.username
                entry.addedOn = today.iso
                entry.countyCode = c.countyCode
                entry.active = true
                try await entry.create(on: tx)
            }
        }
    }
}

/// The household's benefit from its members' verified incomes, the standard in force and
/// the supporters' duty (二.一, 二.二.2), as the investigation and every later review
/// compute it (二.六): the same inputs give the same amount and breakdown.
enum HouseholdBenefit {
    /// The review class of a household with `members` (二.六 table), as enrollment and every
    /// review decision set it: working age by the policy's own ages, adult and not yet
    /// elderly ("有劳动能力和劳动条件").
    static func reviewClass(_ members: [Member], incomeStable: Bool, today: CivilDate, policy: Policy) -> ReviewClass {
        let situations = members.map {
            MemberSituation(label: $0.name, birthDate: CivilDate(iso: $0.birthDate) ?? today,
                            disability: DisabilityLevel(rawValue: $0.disabilityLevel) ?? .none, severeIllness: $0.severeIllness)
        }
        let able = members.contains { m in
            let age = CivilDate(iso: m.birthDate).map { $0.age(on: today) } ?? 0
            return m.workCapacity != .none && age >= policy.childAge && age < policy.elderlyAge
        }
        return ReviewClass.classify(members: situations, incomeStable: incomeStable, ableToWork: able)
    }

    struct Assessment: Sendable {
        var result: BenefitResult
        var breakdown: String
        var standardFen: Int64
        var verified: [(memberID: UUID, kind: IncomeKind, fen: Int64)]
        var fromCheck: Bool
        var members: [Member]
    }

    /// Incomes per member and kind: the latest verification report's figures when
    /// `useVerified`, else the form's `incomes["<member id>.<kind>"]`, else what the
    /// household declared. Returns the field problems instead of the assessment when
    /// there are any (a bad figure, or no standard for the area).
    static func assess(_ household: Household, incomes: [String: String]?, useVerified: Bool, today: CivilDate, policy: Policy,
                       onlyMember: UUID? = nil, db: any Database) async throws -> (Assessment?, [FieldRefusal]) {
        let hid = try household.requireID()
        let members = try await Member.query(on: db).filter(\.$household.$id == hid).sort(\.$position).all()
        let supporters = try await Supporter.query(on: db).filter(\.$household.$id == hid).all()
        let declared = try await IncomeRecord.query(on: db).filter(\.$householdID == hid).all()
        let checked = useVerified ? try await VerificationIncome.latest(householdID: hid, on: db) : nil
        var verified: [(member: Member, kind: IncomeKind, amount: Money)] = []
        var problems: [FieldRefusal] = []
        for m in members {
            for kind in IncomeKind.allCases {
                let key = "\(m.id!.uuidString).\(kind.rawValue)"
                // The whole name in every language: the form is the caseworker's, who sees the
                // household's names in full, and one label serves each language.
                let label = Phrase("investigation.refusal_income_label", m.name, kind.namePhrase)
                let amount: Money
                if let fromCheck = checked?[m.position]?[kind] {
                    amount = fromCheck
                } else if let text = incomes?[key] {
                    do { amount = try CaseSteps.money(text, field: "incomes.\(key)") ?? .zero } catch let r as any Refusal {
                        problems.append(FieldRefusal(r, field: "incomes.\(key)", label: label))
                        continue
                    }
                } else {
                    amount = Money(fen: declared.filter { $0.$member.id == m.id && $0.kind == kind }.reduce(0) { $0 + $1.monthlyFen })
                }
                if amount < .zero {
                    problems.append(.init(field: "incomes.\(key)", rule: "income.negative", .labelled(label, Phrase("investigation.refusal_income_negative"))))
                } else if amount > .zero {
                    verified.append((m, kind, amount))
                }
            }
        }
        guard let standard = try await Standard.inForce(for: try AreaCode(household.villageCode), kind: household.kind, on: today, db: db) else {
            problems.append(FieldRefusal(field: "standard", rule: "standard.missing", Phrase("investigation.refusal_standard_missing", household.kind.namePhrase)))
            return (nil, problems)
        }
        // 单人保: a one-person household of that member — the standard for one, that member's own
        // income, and no support owed to the rest of the household.
        let covered = onlyMember.map { id in members.filter { $0.id == id } } ?? members
        let situations = covered.map { m in
            MemberSituation(label: "\(m.relation.zh) \(Masking.name(m.name))", birthDate: CivilDate(iso: m.birthDate) ?? today,
                            incomes: verified.filter { $0.member.id == m.id }.map { IncomeItem(kind: $0.kind, monthly: $0.amount) },
                            disability: DisabilityLevel(rawValue: m.disabilityLevel) ?? .none, severeIllness: m.severeIllness)
        }
        let support = onlyMember != nil ? [] : supporters.map { SupportOwed(label: "\($0.duty.zh) \(Masking.name($0.name))", monthly: Money(fen: $0.monthlySupportFen)) }
        let result = Benefit.calculate(members: situations, support: support, standardPerPerson: Money(fen: standard.monthlyFen), policy: policy, on: today)
        let breakdown = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        return (Assessment(result: result, breakdown: breakdown, standardFen: standard.monthlyFen,
                           verified: verified.map { (memberID: $0.member.id!, kind: $0.kind, fen: $0.amount.fen) },
                           fromCheck: checked != nil, members: members), problems)
    }
}
