/// 发放花名册 — a county's payroll for one period, and who may move it on (二.二.5).
///
/// Civil affairs draws up the list, finance checks it and releases the money, the bank
/// pays it and reports back, and civil affairs settles the failures. Two rules carry the
/// weight: the person who releases is never the person who drafted (one person cannot
/// both make a list and pay it out), and a released list is what the bank was told to
/// pay, so it never changes afterwards — a correction is an adjustment in a later payroll.
public enum PayrollStage: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "payroll_stage.\(self)" }

    /// 编制: computed by a county caseworker; may still be discarded and drawn again.
    case drafted
    /// 审核拨付: checked and released by finance; frozen from here on.
    case released
    /// 已报送银行: payment files made for the banks.
    case exported
    /// 银行已回盘: every bank's result file is in; failed lines wait for a decision.
    case resultsIn = "results_in"
    /// 已结清: every failed line is settled.
    case closed
}

public enum PayrollAction: String, Sendable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "payroll_action.\(self)" }

    case draft, discard, release, export, importResult = "import_result", resolveFailure = "resolve_failure", close

    /// Who may take the step: civil affairs makes and settles the list, finance releases
    /// it, the bank (or civil affairs on its behalf, from the file the bank sent) returns results.
    public var roles: Set<Role> {
        switch self {
        case .draft, .discard, .resolveFailure, .close: return [.countyCaseworker]
        case .release: return [.financeOfficer]
        case .export: return [.countyCaseworker, .financeOfficer]
        case .importResult: return [.bankOperator, .countyCaseworker]
        }
    }

    /// The stages the step starts from.
    public var from: Set<PayrollStage> {
        switch self {
        case .draft: return []
        case .discard, .release: return [.drafted]
        case .export: return [.released, .exported]
        case .importResult: return [.exported]
        case .resolveFailure: return [.resultsIn]
        case .close: return [.resultsIn]
        }
    }


}

/// The payroll rules, as one function a service asks before every step.
public enum PayrollMachine {
    /// Nil when `role` (account `actor`) may take `action` on a payroll in `stage`
    /// drafted by `drafter`; otherwise why not.
    public static func refusal(_ action: PayrollAction, stage: PayrollStage?, role: Role, actor: String,
                               drafter: String) -> PayrollRefusal? {
        guard action.roles.contains(role) else { return .role(action, role) }
        if let stage, !action.from.contains(stage) { return .stage(action, stage) }
        if action == .release && actor == drafter { return .drafterReleases }
        return nil
    }

    /// Whether lines in a payroll of `stage` may still change: only while drafted.
    public static func isFrozen(_ stage: PayrollStage) -> Bool { stage != .drafted }
}

/// Why a payroll step is refused.
public enum PayrollRefusal: Refusal, Equatable {
    case role(PayrollAction, Role)
    case stage(PayrollAction, PayrollStage)
    /// 二.二.5 separates the list (civil affairs) from the release (finance); within
    /// the system the same account may never do both.
    case drafterReleases
    /// A county has at most one payroll per period.
    case periodExists(String)
    /// Payrolls are made in period order, so each sees every earlier payment.
    case notAfterLatest(period: String, latest: String)
    /// The period's frequency is not the county's.
    case wrongFrequency(period: String, expected: PaymentFrequency)
    case badPeriod(String)
    /// The list cannot close while failed lines wait for a decision.
    case unresolvedFailures(Int)

    public var field: String {
        switch self {
        case .periodExists, .notAfterLatest, .wrongFrequency, .badPeriod: return "period"
        default: return "payroll"
        }
    }

    public var rule: String {
        switch self {
        case .role: return "payroll.role"
        case .stage: return "payroll.stage"
        case .drafterReleases: return "payroll.four_eyes"
        case .periodExists: return "payroll.period_exists"
        case .notAfterLatest: return "payroll.period_order"
        case .wrongFrequency: return "payroll.frequency"
        case .badPeriod: return "payroll.period"
        case .unresolvedFailures: return "payroll.unresolved_failures"
        }
    }

    /// The payroll's own steps are told under 发放花名册, the period's under 发放期间
    /// (`Phrase.labelled`), so a form can put its own words for the field in place.
    public var phrase: Phrase {
        let payroll = Phrase("payroll.refusal_label_payroll"), period = Phrase("payroll.refusal_label_period")
        switch self {
        case let .role(a, r): return .labelled(payroll, Phrase("payroll.refusal_role", r.namePhrase, a.namePhrase))
        case let .stage(a, s): return .labelled(payroll, Phrase("payroll.refusal_stage", s.namePhrase, a.namePhrase))
        case .drafterReleases: return .labelled(payroll, Phrase("payroll.refusal_four_eyes"))
        case let .periodExists(p): return .labelled(period, Phrase("payroll.refusal_period_exists", p))
        case let .notAfterLatest(p, l): return .labelled(period, Phrase("payroll.refusal_period_order", p, l))
        case let .wrongFrequency(p, f): return .labelled(period, Phrase("payroll.refusal_frequency", p, f.namePhrase))
        // The examples are period codes, the same in every language.
        case let .badPeriod(p): return .labelled(period, Phrase("payroll.refusal_bad_period", p, "2026-03", "2026Q1"))
        case let .unresolvedFailures(n): return .labelled(payroll, Phrase("payroll.refusal_unresolved_failures", n))
        }
    }
}

extension PayrollAction: Labelled {}

extension PayrollStage: Labelled {}
