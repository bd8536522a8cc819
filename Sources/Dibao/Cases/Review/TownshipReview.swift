import Fluent
import Vapor
import DibaoCore

/// 乡镇审核 (二.二): the township's review head records the opinion and the proposed
/// amount (by default the investigation's calculated amount).
enum TownshipReview {
    static func approve(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let amount = try CaseSteps.money(input.amount, field: "amount")
        return try await CaseWorkflow.perform(.townshipApprove, caseID: caseID, by: actor, on: req) { c, _ in
            c.townshipOpinion = String((input.opinion ?? "").prefix(500))
            c.proposedAmountFen = amount?.fen ?? c.computedAmountFen
            c.townshipReviewedOn = req.dibao.clock.today().iso
        }
    }
}
