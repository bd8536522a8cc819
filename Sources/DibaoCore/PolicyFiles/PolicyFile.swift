import TOMLKit

/// 政策版本文件 — one policy version as a TOML file an office can read, sign off and load
/// (issue 15; the format is documented in `docs/policy-files.md`). The file is read whole
/// and refused whole: the first problem is reported with its line, the item and the rule,
/// and nothing of a refused file is used.
///
/// Order of checks: the text must be TOML; every item must be one the format knows (so a
/// misspelt item is reported as such, not as the correct item missing); every required
/// item must be present; every value must have its kind; then `Policy.validate()` judges
/// the numbers together.
public enum PolicyFile {
    /// Reads and validates one version.
    public static func parse(_ text: String) throws(PolicyRefusal) -> Policy {
        let lines = TOMLLines(text)
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw PolicyRefusal(field: "file", reason: .syntax(error.description), line: error.source.begin.line)
        } catch {
            throw PolicyRefusal(field: "file", reason: .syntax("\(error)"), line: nil)
        }
        let policy: Policy
        do { policy = try read(root, lines: lines) } catch let refusal as PolicyRefusal { throw refusal } catch {
            throw PolicyRefusal(field: "file", reason: .syntax("\(error)"))
        }
        do { try policy.validate() } catch {
            throw error.at(line: lines.line(ofItem: error.field))
        }
        return policy
    }

    // The format: every item, its kind, and whether the file must give it. Optional items
    // take the default the 2013 opinion's operating defaults use (see `Policy.init`).
    static let topLevel: [String] = [
        "version", "title", "effective_from", "source",
        "county_decision_working_days", "spot_check_min_percent", "evaluation_panel_min_percent", "evaluation_panel_max_percent",
        "first_notice_days", "payment_frequency", "carry_over_max_percent",
        "review_months_severe_stable", "review_months_stable", "review_months_unstable_urban", "review_months_unstable_rural",
        "service_hall_min_square_metres", "change_takes_effect_months_after_decision", "minimum_payment_yuan",
        "elderly_age", "child_age", "deposit_limit_months_of_standard", "minimum_investigators", "objection_answer_working_days",
        "vehicle_limit", "exempt_vehicle_types", "housing_limit", "business_limit", "verification_income_months",
        "import_max_error_per_mille", "maximum_item_amount_yuan", "reporting_period_months", "appeal_days", "litigation_months",
        "supervision_phone", "procedure", "complaint_limits", "top_ups", "citations",
    ]
    static let procedureItems = ["evaluation", "county_clock_from", "second_notice", "whole_procedure_working_days",
                                 "extended_procedure_working_days", "gradual_exit_months", "single_person_categories"]
    static let complaintItems = ["acceptance_days", "handling_days", "extension_days", "review_request_days", "at_risk_days", "counting"]
    static let topUpItems = ["category", "percent_of_standard"]

    private static func read(_ root: TOMLTable, lines: TOMLLines) throws -> Policy {
        var r = TableReader(root, path: "", known: topLevel, lines: lines)
        try r.refuseUnknown()
        let procedure = try r.table("procedure", required: true) { p in
            try p.refuseUnknown()
            return Procedure(
                evaluation: try p.choice("evaluation", Procedure.Evaluation.self),
                countyClockFrom: try p.choice("county_clock_from", Procedure.CountyClockFrom.self),
                secondNotice: try p.bool("second_notice"),
                wholeProcedureWorkingDays: try p.optionalInt("whole_procedure_working_days"),
                extendedProcedureWorkingDays: try p.optionalInt("extended_procedure_working_days"),
                gradualExitMonths: try p.optionalInt("gradual_exit_months") ?? 0,
                singlePersonCategories: try p.optionalChoices("single_person_categories", SinglePersonCategory.self) ?? [])
        }!
        let complaints = try r.table("complaint_limits", required: false) { t in
            try t.refuseUnknown()
            let d = ComplaintLimits.petition2022
            return ComplaintLimits(acceptanceDays: try t.optionalInt("acceptance_days") ?? d.acceptanceDays,
                                   handlingDays: try t.optionalInt("handling_days") ?? d.handlingDays,
                                   extensionDays: try t.optionalInt("extension_days") ?? d.extensionDays,
                                   reviewRequestDays: try t.optionalInt("review_request_days") ?? d.reviewRequestDays,
                                   atRiskDays: try t.optionalInt("at_risk_days") ?? d.atRiskDays,
                                   counting: try t.optionalChoice("counting", ComplaintLimits.Counting.self) ?? d.counting)
        } ?? .petition2022
        let topUps = try r.tables("top_ups", known: topUpItems) { t in
            TopUpRule(category: try t.choice("category", TopUpCategory.self), percentOfStandard: try t.int("percent_of_standard"))
        }
        let citations: [String: String] = try r.table("citations", required: false) { t -> [String: String] in
            // A citation names an item of this format; one for an unknown item is a typo.
            let citable = Set(topLevel + procedureItems.map { "procedure.\($0)" } + complaintItems.map { "complaint_limits.\($0)" })
            for key in t.table.keys where !citable.contains(key) {
                throw PolicyRefusal(field: "citations.\(key)", reason: .unknownItem, line: lines.line(table: "citations", key: key))
            }
            var out: [String: String] = [:]
            for key in t.table.keys { out[key] = try t.string(key) }
            return out
        } ?? [:]
        let d = Policy.default2013
        return Policy(
            version: try r.string("version"), title: try r.string("title"), effectiveFrom: try r.date("effective_from"),
            source: try r.string("source"),
            countyDecisionWorkingDays: try r.int("county_decision_working_days"),
            spotCheckMinPercent: try r.int("spot_check_min_percent"),
            evaluationPanelMinPercent: try r.int("evaluation_panel_min_percent"),
            evaluationPanelMaxPercent: try r.int("evaluation_panel_max_percent"),
            firstNoticeDays: try r.int("first_notice_days"),
            paymentFrequency: try r.choice("payment_frequency", PaymentFrequency.self),
            carryOverMaxPercent: try r.int("carry_over_max_percent"),
            reviewMonthsSevereStable: try r.int("review_months_severe_stable"),
            reviewMonthsStable: try r.int("review_months_stable"),
            reviewMonthsUnstableUrban: try r.int("review_months_unstable_urban"),
            reviewMonthsUnstableRural: try r.int("review_months_unstable_rural"),
            serviceHallMinSquareMetres: try r.int("service_hall_min_square_metres"),
            changeTakesEffectMonthsAfterDecision: try r.int("change_takes_effect_months_after_decision"),
            minimumPayment: try r.money("minimum_payment_yuan"),
            topUps: topUps,
            elderlyAge: try r.int("elderly_age"), childAge: try r.int("child_age"),
            depositLimitMonthsOfStandard: try r.optionalInt("deposit_limit_months_of_standard"),
            minimumInvestigators: try r.optionalInt("minimum_investigators") ?? d.minimumInvestigators,
            objectionAnswerWorkingDays: try r.optionalInt("objection_answer_working_days") ?? d.objectionAnswerWorkingDays,
            vehicleLimit: try r.optionalInt("vehicle_limit"),
            exemptVehicleTypes: try r.optionalStrings("exempt_vehicle_types") ?? d.exemptVehicleTypes,
            housingLimit: try r.optionalInt("housing_limit"), businessLimit: try r.optionalInt("business_limit"),
            verificationIncomeMonths: try r.optionalInt("verification_income_months") ?? d.verificationIncomeMonths,
            importMaxErrorPerMille: try r.optionalInt("import_max_error_per_mille") ?? d.importMaxErrorPerMille,
            maximumItemAmount: try r.optionalMoney("maximum_item_amount_yuan") ?? d.maximumItemAmount,
            reportingPeriodMonths: try r.optionalInt("reporting_period_months") ?? d.reportingPeriodMonths,
            appealDays: try r.optionalInt("appeal_days") ?? d.appealDays,
            litigationMonths: try r.optionalInt("litigation_months") ?? d.litigationMonths,
            supervisionPhone: try r.optionalString("supervision_phone") ?? d.supervisionPhone,
            complaintLimits: complaints, procedure: procedure, citations: citations)
    }
}

