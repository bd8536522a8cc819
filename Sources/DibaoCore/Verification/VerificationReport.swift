/// What a household declared, as the check compares it (家庭收入和财产状况声明, 二.二.1).
public struct VerificationSubject: Sendable {
    public struct Person: Sendable {
        public var position: Int
        public var name: String
        public var idNumber: String
        /// Declared monthly income of this member, all kinds together.
        public var declaredMonthlyIncome: Money

        public init(position: Int, name: String, idNumber: String, declaredMonthlyIncome: Money) {
            self.position = position
            self.name = name
            self.idNumber = idNumber
            self.declaredMonthlyIncome = declaredMonthlyIncome
        }
    }

    public var members: [Person]
    /// Declared assets: how many items of each kind, and their declared value.
    public var declaredCounts: [AssetKind: Int]
    public var declaredValues: [AssetKind: Money]
    /// The per-person monthly standard of the household's area, when one is set.
    public var standardPerPerson: Money?

    public init(members: [Person], declaredCounts: [AssetKind: Int] = [:], declaredValues: [AssetKind: Money] = [:], standardPerPerson: Money?) {
        self.members = members
        self.declaredCounts = declaredCounts
        self.declaredValues = declaredValues
        self.standardPerPerson = standardPerPerson
    }
}

/// One line of "what each source says" (二.五): an item held (a vehicle, an account, a
/// dwelling, a business) as last reported, or a flow (wages from one employer, taxed
/// income from one withholder) summed over the months the policy looks back.
public struct SourceLine: Sendable, Codable, Equatable {
    public var source: DepartmentSource
    public var reference: String
    public var label: String
    /// The latest date reported for the item.
    public var date: CivilDate?
    /// A held item's value or balance; a flow's total over `months`.
    public var amount: Money
    public var quantity: Int64
    public var status: String
    /// Months of a flow within the look-back window; 0 for a held item.
    public var months: Int

    private enum CodingKeys: String, CodingKey { case source, reference, label, date, amount, quantity, status, months }

    /// Empty texts and zero counts are left out of the stored report (a hundred thousand
    /// reports at a time), and read back as empty and zero.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(source: try c.decode(DepartmentSource.self, forKey: .source), reference: try c.decodeIfPresent(String.self, forKey: .reference) ?? "",
                  label: try c.decodeIfPresent(String.self, forKey: .label) ?? "", date: try c.decodeIfPresent(CivilDate.self, forKey: .date),
                  amount: try c.decodeIfPresent(Money.self, forKey: .amount) ?? .zero, quantity: try c.decodeIfPresent(Int64.self, forKey: .quantity) ?? 0,
                  status: try c.decodeIfPresent(String.self, forKey: .status) ?? "", months: try c.decodeIfPresent(Int.self, forKey: .months) ?? 0)
    }

    public init(source: DepartmentSource, reference: String, label: String, date: CivilDate?, amount: Money, quantity: Int64, status: String, months: Int) {
        self.source = source
        self.reference = reference
        self.label = label
        self.date = date
        self.amount = amount
        self.quantity = quantity
        self.status = status
        self.months = months
    }
}

/// A member's verified monthly income of one kind.
public struct IncomeLine: Sendable, Codable, Equatable {
    public var kind: IncomeKind
    public var monthly: Money
    public init(kind: IncomeKind, monthly: Money) { self.kind = kind; self.monthly = monthly }
}

public struct MemberFindings: Sendable, Codable, Equatable {
    public var position: Int
    public var name: String
    public var idNumber: String
    /// The registration source's status for the member; nil when it holds no record.
    public var registration: RegistrationStatus?
    public var lines: [SourceLine]
    public var verifiedIncome: [IncomeLine]
    public var declaredMonthlyIncome: Money

    public var verifiedMonthlyIncome: Money { verifiedIncome.map(\.monthly).sum() }
}

