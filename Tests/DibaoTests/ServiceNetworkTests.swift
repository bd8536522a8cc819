import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// 二.四: halls and windows registered by county civil affairs, the one-stop subsidy list from
/// the version in force, the public list, and intake tagged with the window that took it.
@Suite("Service network (二.四)")
struct ServiceNetworkTests {
    static let allowed: Set<Role> = [.countyCaseworker, .countyApprover, .administrator]

    @Test("Route × role: the network page and API open for county civil affairs and the administrator; every other role gets 403, audited",
)
    func routeTable() async throws {
        // One application, every account in turn (a parameterized test would start 21
        // applications at once, each with its own database connections).
        try await withDibao(households: 0) { app in
          for username in DemoData.accounts.map(\.username) {
            let role = try #require(DemoData.accounts.first { $0.username == username }?.role)
            let ok = Self.allowed.contains(role)
            let client = try await Client.signedIn(app, as: username)
            let page = try await client.get("/admin/network").status
            #expect(page == (ok ? .ok : .forbidden), "\(username): \(page)")
            var api: HTTPResponseStatus = .ok
            try await app.testing().test(.GET, "/api/v1/admin/network", headers: try await tokenHeaders(app, for: username)) { api = $0.status }
            #expect(api == (ok ? .ok : .forbidden), "\(username): \(api)")
            // A hall's own page: its county (and the region's administrator) opens it; the other
            // county gets 404, audited; every other role 403, audited.
            let point = try #require(try await ServicePoint.query(on: app.db).filter(\.$areaCode == "150102000000").first())
            let pointStatus = try await client.get("/admin/network/\(point.id!)").status
            let account = try #require(DemoData.accounts.first { $0.username == username })
            let inArea = try AreaCode(account.area).contains(try AreaCode("150102000000"))
            #expect(pointStatus == (!ok ? .forbidden : inArea ? .ok : .notFound), "\(username): \(pointStatus)")
            let denials = try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == username).count()
            #expect(denials == (ok ? (inArea ? 0 : 1) : 3), "\(username): \(denials)")
            // Everyone, signed in or not, reads the public list.
            #expect(try await client.get("/public/network").status == .ok)
          }
        }
    }

    @Test("A county registers a hall and a window, corrects and closes them; the one-stop list follows the floor area; history and audit kept")
    func lifecycle() async throws {
        try await withDibao(households: 0) { app in
            let county = try await Client.signedIn(app, as: "xc_county")
            let hall = ["kind": "hall", "area": "150102000000", "name": "新城区第二服务大厅", "address": "新华大街1号", "hours": "工作日 9:00–17:00",
                        "phone": "0471-6900001", "squareMetres": "299", "oneStop": "on"]
            // Refusals name the field and keep what was typed.
            var wrongLevel = hall
            wrongLevel["area"] = "150102001000"
            let refused = try await county.postForm("/admin/network", wrongLevel)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("data-field=\"area\""))
            #expect(refused.body.string.contains("value=\"新城区第二服务大厅\""))
            var badPhone = hall
            badPhone["phone"] = "call us"
            badPhone["squareMetres"] = "0"
            let both = try await county.postForm("/admin/network", badPhone)
            #expect(both.body.string.contains("data-field=\"phone\"") && both.body.string.contains("data-field=\"square_metres\""))
            // Another county is out of reach (403, audited).
            var other = hall
            other["area"] = "150122000000"
            #expect(try await county.postForm("/admin/network", other).status == .forbidden)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == "xc_county").count() == 1)

            #expect(try await county.postForm("/admin/network", hall).status == .seeOther)
            let made = try #require(try await ServicePoint.query(on: app.db).filter(\.$name == "新城区第二服务大厅").first())
            #expect(made.squareMetres == 299 && made.oneStop && made.inUse && made.createdBy == "xc_county")
            #expect(try await county.postForm("/admin/network", hall).status == .unprocessableEntity, "the same name twice in one county")
            var listed = try await county.get("/admin/network")
            #expect(listed.body.string.contains("data-id=\"\(made.id!)\" data-qualifies=\"false\""), "299 m² is below the 300 m² floor")

            // Corrected to 300 m²: on the list.
            var fixed = hall
            fixed["squareMetres"] = "300"
            #expect(try await county.postForm("/admin/network/\(made.id!)", fixed).status == .seeOther)
            listed = try await county.get("/admin/network")
            #expect(listed.body.string.contains("data-id=\"\(made.id!)\" data-qualifies=\"true\""))
            let oneStop = try #require(listed.body.string.range(of: "id=\"one-stop-list\"").map { String(listed.body.string[$0.lowerBound...].prefix(2_000)) })
            #expect(oneStop.contains("新城区第二服务大厅"))
            let changed = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "service_point.changed").first())
            #expect(changed.detail.contains("\"old_square_metres\":\"299\"") && changed.detail.contains("\"new_square_metres\":\"300\""))

            // A window for a township of the county; the public page lists it with its phone.
            let window = ["kind": "window", "area": "150102002000", "name": "锡林郭勒北路街道第二窗口", "address": "街道便民服务中心", "hours": "工作日 9:00–17:00", "phone": "0471-6900002"]
            #expect(try await county.postForm("/admin/network", window).status == .seeOther)
            let anonymous = Client(app)
            let publicPage = try await anonymous.get("/public/network?area=150102000000").body.string
            #expect(publicPage.contains("新城区第二服务大厅") && publicPage.contains("锡林郭勒北路街道第二窗口") && publicPage.contains("0471-6900002"))
            #expect(!publicPage.contains("托克托县社会救助服务大厅"), "another county's hall is not on this county's list")
            #expect(try await anonymous.get("/public/network?area=99999").status == .unprocessableEntity)

            #expect(try await county.get("/admin/network/\(made.id!)").body.string.contains("id=\"point-form\""))
            // Closing needs a reason; closed points leave the public page and stay in the history.
            let noReason = try await county.postForm("/admin/network/\(made.id!)/close", ["reason": ""])
            #expect(noReason.status == .unprocessableEntity, "\(noReason.status) \(noReason.body.string.prefix(300))")
            #expect(try await county.postForm("/admin/network/\(made.id!)/close", ["reason": "迁入政务服务中心"]).status == .seeOther)
            #expect(!(try await anonymous.get("/public/network?area=150102000000").body.string.contains("新城区第二服务大厅")))
            let point = try await county.get("/admin/network/\(made.id!)").body.string
            #expect(point.contains("迁入政务服务中心") && point.contains("id=\"point-history\""))
            #expect(try await county.postForm("/admin/network/\(made.id!)", fixed).status == .unprocessableEntity, "a closed point is not edited")

            // The other county's point answers 404 (audited) to this county.
            let tk = try #require(try await ServicePoint.query(on: app.db).filter(\.$areaCode == "150122000000").first())
            #expect(try await county.get("/admin/network/\(tk.id!)").status == .notFound)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "access.denied").filter(\.$actorName == "xc_county").count() == 2)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$entityType == "service_point").filter(\.$entityID == made.id!.uuidString).count() == 3)
        }
    }

    @Test("The API: list with the floor area of the version in force, add (201), change, close")
    func api() async throws {
        try await withDibao(households: 0) { app in
            let headers = try await tokenHeaders(app, for: "tk_county")
            var listing: ServiceNetworkAPI.Listing?
            try await app.testing().test(.GET, "/api/v1/admin/network", headers: headers) { listing = try? $0.content.decode(ServiceNetworkAPI.Listing.self) }
            let l = try #require(listing)
            #expect(l.oneStopMinimumSquareMetres == 300 && l.policyVersion == "IM-2013-07")
            #expect(l.points.contains { $0.name == "托克托县社会救助服务大厅" && $0.squareMetres == 240 && !$0.qualifies })
            #expect(l.points.allSatisfy { $0.area.hasPrefix("150122") })
            #expect(l.basePoints.first { $0.township == "150122100000" }?.villagesWithAssistant == 1)

            let body = ServiceNetwork.Input(kind: "hall", area: "150122000000", name: "托克托县新服务大厅", address: "双河镇", hours: "工作日", phone: "0471-8520000",
                                            squareMetres: "480", oneStop: "true")
            var created: ServiceNetwork.Row?
            try await app.testing().test(.POST, "/api/v1/admin/network", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(body))) {
                #expect($0.status == .created)
                created = try? $0.content.decode(ServiceNetwork.Row.self)
            }
            let row = try #require(created)
            #expect(row.qualifies)
            var bad = body
            bad.squareMetres = "-1"
            try await app.testing().test(.POST, "/api/v1/admin/network", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(bad))) {
                #expect($0.status == .unprocessableEntity)
                #expect($0.body.string.contains("service_point.square_metres"))
            }
            try await app.testing().test(.POST, "/api/v1/admin/network/\(row.id)/close", headers: headers,
                                         body: ByteBuffer(data: try JSONEncoder().encode(ServiceNetworkPages.CloseInput(reason: "合并")))) {
                #expect($0.status == .ok)
                #expect((try? $0.content.decode(ServiceNetwork.Row.self))?.inUse == false)
            }
        }
    }

    @Test("Intake at a window: chosen from the township's registered windows, kept on the case; a window of another township is refused")
    func intakeTagged() async throws {
        try await withDibao(households: 0) { app in
            let driver = try await CaseDriver.make(app, users: ["xc_township", "xc_village"])
            let signers = Dictionary(uniqueKeysWithValues: DeclarationKind.allCases.map { ($0.rawValue, "测试户主") })
            let own = try #require(try await ServiceNetwork.windows(of: "150102001000", on: app.db).first)
            let elsewhere = try #require(try await ServiceNetwork.windows(of: "150102002000", on: app.db).first)

            let h1 = try await driver.household(seed: 1)
            for wrong in [nil, elsewhere.id!.uuidString, "not-a-uuid"] {
                let res = try await driver.call("xc_township", .POST, "/api/v1/households/\(h1)/cases",
                                                Intake.Input(channel: "window", windowName: "随便写的窗口", window: wrong, signers: signers))
                #expect(res.status == .unprocessableEntity)
                #expect(driver.problems(res) == ["intake.window"])
            }
            let res = try await driver.call("xc_township", .POST, "/api/v1/households/\(h1)/cases", Intake.Input(channel: "window", window: own.id!.uuidString, signers: signers))
            #expect(res.status == .created, "\(res.body.string)")
            let view = try res.decode(CaseView.self)
            #expect(view.windowName == own.name)
            let stored = try #require(try await ApplicationCase.find(view.id, on: app.db))
            #expect(stored.windowID == own.id)

            // Submitted by the village committee: no window.
            let h2 = try await driver.household(seed: 2)
            let byVillage = try await driver.file(h2)
            #expect(try await ApplicationCase.find(byVillage.id, on: app.db)?.windowID == nil)

            // The apply page offers the township's windows, the first chosen.
            let page = try await Client.signedIn(app, as: "xc_township").get("/households/\(h2)/apply").body.string
            #expect(page.contains("<select name=\"window\" id=\"window\"><option value=\"\(own.id!.uuidString)\" selected>"))
        }
    }
}