/// Reads one table of a file, naming each problem with its item's full name and line.
struct TableReader {
    let table: TOMLTable
    let path: String
    let known: [String]
    let lines: TOMLLines
    /// The line of a `[[…]]` entry's header, for items of that entry.
    var entryIndex: Int? = nil

    init(_ table: TOMLTable, path: String, known: [String], lines: TOMLLines, entryIndex: Int? = nil) {
        self.table = table
        self.path = path
        self.known = known
        self.lines = lines
        self.entryIndex = entryIndex
    }

    func name(_ key: String) -> String {
        guard !path.isEmpty else { return key }
        return entryIndex.map { "\(path)[\($0 + 1)].\(key)" } ?? "\(path).\(key)"
    }

    func line(_ key: String) -> Int? { lines.line(table: path, key: key, entry: entryIndex) ?? lines.header(path, entry: entryIndex) }

    func refuse(_ key: String, _ reason: PolicyRefusal.Reason) -> PolicyRefusal {
        PolicyRefusal(field: name(key), reason: reason, line: line(key))
    }

    func refuseUnknown() throws(PolicyRefusal) {
        // In the file's order, so the first unknown item reported is the first one a reader meets.
        let unknown = table.keys.filter { !known.contains($0) }.sorted { (line($0) ?? 0) < (line($1) ?? 0) }
        if let key = unknown.first { throw refuse(key, .unknownItem) }
    }

