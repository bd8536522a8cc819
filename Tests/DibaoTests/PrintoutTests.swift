import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// The papers of issue 16, part 6, as the server makes them (the browser test prints them to
/// PDF): what each one says, who may read it, and the public ways to a notice and an answer.
@Suite("Printouts: receipt, refusal letters, notices for the board, area chooser, objection answers")
struct PrintoutTests {
    @Test("受理回执 after acceptance; 不予受理告知书 with its reason and remedies; neither outside the jurisdiction")
    func caseDocuments() async throws {
        try await withDibao(households: 0) { app in
            let d = try await CaseDriver.make(app)
            let accepted = try await d.file(try await d.household(seed: 31))
            let waiting = try await d.file(try await d.household(seed: 32))
            let refused = try await d.file(try await d.household(seed: 33))
            try await d.step("xc_township", accepted.id, .accept)
            var reason = StepInput()
            reason.reason = "申请人户籍不在本辖区"
            try await d.step("xc_township", refused.id, .refuseIntake, reason)
            let township = try await Client.signedIn(app, as: "xc_township")
            let head = try #require(try await Household.find(accepted.household.id, on: app.db)).headName

            let receipt = try await township.get("/cases/\(accepted.id)/receipt")
            #expect(receipt.status == .ok)
            let text = receipt.body.string
            let policy = app.dibao.policy(on: app.dibao.clock.today())
            for part in ["最低生活保障申请受理回执", accepted.receipt, "\(policy.countyDecisionWorkingDays)个工作日", head,
                         "海拉尔东路街道人民政府", "监督电话：\(policy.supervisionPhone)", "（盖章）", "经办人（签字）", "申请人（签收）", "2026年3月2日"] {
                #expect(text.contains(part), "the receipt says \(part)")
            }
            // The case page offers it; a case not yet accepted has none.
            #expect(try await township.get("/cases/\(accepted.id)").body.string.contains("href=\"/cases/\(accepted.id)/receipt\""))
            #expect(try await township.get("/cases/\(waiting.id)/receipt").status == .notFound)
            #expect(try await township.get("/cases/\(waiting.id)/decision-letter").status == .notFound)

            let letter = try await township.get("/cases/\(refused.id)/decision-letter")
            #expect(letter.status == .ok)
            for part in ["最低生活保障申请不予受理告知书", "申请人户籍不在本辖区", "行政复议", "行政诉讼", "海拉尔东路街道人民政府", "（盖章）"] {
                #expect(letter.body.string.contains(part), "the letter says \(part)")
            }
            #expect(try await township.get("/cases/\(refused.id)").body.string.contains("id=\"doc-link-letter\""))
            #expect(try await township.get("/cases/\(refused.id)/receipt").status == .notFound)
            // Another county's staff do not reach either paper; a reader without personal data
            // sees the applicant's name masked.
            let other = try await Client.signedIn(app, as: "tk_county")
            #expect(try await other.get("/cases/\(accepted.id)/receipt").status == .notFound)
            #expect(try await other.get("/cases/\(refused.id)/decision-letter").status == .notFound)
            let supervisor = try await Client.signedIn(app, as: "supervisor").get("/cases/\(accepted.id)/receipt").body.string
            #expect(!supervisor.contains(head) && supervisor.contains(Masking.name(head)))
        }
    }

