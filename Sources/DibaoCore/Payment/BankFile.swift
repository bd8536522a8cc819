/// The files exchanged with the paying bank (代发金融机构, 二.二.5 "通过金融机构实行社会化发放").
///
/// The payment file tells the bank what to pay into each one-card (一卡通) account; the
/// result file tells civil affairs what was paid. Both are plain UTF-8 text, one record
/// a line, fields separated by `|` (a character no name, account or amount contains),
/// with a header and a trailer carrying the count and the total, so that a truncated or
/// edited file is caught by arithmetic before anything is booked. The formats are
/// documented for banks in `docs/bank-file-formats.md`.
public enum BankFile {
    public static let paymentKind = "DIBAO-PAY"
    public static let resultKind = "DIBAO-RESULT"
    public static let formatVersion = "1"

    /// One payment: a line of the payroll for this bank.
    public struct Payment: Sendable, Equatable {
        /// The payroll line's reference, echoed by the bank in its result.
        public var reference: String
        public var account: String
        public var holder: String
        public var amount: Money

        public init(reference: String, account: String, holder: String, amount: Money) {
            self.reference = reference
            self.account = account
            self.holder = holder
            self.amount = amount
        }
    }

    /// What the header names: the payroll, its county and period, the bank.
    public struct Header: Sendable, Equatable {
        public var payroll: String
        public var county: String
        public var period: String
        public var bank: String

        public init(payroll: String, county: String, period: String, bank: String) {
            self.payroll = payroll
            self.county = county
            self.period = period
            self.bank = bank
        }
    }

    // MARK: Payment file

    /// The header line, every payment line and the trailer, each ending in "\n".
    /// Lines are numbered from 1 in the order given.
    public static func paymentFile(_ header: Header, created: CivilDate, payments: [Payment]) -> String {
        var writer = PaymentWriter(header, created: created, expectedLines: payments.count)
        for p in payments { writer.add(reference: p.reference, account: p.account, holder: p.holder, amount: p.amount) }
        return writer.finish()
    }

    /// Writes a payment file line by line as the payments are read, into one byte buffer:
    /// a county's file has hundreds of thousands of lines, and no line needs to exist twice.
    public struct PaymentWriter {
        private var out: [UInt8] = []
        private var digits: [UInt8] = []
        public private(set) var count = 0
        public private(set) var total = Money.zero

        public init(_ header: Header, created: CivilDate, expectedLines: Int = 0) {
            out.reserveCapacity(96 + expectedLines * 72)
            digits.reserveCapacity(20)
            put("H|\(paymentKind)|\(formatVersion)|\(header.payroll)|\(header.county)|\(header.period)|\(header.bank)|\(created.iso)\n")
        }

        public mutating func add(reference: String, account: String, holder: String, amount: Money) {
            startLine()
            put(reference)
            endLine(account: account, holder: holder, amount: amount)
        }

        /// The line reference as a number (the payroll line's id), without making its text first.
        public mutating func add(reference: Int64, account: String, holder: String, amount: Money) {
            startLine()
            put(reference)
            endLine(account: account, holder: holder, amount: amount)
        }

        private mutating func startLine() {
            count += 1
            put("D|"); put(Int64(count)); out.append(124)
        }

        private mutating func endLine(account: String, holder: String, amount: Money) {
            out.append(124)
            put(account); out.append(124)
            put(holder); out.append(124)
            put(amount); out.append(10)
            total = total + amount
        }

        public mutating func finish() -> String {
            put("T|"); put(Int64(count)); out.append(124); put(total); out.append(10)
            return String(decoding: out, as: UTF8.self)
        }

        private mutating func put(_ s: String) { out.append(contentsOf: s.utf8) }

        private mutating func put(_ n: Int64) {
            if n < 0 { out.append(45) }
            var v = n.magnitude
            digits.removeAll(keepingCapacity: true)
            repeat { digits.append(UInt8(48 + v % 10)); v /= 10 } while v > 0
            for d in digits.reversed() { out.append(d) }
        }

        private mutating func put(_ m: Money) {
            if m.isNegative { out.append(45) }
            let f = m.fen.magnitude
            put(Int64(f / 100))
            out.append(46)
            out.append(UInt8(48 + f % 100 / 10))
            out.append(UInt8(48 + f % 10))
        }
    }

    /// Whether `text` can stand in a field: no separator, no line break.
    public static func isFieldSafe(_ text: String) -> Bool {
        !text.isEmpty && !text.utf8.contains { $0 == UInt8(ascii: "|") || $0 == 10 || $0 == 13 }
    }

