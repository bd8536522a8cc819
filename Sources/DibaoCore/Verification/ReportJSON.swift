import Foundation

/// A minimal JSON writer: objects and arrays opened and closed in order, commas placed
/// by the writer. It writes bytes and makes one string at the end.
struct JSONWriter {
    private var bytes: [UInt8] = []
    private var first = true

    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The document as UTF-8, without making a string of it.
    var utf8: [UInt8] { bytes }

    mutating func reserve(_ n: Int) { bytes.reserveCapacity(n) }
    mutating func open(_ bracket: Unicode.Scalar) { bytes.append(UInt8(bracket.value)); first = true }
    mutating func close(_ bracket: Unicode.Scalar) { bytes.append(UInt8(bracket.value)); first = false }
    /// Separates array elements.
    mutating func comma() { if !first { bytes.append(0x2C) }; first = false }
    mutating func key(_ k: StaticString) {
        if !first { bytes.append(0x2C) }
        first = false
        bytes.append(0x22)
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22); bytes.append(0x3A)
    }
    mutating func int(_ v: Int64) {
        if v >= 0 && v < 10 { bytes.append(UInt8(v) + 0x30); return }
        if v < 0 { bytes.append(0x2D) }
        var n = v.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat { i -= 1; digits[i] = UInt8(n % 10) + 0x30; n /= 10 } while n > 0
            bytes.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[i...]))
        }
    }
    mutating func null() { bytes.append(contentsOf: "null".utf8) }
    mutating func string(_ s: String) { JSONText.appendQuoted(s, to: &bytes) }
}

/// A string as JSON text: the one escaping rule for every document the system writes by
/// hand (reports, the audit log's details), so two writers can never disagree on a byte.
public enum JSONText {
    public static func appendQuoted(_ s: String, to text: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &bytes)
        text += String(decoding: bytes, as: UTF8.self)
    }

    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        // Nearly every text needs no escape: its bytes are copied as they are, in one go.
        let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { b in
            for u in b where u < 0x20 || u == 0x22 || u == 0x5C { return false }
            out.append(contentsOf: b)
            return true
        }
        if copied != true {
            for u in s.utf8 {
                switch u {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(u >> 4)], hex[Int(u & 0x0F)]])
                default: out.append(u)
                }
            }
        }
        out.append(0x22)
    }
}

/// The stored form of a report: the same content as its `Codable` form, with positions in
/// arrays instead of named fields, dates as `yyyymmdd` and the delivered sources as bits, in
/// about half the bytes. A batch check writes a hundred thousand reports in one
/// transaction, and what its commit costs is the bytes written. `init(stored:)` reads
/// this form and the named form stored before it.
extension VerificationReport {
    public var stored: String { String(decoding: storedUTF8, as: UTF8.self) }

    /// `stored` as UTF-8 bytes: a batch check binds them as they are.
    public var storedUTF8: [UInt8] {
        var o = JSONWriter()
        o.reserve(256 + members.count * 512)
        o.open("{")
        o.key("v"); o.int(2)
        o.key("on"); o.string(checkedOn.iso)
        o.key("policy"); o.string(policyVersion)
        o.key("months"); o.int(Int64(incomeMonths))
        o.key("delivered"); o.int(delivered.reduce(0) { $0 | 1 << Int64($1.order) })
        o.key("m"); o.open("[")
        for m in members {
            o.comma(); o.open("[")
            o.comma(); o.int(Int64(m.position))
            o.comma(); o.string(m.name)
            o.comma(); o.string(m.idNumber)
            o.comma(); o.string(m.registration?.rawValue ?? "")
            o.comma(); o.int(m.declaredMonthlyIncome.fen)
            o.comma(); o.open("[")
            for l in m.lines {
                o.comma(); o.open("[")
                o.comma(); o.int(Int64(l.source.order))
                o.comma(); o.string(l.reference)
                o.comma(); o.string(l.label)
                o.comma(); o.int(l.date.map { Int64($0.year * 10_000 + $0.month * 100 + $0.day) } ?? 0)
                o.comma(); o.int(l.amount.fen)
                o.comma(); o.int(l.quantity)
                o.comma(); o.string(l.status)
                o.comma(); o.int(Int64(l.months))
                o.close("]")
            }
            o.close("]")
            o.comma(); o.open("[")
            for i in m.verifiedIncome {
                o.comma(); o.open("[")
                o.comma(); o.string(i.kind.rawValue)
                o.comma(); o.int(i.monthly.fen)
                o.close("]")
            }
            o.close("]")
            o.close("]")
        }
        o.close("]")
        let t = totals
        o.key("t"); o.open("[")
        for v in [t.monthlyIncome.fen, t.financialAssets.fen, Int64(t.vehicles), Int64(t.exemptVehicles), t.vehicleValue.fen, Int64(t.dwellings),
                  t.floorArea, Int64(t.businesses), t.businessCapital.fen, t.providentBalance.fen] { o.comma(); o.int(v) }
        o.close("]")
        o.key("c"); o.open("[")
        for c in contradictions {
            o.comma(); o.open("[")
            o.comma(); o.string(c.kind.rawValue)
            o.comma(); if let m = c.member { o.int(Int64(m)) } else { o.null() }
            o.comma(); o.int(c.found)
            o.comma(); o.int(c.allowed)
            o.close("]")
        }
        o.close("]")
        o.close("}")
        return o.utf8
    }

