/// Where a county's dibao money comes from (三.三 "各级财政……足额安排保障资金"): the
/// central transfer and the region's, league's and county's own shares.
public enum FundSource: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "fund_source.\(self)" }

    case central, region, league, county
}

/// 资金使用 — a county's year of dibao money against its budget (二.二.5, 三.三, 三.五).
///
/// Payrolls pay from one pooled account, so what each source has paid is the spending
/// shared out in proportion to the sources' budgets: the way finance books a pooled
/// account, and the only split that does not depend on the order bills are paid.
public struct BudgetExecution: Sendable, Equatable {
    public let year: Int
    public let budget: [FundSource: Money]
    /// Spending by calendar month 1…12 of `year`: what released payrolls paid out, less
    /// what banks returned as failed, booked in the first month of the payroll's period.
    public let monthly: [Money]

    public init(year: Int, budget: [FundSource: Money], monthly: [Money]) {
        precondition(monthly.count == 12, "a year has twelve months")
        self.year = year
        self.budget = budget
        self.monthly = monthly
    }

    public var totalBudget: Money { FundSource.allCases.map { budget[$0] ?? .zero }.sum() }
    public var spent: Money { monthly.sum() }

    /// Spending in quarter `q` (1…4).
    public func quarter(_ q: Int) -> Money { monthly[(q - 1) * 3..<q * 3].sum() }

    /// Quarter `q`'s spending by source.
    public func quarterBySource(_ q: Int) -> [FundSource: Money] { Self.apportion(quarter(q), by: budget) }

    /// The year's spending by source.
    public var spentBySource: [FundSource: Money] { Self.apportion(spent, by: budget) }

    /// Budget execution progress (预算执行进度), in per mille of the budget: spent so far
    /// over the year's budget. Zero when there is no budget.
    public var progressPerMille: Int {
        let b = totalBudget.fen
        guard b > 0 else { return 0 }
        return Int(spent.fen * 1000 / b)
    }

    /// How far the calendar has gone, in per mille, through the end of `month`: the pace
    /// execution is measured against.
    public static func timePerMille(throughMonth month: Int) -> Int { max(0, min(12, month)) * 1000 / 12 }

    /// Evenness of spending (支出均衡性) over the first `months` months, in per mille: 1000
    /// when every month paid the same, falling with the mean absolute deviation from the
    /// monthly mean (a month of arrears paid at once shows as uneven). Zero when nothing
    /// was spent.
    public func evennessPerMille(months: Int) -> Int {
        let n = max(1, min(12, months))
        let values = monthly.prefix(n).map(\.fen)
        let total = values.reduce(0, +)
        guard total > 0 else { return 0 }
        // Scaled by n so the mean stays integral: |n·x − total| / n is the deviation.
        let deviation = values.map { abs($0 * Int64(n) - total) }.reduce(0, +)
        let ratio = deviation * 1000 / (total * Int64(n))
        return Int(max(0, 1000 - ratio))
    }

    /// What is left of the budget at the year's end (结转结余), never negative.
    public var carryOver: Money {
        let left = totalBudget - spent
        return left.isNegative ? .zero : left
    }

    /// Whether the carry-over is above the policy share of the year's spending (二.二.5:
    /// 年末滚存结余 not above 10 %).
    public func carryOverFlagged(policy: Policy) -> Bool {
        policy.carryOverLimit(yearSpending: spent) < carryOver
    }

    /// `amount` shared in proportion to `weights` to the fen, the remainder fen going to
    /// the largest fractional parts (ties in source order), so the parts always add up to
    /// the whole. With no weights at all the whole is the county's own.
    public static func apportion(_ amount: Money, by weights: [FundSource: Money]) -> [FundSource: Money] {
        let w = FundSource.allCases.map { max(0, weights[$0]?.fen ?? 0) }
        let sum = w.reduce(0, +)
        guard sum > 0 else {
            var out = Dictionary(uniqueKeysWithValues: FundSource.allCases.map { ($0, Money.zero) })
            out[.county] = amount
            return out
        }
        // 128-bit products: a province's yearly fen times a budget's fen overflows 64 bits.
        var parts: [Int64] = [], remainders: [(Int, UInt64)] = []
        for (i, wi) in w.enumerated() {
            let (hi, lo) = amount.fen.magnitude.multipliedFullWidth(by: UInt64(wi))
            let (q, r) = UInt64(sum).dividingFullWidth((hi, lo))
            parts.append(Int64(q))
            remainders.append((i, r))
        }
        var left = amount.fen.magnitude - parts.reduce(0) { $0 + UInt64($1) }
        for (i, _) in remainders.sorted(by: { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }) where left > 0 {
            parts[i] += 1
            left -= 1
        }
        let sign: Int64 = amount.isNegative ? -1 : 1
        return Dictionary(uniqueKeysWithValues: FundSource.allCases.enumerated().map { ($1, Money(fen: sign * parts[$0])) })
    }
}

extension BudgetExecution {
    /// The carry-over the year is heading for after `months` months at the pace so far:
    /// for the flag while the year is still running (at month 12 it is `carryOver`).
    public func projectedCarryOver(throughMonth months: Int) -> Money {
        let n = max(1, min(12, months))
        let projected = Money(fen: monthly.prefix(n).map(\.fen).reduce(0, +) * 12 / Int64(n))
        let left = totalBudget - projected
        return left.isNegative ? .zero : left
    }

    /// Whether the projected carry-over is above the policy share of the projected spending.
    public func projectedCarryOverFlagged(throughMonth months: Int, policy: Policy) -> Bool {
        let n = max(1, min(12, months))
        let projected = Money(fen: monthly.prefix(n).map(\.fen).reduce(0, +) * 12 / Int64(n))
        return policy.carryOverLimit(yearSpending: projected) < projectedCarryOver(throughMonth: n)
    }
}

extension BudgetExecution {
    /// Whole months of `year` already over on `today`: all twelve for a past year, none for
    /// a future one, else the months before the current one. Execution is judged on these.
    public static func monthsClosed(year: Int, today: CivilDate) -> Int {
        year < today.year ? 12 : year > today.year ? 0 : today.month - 1
    }

    /// The year-end carry-over after `monthsClosed` months at the pace so far, and whether
    /// it is above the policy share. At twelve months it is the year's own figure; with no
    /// month over yet nothing is flagged.
    public func carryOverOutlook(monthsClosed: Int, policy: Policy) -> (carryOver: Money, flagged: Bool) {
        let months = max(1, monthsClosed)
        return (projectedCarryOver(throughMonth: months), monthsClosed > 0 && projectedCarryOverFlagged(throughMonth: months, policy: policy))
    }

    /// A league's (or the region's) execution: its counties' budgets and spending added up,
    /// so progress and evenness are judged for the league as a whole (三.五 绩效评价).
    public static func combined(_ parts: [BudgetExecution], year: Int) -> BudgetExecution {
        var budget: [FundSource: Money] = [:]
        var monthly = Array(repeating: Money.zero, count: 12)
        for e in parts where e.year == year {
            for (source, amount) in e.budget { budget[source, default: .zero] = budget[source, default: .zero] + amount }
            for m in 0..<12 { monthly[m] = monthly[m] + e.monthly[m] }
        }
        return BudgetExecution(year: year, budget: budget, monthly: monthly)
    }
}

extension FundSource: Labelled {}
