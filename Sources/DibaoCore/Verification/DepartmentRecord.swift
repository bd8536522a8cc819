/// One row of a department batch, in the shape every source shares: whose record
/// (`idNumber`), which item (`reference`: a plate, an account, a certificate, an
/// employer), what it is (`label`), when (`date`), how much (`amount`, in fen) and how
/// big (`quantity`: floor area in hundredths of m², a fund balance in fen), and its
/// state (`status`). A later delivery of the same item for the same date replaces the
/// earlier one, so re-delivering a file never doubles anything.
public struct DepartmentRecord: Sendable, Hashable, Codable {
    public var source: DepartmentSource
    public var idNumber: String
    public var reference: String
    public var label: String
    public var date: CivilDate?
    public var amount: Money
    public var quantity: Int64
    public var status: String

    public init(source: DepartmentSource, idNumber: String, reference: String = "", label: String = "", date: CivilDate? = nil,
                amount: Money = .zero, quantity: Int64 = 0, status: String = "") {
        self.source = source
        self.idNumber = idNumber
        self.reference = reference
        self.label = label
        self.date = date
        self.amount = amount
        self.quantity = quantity
        self.status = status
    }
}

/// Why one row of a department file was not accepted: the line (1 is the header), the
/// column and the rule, and what the person is told — a phrase, so the error report is
/// read in the reader's language and stored as rule and arguments, not as a sentence.
public struct RowProblem: Error, Sendable, Equatable, Codable {
    public var line: Int
    public var field: String
    public var rule: String
    public var phrase: Phrase

    public init(line: Int, field: String, rule: String, _ phrase: Phrase) {
        self.line = line
        self.field = field
        self.rule = rule
        self.phrase = phrase
    }

    /// A problem with the row as a whole (`第 {line} 行：{reason}`).
    public static func row(_ line: Int, rule: String, _ reason: Phrase) -> RowProblem {
        RowProblem(line: line, field: "*", rule: rule, Phrase("import.row", line, reason))
    }

    /// A problem as the batch's error report kept it (`StoredPhrase`).
    public static func stored(line: Int, field: String, rule: String, message: String) -> RowProblem {
        RowProblem(line: line, field: field, rule: rule, StoredPhrase.decode(message) ?? legacy(line: line, field: field, rule: rule))
    }

    /// A problem kept before the report stored phrases (its sentences were converted by
    /// `StoreRowProblemsAsPhrases`): its line, its column and the name of its rule.
    public static func legacy(line: Int, field: String, rule: String) -> Phrase {
        let key = "import.rule_" + rule.replacingOccurrences(of: ".", with: "_")
        let name = Catalogue.shared.has(key) ? Phrase(key) : Phrase("import.rule_code", rule)
        return field == "*" ? Phrase("import.row", line, name) : Phrase("import.row_field", line, field, name)
    }

    public func message(_ lang: Language) -> String { phrase.text(lang) }
    public var zh: String { message(.zh) }
    public var en: String { message(.en) }
}

/// Why a whole file is refused before any row is read: its header does not fit the
/// source's documented format, or it cannot be read as text.
public struct DepartmentFileRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case missingColumn(key: String, zh: String)
        case unknownColumn(String)
        case duplicateColumn(String)
        case empty
        case unreadable
    }

    public let field = "file"
    public let source: DepartmentSource
    public let reason: Reason

    public init(source: DepartmentSource, reason: Reason) {
        self.source = source
        self.reason = reason
    }

    public var rule: String {
        switch reason {
        case .missingColumn: return "import.missing_column"
        case .unknownColumn: return "import.unknown_column"
        case .duplicateColumn: return "import.duplicate_column"
        case .empty: return "import.empty"
        case .unreadable: return "import.encoding"
        }
    }

    public var phrase: Phrase {
        let file = Phrase("import.file", source.namePhrase)
        switch reason {
        case .missingColumn(let key, _):
            return .labelled(file, Phrase("import.refusal_missing_column", Phrase("dept_column.\(source.rawValue).\(key)"), key))
        case .unknownColumn(let c): return .labelled(file, Phrase("import.refusal_unknown_column", c))
        case .duplicateColumn(let c): return .labelled(file, Phrase("import.refusal_duplicate_column", c))
        case .empty: return .labelled(file, Phrase("import.refusal_empty"))
        case .unreadable: return .labelled(file, Phrase("import.refusal_encoding"))
        }
    }
}

/// Reads the rows of one source's file once its header is known. Pure: the importer
/// feeds it lines and stores what it returns.
public struct DepartmentFileReader: Sendable {
    public let source: DepartmentSource
    /// For each documented column, its position in the file (nil: optional and absent).
    private let positions: [Int?]
    private let columns: [DepartmentColumn]
    private let width: Int

