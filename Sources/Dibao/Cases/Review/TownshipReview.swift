import Fluent
import Vapor
import DibaoCore

/// 乡镇审核 (二.二): the township's review head records the opinion and the proposed
/// amount (by default the investigation's calculated amount).
enum TownshipReview {
    static func approve(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let amount = try CaseSteps.money(input.amount, field: "amount")
        let reason = String((input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        return try await CaseWorkflow.perform(.townshipApprove, caseID: caseID, by: actor,
                                              detail: ["amount": String(amount?.fen ?? -1), "amount_reason": reason], on: req) { c, _ in
            if let amount { try DecidedAmount.check(amount, calculation: c.benefitResult, calculated: c.computedAmountFen.map { Money(fen: $0) }, reason: reason) }
            c.townshipOpinion = String((input.opinion ?? "").prefix(500))
            c.proposedAmountFen = amount?.fen ?? c.computedAmountFen
            c.townshipReviewedOn = req.dibao.clock.today().iso
        }
    }
}