    public init(stored text: String) throws {
        let data = Data(text.utf8)
        if text.hasPrefix("{\"v\":2,") {
            self = try JSONDecoder().decode(StoredReport.self, from: data).report
        } else {
            self = try JSONDecoder().decode(VerificationReport.self, from: data)
        }
    }
}

private struct StoredReport: Decodable {
    var report: VerificationReport

    private enum Keys: String, CodingKey { case on, policy, months, delivered, m, t, c }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let bits = try c.decode(Int.self, forKey: .delivered)
        let t = try c.decode([Int64].self, forKey: .t)
        guard t.count == 10 else { throw DecodingError.dataCorruptedError(forKey: .t, in: c, debugDescription: "ten totals expected") }
        var totals = VerificationTotals()
        totals.monthlyIncome = Money(fen: t[0]); totals.financialAssets = Money(fen: t[1]); totals.vehicles = Int(t[2])
        totals.exemptVehicles = Int(t[3]); totals.vehicleValue = Money(fen: t[4]); totals.dwellings = Int(t[5]); totals.floorArea = t[6]
        totals.businesses = Int(t[7]); totals.businessCapital = Money(fen: t[8]); totals.providentBalance = Money(fen: t[9])
        report = VerificationReport(checkedOn: try c.decode(CivilDate.self, forKey: .on), policyVersion: try c.decode(String.self, forKey: .policy),
                                    incomeMonths: try c.decode(Int.self, forKey: .months),
                                    delivered: DepartmentSource.allCases.filter { bits & 1 << $0.order != 0 },
                                    members: try c.decode([StoredMember].self, forKey: .m).map(\.findings), totals: totals,
                                    contradictions: try c.decode([StoredContradiction].self, forKey: .c).map(\.contradiction))
    }
}

private func storedSource(_ order: Int, _ c: any UnkeyedDecodingContainer) throws -> DepartmentSource {
    guard let s = DepartmentSource.allCases.first(where: { $0.order == order }) else {
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "no source \(order)")
    }
    return s
}

/// The next value of `c`, a kind named by its raw value.
private func storedKind<K: RawRepresentable>(_ kind: K.Type, _ c: inout any UnkeyedDecodingContainer) throws -> K where K.RawValue == String {
    let name = try c.decode(String.self)
    guard let k = K(rawValue: name) else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "no \(K.self) \(name)") }
    return k
}

private struct StoredMember: Decodable {
    var findings: MemberFindings
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let position = try c.decode(Int.self), name = try c.decode(String.self), id = try c.decode(String.self)
        let registration = try c.decode(String.self), declared = try c.decode(Int64.self)
        let lines = try c.decode([StoredLine].self).map(\.line), income = try c.decode([StoredIncome].self).map(\.line)
        findings = MemberFindings(position: position, name: name, idNumber: id, registration: RegistrationStatus(rawValue: registration),
                                  lines: lines, verifiedIncome: income, declaredMonthlyIncome: Money(fen: declared))
    }
}

private struct StoredLine: Decodable {
    var line: SourceLine
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let source = try storedSource(try c.decode(Int.self), c)
        let reference = try c.decode(String.self), label = try c.decode(String.self), date = try c.decode(Int.self)
        line = SourceLine(source: source, reference: reference, label: label,
                          date: date == 0 ? nil : CivilDate(year: date / 10_000, month: date / 100 % 100, day: date % 100),
                          amount: Money(fen: try c.decode(Int64.self)), quantity: try c.decode(Int64.self), status: try c.decode(String.self),
                          months: try c.decode(Int.self))
    }
}

private struct StoredIncome: Decodable {
    var line: IncomeLine
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        line = IncomeLine(kind: try storedKind(IncomeKind.self, &c), monthly: Money(fen: try c.decode(Int64.self)))
    }
}

private struct StoredContradiction: Decodable {
    var contradiction: Contradiction
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let k = try storedKind(ContradictionKind.self, &c)
        let member = try c.decodeNil() ? nil : try c.decode(Int.self)
        contradiction = Contradiction(kind: k, member: member, found: try c.decode(Int64.self), allowed: try c.decode(Int64.self))
    }
}
