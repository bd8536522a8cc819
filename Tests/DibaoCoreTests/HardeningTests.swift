import Foundation
import Testing
@testable import DibaoCore

/// Issue 12's defects that live in the rules themselves.
@Suite("Hardening: the rules never trap and refuse what cannot be stored")
struct HardeningCoreTests {
    @Test("ballot counts of Int.max or below zero are refused, not summed into a trap")
    func ballots() {
        var facts = CaseFacts(today: CivilDate(unchecked: 2026, 3, 2), panelSize: 10, residentPopulation: 200,
                              votesFor: Int.max, votesAgainst: Int.max, votesAbstain: 1, evaluationSigned: true)
        var reasons = CaseMachine.unmetPreconditions(of: .recordEvaluation, facts: facts, policy: .default2013).map(\.reason)
        #expect(reasons.contains { if case .ballotsDoNotAddUp = $0 { return true }; return false })
        facts.votesFor = Int.min; facts.votesAgainst = -1
        reasons = CaseMachine.unmetPreconditions(of: .recordEvaluation, facts: facts, policy: .default2013).map(\.reason)
        #expect(reasons.contains { if case .ballotsDoNotAddUp = $0 { return true }; return false })
        facts.residentPopulation = Int.max
        _ = CaseMachine.unmetPreconditions(of: .recordEvaluation, facts: facts, policy: .default2013)
        #expect(Policy.default2013.evaluationPanelMinimum(residentPopulation: Int.max) > 0)
    }

    @Test("an income, support or asset above the policy's item maximum is refused naming the field; counts are bounded")
    func householdAmounts() {
        let id = ResidentID.make(regionCode: "150102", birthDate: CivilDate(unchecked: 1970, 1, 1), sequence: 401, sex: .male).value
        let member = HouseholdDraft.Member(name: "张三", idNumber: id, relation: Kinship.head.rawValue, incomes: ["wages": "92233720368547758", "pension": "10000000.01"])
        let draft = HouseholdDraft(villageCode: "150102001001", address: "新华东街1号", members: [member],
                                   supporters: [.init(name: "李四", duty: SupportDuty.elders.rawValue, monthlySupport: "10000001")],
                                   assets: [.init(kind: AssetKind.deposit.rawValue, description: "存款", value: "10000000.50")])
        guard case .failure(let refused) = draft.validate(today: CivilDate(unchecked: 2026, 3, 2)) else { Issue.record("accepted"); return }
        let byField = Dictionary(refused.problems.map { ($0.field, $0.rule) }, uniquingKeysWith: { a, _ in a })
        #expect(byField["members[0].incomes.wages"] == "money.above_limit")
        #expect(byField["members[0].incomes.pension"] == "amount.above_limit")
        #expect(byField["supporters[0].monthly_support"] == "amount.above_limit")
        #expect(byField["assets[0].value"] == "amount.above_limit")
        let crowd = HouseholdDraft(villageCode: "150102001001", address: "x", members: Array(repeating: member, count: HouseholdDraft.maxMembers + 1))
        guard case .failure(let many) = crowd.validate(today: CivilDate(unchecked: 2026, 3, 2)) else { Issue.record("accepted"); return }
        #expect(many.problems.map(\.rule) == ["household.too_many"])
    }

    @Test("names refuse NUL, bidi overrides, zero-width spaces and stacked marks; Mongolian script's selectors pass",
          arguments: [("a\u{0}b", NameText.Problem.control), ("\u{202E}三张", .invisible), ("张\u{200B}三", .invisible),
                      ("e" + String(repeating: "\u{0301}", count: 40), .tooManyMarks), ("张\u{E000}", .unassigned), ("a\nb", .control)])
    func names(text: String, problem: NameText.Problem) {
        #expect(NameText.problem(text) == problem)
    }

    @Test("names people really have are accepted")
    func realNames() {
        for name in ["张三", "阿卜杜·热合曼", "ᠪᠠᠲᠤ\u{180B}ᠪᠠᠶᠠᠷ", "Batu Bayar", "José", "ᠮᠥᠩᠬᠡ\u{200D}ᠲᠡ"] {
            #expect(NameText.problem(name) == nil, "\(name)")
        }
    }

    @Test("a sign-in next is a same-site path or it is /", arguments: [
        ("/cases?stage=submitted", "/cases?stage=submitted"), ("//evil.example", "/"), ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"), ("https://evil.example/", "/"), ("", "/"), ("/a\u{0}", "/"), ("/名", "/"),
    ])
    func nextPath(candidate: String, expected: String) {
        #expect(LocalPath.safe(candidate) == expected)
    }

    @Test("whole numbers from outside are read within bounds, with the field and the range in the refusal")
    func bounded() throws {
        #expect(try BoundedNumber.page.read("３") == 3)
        for text in ["9223372036854775807", "0", "-1", "1e3", "abc", "99999999999999999999"] {
            let refusal = #expect(throws: FieldRefusal.self) { try BoundedNumber.page.read(text) }
            #expect(refusal?.field == "page")
        }
        #expect(throws: FieldRefusal.self) { try BoundedNumber.year.check(Int.max) }
    }
}

@Suite("Decided amounts against the calculation (issue 12)")
struct DecidedAmountTests {
    /// Three people at ¥906 with ¥730.89 of income: ¥1,987.11, and at most ¥2,718.
    static let calculation = BenefitResult(standardPerPerson: Money(yuan: 906), memberCount: 3, standardTotal: Money(yuan: 2_718),
                                           householdIncome: Money(fen: 73_089), gap: Money(fen: 198_711), topUps: .zero,
                                           minimumApplied: false, amount: Money(fen: 198_711), lines: [])

    @Test("the calculated amount needs no reason; another needs one; above members × standard + top-ups is refused")
    func rules() throws {
        try DecidedAmount.check(Money(fen: 198_711), calculation: Self.calculation, calculated: nil, reason: "")
        let noReason = #expect(throws: FieldRefusal.self) { try DecidedAmount.check(Money(yuan: 2_000), calculation: Self.calculation, calculated: nil, reason: " ") }
        #expect(noReason?.rule == "amount.reason_required" && noReason?.field == "reason")
        try DecidedAmount.check(Money(yuan: 2_000), calculation: Self.calculation, calculated: nil, reason: "入户核实后，子女赡养费实际未给付")
        let tooMuch = #expect(throws: FieldRefusal.self) { try DecidedAmount.check(Money(yuan: 5_000), calculation: Self.calculation, calculated: nil, reason: "领导批示") }
        #expect(tooMuch?.rule == "amount.above_rule_ceiling")
        #expect(tooMuch?.zh.contains("¥2,718.00") == true)
        try DecidedAmount.check(Money(yuan: 2_718), calculation: Self.calculation, calculated: nil, reason: "按标准全额")
    }
}
