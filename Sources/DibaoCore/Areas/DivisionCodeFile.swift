/// 统计用区划代码 — the official division code list as a CSV an administrator imports to set
/// up a league (issue 15): one area per line, `code,name,urban_rural_code[,resident_population]`
/// with a header naming the columns (English or the list's own Chinese headings). The
/// urban–rural classification code (城乡分类代码) gives each village its kind: 1xx are town
/// areas (城镇), 2xx countryside (乡村), which picks the standard that applies (二.一).
///
/// The file is judged whole: a bad code, a code twice, or a code whose parent is neither in
/// the file nor already in the system refuses it, naming the line and the rule.
public enum DivisionCodeFile {
    public struct Entry: Sendable, Equatable {
        public var code: AreaCode
        public var name: String
        public var kind: AreaKind?
        public var residentPopulation: Int
        public var line: Int
    }

    static let headings: [String: String] = [
        "code": "code", "代码": "code", "区划代码": "code", "统计用区划代码": "code",
        "name": "name", "名称": "name",
        "urban_rural_code": "urban_rural_code", "城乡分类代码": "urban_rural_code", "城乡分类": "urban_rural_code",
        "resident_population": "resident_population", "常住人口": "resident_population",
    ]

    /// `existing` holds the codes already in the system, which a line's parent may be.
    /// Entries come back parents first (by level, then code), ready to insert in order.
    public static func parse(_ text: String, existing: Set<String>) throws(DivisionRefusal) -> [Entry] {
        var lines = text.fileLines
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        guard let header = lines.first.flatMap({ CSVLine.fields($0) }) else { throw DivisionRefusal(line: 1, field: "header", reason: .header) }
        var column: [String: Int] = [:]
        for (i, h) in header.enumerated() {
            guard let name = headings[h.trimmingWhitespace()] else { throw DivisionRefusal(line: 1, field: h, reason: .unknownColumn) }
            column[name] = i
        }
        for required in ["code", "name"] where column[required] == nil { throw DivisionRefusal(line: 1, field: required, reason: .missingColumn) }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for (index, raw) in lines.enumerated().dropFirst() {
            let lineNo = index + 1
            if String(raw).trimmingWhitespace().isEmpty { continue }
            guard let fields = CSVLine.fields(raw), fields.count == header.count else {
                throw DivisionRefusal(line: lineNo, field: "line", reason: .fieldCount(expected: header.count))
            }
            func field(_ name: String) -> String { column[name].map { fields[$0].trimmingWhitespace() } ?? "" }
            let code: AreaCode
            do { code = try AreaCode(field("code")) } catch {
                throw DivisionRefusal(line: lineNo, field: "code", reason: .badCode(error.phrase))
            }
            let name = field("name")
            guard !name.isEmpty, name.count <= 60 else { throw DivisionRefusal(line: lineNo, field: "name", reason: .badName) }
            if let earlier = seen[code.value] { throw DivisionRefusal(line: lineNo, field: "code", reason: .duplicate(code.value, firstLine: earlier)) }
            seen[code.value] = lineNo
            var kind: AreaKind? = nil
            let urbanRural = field("urban_rural_code")
            if !urbanRural.isEmpty {
                guard urbanRural.count == 3, urbanRural.allSatisfy(\.isASCII), let first = urbanRural.first, first == "1" || first == "2",
                      urbanRural.allSatisfy(\.isNumber) else {
                    throw DivisionRefusal(line: lineNo, field: "urban_rural_code", reason: .badUrbanRural(urbanRural))
                }
                kind = first == "1" ? .urban : .rural
            } else if code.level == .village {
                throw DivisionRefusal(line: lineNo, field: "urban_rural_code", reason: .kindRequired)
            }
            var population = 0
            let pop = field("resident_population")
            if !pop.isEmpty {
                guard let n = Int(pop), (0...100_000_000).contains(n) else {
                    throw DivisionRefusal(line: lineNo, field: "resident_population", reason: .badPopulation(pop))
                }
                population = n
            }
            entries.append(Entry(code: code, name: name, kind: kind, residentPopulation: population, line: lineNo))
        }
        if entries.isEmpty { throw DivisionRefusal(line: 2, field: "line", reason: .empty) }
        for e in entries {
            guard let parent = e.code.parent else { continue }
            if seen[parent.value] == nil && !existing.contains(parent.value) {
                throw DivisionRefusal(line: e.line, field: "code", reason: .orphan(e.code.value, parent: parent.value))
            }
        }
        return entries.sorted { ($0.code.level, $0.code.value) < ($1.code.level, $1.code.value) }
    }
}

public struct DivisionRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case header, unknownColumn, missingColumn, empty
        case fieldCount(expected: Int)
        /// The area code's own refusal, written after the line in the reader's language.
        case badCode(Phrase)
        case badName
        case duplicate(String, firstLine: Int)
        case orphan(String, parent: String)
        case badUrbanRural(String)
        case kindRequired
        case badPopulation(String)
    }

    public let line: Int
    public let field: String
    public let reason: Reason
    public var rule: String {
        switch reason {
        case .header: return "division.header"
        case .unknownColumn: return "division.unknown_column"
        case .missingColumn: return "division.missing_column"
        case .empty: return "division.empty"
        case .fieldCount: return "division.field_count"
        case .badCode: return "division.code"
        case .badName: return "division.name"
        case .duplicate: return "division.duplicate"
        case .orphan: return "division.orphan"
        case .badUrbanRural: return "division.urban_rural_code"
        case .kindRequired: return "division.kind_required"
        case .badPopulation: return "division.resident_population"
        }
    }

    public init(line: Int, field: String, reason: Reason) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// The file and line, then the reason (`refusal.labelled`). The column names are
    /// arguments: they are typed as they are in every language.
    public var phrase: Phrase {
        let at = Phrase("division.refusal_line", line)
        switch reason {
        case .header: return .labelled(at, Phrase("division.refusal_header"))
        case .unknownColumn:
            return .labelled(at, Phrase("division.refusal_unknown_column", field, "code", "name", "urban_rural_code", "resident_population"))
        case .missingColumn: return .labelled(at, Phrase("division.refusal_missing_column", field))
        case .empty: return .labelled(Phrase("division.refusal_file"), Phrase("division.refusal_empty"))
        case .fieldCount(let n): return .labelled(at, Phrase("division.refusal_field_count", n))
        case .badCode(let refusal): return .labelled(at, refusal)
        case .badName: return .labelled(at, Phrase("division.refusal_name"))
        case .duplicate(let code, let first): return .labelled(at, Phrase("division.refusal_duplicate", code, first))
        case .orphan(let code, let parent): return .labelled(at, Phrase("division.refusal_orphan", code, parent))
        case .badUrbanRural(let v): return .labelled(at, Phrase("division.refusal_urban_rural_code", v))
        case .kindRequired: return .labelled(at, Phrase("division.refusal_kind_required"))
        case .badPopulation(let v): return .labelled(at, Phrase("division.refusal_resident_population", v))
        }
    }
}
