import Foundation
import Testing
@testable import DibaoCore

@Suite("Area")
struct AreaTests {
    func code(_ s: String) -> AreaCode { try! AreaCode(s) }

    func refusal(_ raw: String) -> AreaRefusal? {
        #expect(throws: AreaRefusal.self) { try AreaCode(raw) }
    }

    @Test("levels")
    func levels() {
        #expect(AreaLevel.allCases.map(\.codeLength) == [2, 4, 6, 9, 12])
        #expect(AreaLevel.allCases.map(\.segmentLength) == [2, 2, 2, 3, 3])
        #expect(AreaLevel.allCases.map(\.zh) == ["自治区", "盟市", "旗县市区", "苏木乡镇/街道", "嘎查村/社区"])
        #expect(AreaLevel.allCases.map(\.en) == ["region", "league/city", "banner/county", "township/street", "village/community"])
        #expect(AreaLevel.region.parent == nil && AreaLevel.region.child == .league)
        #expect(AreaLevel.village.child == nil && AreaLevel.village.parent == .township)
        #expect(AreaLevel.region < .village)
        #expect(AreaLevel.county.rawValue == 3)
        #expect(AreaKind.urban.zh == "城市" && AreaKind.rural.zh == "农村牧区")
        #expect(AreaKind.rural.en == "rural/pastoral")
    }

    @Test("codes of every level, padded to 12 digits", arguments: [
        ("15", "150000000000", AreaLevel.region),
        ("1501", "150100000000", .league),
        ("150102", "150102000000", .county),
        ("150102001", "150102001000", .township),
        ("150102001001", "150102001001", .village),
        ("150100", "150100000000", .league),
        ("150000000000", "150000000000", .region),
        (" 150102 ", "150102000000", .county),
    ])
    func accepted(raw: String, value: String, level: AreaLevel) throws {
        let area = try AreaCode(raw)
        #expect(area.value == value)
        #expect(area.level == level)
        #expect(area.description == value)
    }

    @Test("refusals")
    func refusals() {
        #expect(refusal("15a102")?.reason == .notDigits)
        #expect(refusal("15a102")?.rule == "area.not_digits")
        #expect(refusal("-15")?.reason == .notDigits)
        #expect(refusal("15010")?.reason == .wrongLength(5))
        #expect(refusal("15010")?.rule == "area.length")
        #expect(refusal("")?.reason == .wrongLength(0))
        #expect(refusal("1501020010011")?.reason == .wrongLength(13))
        #expect(refusal("990000")?.reason == .unknownProvince("99"))
        #expect(refusal("00")?.rule == "area.province")
        #expect(refusal("150102000001")?.reason == .partUnderEmptyParent(.village))
        #expect(refusal("150102000001")?.rule == "area.structure")
        #expect(refusal("150002")?.reason == .partUnderEmptyParent(.county))
        #expect(refusal("150100001")?.reason == .partUnderEmptyParent(.township))
        #expect(refusal("150001001")?.reason == .partUnderEmptyParent(.county))
        #expect(refusal("15a102")?.zh == "区划代码：只能包含数字")
    }

    @Test("parents and ancestors")
    func ancestry() {
        let village = code("150102001001")
        #expect(village.parent == code("150102001"))
        #expect(village.parent?.parent == code("150102"))
        #expect(village.parent?.parent?.parent == code("1501"))
        #expect(village.parent?.parent?.parent?.parent == code("15"))
        #expect(code("15").parent == nil)
        #expect(village.ancestor(at: .league) == code("1501"))
        #expect(village.ancestor(at: .village) == village)
        #expect(code("150102").ancestor(at: .township) == nil)
        #expect(code("150102").ancestor(at: .region)?.level == .region)
        #expect(village.lineage == [code("15"), code("1501"), code("150102"), code("150102001"), village])
    }

    @Test("contains is the jurisdiction test")
    func contains() {
        let county = code("150102")
        #expect(county.contains(county))
        #expect(county.contains(code("150102001")))
        #expect(county.contains(code("150102001001")))
        #expect(!county.contains(code("150103001001")))   // another county of the same league
        #expect(!county.contains(code("1501")))          // the league above
        #expect(code("15").contains(code("150102001001")))
        #expect(!code("15").contains(code("110105")))
        #expect(code("1501").contains(code("150122")))
        #expect(!code("150102001").contains(code("150102002001")))
    }

    @Test("children")
    func children() {
        #expect(code("15").child(1) == code("1501"))
        #expect(code("1501").child(2) == code("150102"))
        #expect(code("150102").child(1) == code("150102001"))
        #expect(code("150102").child(1).level == .township)
        #expect(code("150102001").child(1) == code("150102001001"))
        #expect(code("150102001").child(234).value == "150102001234")
        #expect(code("150102").child(999).value == "150102999000")
        #expect(code("150102").significant == "150102")
        #expect(code("150102001001").significant == "150102001001")
        #expect(code("1501").significant == "1501")
    }

    @Test("order and Codable as the 12-digit string, re-checked")
    func codable() throws {
        #expect(code("150102") < code("150103"))
        #expect(code("15") < code("150102"))
        let data = try JSONEncoder().encode(code("150102"))
        #expect(String(decoding: data, as: UTF8.self) == "\"150102000000\"")
        #expect(try JSONDecoder().decode(AreaCode.self, from: data) == code("150102"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AreaCode.self, from: Data("\"150102000001\"".utf8))
        }
        #expect(Set(AreaLevel.allCases).count == 5)
    }
}
