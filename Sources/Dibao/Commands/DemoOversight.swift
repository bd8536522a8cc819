import Fluent
import Foundation
import Vapor
import DibaoCore

/// The demo's oversight (二.七, 二.八), made through the same services the offices use: in
/// 海拉尔东路街道 a hotline call recorded by the township and waiting for materials, an
/// online report nobody has taken yet, a letter answered; a village cadre's registered
/// sister who is enrolled (flagged for a focused check); and the league's yearly inspection
/// plan, drawn.
enum DemoOversight {
    static func seed(app: Application) async throws {
        func ctx(_ username: String) async throws -> ServiceContext {
            guard let user = try await User.query(on: app.db).filter(\.$username == username).first(),
                  let actor = StaffActor(user, viaToken: false) else { throw Abort(.notFound, reason: "demo account \(username)") }
            return app.context(actor)
        }
        // Households from the end of the township's list, apart from those the reviews used.
        let enrolled = try await EnrolledHousehold.query(on: app.db).filter(\.$townshipCode == "150102001000").filter(\.$status == .enrolled)
            .sort(\.$id, .descending).limit(3).all()
        guard enrolled.count == 3 else { return }
        let township = try await ctx("xc_township")
        let heads = Dictionary(try await Household.query(on: app.db).filter(\.$id ~~ enrolled.map(\.householdID)).all().map { ($0.id!, $0.headName) },
                               uniquingKeysWith: { a, _ in a })

        let call = try await ComplaintWorkflow.record(ComplaintInput(
            channel: "hotline", complainantName: "刘女士", complainantPhone: "13804710000", subject: "household",
            subjectText: heads[enrolled[0].householdID], area: enrolled[0].villageCode,
            text: "来电反映该户户主常年在外经营饭店，家庭收入明显高于低保标准。", recordNote: "来电人不愿透露住址，同意补充饭店名称和地址。"), ctx: township)
        _ = try await ComplaintWorkflow.perform(.requestMaterials, complaint: call.id, input: ComplaintInput(missingItems: "饭店名称及地址\n经营时间"), ctx: township)

        _ = try await ComplaintWorkflow.submitOnline(ComplaintInput(
            subject: "staff", subjectText: "社区协理员", area: enrolled[1].villageCode,
            text: "社区民主评议时没有通知全部居民代表参加，评议过程不公开。"), app: app)

        let letter = try await ComplaintWorkflow.record(ComplaintInput(
            channel: "letter", subject: "office", subjectText: "海拉尔东路街道办事处", area: "150102001000",
            text: "来信询问低保申请需要准备哪些材料，多久能有结果。"), ctx: township)
        _ = try await ComplaintWorkflow.perform(.accept, complaint: letter.id, input: ComplaintInput(), ctx: township)
        _ = try await ComplaintWorkflow.perform(.answer, complaint: letter.id, input: ComplaintInput(
            answer: "已书面答复：需提交户口簿、身份证、收入证明及三份声明；旗县民政部门自受理之日起30个工作日内作出审批决定。"), ctx: township)

        // A village cadre's sister is a member of an enrolled household.
        if let member = try await Member.query(on: app.db).filter(\.$household.$id == enrolled[2].householdID).sort(\.$position).first() {
            _ = try await RelativesRegistry.register(.init(registrantName: "赵海军", registrantKind: "community_cadre", registrantPost: "社区居委会主任",
                                                          area: enrolled[2].villageCode, relation: "sibling", relativeName: member.name,
                                                          relativeIdNumber: member.idNumber), ctx: try await ctx("xc_county"))
        }

        let supervisor = try await ctx("supervisor")
        let plan = try await Inspections.createPlan(.init(year: String(supervisor.today.year), kind: "yearly", title: "\(supervisor.today.year)年度低保工作监督检查",
                                                          area: DemoData.league.0, sharePercent: "30"), ctx: supervisor)
        _ = try await Inspections.draw(plan: plan.id, ctx: supervisor)
    }
}
