import Fluent
import Vapor
import DibaoCore

/// 民主评议 (二.二.3): a panel of village representatives, at least the policy's share of
/// the village's resident population, votes by anonymous ballot; the result is announced
/// on the spot and signed. Only the counts are kept — never who voted how.
enum Evaluation {
    static func record(caseID: UUID?, input: StepInput, by actor: StaffActor, on req: Request) async throws -> ApplicationCase {
        let today = req.dibao.clock.today()
        let held = try CaseSteps.date(input.heldOn, field: "held_on", label: Phrase("case.refusal_date_label_evaluation")) ?? today
        let found = try await CaseWorkflow.visible(caseID, to: actor, on: req)
        let population = try await Area.find(found.villageCode, on: req.db)?.residentPopulation ?? 0
        return try await CaseWorkflow.perform(.recordEvaluation, caseID: caseID, by: actor,
                                              detail: ["for": String(input.votesFor ?? 0), "against": String(input.votesAgainst ?? 0), "abstain": String(input.votesAbstain ?? 0)],
                                              on: req) { c, _ in
            c.evaluatedOn = held.iso
            c.residentPopulation = population
            c.panelSize = input.panelSize ?? 0
            c.votesFor = input.votesFor ?? 0
            c.votesAgainst = input.votesAgainst ?? 0
            c.votesAbstain = input.votesAbstain ?? 0
            c.evaluationSigned = StepInput.flag(input.evaluationSigned)
        }
    }
}
