/// 工作保障与责任追究 (三.六): what happens when someone cheats — the household that obtained the
/// allowance by fraud, the unit or person who issued a false certificate, and the staff member
/// held to account.

/// 骗取低保待遇 cases: open while the money is recovered, closed with the decision.
public enum FraudStatus: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "fraud_status.\(self)" }

    case open, closed
}

/// Who issued a false certificate (出具虚假证明), recorded for the social credit system.
public enum IssuerKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "issuer_kind.\(self)" }

    case unit, person
}

/// 责任追究: the actions a staff member may be held to account with, lightest first
/// (中国共产党问责条例, 公职人员政务处分法 第七条, and referral to the judicial organs).
public enum AccountabilityKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "accountability_kind.\(self)" }

    case admonition                          // 诫勉谈话
    case circulatedCriticism = "circulated_criticism" // 通报批评
    case warning                             // 警告
    case demerit                             // 记过
    case majorDemerit = "major_demerit"      // 记大过
    case demotion                            // 降级
    case dismissalFromPost = "dismissal_from_post" // 撤职
    case expulsion                           // 开除
    case judicialReferral = "judicial_referral" // 移送司法机关
}

/// A recovery of money obtained by fraud: never more than what is still owed.
public enum FraudRecovery {
    public static func apply(_ amount: Money, recovered: Money, obtained: Money) -> Result<Money, FieldRefusal> {
        guard amount.isPositive else {
            return .failure(FieldRefusal(field: "amount", rule: "fraud.recovery_positive",
                                         .labelled(Phrase("accountability.refusal_label_recovered"), Phrase("accountability.refusal_recovery_positive"))))
        }
        let (total, overflow) = recovered.fen.addingReportingOverflow(amount.fen)
        guard !overflow, total <= obtained.fen else {
            let owed = Money(fen: obtained.fen - recovered.fen)
            return .failure(FieldRefusal(field: "amount", rule: "fraud.recovery_above_owed",
                                         .labelled(Phrase("accountability.refusal_label_recovered"), Phrase("accountability.refusal_recovery_above_owed", owed.formatted))))
        }
        return .success(Money(fen: total))
    }
}

extension AccountabilityKind: Labelled {}

extension FraudStatus: Labelled {}

extension IssuerKind: Labelled {}
