import Foundation
import Testing
@testable import DibaoCore

@Suite("ResidentID")
struct ResidentIDTests {
    /// A number with the given first 17 characters and the right check character.
    func withCheck(_ first17: String) -> String {
        first17 + String(ResidentID.checkCharacter(for: first17))
    }

    func refusal(_ raw: String, today: CivilDate? = nil) -> ResidentIDRefusal? {
        #expect(throws: ResidentIDRefusal.self) { try ResidentID(raw, today: today) }
    }

    @Test("the GB 11643 standard's example 11010519491231002X is valid")
    func standardExample() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id.value == "11010519491231002X")
        #expect(id.regionCode == "110105")
        #expect(id.birthDate == CivilDate(year: 1949, month: 12, day: 31))
        #expect(id.sequenceCode == "002")
        #expect(id.sex == .female)
        #expect(id.masked == "1101**********002X")
        #expect(id.description == "11010519491231002X")
        #expect(ResidentID.checkCharacter(for: "11010519491231002") == "X")
    }

    @Test("the standard's annex example 440524188001010014 has the right check character")
    func annexExample() {
        // GB 11643 annex: 广东省汕头市潮阳县, born 1880-01-01, sequence 001 (male).
        #expect(ResidentID.checkCharacter(for: "44052418800101001") == "4")
        // The number itself is refused here only because of the 1900 floor on birth
        // years (nobody born in 1880 can apply); every other check passes.
        #expect(refusal("440524188001010014")?.reason == .impossibleBirthDate("18800101"))
    }

    @Test("other valid numbers")
    func otherValid() throws {
        let male = try ResidentID(withCheck("15010219800101001"))
        #expect(male.sex == .male)
        #expect(male.regionCode == "150102")
        #expect(male.age(on: CivilDate(year: 2025, month: 9, day: 26)!) == 45)
        // Codes with a zero county part and directly administered counties (90) are plausible.
        _ = try ResidentID(withCheck("11000019900101002"))
        _ = try ResidentID(withCheck("41900119900101002"))
        _ = try ResidentID(withCheck("82000020000229002"))
    }

    @Test("a lower-case x, spaces and full-width digits are normalised")
    func normalisation() throws {
        #expect(try ResidentID("11010519491231002x").value == "11010519491231002X")
        #expect(try ResidentID(" 110105 19491231 002X ").value == "11010519491231002X")
        #expect(try ResidentID("１１０１０５１９４９１２３１００２Ｘ").value == "11010519491231002X")
    }

    @Test("wrong length")
    func wrongLength() {
        let r = refusal("11010519491231002")
        #expect(r?.reason == .wrongLength(17))
        #expect(r?.rule == "id.length")
        #expect(r?.zh == "身份证号码：位数错误（应为 18 位，实为 17 位）")
        #expect(refusal("110105491231002")?.reason == .wrongLength(15))  // first-generation number
        #expect(refusal("")?.reason == .wrongLength(0))
        #expect(refusal("11010519491231002X1")?.reason == .wrongLength(19))
    }

    @Test("invalid character")
    func invalidCharacter() {
        let r = refusal("11010A19491231002X")
        #expect(r?.reason == .invalidCharacter(position: 6))
        #expect(r?.rule == "id.character")
        #expect(refusal("11010519491231002Y")?.reason == .invalidCharacter(position: 18))
        #expect(refusal("-11010519491231002")?.reason == .invalidCharacter(position: 1))
    }

    @Test("an X anywhere but last is its own reason")
    func misplacedX() {
        let r = refusal("1101051949X2310021")
        #expect(r?.reason == .misplacedX)
        #expect(r?.rule == "id.misplaced_x")
        #expect(refusal("x10105194912310021")?.reason == .misplacedX)
    }

    @Test("unknown region")
    func unknownRegion() {
        let r = refusal(withCheck("99010519491231002"))
        #expect(r?.reason == .unknownRegion("990105"))
        #expect(r?.rule == "id.region")
        #expect(r?.zh == "身份证号码：地址码 990105 不是有效的行政区划代码")
        // 00, 16, 20, 83 and 91 are not province-level codes.
        for prefix in ["00", "16", "20", "83", "91"] {
            #expect(refusal(withCheck(prefix + "010519491231002"))?.rule == "id.region")
        }
        // A county part under city part 00 is structurally impossible.
        #expect(refusal(withCheck("15000119800101001"))?.reason == .unknownRegion("150001"))
    }

    @Test("the province list is exactly the one documented")
    func provinceList() {
        let valid = (10...99).filter { ResidentID.isPlausibleRegion("\($0)0000") }
        #expect(valid == [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                          41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82])
    }

    @Test("impossible birth date")
    func impossibleBirthDate() {
        let r = refusal(withCheck("11010519990230001"))
        #expect(r?.reason == .impossibleBirthDate("19990230"))
        #expect(r?.rule == "id.birth_date")
        #expect(refusal(withCheck("11010519991301001"))?.reason == .impossibleBirthDate("19991301"))
        #expect(refusal(withCheck("11010519990000001"))?.reason == .impossibleBirthDate("19990000"))
        #expect(refusal(withCheck("11010518991231001"))?.reason == .impossibleBirthDate("18991231"))
        #expect(refusal(withCheck("11010520230229001"))?.reason == .impossibleBirthDate("20230229"))
        #expect((try? ResidentID(withCheck("11010520240229001"))) != nil)
        #expect((try? ResidentID(withCheck("11010519000101001"))) != nil)
    }

    @Test("birth date after today")
    func birthDateInFuture() {
        let today = CivilDate(year: 2025, month: 9, day: 26)!
        let r = refusal(withCheck("15010220250927001"), today: today)
        #expect(r?.reason == .birthDateInFuture("20250927"))
        #expect(r?.rule == "id.birth_date_future")
        // Born today is fine, and without `today` no future check is made.
        #expect((try? ResidentID(withCheck("15010220250926001"), today: today)) != nil)
        #expect((try? ResidentID(withCheck("15010220300101001"))) != nil)
    }

    @Test("wrong check character")
    func wrongCheckCharacter() {
        let r = refusal("110105194912310021")
        #expect(r?.reason == .wrongCheckCharacter(expected: "X", found: "1"))
        #expect(r?.rule == "id.check_character")
        #expect(r?.zh == "身份证号码：校验码错误（应为 X，实为 1）")
        #expect(r?.en == "ID number: wrong check character (expected X, found 1)")
        let good = withCheck("44052419800101001")
        let wrong = String(good.dropLast()) + (good.last == "0" ? "1" : "0")
        #expect(refusal(wrong)?.rule == "id.check_character")
    }

    @Test("any single changed digit is caught")
    func singleDigitErrors() {
        let good = Array("11010519491231002X")
        for position in 0..<17 {
            for digit in "0123456789" where digit != good[position] {
                var chars = good
                chars[position] = digit
                #expect((try? ResidentID(String(chars))) == nil)
            }
        }
    }

    @Test("every refusal reason has its own rule code")
    func distinctRules() {
        let reasons: [ResidentIDRefusal.Reason] = [
            .wrongLength(1), .invalidCharacter(position: 1), .misplacedX, .unknownRegion("990000"),
            .impossibleBirthDate("19990230"), .birthDateInFuture("20990101"),
            .wrongCheckCharacter(expected: "X", found: "1"),
        ]
        let refusals = reasons.map { ResidentIDRefusal(reason: $0) }
        #expect(Set(refusals.map(\.rule)).count == reasons.count)
        #expect(Set(refusals.map(\.zh)).count == reasons.count)
        #expect(Set(refusals.map(\.en)).count == reasons.count)
        for r in refusals {
            #expect(r.zh.hasPrefix("身份证号码："))
            #expect(r.en.hasPrefix("ID number: "))
        }
    }

    @Test("make gives valid numbers for every sequence and sex")
    func make() throws {
        let birth = CivilDate(year: 1975, month: 6, day: 15)!
        var seen = Set<String>()
        for sequence in 0...499 {
            for sex in [Sex.male, .female] {
                let id = ResidentID.make(regionCode: "150102", birthDate: birth, sequence: sequence, sex: sex)
                let parsed = try ResidentID(id.value)
                #expect(parsed == id)
                #expect(parsed.sex == sex)
                #expect(parsed.birthDate == birth)
                #expect(parsed.regionCode == "150102")
                seen.insert(id.value)
            }
        }
        #expect(seen.count == 1000)
        // A 12-digit area code gives its first six digits; out-of-range sequences wrap.
        let fromArea = ResidentID.make(regionCode: "150102001001", birthDate: birth, sequence: 501, sex: .female)
        #expect(fromArea.regionCode == "150102")
        #expect(fromArea.sequenceCode == "002")
    }

    @Test("equal numbers are equal values; Codable as the string, re-checked")
    func codable() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id == (try ResidentID("11010519491231002x")))
        #expect(Set([id, try ResidentID("11010519491231002X")]).count == 1)
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"11010519491231002X\"]")
        #expect(try JSONDecoder().decode([ResidentID].self, from: data) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ResidentID].self, from: Data("[\"110105194912310021\"]".utf8))
        }
    }
}
