import TOMLKit

/// 节假日安排文件 — one year of the State Council's holiday notice as a TOML file (issue 15;
/// format in `docs/calendar-files.md`): each holiday as a run of days off with the weekend
/// days worked in exchange (调休). Refused whole, the first problem named with its line.
public enum CalendarFile {
    public struct Loaded: Sendable, Equatable {
        public var year: HolidayYear
        /// The notice the days come from.
        public var source: String
        /// The holidays' names with their runs, for the page that shows the year.
        public var names: [(name: String, from: CivilDate, through: CivilDate)]

        public static func == (a: Loaded, b: Loaded) -> Bool {
            a.year == b.year && a.source == b.source && a.names.map { "\($0.name)\($0.from)\($0.through)" } == b.names.map { "\($0.name)\($0.from)\($0.through)" }
        }
    }

    static let topLevel = ["year", "source", "holiday"]
    static let holidayItems = ["name", "from", "through", "working_weekends"]

    public static func parse(_ text: String) throws(PolicyRefusal) -> Loaded {
        do { return try read(text) } catch let r as PolicyRefusal { throw r.about(.calendar) } catch {
            throw PolicyRefusal(field: "file", reason: .syntax("\(error)")).about(.calendar)
        }
    }

    private static func read(_ text: String) throws -> Loaded {
        let lines = TOMLLines(text)
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw PolicyRefusal(field: "file", reason: .syntax(error.description), line: error.source.begin.line)
        }
        let r = TableReader(root, path: "", known: topLevel, lines: lines)
        try r.refuseUnknown()
        let year = try r.int("year")
        guard (2000...2100).contains(year) else { throw r.refuse("year", .minimumAboveMaximum(minimum: year, maximum: 2100)) }
        let source = try r.string("source")
        if source.trimmingWhitespace().isEmpty { throw r.refuse("source", .empty) }
        var holidays: [CivilDate] = []
        var working: [CivilDate] = []
        var names: [(String, CivilDate, CivilDate)] = []
        let entries = try r.tables("holiday", known: holidayItems) { h -> (String, CivilDate, CivilDate, [CivilDate], TableReader) in
            (try h.string("name"), try h.date("from"), try h.date("through"), try h.optionalDates("working_weekends") ?? [], h)
        }
        if entries.isEmpty { throw r.refuse("holiday", .missingItem) }
        for (name, from, through, weekends, h) in entries {
            if name.trimmingWhitespace().isEmpty { throw h.refuse("name", .empty) }
            for (key, d) in [("from", from), ("through", through)] where d.year != year {
                throw h.refuse(key, .outsideYear(date: d.iso, year: year))
            }
            if through < from { throw h.refuse("through", .endBeforeStart(from: from.iso, through: through.iso)) }
            var day = from
            while day <= through { holidays.append(day); day = day.adding(days: 1) }
            for d in weekends {
                // A swapped day may fall in the neighbouring year (元旦's make-up day in late December).
                if abs(d.year - year) > 1 { throw h.refuse("working_weekends", .outsideYear(date: d.iso, year: year)) }
                if !d.isWeekend { throw h.refuse("working_weekends", .notAWeekend(d.iso)) }
            }
            working += weekends
            names.append((name, from, through))
        }
        if let both = Set(holidays).intersection(working).sorted().first {
            throw r.refuse("holiday", .holidayAndWorking(both.iso))
        }
        if Set(holidays).count != holidays.count { throw r.refuse("holiday", .duplicate) }
        return Loaded(year: HolidayYear(year: year, holidays: holidays.sorted(), workingWeekends: working.sorted()), source: source,
                      names: names.map { (name: $0.0, from: $0.1, through: $0.2) })
    }
}

extension TableReader {
    func optionalDates(_ key: String) throws(PolicyRefusal) -> [CivilDate]? {
        guard let v = table[key] else { return nil }
        guard let array = v.array else { throw refuse(key, .wrongType(expected: "a date (YYYY-MM-DD)")) }
        var out: [CivilDate] = []
        for element in array {
            if let d = element.date, let date = CivilDate(year: d.year, month: d.month, day: d.day) { out.append(date); continue }
            if let s = element.string, let date = CivilDate(iso: s) { out.append(date); continue }
            throw refuse(key, .wrongType(expected: "a date (YYYY-MM-DD)"))
        }
        return out
    }
}
