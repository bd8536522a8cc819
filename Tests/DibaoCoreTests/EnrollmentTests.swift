import Testing
@testable import DibaoCore

@Suite("Enrollment review classes")
struct EnrollmentTests {
    let policy = Policy.default2013
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }
    func member(_ disability: DisabilityLevel = .none, ill: Bool = false) -> MemberSituation {
        MemberSituation(label: "成员", birthDate: d("1970-05-01"), disability: disability, severeIllness: ill)
    }

    @Test("severe illness or grade 1–2 disability with stable income: yearly (二.六)")
    func severeStable() {
        #expect(ReviewClass.classify(members: [member(), member(ill: true)], incomeStable: true, ableToWork: false)
                == .severeStable)
        #expect(ReviewClass.classify(members: [member(.level1)], incomeStable: true, ableToWork: false) == .severeStable)
        #expect(ReviewClass.classify(members: [member(.level2), member()], incomeStable: true, ableToWork: true)
                == .severeStable)
        // Grades 3 and 4 are not severe.
        #expect(ReviewClass.classify(members: [member(.level3)], incomeStable: true, ableToWork: false) == .stable)
        #expect(ReviewClass.classify(members: [member(.level4)], incomeStable: true, ableToWork: false) == .stable)
    }

    @Test("unstable income with someone able to work: the frequent class (二.六)")
    func unstable() {
        #expect(ReviewClass.classify(members: [member()], incomeStable: false, ableToWork: true) == .unstable)
        #expect(ReviewClass.classify(members: [member(ill: true), member()], incomeStable: false, ableToWork: true)
                == .unstable)
    }

    @Test("everything else: half-yearly")
    func stable() {
        #expect(ReviewClass.classify(members: [member()], incomeStable: true, ableToWork: true) == .stable)
        #expect(ReviewClass.classify(members: [member()], incomeStable: true, ableToWork: false) == .stable)
        #expect(ReviewClass.classify(members: [member()], incomeStable: false, ableToWork: false) == .stable)
        #expect(ReviewClass.classify(members: [member(ill: true)], incomeStable: false, ableToWork: false) == .stable)
        #expect(ReviewClass.classify(members: [], incomeStable: true, ableToWork: false) == .stable)
    }

    @Test("next review dates by class and area kind")
    func nextReview() {
        let from = d("2025-12-01")
        func next(_ c: ReviewClass, _ k: AreaKind) -> CivilDate {
            Enrollment.nextReviewDate(enrolledFrom: from, class: c, kind: k, policy: policy)
        }
        #expect(next(.severeStable, .urban) == d("2026-12-01"))
        #expect(next(.severeStable, .rural) == d("2026-12-01"))
        #expect(next(.stable, .urban) == d("2026-06-01"))
        #expect(next(.stable, .rural) == d("2026-06-01"))
        #expect(next(.unstable, .urban) == d("2026-01-01"))
        #expect(next(.unstable, .rural) == d("2026-03-01"))
    }

    @Test("a mid-month date counts from its month; the policy sets the interval")
    func midMonthAndPolicy() {
        #expect(Enrollment.nextReviewDate(enrolledFrom: d("2026-08-31"), class: .stable, kind: .rural, policy: policy)
                == d("2027-02-01"))
        var monthly = policy
        monthly.reviewMonthsUnstableRural = 1
        #expect(Enrollment.nextReviewDate(enrolledFrom: d("2026-11-01"), class: .unstable, kind: .rural, policy: monthly)
                == d("2026-12-01"))
    }
}
