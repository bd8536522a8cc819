import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// 二.一 "制定并向社会公布享受最低生活保障待遇的具体条件和认定程序": each area's public page, generated from
/// the version and standards in force, with the area's own provisions and requirements on supporters.
@Suite("Published conditions (二.一)")
struct ConditionsTests {
    @Test("Route × role: the standards and conditions pages for county civil affairs and the administrator, 403 (audited) for the others; the public pages for anyone",
)
    func routeTable() async throws {
        // One application, every account in turn.
        try await withDibao(households: 0) { app in
          for username in DemoData.accounts.map(\.username) {
            let role = try #require(DemoData.accounts.first { $0.username == username }?.role)
            let ok = Permission.manageStandards.roles.contains(role)
            let client = try await Client.signedIn(app, as: username)
            for path in ["/admin/standards", "/admin/conditions"] {
                #expect(try await client.get(path).status == (ok ? .ok : .forbidden), "\(username) \(path)")
            }
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == username).count() == (ok ? 0 : 2))
            for path in ["/public/standards", "/public/conditions", "/public/network", "/api/v1/public/conditions?area=150102000000", "/api/v1/public/network"] {
                #expect(try await client.get(path).status == .ok, "\(username) \(path)")
                #expect(try await Client(app).get(path).status == .ok, "anonymous \(path)")
            }
          }
        }
    }

    @Test("Every line either shipped version can produce has its text in both languages, with every argument filled")
    func everyLineHasText() async throws {
        var policies = [Policy.default2013, try PolicyFile.parse(try AdministrationTests.file("policies/MCA-2021-57.toml"))]
        var limits = Policy.default2013
        limits.depositLimitMonthsOfStandard = 12
        limits.vehicleLimit = 1
        limits.exemptVehicleTypes = []
        limits.housingLimit = 1
        limits.businessLimit = 0
        limits.paymentFrequency = .quarterly
        policies.append(limits)
        for p in policies {
            for standards in [PublishedConditions.Standards(urban: Money(yuan: 906), rural: Money(yuan: 650)), .init(urban: nil, rural: nil)] {
                for section in PublishedConditions.sections(policy: p, standards: standards) {
                    for key in [section.key] + section.lines.map(\.key) {
                        for lang in Language.allCases {
                            let text = try #require(Strings.catalogue.texts[lang]?[key], "\(key) has no \(lang) text")
                            #expect(!text.isEmpty)
                        }
                    }
                    for line in section.lines {
                        let zh = try #require(Strings.catalogue.texts[.zh]?[line.key])
                        for i in 0..<line.args.count { #expect(zh.contains("{\(i + 1)}"), "\(line.key) uses argument \(i + 1)") }
                        #expect(!zh.contains("{\(line.args.count + 1)}"), "\(line.key) has an argument left unfilled")
                    }
                }
            }
        }
    }

    @Test("A county's public page: its standard, the procedure of the version in force, its own and its league's text; a village reads its county's page")
    func publicPage() async throws {
        let clock = TestClock("2026-03-02")
        try await withDibao(households: 0, clock: clock) { app in
            let anonymous = Client(app)
            var page = try await anonymous.get("/public/conditions?area=150122000000").body.string
            #expect(page.contains("托克托县最低生活保障申请条件和办理程序"))
            #expect(page.contains("每人每月 \(Money(yuan: 650).formatted)"), "the league's rural standard reaches the county")
            #expect(page.contains("随机抽取不低于 30% 的申请家庭入户抽查"))
            #expect(page.contains("IM-2013-07"))
            #expect(!page.contains("conditions.") && !page.contains("{1}"), "no raw key or unfilled argument")
            #expect(try await anonymous.get("/public/conditions?area=150122100201").body.string.contains("data-area=\"150122000000\""))
            #expect(try await anonymous.get("/public/conditions?area=12345").status == .unprocessableEntity)
            #expect(try await anonymous.get("/public/conditions").body.string.contains("id=\"conditions-region-note\""))

            // The county writes its own text; the league's administrator writes the league's.
            let county = try await Client.signedIn(app, as: "tk_county")
            let text = ["area": "150122000000", "localText": "托克托县：种植收入按当年亩均纯收入核算。\r\n第二段。",
                        "supportersText": "赡养人为公职人员的，须提供工资证明。", "document": "托政办发〔2026〕1号"]
            #expect(try await county.postForm("/admin/conditions", text).status == .seeOther)
            #expect(try await county.postForm("/admin/conditions", ["area": "150102000000", "localText": "x"]).status == .forbidden)
            let township = try await county.postForm("/admin/conditions", ["area": "150122100000", "localText": "x"])
            #expect(township.status == .unprocessableEntity && township.body.string.contains("地区：须为盟市或旗县市区的区划代码"))
            // A long text goes with the token in the address, as the page's form sends it.
            let long = try await county.postForm("/admin/conditions?_csrf=\(county.csrf ?? "")", ["area": "150122000000", "localText": String(repeating: "字", count: 4_001)])
            #expect(long.status == .unprocessableEntity && long.body.string.contains("不超过 4000 字"), "\(long.status) \(long.body.string.prefix(300))")
            let admin = try await Client.signedIn(app, as: "admin")
            #expect(try await admin.postForm("/admin/conditions", ["area": "150100000000", "localText": "呼和浩特市：全市统一核算标准。", "supportersText": ""]).status == .seeOther)

            page = try await anonymous.get("/public/conditions?area=150122000000").body.string
            #expect(page.contains("种植收入按当年亩均纯收入核算") && page.contains("<p>第二段。</p>"))
            #expect(page.contains("赡养人为公职人员的，须提供工资证明") && page.contains("呼和浩特市：全市统一核算标准"))
            #expect(page.contains("托政办发〔2026〕1号"))
            #expect(!(try await anonymous.get("/public/conditions?area=150102000000").body.string.contains("种植收入")), "another county does not show it")

            // A second save keeps the replaced text in the audit trail.
            var changed = text
            changed["localText"] = "改过的规定"
            #expect(try await county.postForm("/admin/conditions", changed).status == .seeOther)
            let events = try await AuditEvent.query(on: app.db).filter(\.$action == "conditions.published").filter(\.$entityID == "150122000000").all()
            #expect(events.count == 2)
            #expect(events.contains { $0.detail.contains("old_local_text") && $0.detail.contains("种植收入") })

            // The 2021 version in force: the page says what the case machine now does.
            let ctx = app.context(try await actor(app, "admin"))
            _ = try await PolicyVersions.load(text: try AdministrationTests.file("policies/MCA-2021-57.toml"), effectiveFrom: CivilDate(iso: "2026-03-09"), ctx: ctx)
            _ = try await PolicyVersions.activate(version: "MCA-2021-57", effectiveFrom: CivilDate(iso: "2026-03-09"), ctx: ctx)
            #expect(!(try await anonymous.get("/public/conditions?area=150122000000").body.string.contains("公示有异议的，重新调查核实")), "not before its day")
            clock.advance(days: 7)
            page = try await anonymous.get("/public/conditions?area=150122000000").body.string
            #expect(page.contains("公示有异议的，重新调查核实或组织民主评议") && page.contains("不超过 6 个月的渐退期") && page.contains("MCA-2021-57"))
            #expect(!page.contains("随机抽取不低于"))
            let en = try await anonymous.get("/public/conditions?area=150122000000&lang=en").body.string
            #expect(en.contains("gradual exit of at most 6 months"))
        }
    }
}