    private func value(_ key: String) throws(PolicyRefusal) -> any TOMLValueConvertible {
        guard let v = table[key] else { throw refuse(key, .missingItem) }
        return v
    }

    func int(_ key: String) throws(PolicyRefusal) -> Int {
        guard let v = try value(key).int else { throw refuse(key, .wrongType(expected: "an integer")) }
        return v
    }

    func optionalInt(_ key: String) throws(PolicyRefusal) -> Int? {
        table[key] == nil ? nil : try int(key)
    }

    func bool(_ key: String) throws(PolicyRefusal) -> Bool {
        guard let v = try value(key).bool else { throw refuse(key, .wrongType(expected: "true or false")) }
        return v
    }

    func string(_ key: String) throws(PolicyRefusal) -> String {
        guard let v = try value(key).string else { throw refuse(key, .wrongType(expected: "text")) }
        return v
    }

    func optionalString(_ key: String) throws(PolicyRefusal) -> String? {
        table[key] == nil ? nil : try string(key)
    }

    func optionalStrings(_ key: String) throws(PolicyRefusal) -> [String]? {
        guard let v = table[key] else { return nil }
        guard let array = v.array else { throw refuse(key, .wrongType(expected: "a list of text")) }
        var out: [String] = []
        for element in array {
            guard let s = element.string else { throw refuse(key, .wrongType(expected: "a list of text")) }
            out.append(s)
        }
        return out
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(PolicyRefusal) -> E where E.RawValue == String {
        let text = try string(key)
        guard let v = E(rawValue: text) else { throw refuse(key, .notAChoice(text, choices: E.allCases.map(\.rawValue))) }
        return v
    }

    func optionalChoice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(PolicyRefusal) -> E? where E.RawValue == String {
        table[key] == nil ? nil : try choice(key, type)
    }

    func optionalChoices<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(PolicyRefusal) -> [E]? where E.RawValue == String {
        guard let texts = try optionalStrings(key) else { return nil }
        var out: [E] = []
        for text in texts {
            guard let v = E(rawValue: text) else { throw refuse(key, .notAChoice(text, choices: E.allCases.map(\.rawValue))) }
            out.append(v)
        }
        return out
    }

    /// A date as a TOML local date (2021-07-01) or as text in the same form.
    func date(_ key: String) throws(PolicyRefusal) -> CivilDate {
        let v = try value(key)
        if let d = v.date, let date = CivilDate(year: d.year, month: d.month, day: d.day) { return date }
        if let s = v.string, let date = CivilDate(iso: s) { return date }
        throw refuse(key, .wrongType(expected: "a date (YYYY-MM-DD)"))
    }

    /// An amount in yuan, as text ("12.50") so no binary fraction is involved, or a whole number.
    func money(_ key: String) throws(PolicyRefusal) -> Money {
        let v = try value(key)
        if let whole = v.int, let m = try? Money.parse(String(whole), field: name(key)) { return m }
        if let s = v.string, let m = try? Money.parse(s, field: name(key)) { return m }
        throw refuse(key, .wrongType(expected: "an amount in yuan"))
    }

    func optionalMoney(_ key: String) throws(PolicyRefusal) -> Money? {
        table[key] == nil ? nil : try money(key)
    }

    /// A sub-table, read by `body`; nil when absent and not required.
    func table<T>(_ key: String, required: Bool, known: [String]? = nil, _ body: (inout TableReader) throws -> T) throws -> T? {
        guard let v = table[key] else {
            if required { throw refuse(key, .missingItem) }
            return nil
        }
        guard let sub = v.table else { throw refuse(key, .wrongType(expected: "a table")) }
        let items: [String]
        switch key {
        case "procedure": items = PolicyFile.procedureItems
        case "complaint_limits": items = PolicyFile.complaintItems
        default: items = known ?? sub.keys
        }
        var reader = TableReader(sub, path: name(key), known: items, lines: lines)
        return try body(&reader)
    }

    /// An array of tables (`[[top_ups]]`), each read by `body`.
    func tables<T>(_ key: String, known: [String], _ body: (TableReader) throws -> T) throws -> [T] {
        guard let v = table[key] else { return [] }
        guard let array = v.array else { throw refuse(key, .wrongType(expected: "a list of tables")) }
        var out: [T] = []
        for (i, element) in array.enumerated() {
            guard let sub = element.table else { throw refuse(key, .wrongType(expected: "a list of tables")) }
            let reader = TableReader(sub, path: name(key), known: known, lines: lines, entryIndex: i)
            try reader.refuseUnknown()
            out.append(try body(reader))
        }
        return out
    }
}

/// Where each item of a TOML file is written, so a refusal can name the line. TOMLKit
/// reports lines for syntax errors only; this is a plain scan of the lines the format
/// uses (`[table]`, `[[entry]]`, `key = value`, comments).
struct TOMLLines {
    private var items: [String: Int] = [:]
    private var headers: [String: Int] = [:]