    @Test("The county's 不予批准告知书 is issued by the county's civil-affairs office")
    func countyRefusal() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(households: 0, clock: clock) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 34))
            try await d.toCounty(c.id, clock: clock)
            var reason = StepInput()
            reason.reason = "家庭人均收入高于当地低保标准"
            try await d.step("xc_approver", c.id, .refuse, reason)
            let page = try await Client.signedIn(app, as: "xc_county").get("/cases/\(c.id)/decision-letter").body.string
            for part in ["最低生活保障不予批准告知书", "家庭人均收入高于当地低保标准", "新城区民政局", "行政复议"] {
                #expect(page.contains(part), "the letter says \(part)")
            }
            #expect(!page.contains("海拉尔东路街道人民政府"))
        }
    }

    @Test("The notice for the board: the whole list of a township, its title, office, period, where to object; masked")
    func noticeSheet() async throws {
        try await withDibao { app in
            let township = "150102001000"
            let second = try await Notice.query(on: app.db).filter(\.$townshipCode == township).filter(\.$kind == .second).filter(\.$active == true).all()
            #expect(second.count > 0)
            let anonymous = Client(app)
            let res = try await anonymous.get("/public/notices/print?area=\(township)&kind=second")
            #expect(res.status == .ok)
            let page = res.body.string
            #expect(page.components(separatedBy: "class=\"notice-line\"").count - 1 == second.count, "every line, not one screen page")
            let people = second.map(\.memberCount).reduce(0, +)
            for part in ["关于海拉尔东路街道最低生活保障对象审批结果的公示", "以下\(second.count)户\(people)人", "新城区民政局", "公示时间：自",
                         "联系电话：", "监督电话：", "（盖章）", "负责人（签字）", "2026年3月2日"] {
                #expect(page.contains(part), "the notice says \(part)")
            }
            // Nothing a notice must not show (二.三): no ID number, no whole name.
            for n in second {
                guard let c = try await ApplicationCase.find(n.caseID, on: app.db) else { continue }
                for m in try await Member.query(on: app.db).filter(\.$household.$id == c.householdID).all() {
                    #expect(!page.contains(m.idNumber))
                    if m.name.count > 1 { #expect(!page.contains(">\(m.name)<")) }
                }
            }
            // The first notice of the same township lists the lines still in their period.
            let first = try await anonymous.get("/public/notices/print?area=\(township)&kind=first").body.string
            #expect(first.contains("关于海拉尔东路街道最低生活保障申请审核结果的公示"))
            #expect(first.contains("海拉尔东路街道人民政府"))
            // A county is too wide for one board: the visitor is sent to choose.
            let wide = try await anonymous.get("/public/notices/print?area=150102000000&kind=second")
            #expect(wide.status == .seeOther && wide.headers.first(name: .location) == "/public/notices")
        }
    }

    @Test("Public notices without an area let a visitor choose a county, then a township; a township's page links its printouts")
    func areaChooser() async throws {
        try await withDibao(households: 0) { app in
            let anonymous = Client(app)
            let choose = try await anonymous.get("/public/notices")
            #expect(choose.status == .ok)
            #expect(choose.body.string.contains("href=\"/public/notices?area=150102000000\""))
            #expect(choose.body.string.contains("呼和浩特市"))
            let county = try await anonymous.get("/public/notices?area=150102000000").body.string
            #expect(county.contains("id=\"area-children\"") && county.contains("href=\"/public/notices?area=150102001000\""))
            #expect(!county.contains("id=\"print-first\""))
            let township = try await anonymous.get("/public/notices?area=150102001000").body.string
            #expect(township.contains("href=\"/public/notices/print?area=150102001000&amp;kind=first\"") || township.contains("href=\"/public/notices/print?area=150102001000&kind=first\""))
        }
    }

    @Test("An objection's reference leads to its answer; a wrong one is told so beside the field")
    func objectionAnswer() async throws {
        try await withDibao(households: 0) { app in
            let d = try await CaseDriver.make(app)
            let c = try await d.file(try await d.household(seed: 35))
            try await d.step("xc_township", c.id, .accept)
            try await d.step("xc_township", c.id, .completeInvestigation, .investigation)
            try await d.step("xc_township", c.id, .recordEvaluation, .evaluation)
            try await d.step("xc_head", c.id, .townshipApprove, StepInput(opinion: "同意"))
            try await d.step("xc_township", c.id, .postFirstNotice)
            let raised = try await d.call("nobody", .POST, "/api/v1/public/objections", Objections.RaiseInput(receipt: c.receipt, name: nil, text: "该户有车辆"))
                .decode(Objections.Raised.self)
            let anonymous = Client(app)
            let found = try await anonymous.get("/public/lookup?reference=\(raised.reference.lowercased())")
            #expect(found.status == .seeOther && found.headers.first(name: .location) == "/public/objections/\(raised.reference)")
            let answer = try await anonymous.get("/public/objections/\(raised.reference)")
            #expect(answer.status == .ok && answer.body.string.contains(raised.reference))
            let wrong = try await anonymous.get("/public/lookup?reference=%3Cscript%3E")
            #expect(wrong.status == .ok && wrong.body.string.contains("id=\"reference-error\""))
            #expect(!wrong.body.string.contains("<script>"))
            #expect(try await anonymous.get("/public/objections/YYNOSUCHREF").status == .notFound)
        }
    }
}