/// The household's figures per kind (二.五 "收入、财产状况").
public struct VerificationTotals: Sendable, Codable, Equatable {
    public var monthlyIncome: Money = .zero
    public var financialAssets: Money = .zero
    public var vehicles: Int = 0
    /// Vehicles of a type the policy does not count against the limit.
    public var exemptVehicles: Int = 0
    public var vehicleValue: Money = .zero
    public var dwellings: Int = 0
    /// Hundredths of a square metre.
    public var floorArea: Int64 = 0
    public var businesses: Int = 0
    public var businessCapital: Money = .zero
    public var providentBalance: Money = .zero

    public init() {}
}

/// Where what a source says does not fit the declaration or the policy's asset limits.
public enum ContradictionKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "contradiction_kind.\(self)" }

    case incomeAboveDeclared = "income_above_declared"
    case undeclaredVehicle = "undeclared_vehicle"
    case vehiclesOverLimit = "vehicles_over_limit"
    case financialAssetsAboveDeclared = "financial_assets_above_declared"
    case financialAssetsOverLimit = "financial_assets_over_limit"
    case undeclaredHousing = "undeclared_housing"
    case housingOverLimit = "housing_over_limit"
    case undeclaredBusiness = "undeclared_business"
    case businessesOverLimit = "businesses_over_limit"
    case registrationStatus = "registration_status"


}

public struct Contradiction: Sendable, Codable, Equatable {
    public var kind: ContradictionKind
    /// The member it concerns, by position in the household; nil for the whole household.
    public var member: Int?
    /// What the sources show and what the declaration or the policy allows, in fen or a count.
    public var found: Int64
    public var allowed: Int64

    public init(kind: ContradictionKind, member: Int?, found: Int64, allowed: Int64) {
        self.kind = kind
        self.member = member
        self.found = found
        self.allowed = allowed
    }
}

extension VerificationReport {
    /// The contradiction told in `lang`, naming the member masked (the numbers are stored,
    /// the words are made when read, in the reader's language).
    public func message(_ c: Contradiction, _ lang: Language) -> String {
        let who = c.member.flatMap { p in members.first { $0.position == p } }
        let name = who.map { Masking.name($0.name) } ?? ""
        let found = Money(fen: c.found).formatted, allowed = Money(fen: c.allowed).formatted
        func text(_ key: String, _ args: String...) -> String { Catalogue.shared.text("verification." + key, lang, args) }
        switch c.kind {
        case .incomeAboveDeclared:
            return text("c_income_above", name, found, allowed)
        case .registrationStatus:
            return text("c_registration", name, (who?.registration ?? .normal).name(lang))
        case .undeclaredVehicle, .undeclaredHousing, .undeclaredBusiness:
            let noun = c.kind == .undeclaredVehicle ? "noun_vehicles" : c.kind == .undeclaredHousing ? "noun_dwellings" : "noun_businesses"
            return text("c_undeclared", text(noun), "\(c.found)", "\(c.allowed)")
        case .vehiclesOverLimit, .housingOverLimit, .businessesOverLimit:
            let noun = c.kind == .vehiclesOverLimit ? "noun_vehicles" : c.kind == .housingOverLimit ? "noun_dwellings" : "noun_businesses"
            return text("c_over_limit", text(noun), "\(c.found)", "\(c.allowed)")
        case .financialAssetsAboveDeclared:
            return text("c_financial_above", found, allowed)
        case .financialAssetsOverLimit:
            return text("c_financial_limit", found, allowed)
        }
    }
}

/// 核对报告 (二.五): for one household, what every source says about every member, the
/// totals per kind, and each contradiction with the declaration or the policy.
public struct VerificationReport: Sendable, Codable, Equatable {
    public var checkedOn: CivilDate
    public var policyVersion: String
    /// The whole months before the check month over which flows (wages, taxed income)
    /// are averaged.
    public var incomeMonths: Int
    /// Sources that have delivered data to the platform: a member without records in
    /// one of these holds nothing there; a source not listed has not been heard from.
    public var delivered: [DepartmentSource]
    public var members: [MemberFindings]
    public var totals: VerificationTotals
    public var contradictions: [Contradiction]

