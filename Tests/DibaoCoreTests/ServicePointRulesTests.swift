import Testing
import DibaoCore

/// 二.四: the checks on a hall or window as typed, and the one-stop subsidy rule.
@Suite("Service network rules (二.四)")
struct ServicePointRulesTests {
    static let hall = ServicePointDraft(name: "新城区社会救助服务大厅", address: "政务服务中心一楼", hours: "周一至周五 8:30–18:00", phone: "0471-6901234", squareMetres: "300", oneStop: true)

    @Test("A hall of exactly the floor area, one-stop and in use, qualifies; one square metre less, not one-stop, or closed does not")
    func subsidyFloor() throws {
        let facts = try ServicePointRules.check(Self.hall, kind: .hall)
        #expect(facts.squareMetres == 300 && facts.oneStop)
        #expect(ServicePointRules.qualifiesForOneStopSubsidy(kind: .hall, oneStop: true, squareMetres: 300, inUse: true, minimumSquareMetres: 300))
        #expect(!ServicePointRules.qualifiesForOneStopSubsidy(kind: .hall, oneStop: true, squareMetres: 299, inUse: true, minimumSquareMetres: 300))
        #expect(!ServicePointRules.qualifiesForOneStopSubsidy(kind: .hall, oneStop: false, squareMetres: 900, inUse: true, minimumSquareMetres: 300))
        #expect(!ServicePointRules.qualifiesForOneStopSubsidy(kind: .hall, oneStop: true, squareMetres: 900, inUse: false, minimumSquareMetres: 300))
        #expect(!ServicePointRules.qualifiesForOneStopSubsidy(kind: .window, oneStop: true, squareMetres: 900, inUse: true, minimumSquareMetres: 300))
        // A later version's floor is read, not the 2013 number.
        #expect(!ServicePointRules.qualifiesForOneStopSubsidy(kind: .hall, oneStop: true, squareMetres: 360, inUse: true, minimumSquareMetres: 400))
    }

    @Test("Every bad field is named at once, with its rule")
    func refusals() {
        var bad = Self.hall
        bad.name = " "
        bad.phone = "call me"
        bad.squareMetres = "1000001"
        bad.hours = String(repeating: "时", count: 101)
        bad.address = "a\u{7}b"
        do {
            _ = try ServicePointRules.check(bad, kind: .hall)
            Issue.record("accepted")
        } catch {
            #expect(Set(error.problems.map(\.rule)) == ["service_point.name_required", "service_point.phone", "service_point.square_metres",
                                                        "service_point.hours_length", "service_point.address_characters"])
            #expect(error.problems.first { $0.field == "phone" }?.zh.hasPrefix("咨询电话") == true)
        }
        for typed in ["0", "-5", "３００", "3e2", "", "99999999999999999999"] {
            var h = Self.hall
            h.squareMetres = typed
            #expect(throws: FormRefused.self, "\(typed)") { try ServicePointRules.check(h, kind: .hall) }
        }
    }

    @Test("A window has neither floor area nor one-stop flag; phones as offices write them pass")
    func windows() throws {
        var w = Self.hall
        w.squareMetres = nil
        w.oneStop = false
        let facts = try ServicePointRules.check(w, kind: .window)
        #expect(facts.squareMetres == nil && !facts.oneStop)
        w.oneStop = true
        #expect(throws: FormRefused.self) { try ServicePointRules.check(w, kind: .window) }
        for phone in ["12349", "(0477) 8123456", "+86 471 1234567", "0471-6901234"] { #expect(ServicePointRules.validPhone(phone), "\(phone)") }
        for phone in ["1234", "0471_690", "电话"] { #expect(!ServicePointRules.validPhone(phone), "\(phone)") }
    }
}
