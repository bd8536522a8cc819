import Foundation
import Testing
@testable import DibaoCore

@Suite("ReceiptNumber")
struct ReceiptNumberTests {
    let township = try! AreaCode("150102001")
    let date = CivilDate(iso: "2026-03-02")!

    func refusal(_ text: String) -> ReceiptRefusal.Reason? {
        do {
            _ = try ReceiptNumber(text)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("the printed form")
    func format() {
        let receipt = ReceiptNumber.make(township: township, date: date, sequence: 7)
        #expect(receipt.value == "150102001-20260302-0007-7")
        #expect(receipt.description == receipt.value)
        #expect(receipt.township == township)
        #expect(receipt.date == date)
        #expect(receipt.sequence == 7)
        #expect(ReceiptNumber.make(township: township, date: date, sequence: 19).value == "150102001-20260302-0019-X")
        #expect(ReceiptNumber.make(township: township, date: date, sequence: 9999).value.hasPrefix("150102001-20260302-9999-"))
    }

    @Test("a village code stands for its township")
    func villageCode() throws {
        let village = try AreaCode("150102001003")
        #expect(ReceiptNumber.make(township: village, date: date, sequence: 7).value == "150102001-20260302-0007-7")
    }

    @Test("round trip through the printed form")
    func roundTrip() throws {
        for sequence in [1, 7, 19, 250, 9999] {
            let receipt = ReceiptNumber.make(township: township, date: date, sequence: sequence)
            #expect(try ReceiptNumber(receipt.value) == receipt)
        }
    }

    @Test("typing variants are tolerated")
    func tolerated() throws {
        let receipt = ReceiptNumber.make(township: township, date: date, sequence: 19)
        #expect(try ReceiptNumber("  150102001-20260302-0019-x ") == receipt)
        #expect(try ReceiptNumber("1501020012026030200 19X") == receipt)
        #expect(try ReceiptNumber("150102001 20260302 0019 X") == receipt)
        #expect(try ReceiptNumber("１５０１０２００１－２０２６０３０２－００１９－Ｘ") == receipt)
    }

    @Test("every one-character typo is refused")
    func singleTypos() {
        let printed = ReceiptNumber.make(township: township, date: date, sequence: 7).value
        let chars = Array(printed)
        var tried = 0
        for (i, original) in chars.enumerated() where original != "-" {
            for replacement in Array("0123456789X") where replacement != original {
                var typo = chars
                typo[i] = replacement
                let reason = refusal(String(typo))
                #expect(reason == .checkCharacter || reason == .badCharacter, "\(String(typo))")
                tried += 1
            }
        }
        #expect(tried == 22 * 10)
    }

    @Test("swapping two neighbouring digits is refused")
    func transpositions() {
        for sequence in [7, 19, 4321] {
            let printed = ReceiptNumber.make(township: township, date: date, sequence: sequence).value
            let digits = Array(printed.filter { $0 != "-" }.prefix(21))
            let check = printed.last!
            for i in 0..<(digits.count - 1) where digits[i] != digits[i + 1] {
                var swapped = digits
                swapped.swapAt(i, i + 1)
                #expect(refusal(String(swapped) + String(check)) == .checkCharacter, "\(i)")
            }
        }
    }

    @Test("malformed numbers are refused with the reason")
    func malformed() {
        #expect(refusal("") == .empty)
        #expect(refusal("   ") == .empty)
        #expect(refusal("150102001-20260302-007-7") == .wrongLength(21))
        #expect(refusal("150102001-20260302-00007-7") == .wrongLength(23))
        #expect(refusal("15010200A-20260302-0007-7") == .badCharacter)
        #expect(refusal("150102001-20260302-0007-K") == .badCharacter)
        #expect(refusal("150102001-20260302-0007-8") == .checkCharacter)
    }

    @Test("a well-checked number no receipt could carry is refused")
    func impossibleParts() {
        // Check characters computed for the digits as given.
        #expect(refusal("150102000-20260302-0007-\(ReceiptNumber.checkCharacter(for: "150102000202603020007"))") == .notATownship)
        #expect(refusal("990102001-20260302-0007-\(ReceiptNumber.checkCharacter(for: "990102001202603020007"))") == .notATownship)
        #expect(refusal("150102001-20260230-0007-\(ReceiptNumber.checkCharacter(for: "150102001202602300007"))") == .invalidDate)
        #expect(refusal("150102001-20260302-0000-\(ReceiptNumber.checkCharacter(for: "150102001202603020000"))") == .sequenceZero)
    }

    @Test("refusals name the field and rule without repeating the number")
    func messages() {
        let reasons: [ReceiptRefusal.Reason] = [.empty, .wrongLength(3), .badCharacter, .checkCharacter,
                                                .notATownship, .invalidDate, .sequenceZero]
        for reason in reasons {
            let r = ReceiptRefusal(reason: reason)
            #expect(r.field == "receipt_number")
            #expect(r.rule.hasPrefix("receipt."))
            #expect(r.zh.hasPrefix("回执编号："))
            #expect(r.en.hasPrefix("Receipt number: "))
        }
        #expect(Set(reasons.map { ReceiptRefusal(reason: $0).rule }).count == reasons.count)
    }

    @Test("the check character is the GB 11643 one for 17 digits")
    func sameAsResidentID() {
        for first17 in ["11010519491231002", "15010219800101001", "44030420000229123", "15010220260302000"] {
            #expect(ReceiptNumber.checkCharacter(for: first17) == ResidentID.checkCharacter(for: first17))
        }
    }

    @Test("Codable as the printed form, re-checked on reading")
    func codable() throws {
        let receipt = ReceiptNumber.make(township: township, date: date, sequence: 7)
        let data = try JSONEncoder().encode([receipt])
        #expect(String(decoding: data, as: UTF8.self) == "[\"150102001-20260302-0007-7\"]")
        #expect(try JSONDecoder().decode([ReceiptNumber].self, from: data) == [receipt])
        let typo = Data("[\"150102001-20260302-0008-7\"]".utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ReceiptNumber].self, from: typo) }
    }
}