    public func has(_ kind: ContradictionKind) -> Bool { contradictions.contains { $0.kind == kind } }
}

/// The check itself: pure, so the rules read as rules and are tested without a database.
public enum VerificationCheck {
    /// Matches `records` (those whose ID number is a member's; others are ignored) against
    /// the household and the asset limits of `policy`, as of `date`.
    public static func run(_ subject: VerificationSubject, records: [DepartmentRecord], delivered: Set<DepartmentSource>,
                           policy: Policy, on date: CivilDate) -> VerificationReport {
        // Read in place: a batch check passes two million records through here, and taking
        // each out of an array copies its four texts.
        records.withUnsafeBufferPointer { run(subject, records: $0, delivered: delivered, policy: policy, on: date) }
    }

    private static func run(_ subject: VerificationSubject, records: UnsafeBufferPointer<DepartmentRecord>, delivered: Set<DepartmentSource>,
                            policy: Policy, on date: CivilDate) -> VerificationReport {
        let months = max(1, policy.verificationIncomeMonths)
        let windowEnd = date.firstOfMonth
        let windowStart = windowEnd.adding(months: -months)
        // Each member's records, as positions in `records`, none dated after the check. A
        // member's records come together from the match, so the member of one record is
        // tried first for the next.
        // Records are read through pointers: taking one out of the buffer copies its texts.
        let base = records.baseAddress
        var positions = [[Int]](repeating: [], count: subject.members.count)
        var member = 0
        for p in records.indices {
            let record = base! + p
            if let d = record.pointee.date, d > date { continue }
            if member >= subject.members.count || subject.members[member].idNumber != record.pointee.idNumber {
                guard let m = subject.members.firstIndex(where: { $0.idNumber == record.pointee.idNumber }) else { continue }
                member = m
            }
            positions[member].append(p)
        }

        var totals = VerificationTotals()
        var findings: [MemberFindings] = []
        var contradictions: [Contradiction] = []
        var heldVehicles = 0

        for (k, person) in subject.members.enumerated() {
            var lines: [SourceLine] = []
            var registration: RegistrationStatus?
            var wageByEmployment = Money.zero, wageByTax = Money.zero, businessByTax = Money.zero
            var pension = Money.zero, benefit = Money.zero

            // Sorted by source, item and date, each item's reports are consecutive: held items
            // take their latest report not dated after the check; flows sum the window's months.
            let sorted = positions[k].sorted { a, b in inRuleOrder(base! + a, base! + b) }
            var flows: [SourceLine] = []
            var i = 0
            while i < sorted.count {
                var j = i + 1
                while j < sorted.count && sameItem(base! + sorted[j], base! + sorted[i]) { j += 1 }
                let r = base! + sorted[j - 1]
                switch r.pointee.source {
                case .employment, .tax, .providentFund:
                    if r.pointee.source == .providentFund { totals.providentBalance = totals.providentBalance + Money(fen: r.pointee.quantity) }
                    // One flow line per kind of income (label) of the item.
                    let itemFlows = flows.count
                    for p in sorted[i..<j] {
                        let f = base! + p
                        guard let d = f.pointee.date, d >= windowStart, d < windowEnd else { continue }
                        let amount = f.pointee.amount
                        if let k = flows[itemFlows...].lastIndex(where: { ByteText.equal($0.label, f.pointee.label) }) {
                            flows[k].amount = flows[k].amount + amount
                            flows[k].months += 1
                            if d > flows[k].date! { flows[k].date = d }
                        } else {
                            flows.append(SourceLine(source: f.pointee.source, reference: f.pointee.reference, label: f.pointee.label, date: d,
                                                    amount: amount, quantity: 0, status: "", months: 1))
                        }
                        switch f.pointee.source {
                        case .employment:
                            switch EmploymentItem(rawValue: f.pointee.label) ?? .wage {
                            case .wage: wageByEmployment = wageByEmployment + amount
                            case .pension: pension = pension + amount
                            case .unemploymentBenefit: benefit = benefit + amount
                            }
                        case .tax:
                            if isBusinessIncome(f.pointee.label) { businessByTax = businessByTax + amount } else { wageByTax = wageByTax + amount }
                        default: break
                        }
                    }
                default:
                    lines.append(SourceLine(source: r.pointee.source, reference: r.pointee.reference, label: r.pointee.label, date: r.pointee.date, amount: r.pointee.amount,
                                            quantity: r.pointee.quantity, status: r.pointee.status, months: 0))
                    switch r.pointee.source {
                    case .householdRegistration:
                        registration = RegistrationStatus(rawValue: r.pointee.status)
                    case .deposit, .securities, .insurance:
                        totals.financialAssets = totals.financialAssets + r.pointee.amount
                    case .vehicle where r.pointee.status != AssetStatus.disposed.rawValue:
                        totals.vehicles += 1
                        totals.vehicleValue = totals.vehicleValue + r.pointee.amount
                        if policy.exemptVehicleTypes.contains(r.pointee.label) { totals.exemptVehicles += 1 }
                        heldVehicles += 1
                    case .housing where r.pointee.status != AssetStatus.disposed.rawValue:
                        totals.dwellings += 1
                        totals.floorArea += r.pointee.quantity
                    case .business where r.pointee.status == BusinessStatus.active.rawValue:
                        totals.businesses += 1
                        totals.businessCapital = totals.businessCapital + r.pointee.amount
                    default: break
                    }
                }
                i = j
            }
            lines.append(contentsOf: flows)

            // Wages reported by both social insurance and tax are one income: the larger counts.
            var income: [IncomeLine] = []
            func add(_ kind: IncomeKind, _ total: Money) {
                let monthly = average(total, over: months)
                if monthly.isPositive { income.append(IncomeLine(kind: kind, monthly: monthly)) }
            }
            add(.wages, max(wageByEmployment, wageByTax))
            add(.business, businessByTax)
            add(.pension, pension)
            add(.transfer, benefit)
            let member = MemberFindings(position: person.position, name: person.name, idNumber: person.idNumber, registration: registration,
                                        lines: lines, verifiedIncome: income, declaredMonthlyIncome: person.declaredMonthlyIncome)
            totals.monthlyIncome = totals.monthlyIncome + member.verifiedMonthlyIncome
            findings.append(member)

            if member.verifiedMonthlyIncome > person.declaredMonthlyIncome {
                contradictions.append(Contradiction(
                    kind: .incomeAboveDeclared, member: person.position, found: member.verifiedMonthlyIncome.fen, allowed: person.declaredMonthlyIncome.fen))
            }
            if let status = registration, status != .normal {
                contradictions.append(Contradiction(
                    kind: .registrationStatus, member: person.position, found: 1, allowed: 0))
            }
        }

        func countCheck(_ found: Int, declared asset: AssetKind, undeclared: ContradictionKind, limit: Int?, counted: Int, over: ContradictionKind, noun: (String, String)) {
            let declared = subject.declaredCounts[asset] ?? 0
            if found > declared {
                contradictions.append(Contradiction(kind: undeclared, member: nil, found: Int64(found), allowed: Int64(declared)))
            }
            if let limit, counted > limit {
                contradictions.append(Contradiction(kind: over, member: nil, found: Int64(counted), allowed: Int64(limit)))
            }
        }
        countCheck(heldVehicles, declared: .vehicle, undeclared: .undeclaredVehicle, limit: policy.vehicleLimit,
                   counted: totals.vehicles - totals.exemptVehicles, over: .vehiclesOverLimit, noun: ("车辆", "vehicles"))
        countCheck(totals.dwellings, declared: .housing, undeclared: .undeclaredHousing, limit: policy.housingLimit,
                   counted: totals.dwellings, over: .housingOverLimit, noun: ("房产", "dwellings"))
        countCheck(totals.businesses, declared: .business, undeclared: .undeclaredBusiness, limit: policy.businessLimit,
                   counted: totals.businesses, over: .businessesOverLimit, noun: ("工商登记", "registered businesses"))

        let declaredFinancial = (subject.declaredValues[.deposit] ?? .zero) + (subject.declaredValues[.securities] ?? .zero)
        if totals.financialAssets > declaredFinancial {
            contradictions.append(Contradiction(
                kind: .financialAssetsAboveDeclared, member: nil, found: totals.financialAssets.fen, allowed: declaredFinancial.fen))
        }
        if let limit = policy.financialAssetLimit(standardPerPerson: subject.standardPerPerson, members: subject.members.count),
           totals.financialAssets > limit {
            contradictions.append(Contradiction(
                kind: .financialAssetsOverLimit, member: nil, found: totals.financialAssets.fen, allowed: limit.fen))
        }

        return VerificationReport(checkedOn: date, policyVersion: policy.version, incomeMonths: months,
                                  delivered: DepartmentSource.allCases.filter(delivered.contains), members: findings,
                                  totals: totals, contradictions: contradictions)
    }

