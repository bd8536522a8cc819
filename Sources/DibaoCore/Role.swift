/// What a staff account may do. Roles follow the people of the source text: the
/// village assistant (嘎查村/社区 民政协理员) up to the county approver (审批) and the
/// supervisors of 二.七, who read everything below them and change nothing.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "role.\(self)" }

    case villageAssistant = "village_assistant"          // 嘎查村/社区 民政协理员
    case townshipCaseworker = "township_caseworker"      // 苏木乡镇/街道 低保经办人
    case townshipHead = "township_head"                  // 苏木乡镇/街道 审核负责人
    case countyCaseworker = "county_caseworker"          // 旗县民政局 经办人
    case countyApprover = "county_approver"              // 旗县民政局 审批人
    case financeOfficer = "finance_officer"              // 财政
    case bankOperator = "bank_operator"                  // 代发金融机构
    case verificationOfficer = "verification_officer"    // 核对中心
    case departmentClerk = "department_clerk"            // 公安、人社、税务等部门数据报送员
    case supervisor = "supervisor"                       // 监督、审计（只读）
    case disciplineInspector = "discipline_inspector"    // 纪检监察（只读：移交给它的事项、资金监管）
    case administrator = "administrator"                 // 系统管理员

    /// The area levels an account of this role may belong to.
    public var allowedLevels: Set<AreaLevel> {
        switch self {
        case .villageAssistant: return [.village]
        case .townshipCaseworker, .townshipHead: return [.township]
        case .countyCaseworker, .countyApprover, .financeOfficer, .bankOperator: return [.county]
        case .verificationOfficer, .departmentClerk: return [.region, .league, .county]
        case .supervisor, .disciplineInspector: return [.region, .league, .county]
        case .administrator: return Set(AreaLevel.allCases)
        }
    }

    public func may(_ permission: Permission) -> Bool {
        permission.roles.contains(self)
    }
}

/// One thing a role may do. Every route names the permission it needs; every record
/// query is additionally narrowed to the account's area (see `Jurisdiction`).
public enum Permission: String, Sendable, CaseIterable {
    /// See households and members of one's own area and below.
    case readHouseholds
    /// Register and edit households (intake happens at the village and the township; the
    /// county keeps the register too).
    case writeHouseholds
    /// See full ID numbers, health and disability detail (SPEC "Cross-cutting": only roles that need them).
    case viewSensitive
    case exportHouseholds
    case readAudit
    case manageUsers
    /// Ask the verification centre to check households (二.五): the township for an
    /// application, the county for its periodic checks of enrolled households (二.六).
    case requestVerification
    /// Run checks and read every request of one's own centre (核对中心).
    case runVerification
    /// Deliver department batches to the platform.
    case importDepartmentData
    /// Read verification reports of households in one's area.
    case readVerification
    /// See payrolls, payment lists and budget execution of one's area (二.二.5, 三.五).
    case readPayments
    /// Record a household's one-card account and the decisions that change its payments.
    case manageBenefits
    /// Set a county's annual budget by fund source (财政).
    case manageBudget
    /// Exchange payment and result files for one's own bank (代发金融机构).
    case bankExchange
    /// Record an objection that reached the office (a letter, a visit) against a case's
    /// notice (二.三), and answer, merge or dismiss objections: the offices that post the
    /// notices. Supervisors read them and change nothing (二.七).
    case handleObjections
    /// Take a step of an application case; which steps depends on the role
    /// (`CaseMachine.roles(for:)`), this is the union of them.
    case workCases
    /// Take a step of a payroll (`PayrollAction.roles`); the union of them.
    case workPayrolls
    /// Take a step of a review or answer an early-review request (二.六); which steps
    /// depends on the role (`ReviewMachine`, `EarlyReviewMachine`), this is the union.
    case workReviews
    /// Record an enrolled household's written report of a change (二.六 书面报告): the
    /// village assistant who receives it, or the township.
    case reportChanges
    /// Record and handle complaints and petitions (二.八): the township and the county.
    case handleComplaints
    /// Read complaints: their handlers and supervisors; discipline inspection reads only
    /// what was referred to it (the queries narrow it).
    case readComplaints
    /// Fund oversight (二.七 资金监管): finance, audit and discipline inspection, read-only.
    case readFundOversight
    /// Register the close relatives of caseworkers and village cadres (近亲属备案) and record
    /// the focused checks of their households: the township and the county (二.七).
    case manageRelatives
    /// Read the relatives registry and its flags.
    case readRelatives
    /// Make inspection plans, draw their random checks, record findings and rectification
    /// (二.七 监督检查): county civil affairs and the supervisors of league and region.
    case inspect
    /// Record fraud cases (骗取低保待遇), their recoveries, and false-certificate issuers (三.六):
    /// the county civil-affairs office.
    case recordFraud
    /// Record accountability actions against staff (责任追究): the county's head.
    case recordAccountability
    /// Read fraud cases, issuers and accountability actions: the county and the supervisors.
    case readAccountability
    /// Load policy versions and holiday calendars and import the division codes (issue 15):
    /// the administrator, whose loads are audited and refused whole when wrong.
    case administerPolicy
    /// Enter or approve an area's standard (二.一): county civil affairs for the county, the
    /// administrator for a league; the one who entered it never approves it.
    case manageStandards
    /// Register and correct the service halls and windows of the service network (二.四):
    /// county civil affairs for its county and townships, the administrator for its area.
    case manageServiceNetwork
    /// Record the staffing of a county and its townships and its work funds (三.二, 三.三).
    case manageWorkGuarantees
    /// Read the performance page (三.五): county civil affairs, finance, the supervisors.
    case readPerformance
    /// Change one's own password: every account.
    case changeOwnPassword

