import Testing
@testable import DibaoCore

@Suite("Refusal")
struct RefusalTests {
    var all: [any Refusal] {
        [
            MoneyRefusal(reason: .empty),
            MoneyRefusal(reason: .notANumber("abc")),
            MoneyRefusal(reason: .tooManyDecimals(3)),
            MoneyRefusal(reason: .overflow),
            ResidentIDRefusal(reason: .wrongLength(17)),
            ResidentIDRefusal(reason: .invalidCharacter(position: 3)),
            ResidentIDRefusal(reason: .misplacedX),
            ResidentIDRefusal(reason: .unknownRegion("990105")),
            ResidentIDRefusal(reason: .impossibleBirthDate("19990230")),
            ResidentIDRefusal(reason: .birthDateInFuture("20990101")),
            ResidentIDRefusal(reason: .wrongCheckCharacter(expected: "X", found: "3")),
            AreaRefusal(reason: .notDigits),
            AreaRefusal(reason: .wrongLength(5)),
            AreaRefusal(reason: .unknownProvince("99")),
            AreaRefusal(reason: .partUnderEmptyParent(.village)),
            PolicyRefusal(field: "version", reason: .empty),
            PolicyRefusal(field: "spot_check_min_percent", reason: .percentOutOfRange(130)),
            PolicyRefusal(field: "evaluation_panel_min_percent", reason: .minimumAboveMaximum(minimum: 12, maximum: 10)),
            PolicyRefusal(field: "first_notice_days", reason: .notPositive(0)),
            PolicyRefusal(field: "minimum_payment", reason: .negative(-1)),
            PolicyRefusal(field: "top_ups", reason: .duplicateTopUp(.child)),
        ]
    }

    @Test("every refusal names its field and has its own rule and messages")
    func distinct() {
        let refusals = all
        #expect(Set(refusals.map(\.rule)).count == refusals.count)
        #expect(Set(refusals.map(\.zh)).count == refusals.count)
        #expect(Set(refusals.map(\.en)).count == refusals.count)
        for r in refusals {
            let zhLabel = FieldLabel.zh(r.field)!
            let enLabel = FieldLabel.en(r.field)!
            #expect(r.zh.hasPrefix(zhLabel + "："))
            #expect(r.en.hasPrefix(enLabel + ": "))
            #expect(r.rule.contains("."))
            #expect(r.message(.zh) == r.zh)
            #expect(r.message(.en) == r.en)
        }
    }

    @Test("the check-character message reads as specified")
    func example() {
        let r = ResidentIDRefusal(reason: .wrongCheckCharacter(expected: "X", found: "3"))
        #expect(r.message(.zh) == "身份证号码：校验码错误（应为 X，实为 3）")
        #expect(r.field == "id_number")
        #expect(r.rule == "id.check_character")
    }

    @Test("a refusal placed in a form names the position in words, not the machine path (第1名成员身份证号码)")
    func positionInWords() throws {
        let refused: ResidentIDRefusal
        do {
            _ = try ResidentID("150102199902301234", field: "members[0].id_number")
            Issue.record("an impossible birth date was accepted")
            return
        } catch {
            refused = error
        }
        do {
            let r: any Refusal = refused
            let placed = FieldRefusal(r, field: "members[0].id_number", label: "第1名成员身份证号码", labelEn: "Member 1 ID number")
            #expect(placed.zh.hasPrefix("第1名成员身份证号码："))
            #expect(!placed.zh.contains("members["), "\(placed.zh)")
            #expect(placed.en.hasPrefix("Member 1 ID number: "))
            #expect(!placed.en.contains("members["), "\(placed.en)")
            #expect(placed.rule == r.rule && placed.field == "members[0].id_number")
        }
    }

    @Test("a field the core does not know is still named")
    func unknownField() {
        let r = ResidentIDRefusal(field: "guardian_id", reason: .misplacedX)
        #expect(r.zh == "身份证号码（guardian_id）：X 只能是最后一位（校验码）")
        #expect(r.en == "ID number (guardian_id): X may only be the last character (the check character)")
        let known = ResidentIDRefusal(field: "supporter_id_number", reason: .misplacedX)
        #expect(known.zh.hasPrefix("赡养（抚养、扶养）义务人身份证号码："))
    }

    @Test("refusals are thrown and caught as errors")
    func asError() {
        do {
            _ = try ResidentID("123")
            Issue.record("a 3-character number was accepted")
        } catch {
            let any: any Error = error
            #expect((any as? any Refusal)?.rule == "id.length")
        }
        #expect(Language.allCases == [.zh, .en, .mn])
        #expect(Language(rawValue: "zh") == .zh)
        #expect(Language.mn.tag == "mn-Mong", "the page names the script, not only the language")
    }
}