    // MARK: Result file

    public enum Outcome: String, Sendable, Equatable {
        case paid = "S", failed = "F"
    }

    public struct Result: Sendable, Equatable {
        public var line: Int
        public var reference: String
        public var account: String
        public var amount: Money
        public var outcome: Outcome
        /// The bank's reason for a failure (account closed, name mismatch …).
        public var reason: String
    }

    /// A result file for `payments` as a bank would write it, every payment with the
    /// outcome `outcome(reference)` gives; for tests, the demo and bank integrators.
    public static func resultFile(_ header: Header, payments: [Payment],
                                  outcome: (Payment) -> (Outcome, String) = { _ in (.paid, "") }) -> String {
        var out = "H|\(resultKind)|\(formatVersion)|\(header.payroll)|\(header.bank)\n"
        var total = Money.zero, paid = Money.zero, failed = Money.zero
        var paidCount = 0, failedCount = 0
        for (i, p) in payments.enumerated() {
            let (o, reason) = outcome(p)
            out += "D|\(i + 1)|\(p.reference)|\(p.account)|\(p.amount.plain)|\(o.rawValue)|\(reason)\n"
            total = total + p.amount
            if o == .paid { paid = paid + p.amount; paidCount += 1 } else { failed = failed + p.amount; failedCount += 1 }
        }
        out += "T|\(payments.count)|\(total.plain)|\(paidCount)|\(paid.plain)|\(failedCount)|\(failed.plain)\n"
        return out
    }

    /// Reads a result file and checks it against the payments that were sent: the same
    /// payroll and bank, every line one of the payments with its own account and amount,
    /// each payment exactly once, and the trailer's counts and totals equal to the lines'.
    /// Anything else refuses the whole file, naming the first problem: half a result
    /// booked would leave households paid twice or not at all.
    public static func reconcile(_ text: String, payroll: String, bank: String,
                                 payments: [Payment]) throws(BankFileRefusal) -> [Result] {
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        while let last = lines.last, last.trimmingWhitespace().isEmpty { lines.removeLast() }
        guard lines.count >= 2 else { throw .init(line: 1, .structure) }

        let head = lines[0].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard head.count == 5, head[0] == "H", head[1] == resultKind else { throw .init(line: 1, .header) }
        guard head[2] == formatVersion else { throw .init(line: 1, .version(head[2])) }
        guard head[3] == payroll else { throw .init(line: 1, .otherPayroll(head[3])) }
        guard head[4] == bank else { throw .init(line: 1, .otherBank(head[4])) }

        var expected: [String: Payment] = [:]
        expected.reserveCapacity(payments.count)
        for p in payments { expected[p.reference] = p }
        var seen = Set<String>()
        seen.reserveCapacity(payments.count)
        var results: [Result] = []
        results.reserveCapacity(payments.count)
        var total = Money.zero, paid = Money.zero, failed = Money.zero
        var paidCount = 0, failedCount = 0

        for n in 1..<(lines.count - 1) {
            let lineNo = n + 1
            let f = lines[n].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 7, f[0] == "D" else { throw .init(line: lineNo, .structure) }
            guard let amount = try? Money.parse(f[4]), !amount.isNegative else { throw .init(line: lineNo, .amount(f[4])) }
            guard let outcome = Outcome(rawValue: f[5]) else { throw .init(line: lineNo, .outcome(f[5])) }
            guard let sent = expected[f[2]] else { throw .init(line: lineNo, .unknownReference(f[2])) }
            guard sent.account == f[3] else { throw .init(line: lineNo, .unknownAccount(f[3])) }
            guard sent.amount == amount else { throw .init(line: lineNo, .amountDiffers(sent: sent.amount, returned: amount)) }
            guard seen.insert(f[2]).inserted else { throw .init(line: lineNo, .duplicate(f[2])) }
            if outcome == .failed && f[6].trimmingWhitespace().isEmpty { throw .init(line: lineNo, .failureWithoutReason) }
            results.append(Result(line: lineNo, reference: f[2], account: f[3], amount: amount, outcome: outcome, reason: f[6]))
            total = total + amount
            if outcome == .paid { paid = paid + amount; paidCount += 1 } else { failed = failed + amount; failedCount += 1 }
        }

        let trailerNo = lines.count
        let t = lines[lines.count - 1].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard t.count == 7, t[0] == "T" else { throw .init(line: trailerNo, .trailer) }
        let numbers = [t[1], t[3], t[5]].map { Int($0) }
        let sums = [t[2], t[4], t[6]].map { try? Money.parse($0) }
        guard numbers.allSatisfy({ $0 != nil }), sums.allSatisfy({ $0 != nil }) else { throw .init(line: trailerNo, .trailer) }
        guard numbers[0]! == results.count, sums[0]! == total, numbers[1]! == paidCount, sums[1]! == paid,
              numbers[2]! == failedCount, sums[2]! == failed
        else { throw .init(line: trailerNo, .trailerDiffers(count: results.count, total: total)) }

        let sentTotal = payments.map(\.amount).sum()
        guard results.count == payments.count, total == sentTotal else {
            throw .init(line: trailerNo, .incomplete(returned: results.count, sent: payments.count, returnedTotal: total, sentTotal: sentTotal))
        }
        return results
    }
}