    public var roles: Set<Role> {
        switch self {
        case .readHouseholds:
            return [.villageAssistant, .townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover,
                    .financeOfficer, .verificationOfficer, .supervisor, .administrator]
        case .writeHouseholds:
            return [.villageAssistant, .townshipCaseworker, .townshipHead, .countyCaseworker]
        case .viewSensitive:
            return [.villageAssistant, .townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover,
                    .verificationOfficer]
        case .exportHouseholds:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover, .supervisor]
        case .readAudit:
            return [.countyApprover, .supervisor, .administrator]
        case .manageUsers:
            return [.administrator]
        case .requestVerification:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover]
        case .runVerification:
            return [.verificationOfficer]
        case .importDepartmentData:
            return [.verificationOfficer, .departmentClerk, .administrator]
        case .readVerification:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover, .verificationOfficer, .supervisor]
        case .readPayments:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover, .financeOfficer, .supervisor]
        case .manageBenefits:
            return [.countyCaseworker]
        case .manageBudget:
            return [.financeOfficer]
        case .bankExchange:
            return [.bankOperator]
        case .handleObjections:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover]
        case .workCases:
            return Set(CaseAction.allCases.flatMap { CaseMachine.roles(for: $0) })
        case .workPayrolls:
            return Set(PayrollAction.allCases.flatMap(\.roles))
        case .workReviews:
            return Set(ReviewAction.allCases.flatMap { ReviewMachine.roles(for: $0) })
                .union(EarlyReviewAction.allCases.flatMap { EarlyReviewMachine.roles(for: $0) })
        case .reportChanges:
            return [.villageAssistant, .townshipCaseworker, .townshipHead]
        case .handleComplaints:
            return ComplaintMachine.handlers
        case .readComplaints:
            return ComplaintMachine.handlers.union([.supervisor, .disciplineInspector])
        case .readFundOversight:
            return [.financeOfficer, .supervisor, .disciplineInspector, .countyApprover]
        case .manageRelatives:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover]
        case .readRelatives:
            return [.townshipCaseworker, .townshipHead, .countyCaseworker, .countyApprover, .supervisor, .disciplineInspector]
        case .inspect:
            return [.countyApprover, .supervisor]
        case .recordFraud:
            return [.countyCaseworker, .countyApprover]
        case .recordAccountability:
            return [.countyApprover]
        case .readAccountability:
            return [.countyCaseworker, .countyApprover, .supervisor, .disciplineInspector]
        case .administerPolicy:
            return [.administrator]
        case .manageStandards:
            return [.countyCaseworker, .countyApprover, .administrator]
        case .manageServiceNetwork:
            return [.countyCaseworker, .countyApprover, .administrator]
        case .manageWorkGuarantees:
            return [.countyCaseworker, .countyApprover, .administrator]
        case .readPerformance:
            return [.countyCaseworker, .countyApprover, .financeOfficer, .supervisor, .disciplineInspector, .administrator]
        case .changeOwnPassword:
            return Set(Role.allCases)
        }
    }
}

extension Role: Labelled {}
