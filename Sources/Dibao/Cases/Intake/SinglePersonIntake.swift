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
        guard !policy.procedure.singlePersonCategories.isEmpty else {
            return (nil, FieldRefusal(field: "single_person", rule: "intake.single_person_not_provided",
                                      zh: "单人保：现行政策版本（\(policy.version)）没有单人纳入保障的规定", en: "Single-person enrolment: the version in force (\(policy.version)) provides none"))
        }
        guard let id = UUID(uuidString: typed), let m = members.first(where: { $0.id == id }) else {
            return (nil, FieldRefusal(field: "single_person", rule: "intake.single_person_member", zh: "单人保：须为本户的家庭成员", en: "Single-person enrolment: must be a member of this household"))
        }
        guard category(of: m, today: today, policy: policy) != nil else {
            return (nil, FieldRefusal(field: "single_person", rule: "intake.single_person_category",
                                      zh: "单人保：\(Masking.name(m.name))不属于可以单独纳入保障的重病患者、重度残疾人",
                                      en: "Single-person enrolment: this member is not severely ill or severely disabled as the rules require"))
        }
        return (id, nil)
    }
}