    /// Held items take their latest report; flows sum their months: so a member's records
    /// are read by source, then item, then date. Byte-wise comparisons: the references are
    /// codes and names, and a Unicode-aware comparison of Chinese text costs more than the
    /// rest of the check.
    static func inRuleOrder(_ a: UnsafePointer<DepartmentRecord>, _ b: UnsafePointer<DepartmentRecord>) -> Bool {
        if a.pointee.source != b.pointee.source { return a.pointee.source.order < b.pointee.source.order }
        let byReference = ByteText.compare(a.pointee.reference, b.pointee.reference)
        if byReference != 0 { return byReference < 0 }
        return (a.pointee.date ?? .distantPast) < (b.pointee.date ?? .distantPast)
    }

    /// Two reports of one item: the same source and reference.
    static func sameItem(_ a: UnsafePointer<DepartmentRecord>, _ b: UnsafePointer<DepartmentRecord>) -> Bool {
        a.pointee.source == b.pointee.source && ByteText.equal(a.pointee.reference, b.pointee.reference)
    }

    /// Taxed income of a business (经营所得) rather than of wages: the tax source names the
    /// kind of income in its label. Compared as bytes: a Unicode-aware search of Chinese
    /// text, once per taxed month, costs more than the rest of the rules.
    static func isBusinessIncome(_ label: String) -> Bool {
        label.utf8.withContiguousStorageIfAvailable { hay in
            let needle = businessNeedle
            guard hay.count >= needle.count else { return false }
            for start in 0...(hay.count - needle.count) where hay[start] == needle[0] && hay[start..<start + needle.count].elementsEqual(needle) { return true }
            return false
        } ?? label.contains("经营")
    }
    private static let businessNeedle = Array("经营".utf8)

    /// A total over `months` as a monthly amount, rounded half up to the fen.
    static func average(_ total: Money, over months: Int) -> Money {
        let m = Int64(months)
        return Money(fen: (total.fen * 2 + m) / (2 * m))
    }
}

extension DepartmentSource {
    /// Position in the documented list, for stable ordering in reports.
    public var order: Int {
        switch self {
        case .householdRegistration: return 0
        case .vehicle: return 1
        case .employment: return 2
        case .housing: return 3
        case .deposit: return 4
        case .securities: return 5
        case .insurance: return 6
        case .business: return 7
        case .tax: return 8
        case .providentFund: return 9
        }
    }
}

extension CivilDate {
    static let distantPast = CivilDate(unchecked: 1, 1, 1)
}

extension Policy {
    /// The deposits-and-financial-assets limit of a household (二.一 leaves asset tests to
    /// local rules): `depositLimitMonthsOfStandard` months of the household's standard.
    public func financialAssetLimit(standardPerPerson: Money?, members: Int) -> Money? {
        guard let months = depositLimitMonthsOfStandard, let standard = standardPerPerson else { return nil }
        return standard * (months * max(1, members))
    }
}

extension ContradictionKind: Labelled {}
