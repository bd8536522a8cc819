/// The departments that deliver records to the verification platform (二.五: "公安、交通、
/// 人力资源社会保障、住房城乡建设、金融、保险、工商、税务、住房公积金等部门和机构 … 提供 … 户籍、
/// 机动车、就业和社会保障、保险、住房、存款、证券、个体工商户、纳税、公积金等相关核对信息").
/// Each delivers a CSV batch keyed by resident ID number; `columns` is its documented
/// format (docs/verification-formats.md), and every row becomes one `DepartmentRecord`.
public enum DepartmentSource: String, Sendable, Codable, CaseIterable, Hashable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "department_source.\(self)" }

    /// The source whose raw value is `bytes` (UTF-8), without making a string of them:
    /// a batch check reads the source of two million rows.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        for (name, source) in Self.names where name.count == bytes.count && name.elementsEqual(bytes) {
            self = source
            return
        }
        return nil
    }

    private static let names: [([UInt8], DepartmentSource)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    case householdRegistration = "hukou"
    case vehicle
    case employment
    case housing
    case deposit
    case securities
    case insurance
    case business
    case tax
    case providentFund = "provident_fund"

    /// The department that delivers it.
    public var department: String {
        switch self {
        case .householdRegistration: return "公安"
        case .vehicle: return "公安交管/交通运输"
        case .employment: return "人力资源社会保障"
        case .housing: return "住房城乡建设（不动产登记）"
        case .deposit, .securities: return "金融机构"
        case .insurance: return "保险机构"
        case .business: return "市场监管（工商）"
        case .tax: return "税务"
        case .providentFund: return "住房公积金管理中心"
        }
    }

    /// What the source is evidence of, for the report's totals.
    public var kind: VerificationKind {
        switch self {
        case .householdRegistration: return .registration
        case .employment, .tax: return .income
        case .deposit, .securities, .insurance: return .financialAssets
        case .vehicle: return .vehicles
        case .housing: return .housing
        case .business: return .businesses
        case .providentFund: return .providentFund
        }
    }

    /// The documented columns, in file order. Headers may be given by key or by
    /// Chinese label, in any order; optional columns may be left out of the file.
    public var columns: [DepartmentColumn] {
        documentedColumns.map { var c = $0; c.textKey = "dept_column.\(rawValue).\(c.key)"; return c }
    }

    private var documentedColumns: [DepartmentColumn] {
        let id = DepartmentColumn("id_number", "身份证号码", .idNumber, role: .idNumber)
        switch self {
        case .householdRegistration:
            return [id, .init("name", "姓名", .text, role: .label),
                    .init("household_number", "户号", .text, role: .reference),
                    .init("status", "户籍状态", .choice(of: RegistrationStatus.self), role: .status),
                    .init("changed_on", "变动日期", .date, role: .date, optional: true)]
        case .vehicle:
            return [id, .init("plate", "号牌号码", .text, role: .reference),
                    .init("vehicle_type", "车辆类型", .text, role: .label),
                    .init("registered_on", "初次登记日期", .date, role: .date),
                    .init("value_yuan", "评估价值（元）", .money, role: .amount, optional: true),
                    .init("status", "机动车状态", .choice(of: AssetStatus.self), role: .status, optional: true)]
        case .employment:
            return [id, .init("employer", "单位名称", .text, role: .reference),
                    .init("item", "项目", .choice(of: EmploymentItem.self), role: .label),
                    .init("period", "所属期", .month, role: .date),
                    .init("monthly_yuan", "月金额（元）", .money, role: .amount)]
        case .housing:
            return [id, .init("certificate", "不动产权证号", .text, role: .reference),
                    .init("location", "坐落", .text, role: .label),
                    .init("floor_area_m2", "建筑面积（平方米）", .area, role: .quantity),
                    .init("registered_on", "登记日期", .date, role: .date),
                    .init("value_yuan", "评估价值（元）", .money, role: .amount, optional: true),
                    .init("status", "权属状态", .choice(of: AssetStatus.self), role: .status, optional: true)]
        case .deposit:
            return [id, .init("institution", "开户机构", .text, role: .label),
                    .init("account", "账号", .text, role: .reference),
                    .init("balance_yuan", "余额（元）", .money, role: .amount),
                    .init("as_of", "余额日期", .date, role: .date)]
        case .securities:
            return [id, .init("institution", "证券公司", .text, role: .label),
                    .init("account", "资金账号", .text, role: .reference),
                    .init("market_value_yuan", "市值（元）", .money, role: .amount),
                    .init("as_of", "市值日期", .date, role: .date)]
        case .insurance:
            return [id, .init("insurer", "保险机构", .text, role: .label),
                    .init("policy_number", "保单号", .text, role: .reference),
                    .init("cash_value_yuan", "现金价值（元）", .money, role: .amount),
                    .init("as_of", "价值日期", .date, role: .date)]
        case .business:
            return [id, .init("registration_number", "统一社会信用代码/注册号", .text, role: .reference),
                    .init("business_name", "名称", .text, role: .label),
                    .init("capital_yuan", "注册资本（元）", .money, role: .amount),
                    .init("registered_on", "成立日期", .date, role: .date),
                    .init("status", "登记状态", .choice(of: BusinessStatus.self), role: .status)]
        case .tax:
            return [id, .init("withholder", "扣缴义务人", .text, role: .reference),
                    .init("income_item", "所得项目", .text, role: .label),
                    .init("period", "所属期", .month, role: .date),
                    .init("income_yuan", "收入额（元）", .money, role: .amount)]
        case .providentFund:
            return [id, .init("employer", "缴存单位", .text, role: .reference),
                    .init("period", "缴存月份", .month, role: .date),
                    .init("monthly_deposit_yuan", "月缴存额（元）", .money, role: .amount),
                    .init("balance_yuan", "账户余额（元）", .money, role: .quantity, optional: true)]
        }
    }
}

