import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// 单人保 (2021 第十条): under a version that names the categories, a severely ill or severely
/// disabled member applies alone and is assessed as a one-person household; the 2013 version
/// allows none.
@Suite("Single-person enrolment (单人保)")
struct SinglePersonTests {
    @Test("Refused under 2013 and for a member outside the categories; under 2021 the member is assessed alone, noticed alone and enrolled alone")
    func singlePerson() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(households: 0, clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let hid = try await d.household(seed: 5)
            let members = try await Member.query(on: app.db).filter(\.$household.$id == hid).sort(\.$position).all()
            let head = members[0], ill = members[1]
            #expect(ill.severeIllness && !head.severeIllness)
            let signers = Dictionary(uniqueKeysWithValues: DeclarationKind.allCases.map { ($0.rawValue, "测试户主") })
            func file(_ member: Member) async throws -> TestingHTTPResponse {
                try await d.call("xc_village", .POST, "/api/v1/households/\(hid)/cases",
                                 Intake.Input(channel: "village_committee", singlePerson: member.id!.uuidString, signers: signers))
            }
            #expect(d.problems(try await file(ill)) == ["intake.single_person_not_provided"])

            let admin = app.context(try await actor(app, "admin"))
            _ = try await PolicyVersions.load(text: try AdministrationTests.file("policies/MCA-2021-57.toml"), effectiveFrom: CivilDate(iso: "2026-03-02"), ctx: admin)
            _ = try await PolicyVersions.activate(version: "MCA-2021-57", effectiveFrom: CivilDate(iso: "2026-03-02"), ctx: admin)
            #expect(d.problems(try await file(head)) == ["intake.single_person_category"])
            let apply = try await Client.signedIn(app, as: "xc_township").get("/households/\(hid)/apply").body.string
            #expect(apply.contains("id=\"singlePerson\"") && apply.contains("value=\"\(ill.id!.uuidString)\"") && !apply.contains("value=\"\(head.id!.uuidString)\""))

            let res = try await file(ill)
            #expect(res.status == .created, "\(res.body.string.prefix(300))")
            let filed = try res.decode(CaseView.self)
            #expect(filed.singlePerson.hasSuffix(Masking.name(ill.name)) || filed.singlePerson.hasSuffix(ill.name))
            try await d.step("xc_township", filed.id, .accept)
            let investigated = try #require(try await d.step("xc_township", filed.id, .completeInvestigation, .investigation))
            // One person's standard against that member's own income (none): the head's wage and the supporter do not count.
            let standard = try #require(try await Standard.inForce(for: try AreaCode("150102001001"), kind: .urban, on: clock.today(), db: app.db))
            #expect(investigated.computedAmount == Money(fen: standard.monthlyFen).formatted)
            #expect(investigated.breakdown.contains { $0.label.contains("× 1 人") })
            let stored = try #require(try await ApplicationCase.find(filed.id, on: app.db))
            #expect(stored.singlePersonID == ill.id)

            // The notice names the one member; the enrolled household covers that member.
            let reviewed = try #require(try await d.step("xc_head", filed.id, .townshipApprove, StepInput(opinion: "同意")))
            try await d.step("xc_township", filed.id, .postFirstNotice)
            let notice = try #require(try await Notice.query(on: app.db).filter(\.$caseID == filed.id).first())
            #expect(notice.memberCount == 1 && notice.maskedMembers == Masking.name(ill.name))
            clock.advance(days: 7)
            try await d.step("xc_township", filed.id, .submitToCounty)
            try await d.step("xc_approver", filed.id, .approve, StepInput(amount: try #require(reviewed.proposedAmount), firstMonth: "2026-04"))
            let enrolled = try #require(try await d.step("xc_county", filed.id, .enroll))
            #expect(enrolled.stage == "enrolled")
            let e = try #require(try await EnrolledHousehold.query(on: app.db).filter(\.$caseID == filed.id).first())
            #expect(e.singlePersonID == ill.id && e.monthlyFen == standard.monthlyFen)
        }
    }

    @Test("The categories as the register shows them")
    func categories() throws {
        let p = try PolicyFile.parse(try AdministrationTests.file("policies/MCA-2021-57.toml"))
        #expect(SinglePerson.category(disability: .level2, severeIllness: false, age: 40, working: true, policy: p) == .severelyDisabled)
        #expect(SinglePerson.category(disability: .none, severeIllness: true, age: 70, working: false, policy: p) == .severelyIll)
        #expect(SinglePerson.category(disability: .level3, severeIllness: false, age: 40, working: false, policy: p) == nil)
        var only = p
        only.procedure.singlePersonCategories = [.dependentAdult]
        #expect(SinglePerson.category(disability: .level1, severeIllness: false, age: 30, working: false, policy: only) == .dependentAdult)
        #expect(SinglePerson.category(disability: .level1, severeIllness: false, age: 30, working: true, policy: only) == nil)
        #expect(SinglePerson.category(disability: .level1, severeIllness: false, age: 12, working: false, policy: only) == nil)
        #expect(SinglePerson.category(disability: .level1, severeIllness: true, age: 40, working: false, policy: .default2013) == nil)
    }
}
