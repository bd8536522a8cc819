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
/// column and the rule, told in both languages for the error report.
public struct RowProblem: Error, Sendable, Equatable, Codable {
    public var line: Int
    public var field: String
    public var rule: String
    public var zh: String
    public var en: String

    public init(line: Int, field: String, rule: String, zh: String, en: String) {
        self.line = line
        self.field = field
        self.rule = rule
        self.zh = zh
        self.en = en
    }
}

/// Why a whole file is refused before any row is read: its header does not fit the
/// source's documented format, or it cannot be read as text.
public struct DepartmentFileRefusal: BilingualRefusal, Equatable {
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

    public var zh: String {
        switch reason {
        case .missingColumn(let key, let zh): return "\(source.zh)数据文件：缺少必填列“\(zh)”（\(key)）"
        case .unknownColumn(let c): return "\(source.zh)数据文件：表头“\(c)”不是本数据源的列"
        case .duplicateColumn(let c): return "\(source.zh)数据文件：表头“\(c)”重复"
        case .empty: return "\(source.zh)数据文件：文件为空，至少应有表头行"
        case .unreadable: return "\(source.zh)数据文件：无法按 UTF-8 或 GB18030 读取"
        }
    }

    public var en: String {
        switch reason {
        case .missingColumn(let key, _): return "\(source.en) file: required column “\(key)” is missing"
        case .unknownColumn(let c): return "\(source.en) file: header “\(c)” is not a column of this source"
        case .duplicateColumn(let c): return "\(source.en) file: header “\(c)” appears twice"
        case .empty: return "\(source.en) file: the file is empty; it needs at least the header line"
        case .unreadable: return "\(source.en) file: cannot be read as UTF-8 or GB18030"
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
            return .failure(RowProblem(line: line, field: "*", rule: "import.column_count",
                                       zh: "第 \(line) 行：应有 \(width) 列，实有 \(fields.count) 列",
                                       en: "line \(line): expected \(width) columns, found \(fields.count)"))
        }
        for (c, column) in columns.enumerated() {
            guard let p = positions[c] else { continue }
            let text = fields[p].trimmingWhitespace()
            func problem(_ rule: String, _ zh: String, _ en: String) -> Result<DepartmentRecord, RowProblem> {
                .failure(RowProblem(line: line, field: column.key, rule: rule,
                                    zh: "第 \(line) 行“\(column.zh)”：\(zh)", en: "line \(line) \(column.key): \(en)"))
            }
            if text.isEmpty {
                if column.optional { continue }
                return problem("import.required", "不能为空", "must not be empty")
            }
            switch column.format {
            case .idNumber:
                do { record.idNumber = try ResidentID(text, field: column.key).value } catch {
                    return .failure(RowProblem(line: line, field: column.key, rule: error.rule,
                                               zh: "第 \(line) 行：\(error.zh)", en: "line \(line): \(error.en)"))
                }
                continue
            case .text:
                if text.count > 200 { return problem("import.too_long", "超过 200 字", "longer than 200 characters") }
                assign(text, to: column.role, in: &record)
            case .date:
                guard let d = CivilDate(iso: text) ?? CivilDate(compact: text) else {
                    return problem("import.date", "“\(TextNormaliser.truncated(text))”不是有效日期（如 2026-03-31）",
                                   "“\(TextNormaliser.truncated(text))” is not a valid date (e.g. 2026-03-31)")
                }
                record.date = d
            case .month:
                let parts = text.split(separator: "-")
                guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), let d = CivilDate(year: y, month: m, day: 1) else {
                    return problem("import.month", "“\(TextNormaliser.truncated(text))”不是有效月份（如 2026-03）",
                                   "“\(TextNormaliser.truncated(text))” is not a valid month (e.g. 2026-03)")
                }
                record.date = d
            case .money:
                let value: Money
                do { value = try Money.parse(text, field: column.key) } catch {
                    return .failure(RowProblem(line: line, field: column.key, rule: error.rule,
                                               zh: "第 \(line) 行“\(column.zh)”：\(error.zh)", en: "line \(line) \(column.key): \(error.en)"))
                }
                if value.isNegative { return problem("import.negative", "不能为负数", "must not be negative") }
                if column.role == .quantity { record.quantity = value.fen } else { record.amount = value }
            case .area:
                guard let hundredths = try? Money.parse(text, field: column.key), !hundredths.isNegative else {
                    return problem("import.area", "“\(TextNormaliser.truncated(text))”不是有效面积（平方米，最多两位小数）",
                                   "“\(TextNormaliser.truncated(text))” is not a floor area (m², at most two decimals)")
                }
                record.quantity = hundredths.fen
            case .choice(let keys, let zh):
                guard let k = keys.firstIndex(of: text) ?? zh.firstIndex(of: text) else {
                    return problem("import.choice", "“\(TextNormaliser.truncated(text))”不是可选值（\(zh.joined(separator: "、"))）",
                                   "“\(TextNormaliser.truncated(text))” is not one of \(keys.joined(separator: ", "))")
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
