import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Dibao
import DibaoCore

/// Drives cases through the JSON API, each step as the account whose role takes it.
struct CaseDriver {
    let app: Application
    private var tokens: [String: HTTPHeaders] = [:]

    static func make(_ app: Application, users: [String] = DemoData.accounts.map(\.username)) async throws -> CaseDriver {
        var d = CaseDriver(app: app)
        for u in users { d.tokens[u] = try await tokenHeaders(app, for: u) }
        return d
    }

    private init(app: Application) { self.app = app }

    @discardableResult
    func call(_ user: String, _ method: HTTPMethod, _ path: String, _ body: (any Encodable)? = nil) async throws -> TestingHTTPResponse {
        var captured: TestingHTTPResponse?
        let data = try body.map { try JSONEncoder().encode($0) }
        var headers = tokens[user] ?? [:]
        if data != nil { headers.contentType = .json }
        try await app.testing().test(method, path, headers: headers, body: data.map { ByteBuffer(data: $0) }) { captured = $0 }
        return captured!
    }

    func household(seed: Int, village: String = "150102001001") async throws -> UUID {
        let res = try await call("xc_township", .POST, "/api/v1/households", sampleDraft(village: village, seed: seed))
        #expect(res.status == .created)
        return try res.decode(HouseholdView.self).id
    }

    func file(_ household: UUID, as user: String = "xc_village") async throws -> CaseView {
        let signers = Dictionary(uniqueKeysWithValues: DeclarationKind.allCases.map { ($0.rawValue, "测试户主") })
        let res = try await call(user, .POST, "/api/v1/households/\(household)/cases", Intake.Input(channel: "village_committee", windowName: nil, signers: signers))
        #expect(res.status == .created, "filing: \(res.body.string)")
        return try res.decode(CaseView.self)
    }

    @discardableResult
    func step(_ user: String, _ id: UUID, _ action: CaseAction, _ input: StepInput = StepInput(), expect status: HTTPResponseStatus = .ok,
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> CaseView? {
        let res = try await call(user, .POST, "/api/v1/cases/\(id)/steps/\(action.rawValue)", input)
        #expect(res.status == status, "\(user) \(action.rawValue): \(res.body.string)", sourceLocation: sourceLocation)
        return res.status == .ok ? try res.decode(CaseView.self) : nil
    }

    func problems(_ res: TestingHTTPResponse) -> [String] {
        ((try? res.decode(DibaoErrorMiddleware.ErrorBody.self))?.problems ?? []).map(\.rule)
    }

    /// Takes a case from filing to `awaitingApproval` through every township step.
    func toCounty(_ id: UUID, clock: TestClock) async throws {
        try await step("xc_township", id, .accept)
        try await step("xc_township", id, .completeInvestigation, .investigation)
        try await step("xc_township", id, .recordEvaluation, .evaluation)
        try await step("xc_head", id, .townshipApprove, StepInput(opinion: "同意"))
        try await step("xc_township", id, .postFirstNotice)
        clock.advance(days: 7)
        try await step("xc_township", id, .submitToCounty)
    }
}

extension StepInput {
    static var investigation: StepInput {
        var s = StepInput()
        s.investigators = "王调查、李调查"
        s.applicantSigned = "on"
        s.truth = Dictionary(uniqueKeysWithValues: DeclarationKind.allCases.map { ($0.rawValue, "true") })
        return s
    }

    /// Village population 1000 in the demo: the panel must be 50 to 100.
    static var evaluation: StepInput {
        var s = StepInput()
        s.panelSize = 51
        s.votesFor = 40
        s.votesAgainst = 6
        s.votesAbstain = 5
        s.evaluationSigned = "on"
        return s
    }

    init(reason: String) { self.init(); self.reason = reason }
    init(opinion: String) { self.init(); self.opinion = opinion }
    init(amount: String, firstMonth: String) { self.init(); self.amount = amount; self.firstMonth = firstMonth }
}