    /// Matches the header to the source's columns by key or Chinese label, in any order.
    public init(source: DepartmentSource, header: [String]) throws(DepartmentFileRefusal) {
        self.source = source
        self.columns = source.columns
        var positions = [Int?](repeating: nil, count: columns.count)
        for (i, raw) in header.enumerated() {
            var name = raw.trimmingWhitespace()
            if i == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            if name.isEmpty { continue }
            guard let c = columns.firstIndex(where: { $0.key == name || $0.zh == name }) else {
                throw DepartmentFileRefusal(source: source, reason: .unknownColumn(TextNormaliser.truncated(name)))
            }
            if positions[c] != nil { throw DepartmentFileRefusal(source: source, reason: .duplicateColumn(name)) }
            positions[c] = i
        }
        for (c, column) in columns.enumerated() where positions[c] == nil && !column.optional {
            throw DepartmentFileRefusal(source: source, reason: .missingColumn(key: column.key, zh: column.zh))
        }
        self.positions = positions
        self.width = header.count
    }

    /// One data line (`line` counts from 1 at the header) as a record, or the first
    /// problem with it, naming the column and the rule.
    public func read(_ fields: [String], line: Int) -> Result<DepartmentRecord, RowProblem> {
        var record = DepartmentRecord(source: source, idNumber: "")
        if fields.count != width {
            return .failure(.row(line, rule: "import.column_count", Phrase("import.refusal_column_count", width, fields.count)))
        }
        for (c, column) in columns.enumerated() {
            guard let p = positions[c] else { continue }
            let text = fields[p].trimmingWhitespace()
            // 第 {line} 行“{column}”：{reason} — the column as the file's header names it.
            func problem(_ rule: String, _ reason: Phrase) -> Result<DepartmentRecord, RowProblem> {
                .failure(RowProblem(line: line, field: column.key, rule: rule, Phrase("import.row_column", line, Phrase(column.textKey), reason)))
            }
            func quoted() -> String { TextNormaliser.truncated(text) }
            if text.isEmpty {
                if column.optional { continue }
                return problem("import.required", Phrase("import.refusal_required"))
            }
            switch column.format {
            case .idNumber:
                do { record.idNumber = try ResidentID(text, field: column.key).value } catch {
                    return .failure(RowProblem(line: line, field: column.key, rule: error.rule, Phrase("import.row", line, error.phrase)))
                }
                continue
            case .text:
                if text.count > 200 { return problem("import.too_long", Phrase("import.refusal_too_long", 200)) }
                assign(text, to: column.role, in: &record)
            case .date:
                guard let d = CivilDate(iso: text) ?? CivilDate(compact: text) else {
                    return problem("import.date", Phrase("import.refusal_date", quoted()))
                }
                record.date = d
            case .month:
                let parts = text.split(separator: "-")
                guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), let d = CivilDate(year: y, month: m, day: 1) else {
                    return problem("import.month", Phrase("import.refusal_month", quoted()))
                }
                record.date = d
            case .money:
                let value: Money
                do { value = try Money.parse(text, field: column.key) } catch {
                    return problem(error.rule, error.phrase)
                }
                if value.isNegative { return problem("import.negative", Phrase("import.refusal_negative")) }
                if column.role == .quantity { record.quantity = value.fen } else { record.amount = value }
            case .area:
                guard let hundredths = try? Money.parse(text, field: column.key), !hundredths.isNegative else {
                    return problem("import.area", Phrase("import.refusal_area", quoted()))
                }
                record.quantity = hundredths.fen
            case .choice(let keys, let zh, let names):
                guard let k = keys.firstIndex(of: text) ?? zh.firstIndex(of: text) else {
                    return problem("import.choice", Phrase("import.refusal_choice", args: [.text(quoted()), .list(names.map { .phrase(Phrase($0)) })]))
                }
                assign(keys[k], to: column.role, in: &record)
            }
        }
        return .success(record)
    }

    private func assign(_ text: String, to role: DepartmentColumn.Role, in record: inout DepartmentRecord) {
        switch role {
        case .reference: record.reference = text
        case .label: record.label = text
        case .status: record.status = text
        case .idNumber, .date, .amount, .quantity: break
        }
    }
}

/// One CSV line (RFC 4180 quoting, no line breaks inside a field: spreadsheet exports
/// of these files never have them) split into fields; nil when a quote is left open.
public enum CSVLine {
    public static func fields(_ line: Substring) -> [String]? {
        var text = line
        if text.last == "\r" { text = text.dropLast() }
        if !text.contains("\"") { return text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var fields: [String] = []
        var current = ""
        var quoted = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if quoted {
                if c == "\"" {
                    let next = text.index(after: i)
                    if next < text.endIndex, text[next] == "\"" { current.append("\""); i = next } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
            i = text.index(after: i)
        }
        if quoted { return nil }
        fields.append(current)
        return fields
    }

    /// A field written for CSV: quoted when it holds a comma, a quote or a line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
