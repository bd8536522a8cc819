import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Issue 15: areas retired and merged as the division list changes, keeping their history.
@Suite("Areas retired and merged")
struct AreaChangesTests {
    @Test("A village merged into its neighbour: households and their open work and accounts move, ledgers stay, the village is retired with its basis and is offered nowhere")
    func merge() async throws {
        try await withDibao(households: 40) { app in
            let from = "150102001002", into = "150102001001"
            let moving = try await Household.query(on: app.db).filter(\.$villageCode == from).all()
            #expect(!moving.isEmpty)
            let cases = try await ApplicationCase.query(on: app.db).filter(\.$villageCode == from).count()
            let lines = try await PayrollLine.query(on: app.db).filter(\.$villageCode == from).count()
            let admin = try await Client.signedIn(app, as: "admin")
            // Refused: another township, no basis, an outside area.
            let across = try await admin.postForm("/admin/areas/merge", ["code": from, "into": "150102002001", "reason": "民政批复"])
            #expect(across.status == .unprocessableEntity && across.body.string.contains("id=\"area-change-error\""))
            #expect(try await admin.postForm("/admin/areas/merge", ["code": from, "into": into, "reason": ""]).status == .unprocessableEntity)
            #expect(try await Client.signedIn(app, as: "xc_county").postForm("/admin/areas/merge", ["code": from, "into": into, "reason": "x"]).status == .forbidden)

            let done = try await admin.postForm("/admin/areas/merge", ["code": from, "into": into, "reason": "新政区批〔2026〕3号"])
            #expect(done.status == .ok && done.body.string.contains("id=\"load-done\""))
            #expect(try await Household.query(on: app.db).filter(\.$villageCode == from).count() == 0)
            for h in moving { #expect(try await Household.find(h.id, on: app.db)?.villageCode == into) }
            #expect(try await ApplicationCase.query(on: app.db).filter(\.$villageCode == from).count() == 0)
            #expect(try await ApplicationCase.query(on: app.db).filter(\.$villageCode == into).count() >= cases)
            #expect(try await EnrolledHousehold.query(on: app.db).filter(\.$villageCode == from).count() == 0)
            #expect(try await PayrollLine.query(on: app.db).filter(\.$villageCode == from).count() == lines, "what was paid stays where it was paid")
            let retired = try #require(try await Area.find(from, on: app.db))
            #expect(retired.retiredOn == "2026-03-02" && retired.mergedInto == into && retired.retiredReason == "新政区批〔2026〕3号")
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "area.merged").first())
            #expect(event.entityID == from && event.detail.contains("\"households\":\"\(moving.count)\""))
            #expect(try await admin.get("/admin/areas").body.string.contains("data-code=\"\(from)\""))
            // Offered nowhere; a new household there is refused, naming the field.
            #expect(!(try await Client.signedIn(app, as: "xc_township").get("/households/new").body.string.contains("value=\"\(from)\"")))
            let d = try await CaseDriver.make(app, users: ["xc_township"])
            let res = try await d.call("xc_township", .POST, "/api/v1/households", sampleDraft(village: from, seed: 77))
            #expect(res.status == .unprocessableEntity && d.problems(res).contains("household.village_retired"))
            // A merged village cannot be merged again.
            #expect(try await admin.postForm("/admin/areas/merge", ["code": from, "into": into, "reason": "x"]).body.string.contains("撤销"))
        }
    }

    @Test("A village of another kind is not merged; an area is retired only when no household, account or area below it is in use")
    func retire() async throws {
        try await withDibao(households: 0) { app in
            let ctx = app.context(try await actor(app, "admin"))
            let rural = try #require(try await Area.find("150102001003", on: app.db))
            rural.kind = .rural
            try await rural.save(on: app.db)
            await #expect(throws: FieldRefusal.self) { try await AreaChanges.merge(.init(code: "150102001003", into: "150102001004", reason: "x"), ctx: ctx) }
            func rule(_ input: AreaChanges.Input) async -> String? {
                do { _ = try await AreaChanges.retire(input, ctx: ctx); return nil } catch { return (error as? FieldRefusal)?.rule }
            }
            #expect(await rule(.init(code: "150102001001", reason: "撤销")) == "area_change.has_accounts", "the village assistant works there")
            #expect(await rule(.init(code: "150102005000", reason: "撤销")) == "area_change.has_children")
            #expect(await rule(.init(code: "150102001004", reason: "")) == "area_change.reason")
            #expect(await rule(.init(code: "150102001004", reason: "撤销村委会")) == nil)
            #expect(try await Area.find("150102001004", on: app.db)?.retiredOn == "2026-03-02")
            #expect(try await AreaQueries.villages(below: try AreaCode("150102001000"), on: app.db).allSatisfy { $0.id != "150102001004" })
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "area.retired").filter(\.$entityID == "150102001004").count() == 1)
        }
    }
}
