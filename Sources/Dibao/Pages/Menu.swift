import Vapor
import DibaoCore

/// The page header's menu: only what the signed-in role may open (issue 16: a bank operator
/// was offered six entries and refused four). Each entry's rule is its page's own guard, and
/// `MenuTests` opens every entry as every account to keep the two the same.
enum Menu {
    struct Entry: Sendable {
        var href: String
        var key: String
        var id: String
        var visible: @Sendable (StaffActor) -> Bool
    }

    struct Link: Encodable { var href: String; var label: String; var id: String }

    static let entries: [Entry] = [
        Entry(href: "/", key: "nav.home", id: "nav-home") { _ in true },
        Entry(href: "/households", key: "nav.households", id: "nav-households") { $0.may(.readHouseholds) },
        Entry(href: "/cases", key: "nav.cases", id: "nav-cases") { $0.may(.readHouseholds) },
        Entry(href: "/reviews", key: "nav.reviews", id: "nav-reviews") { $0.may(.readHouseholds) },
        Entry(href: "/approval", key: "nav.approval", id: "nav-approval") { $0.may(.readHouseholds) },
        Entry(href: "/verification", key: "nav.verification", id: "nav-verification") { $0.may(.readVerification) || $0.may(.requestVerification) },
        Entry(href: "/payments", key: "nav.payments", id: "nav-payments") { $0.may(.readPayments) || $0.may(.bankExchange) },
        Entry(href: "/complaints", key: "nav.complaints", id: "nav-complaints") { $0.may(.readComplaints) },
        Entry(href: "/supervision", key: "nav.supervision", id: "nav-supervision") { $0.may(.readRelatives) || $0.may(.inspect) || $0.may(.readFundOversight) },
        Entry(href: "/accountability", key: "nav.accountability", id: "nav-accountability") { $0.may(.readAccountability) },
        Entry(href: "/performance", key: "nav.performance", id: "nav-performance") { $0.may(.readPerformance) },
        Entry(href: "/admin", key: "nav.admin", id: "nav-admin") { $0.may(.administerPolicy) },
    ]

    static func links(for actor: StaffActor, _ lang: Language) -> [Link] {
        entries.filter { $0.visible(actor) }.map { Link(href: $0.href, label: Strings.text($0.key, lang), id: $0.id) }
    }
}
