import Testing
@testable import DibaoCore

@Suite("Masking")
struct MaskingTests {
    @Test("names", arguments: [
        ("张小明", "张*明"),
        ("张三", "张*"),
        ("欧阳小明", "欧**明"),
        ("王", "*"),
        ("", ""),
        ("阿拉坦·巴根", "阿****根"),
        (" 李四 ", "李*"),
    ])
    func names(input: String, expected: String) {
        #expect(Masking.name(input) == expected)
    }

    @Test("ID numbers", arguments: [
        ("150102198001010011", "1501**********0011"),
        ("11010519491231002X", "1101**********002X"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("123", "***"),
        ("", ""),
    ])
    func idNumbers(input: String, expected: String) {
        #expect(Masking.idNumber(input) == expected)
    }

    @Test("phones", arguments: [
        ("13812345678", "138****5678"),
        ("04716612345", "047****2345"),
        ("0471-6612345", "047*******45"),
        ("6612345", "661**45"),
        ("123456", "123*56"),
        ("12345", "*****"),
        ("", ""),
    ])
    func phones(input: String, expected: String) {
        #expect(Masking.phone(input) == expected)
    }

    @Test("a resident ID's mask is the same")
    func residentID() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id.masked == Masking.idNumber(id.value))
        #expect(id.masked.count == 18)
        #expect(id.masked.filter { $0 == "*" }.count == 10)
    }
}
