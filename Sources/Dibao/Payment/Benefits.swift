import Fluent
import Foundation
import SQLKit
import Vapor
import DibaoCore

/// 一卡通账户: where a household's benefit is paid.
enum PaymentAccounts {
    /// An account number is 8–32 digits (bank card and passbook numbers); the holder's
    /// name is what the bank checks against its own records.
    static func validate(bank: String, account: String, holder: String) throws {
        var problems: [FieldRefusal] = []
        if bank.isEmpty {
            problems.append(FieldRefusal(field: "bank", rule: "account.bank",
                                         .labelled(Phrase("payment.refusal_label_account_bank"), Phrase("payment.refusal_choose_one"))))
        }
        let digits = 8...32
        if !digits.contains(account.count) || !account.allSatisfy({ $0.isASCII && $0.isNumber }) {
            problems.append(FieldRefusal(field: "account_number", rule: "account.number",
                                         .labelled(Phrase("payment.refusal_label_account_number"),
                                                   Phrase("payment.refusal_account_number", digits.lowerBound, digits.upperBound))))
        }
        if holder.trimmingCharacters(in: .whitespaces).isEmpty || !BankFile.isFieldSafe(holder) {
            problems.append(FieldRefusal(field: "holder_name", rule: "account.holder",
                                         .labelled(Phrase("payment.refusal_label_holder"), Phrase("payment.refusal_holder"))))
        }
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw FormRefused(problems: problems) }
    }

    static func unknownBank(_ code: String) -> FieldRefusal {
        FieldRefusal(field: "bank", rule: "account.unknown_bank",
                     .labelled(Phrase("payment.refusal_label_account_bank"), Phrase("payment.refusal_unknown_bank", code)))
    }

    /// Records the account (replacing an earlier one).
    static func put(household: UUID, bank: String, account: String, holder: String, by username: String, on date: CivilDate,
                    _ db: any Database) async throws {
        let existing = try await PaymentAccount.query(on: db).filter(\.$householdID == household).first()
        let a = existing ?? PaymentAccount()
        a.householdID = household
        a.bankCode = bank
        a.accountNumber = account
        a.holderName = holder.trimmingCharacters(in: .whitespaces)
        a.updatedOn = date.iso
        a.updatedBy = username
        try await a.save(on: db)
    }

    /// Sets a household's account as `op`, audited (the number itself never goes into the log).
    static func set(household id: UUID, bank: String, account: String, holder: String, by op: PaymentOperator, app: Application) async throws {
        try validate(bank: bank, account: account, holder: holder)
        guard try await Bank.find(bank, on: app.db) != nil else { throw unknownBank(bank) }
        guard let h = try await Household.query(on: app.db).filter(\.$id == id).within(op.area).first() else { throw Abort(.notFound) }
        let today = app.dibao.clock.today()
        try await app.audit.write(on: app.db) { tx in
            try await put(household: id, bank: bank, account: account, holder: holder, by: op.username, on: today, tx)
            return ((), [AuditEntry(actor: op.audit, action: "payment_account.set", entityType: "household", entityID: id.uuidString,
                                    areaCode: h.villageCode, detail: ["bank": bank, "account_last4": String(account.suffix(4))])])
        }
    }
}

/// A household's payroll schedule, folded from its benefit decisions (二.六) by
/// `EnrollmentWorkflow`, the only writer; payment reads it.
enum BenefitSchedules {
    /// The household's active schedule, if `op` may see it.
    static func current(household id: UUID, for op: PaymentOperator, on db: any Database) async throws -> BenefitScheduleRecord? {
        try await BenefitScheduleRecord.query(on: db).filter(\.$householdID == id).filter(\.$active == true).within(op.area).first()
    }
}
