import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

@Suite("Households: register, validate, edit, search, export")
struct HouseholdTests {
    @Test("A caseworker registers a household through the API; it is stored whole with an audit event")
    func createViaAPI() async throws {
        try await withDibao { app in
            let headers = try await tokenHeaders(app, for: "xc_township")
            let draft = sampleDraft(seed: 7)
            var created: HouseholdView?
            try await app.testing().test(.POST, "/api/v1/households", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(draft))) { res in
                #expect(res.status == .created)
                created = try res.decode(HouseholdView.self)
            }
            let view = try #require(created)
            #expect(view.memberCount == 2)
            #expect(view.members[0].idNumber == draft.members[0].idNumber, "a township caseworker sees full ID numbers")
            #expect(view.monthlyIncome == "¥1,000.00", "800 wages + 200 owed support")
            let stored = try await Member.query(on: app.db).filter(\.$household.$id == view.id).count()
            #expect(stored == 2)
            let events = try await AuditEvent.query(on: app.db).filter(\.$entityID == view.id.uuidString).all()
            #expect(events.map(\.action) == ["household.created"])
            #expect(!events[0].detail.contains(draft.members[0].idNumber), "the audit log never holds a full ID number")
        }
    }

    @Test("Bad input is refused with every problem named by field and rule, in the caller's language, and nothing is written")
    func refusals() async throws {
        try await withDibao { app in
            let headers = try await tokenHeaders(app, for: "xc_township")
            var draft = sampleDraft(seed: 8)
            draft.members[0].idNumber = "15010219900230123X"   // 30 February
            draft.members[1].idNumber = "150102"               // too short
            draft.members[1].incomes = ["wages": "12.345"]     // three decimals
            let before = try await Household.query(on: app.db).count()
            for (lang, needle) in [("zh", "身份证号码"), ("en", "ID number")] {
                try await app.testing().test(.POST, "/api/v1/households?lang=\(lang)", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(draft))) { res in
                    #expect(res.status == .unprocessableEntity)
                    let body = try #require(try? res.decode(DibaoErrorMiddleware.ErrorBody.self))
                    let fields = Set((body.problems ?? []).map(\.field))
                    #expect(fields.contains("members[0].id_number"))
                    #expect(fields.contains("members[1].id_number"))
                    #expect(fields.contains("members[1].incomes.wages"))
                    #expect((body.problems ?? []).allSatisfy { !$0.rule.isEmpty })
                    #expect((body.problems ?? []).contains { $0.message.contains(needle) })
                }
            }
            #expect(try await Household.query(on: app.db).count() == before)
        }
    }

    @Test("One person, one household: an ID number already registered elsewhere is refused")
    func duplicatePerson() async throws {
        try await withDibao { app in
            let headers = try await tokenHeaders(app, for: "xc_township")
            let existing = try #require(try await Member.query(on: app.db).join(Household.self, on: \Member.$household.$id == \Household.$id)
                .filter(Household.self, \.$townshipCode == "150102001000").first())
            var draft = sampleDraft(seed: 9)
            draft.members[1].idNumber = existing.idNumber
            try await app.testing().test(.POST, "/api/v1/households", headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(draft))) { res in
                #expect(res.status == .unprocessableEntity)
                let body = try res.decode(DibaoErrorMiddleware.ErrorBody.self)
                #expect(body.problems?.map(\.rule) == ["member.id_registered"])
            }
        }
    }

    @Test("An edit needs a reason and the current version; it lands in the household's history")
    func editWithReason() async throws {
        try await withDibao { app in
            let client = try await Client.signedIn(app, as: "xc_township")
            let res = try await client.json(.POST, "/api/v1/households", sampleDraft(seed: 10))
            #expect(res.status == .created)
            let view = try res.decode(HouseholdView.self)
            var draft = sampleDraft(seed: 10)
            draft.address = "新华东街99号"
            draft.members.remove(at: 1)

            let noReason = try await client.json(.PUT, "/api/v1/households/\(view.id)", HouseholdAPI.UpdateBody(version: view.version, reason: " ", household: draft))
            #expect(noReason.status == .unprocessableEntity)
            #expect(try noReason.decode(DibaoErrorMiddleware.ErrorBody.self).problems?.map(\.field) == ["reason"])

            let ok = try await client.json(.PUT, "/api/v1/households/\(view.id)", HouseholdAPI.UpdateBody(version: view.version, reason: "配偶户口迁出", household: draft))
            #expect(ok.status == .ok)
            let updated = try ok.decode(HouseholdView.self)
            #expect(updated.memberCount == 1)
            #expect(updated.address == "新华东街99号")
            #expect(updated.version == view.version + 1)

            let stale = try await client.json(.PUT, "/api/v1/households/\(view.id)", HouseholdAPI.UpdateBody(version: view.version, reason: "再次修改", household: draft))
            #expect(stale.status == .conflict)

            let history = try await client.get("/api/v1/households/\(view.id)/history")
            let rows = try history.decode([HistoryRow].self)
            #expect(rows.count == 2)
            #expect(rows[1].reason == "配偶户口迁出")
            #expect(rows[1].detail.contains("members_removed=" + Masking.name("测试成员101")))
            #expect(rows[1].detail.contains("fields=address"))
        }
    }

    @Test("The household page form registers a household with two members, which the list then finds")
    func pageForm() async throws {
        try await withDibao { app in
            let client = try await Client.signedIn(app, as: "xc_township")
            let form = try await client.get("/households/new")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("name=\"m0.name\""))
            let d = sampleDraft(seed: 11)
            var fields = ["village_code": d.villageCode, "address": d.address, "phone": d.phone]
            for (i, m) in d.members.enumerated() {
                fields["m\(i).name"] = m.name
                fields["m\(i).id_number"] = m.idNumber
                fields["m\(i).relation"] = m.relation
                fields["m\(i).disability_level"] = String(m.disabilityLevel)
                fields["m\(i).work_capacity"] = m.workCapacity
                fields["m\(i).employment"] = m.employment
                if m.severeIllness { fields["m\(i).severe_illness"] = "on" }
            }
            fields["m0.income.wages"] = "1,200.50"
            let saved = try await client.postForm("/households", fields)
            #expect(saved.status == .seeOther)
            let location = try #require(saved.headers.first(name: .location))
            let detail = try await client.get(location)
            #expect(detail.body.string.contains("测试户主11"))
            #expect(detail.body.string.contains("¥1,200.50"))
            let list = try await client.get("/households?q=" + Client.encode("测试户主11"))
            #expect(list.body.string.contains("测试户主11"))
            #expect(list.body.string.contains("<span id=\"total\">1</span>"), "a name search finds exactly the matching household")
            let bySpouse = try await client.get("/api/v1/households?q=" + Client.encode("测试成员11"))
            #expect(try bySpouse.decode(HouseholdAPI.ListResponse.self).total == 1, "a member's name finds the household")
            let none = try await client.get("/api/v1/households?q=" + Client.encode("无此人"))
            #expect(try none.decode(HouseholdAPI.ListResponse.self).total == 0)
            let byID = try await client.get("/households?q=" + d.members[1].idNumber)
            #expect(byID.body.string.contains("测试户主11"), "searching a member's ID number finds the household")

            // The same form with a broken ID re-renders with the problem named and keeps what was typed.
            fields["m1.id_number"] = "150102199001011235"
            fields["m0.id_number"] = "150102199001011236"
            let bad = try await client.postForm("/households", fields)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("data-field=\"members[0].id_number\""))
            #expect(bad.body.string.contains("测试户主11"))
        }
    }

    @Test("CSV export: UTF-8 with BOM or GB18030, masked for a supervisor, and audited")
    func export() async throws {
        try await withDibao { app in
            let client = try await Client.signedIn(app, as: "supervisor")
            let utf8 = try await client.get("/households/export.csv")
            #expect(utf8.status == .ok)
            let bytes = Array(utf8.body.readableBytesView)
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            let lines = text.split(separator: "\r\n")
            #expect(lines.count == (try await Household.query(on: app.db).count()) + 1)
            let heads = try await Household.query(on: app.db).all().map(\.headName)
            for head in heads {
                #expect(text.contains(Masking.name(head)))
                #expect(!text.contains(head), "a supervisor's export carries masked names only")
            }
            let gb = try await client.get("/households/export.csv?encoding=gb18030")
            let decoded = String(data: Data(gb.body.readableBytesView), encoding: String.Encoding(rawValue: 0x8000_0632))
            #expect(decoded == text)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "household.exported").count() == 2)
        }
    }

    @Test("The list pages through a county's households 50 at a time")
    func paging() async throws {
        try await withDibao(households: 130) { app in
            let headers = try await tokenHeaders(app, for: "xc_county")
            var seen = Set<UUID>()
            var total = 0
            for page in 1...3 {
                try await app.testing().test(.GET, "/api/v1/households?page=\(page)", headers: headers) { res in
                    let list = try res.decode(HouseholdAPI.ListResponse.self)
                    total = list.total
                    seen.formUnion(list.items.map(\.id))
                }
            }
            let inCounty = try await Household.query(on: app.db).filter(\.$countyCode == "150102000000").count()
            #expect(total == inCounty)
            #expect(seen.count == inCounty)
        }
    }
}