    init(_ text: String) {
        var table = ""
        var entries: [String: Int] = [:]
        for (i, raw) in text.fileLines.enumerated() {
            let line = String(raw).trimmingWhitespace()
            if line.hasPrefix("[["), let end = line.firstIndex(of: "]") {
                let name = String(line[line.index(line.startIndex, offsetBy: 2)..<end]).trimmingWhitespace()
                let n = entries[name, default: 0]
                entries[name] = n + 1
                table = "\(name)[\(n + 1)]"
                headers[table] = i + 1
            } else if line.hasPrefix("["), let end = line.firstIndex(of: "]") {
                table = String(line[line.index(after: line.startIndex)..<end]).trimmingWhitespace()
                headers[table] = i + 1
            } else if !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") {
                var key = String(line[..<eq]).trimmingWhitespace()
                if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
                let full = table.isEmpty ? key : "\(table).\(key)"
                if items[full] == nil { items[full] = i + 1 }
            }
        }
    }

    /// The line of `key` in `table` ("" for the top level; `entry` counts `[[table]]` entries from 0).
    func line(table: String, key: String, entry: Int? = nil) -> Int? {
        let t = entry.map { "\(table)[\($0 + 1)]" } ?? table
        return items[t.isEmpty ? key : "\(t).\(key)"]
    }

    func header(_ table: String, entry: Int? = nil) -> Int? {
        headers[entry.map { "\(table)[\($0 + 1)]" } ?? table]
    }

    /// The line of a dotted item name as `Policy.validate()` names it ("procedure.gradual_exit_months"),
    /// with the format's `_yuan` suffix for amounts.
    func line(ofItem field: String) -> Int? {
        for candidate in [field, field + "_yuan"] {
            if let l = items[candidate] { return l }
        }
        if field == "top_ups" { return headers["top_ups[1]"] }
        return nil
    }
}