/// The report's headings: what a group of sources is evidence of.
public enum VerificationKind: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "verification_kind.\(self)" }

    case registration, income, financialAssets = "financial_assets", vehicles, housing, businesses, providentFund = "provident_fund"
}

/// 户籍状态 in the registration source.
public enum RegistrationStatus: String, Sendable, Codable, CaseIterable {
    case normal, deceased, movedOut = "moved_out"

    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "registration_status.\(self)" }
}

extension RegistrationStatus: Labelled {}

/// Whether a vehicle or a dwelling is still held.
public enum AssetStatus: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "asset_status.\(self)" }

    case held, disposed
}

/// 登记状态 of a registered business.
public enum BusinessStatus: String, Sendable, Codable, CaseIterable {
    case active, cancelled, revoked

    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "business_status.\(self)" }
}

extension BusinessStatus: Labelled {}

/// What an employment-and-social-insurance row reports for a month.
public enum EmploymentItem: String, Sendable, Codable, CaseIterable {
    /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
    public var textKey: String { "employment_item.\(self)" }

    case wage, pension, unemploymentBenefit = "unemployment_benefit"
    /// The declaration's income kind this item is evidence of.
    public var incomeKind: IncomeKind {
        switch self {
        case .wage: return .wages
        case .pension: return .pension
        case .unemploymentBenefit: return .transfer
        }
    }
}

/// One documented column of a department file.
public struct DepartmentColumn: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case idNumber, text, date, month, money
        /// Square metres with at most two decimals, stored in hundredths.
        case area
        /// One of the listed keys, or its Chinese name; `names` are the values' catalogue
        /// keys, for telling a person what may be written.
        case choice([String], zh: [String], names: [String])

        static func choice<T: CaseIterable & RawRepresentable & Labelled>(of type: T.Type) -> Format where T.RawValue == String {
            .choice(T.allCases.map(\.rawValue), zh: T.allCases.map(\.zh), names: T.allCases.map(\.textKey))
        }
    }
    /// Where the value goes in the generic record.
    public enum Role: Sendable, Equatable { case idNumber, reference, label, date, amount, quantity, status }

    public let key: String
    public let zh: String
    public let format: Format
    /// The catalogue key of the column's name in a refusal (`dept_column.<source>.<key>`).
    public var textKey: String = ""
    public let role: Role
    public let optional: Bool

    public init(_ key: String, _ zh: String, _ format: Format, role: Role, optional: Bool = false) {
        self.key = key
        self.zh = zh
        self.format = format
        self.role = role
        self.optional = optional
    }
}

extension AssetStatus: Labelled {}

extension DepartmentSource: Labelled {}

extension EmploymentItem: Labelled {}

extension VerificationKind: Labelled {}
