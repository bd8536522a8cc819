import Fluent
import Vapor
import DibaoCore

/// 单人保 (2021 第十条): the member a case or an enrolled household covers alone. Appended columns.
struct AddSinglePersonEnrollment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationCase.schema).field("single_person_id", .uuid).update()
        try await database.schema(EnrolledHousehold.schema).field("single_person_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EnrolledHousehold.schema).deleteField("single_person_id").update()
        try await database.schema(ApplicationCase.schema).deleteField("single_person_id").update()
    }
}

enum SinglePersonIntake {
    /// The category `m` is enrolled alone under, or nil when the version allows none for it.
    static func category(of m: Member, today: CivilDate, policy: Policy) -> SinglePersonCategory? {
        let age = CivilDate(iso: m.birthDate).map { $0.age(on: today) } ?? 0
        return SinglePerson.category(disability: DisabilityLevel(rawValue: m.disabilityLevel) ?? .none, severeIllness: m.severeIllness, age: age,
                                     working: SinglePerson.working(m.employment), policy: policy)
    }

    /// Checks the member named on an application against the version in force: nil for the
    /// whole household; refusals name the field and the rule.
    static func check(_ raw: String?, members: [Member], today: CivilDate, policy: Policy) -> (UUID?, FieldRefusal?) {
        let typed = (raw ?? "").trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return (nil, nil) }
        let label = Phrase("intake.refusal_single_person")
        guard !policy.procedure.singlePersonCategories.isEmpty else {
            return (nil, FieldRefusal(field: "single_person", rule: "intake.single_person_not_provided",
                                      .labelled(label, Phrase("intake.refusal_single_person_not_provided", policy.version))))
        }
        guard let id = UUID(uuidString: typed), let m = members.first(where: { $0.id == id }) else {
            return (nil, FieldRefusal(field: "single_person", rule: "intake.single_person_member", .labelled(label, Phrase("intake.refusal_single_person_member"))))
        }
        guard category(of: m, today: today, policy: policy) != nil else {
            return (nil, FieldRefusal(field: "single_person", rule: "intake.single_person_category",
                                      .labelled(label, Phrase("intake.refusal_single_person_category", Masking.name(m.name)))))
        }
        return (id, nil)
    }
}
