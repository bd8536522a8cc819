/// The report as JSON, written by hand: a batch check stores one report per household
/// (a hundred thousand at a time), and Foundation's encoder would cost more than the
/// matching itself. The output decodes with `JSONDecoder` to the same value (tested).
extension VerificationReport {
    public var json: String {
        var o = JSONWriter()
        o.reserve(1_024 + members.count * 1_024)
        o.open("{")
        o.key("checkedOn"); o.string(checkedOn.iso)
        o.key("policyVersion"); o.string(policyVersion)
        o.key("incomeMonths"); o.int(Int64(incomeMonths))
        o.key("delivered"); o.open("[")
        for s in delivered { o.comma(); o.string(s.rawValue) }
        o.close("]")
        o.key("members"); o.open("[")
        for m in members {
            o.comma(); o.open("{")
            o.key("position"); o.int(Int64(m.position))
            o.key("name"); o.string(m.name)
            o.key("idNumber"); o.string(m.idNumber)
            if let r = m.registration { o.key("registration"); o.string(r.rawValue) }
            o.key("lines"); o.open("[")
            for l in m.lines {
                o.comma(); o.open("{")
                o.key("source"); o.string(l.source.rawValue)
                if !l.reference.isEmpty { o.key("reference"); o.string(l.reference) }
                if !l.label.isEmpty { o.key("label"); o.string(l.label) }
                if let d = l.date { o.key("date"); o.string(d.iso) }
                if l.amount != .zero { o.key("amount"); o.int(l.amount.fen) }
                if l.quantity != 0 { o.key("quantity"); o.int(l.quantity) }
                if !l.status.isEmpty { o.key("status"); o.string(l.status) }
                if l.months != 0 { o.key("months"); o.int(Int64(l.months)) }
                o.close("}")
            }
            o.close("]")
            o.key("verifiedIncome"); o.open("[")
            for i in m.verifiedIncome {
                o.comma(); o.open("{")
                o.key("kind"); o.string(i.kind.rawValue)
                o.key("monthly"); o.int(i.monthly.fen)
                o.close("}")
            }
            o.close("]")
            o.key("declaredMonthlyIncome"); o.int(m.declaredMonthlyIncome.fen)
            o.close("}")
        }
        o.close("]")
        o.key("totals"); o.open("{")
        o.key("monthlyIncome"); o.int(totals.monthlyIncome.fen)
        o.key("financialAssets"); o.int(totals.financialAssets.fen)
        o.key("vehicles"); o.int(Int64(totals.vehicles))
        o.key("exemptVehicles"); o.int(Int64(totals.exemptVehicles))
        o.key("vehicleValue"); o.int(totals.vehicleValue.fen)
        o.key("dwellings"); o.int(Int64(totals.dwellings))
        o.key("floorArea"); o.int(totals.floorArea)
        o.key("businesses"); o.int(Int64(totals.businesses))
        o.key("businessCapital"); o.int(totals.businessCapital.fen)
        o.key("providentBalance"); o.int(totals.providentBalance.fen)
        o.close("}")
        o.key("contradictions"); o.open("[")
        for c in contradictions {
            o.comma(); o.open("{")
            o.key("kind"); o.string(c.kind.rawValue)
            if let m = c.member { o.key("member"); o.int(Int64(m)) }
            o.key("found"); o.int(c.found)
            o.key("allowed"); o.int(c.allowed)
            o.close("}")
        }
        o.close("]")
        o.close("}")
        return o.text
    }
}

/// A minimal JSON writer: objects and arrays opened and closed in order, commas placed
/// by the writer.
struct JSONWriter {
    private(set) var text = ""
    private var first = true

    mutating func reserve(_ bytes: Int) { text.reserveCapacity(bytes) }
    mutating func open(_ bracket: String) { text += bracket; first = true }
    mutating func close(_ bracket: String) { text += bracket; first = false }
    /// Separates array elements.
    mutating func comma() { if !first { text += "," }; first = false }
    mutating func key(_ k: String) {
        if !first { text += "," }
        first = false
        text += "\""; text += k; text += "\":"
    }
    mutating func int(_ v: Int64) { text += String(v) }
    mutating func string(_ s: String) { JSONText.appendQuoted(s, to: &text) }
}

/// A string as JSON text: the one escaping rule for every document the system writes by
/// hand (reports, the audit log's details), so two writers can never disagree on a byte.
public enum JSONText {
    public static func appendQuoted(_ s: String, to text: inout String) {
        text += "\""
        var plain = true
        for u in s.utf8 where u < 0x20 || u == 0x22 || u == 0x5C { plain = false; break }
        if plain {
            text += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        text += "\""
    }
}
