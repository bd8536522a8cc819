import Testing
@testable import DibaoCore

/// The division-code CSV and the holiday-calendar file (issue 15): judged whole, each
/// refusal naming its line and rule, and read the same with CRLF line ends (a textarea).
@Suite("Division-code and calendar files")
struct DataFileTests {
    static let header = "code,name,urban_rural_code,resident_population\n"

    func refusal(_ text: String, existing: Set<String> = ["150000000000"]) -> DivisionRefusal? {
        do { _ = try DivisionCodeFile.parse(text, existing: existing); return nil } catch { return error }
    }

    @Test("a good file comes back parents first, villages with their kind and residents, Chinese headings or English, CRLF or LF")
    func good() throws {
        let text = Self.header + "150302001001,新华社区,111,1000\n150302001000,新华街道,,\n150302000000,海勃湾区,,\n150300000000,乌海市,,\n150303100201,拉僧庙村,220,900\n150303100000,拉僧庙镇,,\n150303000000,海南区,,\n"
        let entries = try DivisionCodeFile.parse(text, existing: ["150000000000"])
        #expect(entries.map(\.code.value).first == "150300000000")
        #expect(entries.map(\.code.level) == entries.map(\.code.level).sorted())
        let village = try #require(entries.first { $0.code.value == "150302001001" })
        #expect(village.kind == .urban && village.residentPopulation == 1000)
        #expect(entries.first { $0.code.value == "150303100201" }?.kind == .rural)
        let crlf = try DivisionCodeFile.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), existing: ["150000000000"])
        #expect(crlf == entries)
        let chinese = "\u{FEFF}统计用区划代码,名称,城乡分类代码\n150300000000,乌海市,\n"
        #expect(try DivisionCodeFile.parse(chinese, existing: ["150000000000"]).count == 1)
    }

    @Test("duplicate, orphan, a village without kind, a bad kind, a bad code and an unknown column are refused with their lines")
    func refusals() {
        let r1 = refusal(Self.header + "150300000000,乌海市,,\n150302000000,海勃湾区,,\n150300000000,乌海市,,\n")
        #expect(r1?.rule == "division.duplicate" && r1?.line == 4)
        #expect(r1?.zh.contains("第 2 行") == true)
        let r2 = refusal(Self.header + "150300000000,乌海市,,\n150402000000,红山区,,\n")
        #expect(r2?.rule == "division.orphan" && r2?.line == 3)
        let r3 = refusal(Self.header + "150300000000,乌海市,,\n150302000000,海勃湾区,,\n150302001000,新华街道,,\n150302001001,新华社区,,\n")
        #expect(r3?.rule == "division.kind_required" && r3?.line == 5)
        let r4 = refusal(Self.header + "150300000000,乌海市,,\n150302000000,海勃湾区,,\n150302001000,新华街道,,\n150302001001,新华社区,311,\n")
        #expect(r4?.rule == "division.urban_rural_code" && r4?.line == 5)
        let r5 = refusal(Self.header + "15030000000X,乌海市,,\n")
        #expect(r5?.rule == "division.code" && r5?.line == 2)
        let r6 = refusal("code,name,population\n150300000000,乌海市,1\n")
        #expect(r6?.rule == "division.unknown_column" && r6?.line == 1)
        #expect(refusal(Self.header)?.rule == "division.empty")
        // CRLF keeps line numbers as an editor shows them.
        #expect(refusal((Self.header + "150300000000,乌海市,,\n150402000000,红山区,,\n").replacingOccurrences(of: "\n", with: "\r\n"))?.line == 3)
    }

    static let calendar = """
    year = 2027
    source = "测试"

    [[holiday]]
    name = "元旦"
    from = 2027-01-01
    through = 2027-01-03

    [[holiday]]
    name = "春节"
    from = 2027-02-06
    through = 2027-02-14
    working_weekends = [2027-02-20]
    """

    func calendarRefusal(_ text: String) -> PolicyRefusal? {
        do { _ = try CalendarFile.parse(text); return nil } catch { return error }
    }

    @Test("a calendar file gives its days off and swapped working days; CRLF reads the same")
    func calendarGood() throws {
        let loaded = try CalendarFile.parse(Self.calendar)
        #expect(loaded.year.year == 2027)
        #expect(loaded.year.holidays.count == 12)
        #expect(loaded.year.workingWeekends.map(\.iso) == ["2027-02-20"])
        #expect(loaded.names.map(\.name) == ["元旦", "春节"])
        #expect(try CalendarFile.parse(Self.calendar.replacingOccurrences(of: "\n", with: "\r\n")) == loaded)
        let calendar = WorkingDayCalendar(years: [loaded.year])
        #expect(!calendar.isWorkingDay(CivilDate(iso: "2027-01-01")!))
        #expect(calendar.isWorkingDay(CivilDate(iso: "2027-02-20")!))
    }

    @Test("a day outside the year, a swapped day that is no weekend, a day both off and worked, an end before the start are refused with their lines")
    func calendarRefusals() {
        let outside = calendarRefusal(Self.calendar.replacingOccurrences(of: "through = 2027-01-03", with: "through = 2028-01-03"))
        #expect(outside?.rule == "calendar.outside_year")
        #expect(outside?.line == 7)
        let weekday = calendarRefusal(Self.calendar.replacingOccurrences(of: "[2027-02-20]", with: "[2027-02-17]"))
        #expect(weekday?.rule == "calendar.not_a_weekend")
        #expect(weekday?.line == 13)
        let both = calendarRefusal(Self.calendar.replacingOccurrences(of: "[2027-02-20]", with: "[2027-02-13]"))
        #expect(both?.rule == "calendar.holiday_and_working")
        let backwards = calendarRefusal(Self.calendar.replacingOccurrences(of: "from = 2027-01-01", with: "from = 2027-01-05"))
        #expect(backwards?.rule == "calendar.end_before_start")
        #expect(calendarRefusal(Self.calendar + "\nunknown = 1\n")?.rule == "calendar.unknown_item")
        #expect(calendarRefusal("year = 2027\nsource = \"x\"\n[[holiday]\n")?.rule == "calendar.syntax")
    }
}