/// Why a bank result file is refused, with the line (1 = header) where it shows.
public struct BankFileRefusal: Refusal, Equatable {
    public enum Reason: Sendable, Equatable {
        case structure, header, trailer
        case version(String)
        case otherPayroll(String)
        case otherBank(String)
        case amount(String)
        case outcome(String)
        case unknownReference(String)
        case unknownAccount(String)
        case amountDiffers(sent: Money, returned: Money)
        case duplicate(String)
        case failureWithoutReason
        case trailerDiffers(count: Int, total: Money)
        case incomplete(returned: Int, sent: Int, returnedTotal: Money, sentTotal: Money)
    }

    public let line: Int
    public let reason: Reason

    public init(line: Int, _ reason: Reason) {
        self.line = line
        self.reason = reason
    }

    public var field: String { "file" }

    public var rule: String {
        switch reason {
        case .structure: return "bank_file.structure"
        case .header: return "bank_file.header"
        case .trailer: return "bank_file.trailer"
        case .version: return "bank_file.version"
        case .otherPayroll: return "bank_file.payroll"
        case .otherBank: return "bank_file.bank"
        case .amount: return "bank_file.amount"
        case .outcome: return "bank_file.outcome"
        case .unknownReference: return "bank_file.unknown_line"
        case .unknownAccount: return "bank_file.unknown_account"
        case .amountDiffers: return "bank_file.amount_differs"
        case .duplicate: return "bank_file.duplicate"
        case .failureWithoutReason: return "bank_file.failure_reason"
        case .trailerDiffers: return "bank_file.trailer_differs"
        case .incomplete: return "bank_file.total_mismatch"
        }
    }

    /// The line and that nothing was imported wrap every reason. The record codes of the
    /// format (`D`, `H`, `T`, `S`, `F`, `DIBAO-RESULT`) are arguments: they are written the
    /// same in every language.
    public var phrase: Phrase {
        Phrase("bankfile.refusal_at_line", line, reasonPhrase)
    }

    private var reasonPhrase: Phrase {
        switch reason {
        case .structure: return Phrase("bankfile.refusal_structure", "D", BankFile.Outcome.paid.rawValue, BankFile.Outcome.failed.rawValue)
        case .header: return Phrase("bankfile.refusal_header", "H", BankFile.resultKind, BankFile.formatVersion)
        case .trailer: return Phrase("bankfile.refusal_trailer", "T")
        case .version(let v): return Phrase("bankfile.refusal_version", v)
        case .otherPayroll(let p): return Phrase("bankfile.refusal_other_payroll", p)
        case .otherBank(let b): return Phrase("bankfile.refusal_other_bank", b)
        case .amount(let a): return Phrase("bankfile.refusal_amount", a)
        case .outcome(let o): return Phrase("bankfile.refusal_outcome", o, BankFile.Outcome.paid.rawValue, BankFile.Outcome.failed.rawValue)
        case .unknownReference(let r): return Phrase("bankfile.refusal_unknown_line", r)
        case .unknownAccount(let a): return Phrase("bankfile.refusal_unknown_account", Masking.account(a))
        case let .amountDiffers(s, r): return Phrase("bankfile.refusal_amount_differs", r.plain, s.plain)
        case .duplicate(let r): return Phrase("bankfile.refusal_duplicate", r)
        case .failureWithoutReason: return Phrase("bankfile.refusal_failure_reason")
        case let .trailerDiffers(c, t): return Phrase("bankfile.refusal_trailer_differs", c, t.plain)
        case let .incomplete(rc, sc, rt, st):
            return Phrase("bankfile.refusal_total_mismatch", rc, rt.plain, sc, st.plain)
        }
    }
}
