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
        if bank.isEmpty { problems.append(FieldRefusal(field: "bank", rule: "account.bank", zh: "开户银行：请选择", en: "Bank: choose one")) }
        if !(8...32).contains(account.count) || !account.allSatisfy({ $0.isASCII && $0.isNumber }) {
            problems.append(FieldRefusal(field: "account_number", rule: "account.number",
                                         zh: "一卡通账号：应为 8 至 32 位数字", en: "Account number: 8 to 32 digits"))
        }
        if holder.trimmingCharacters(in: .whitespaces).isEmpty || !BankFile.isFieldSafe(holder) {
            problems.append(FieldRefusal(field: "holder_name", rule: "account.holder",
                                         zh: "账户户名：不能为空，不能含“|”或换行", en: "Account holder: required, without “|” or line breaks"))
        }
        if problems.count == 1 { throw problems[0] }
        if !problems.isEmpty { throw FormRefused(problems: problems) }
    }

    static func unknownBank(_ code: String) -> FieldRefusal {
        FieldRefusal(field: "bank", rule: "account.unknown_bank", zh: "开户银行：代码 \(code) 不是已登记的代发银行",
                     en: "Bank: \(code) is not a registered paying bank")
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

/// A household's benefit schedule as decisions change it (二.二.5, 二.六): opened at
/// enrollment, then amount changes, suspensions, resumptions and the exit, each taking
/// effect from a whole month as the policy says.
enum BenefitSchedules {
    /// Opens the schedule of an enrolled case, inside the enrollment's transaction.
    static func open(for c: ApplicationCase, firstMonth: CivilDate, on db: any Database) async throws {
        let monthly = Money(fen: c.approvedAmountFen ?? 0)
        let record = BenefitScheduleRecord()
        record.householdID = c.householdID
        record.caseID = c.id
        record.regionCode = c.regionCode
        record.leagueCode = c.leagueCode
        record.countyCode = c.countyCode
        record.townshipCode = c.townshipCode
        record.villageCode = c.villageCode
        record.steps = try BenefitSchedule.enrolled(firstMonth: firstMonth, monthly: monthly).stored
        record.settledFen = 0
        record.active = true
        try await record.create(on: db)
    }

    enum Decision: Sendable {
        case change(Money)
        case suspend
        case resume(Money)
        case exit
    }

    /// The household's active schedule, if `op` may see it.
    static func current(household id: UUID, for op: PaymentOperator, on db: any Database) async throws -> BenefitScheduleRecord? {
        try await BenefitScheduleRecord.query(on: db).filter(\.$householdID == id).filter(\.$active == true).within(op.area).first()
    }

    /// Enters a decision of `decidedOn` in the household's schedule. Suspensions and
    /// resumptions count from the month the policy's effect rule gives, like every other decision.
    static func decide(_ decision: Decision, household id: UUID, decidedOn: CivilDate, reason: String,
                       by op: PaymentOperator, app: Application) async throws -> BenefitSchedule {
        guard op.role.may(.manageBenefits) else { throw Abort(.forbidden) }
        guard let record = try await current(household: id, for: op, on: app.db) else {
            throw FieldRefusal(field: "household", rule: "schedule.none", zh: "该户没有正在享受的低保待遇", en: "The household has no benefit being paid")
        }
        let policy = app.dibao.policy(on: decidedOn)
        let months = policy.changeTakesEffectMonthsAfterDecision
        return try await app.audit.write(on: app.db) { tx in
            guard let r = try await BenefitScheduleRecord.find(record.id, on: tx), var s = r.schedule else { throw Abort(.notFound) }
            var detail = ["decided_on": decidedOn.iso]
            switch decision {
            case .change(let m): try s.change(to: m, decidedOn: decidedOn, effectMonths: months); detail["monthly_fen"] = String(m.fen)
            case .suspend: try s.suspend(from: policy.changeEffectiveFrom(decidedOn: decidedOn))
            case .resume(let m): try s.resume(from: policy.changeEffectiveFrom(decidedOn: decidedOn), monthly: m); detail["monthly_fen"] = String(m.fen)
            case .exit: try s.exit(decidedOn: decidedOn, effectMonths: months)
            }
            r.steps = s.stored
            try await r.save(on: tx)
            let action: String
            switch decision {
            case .change: action = "benefit.changed"
            case .suspend: action = "benefit.suspended"
            case .resume: action = "benefit.resumed"
            case .exit: action = "benefit.exited"
            }
            return (s, [AuditEntry(actor: op.audit, action: action, entityType: "household", entityID: id.uuidString,
                                   areaCode: r.villageCode, reason: reason, detail: detail)])
        }
    }
}
