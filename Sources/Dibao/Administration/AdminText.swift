import Foundation
import DibaoCore

/// Words of the administration pages and of the procedure versions (issue 15), in both languages.
enum AdminText {
    /// `key`'s text with `{1}`, `{2}` … replaced by `args`, in order.
    static func format(_ key: String, _ lang: Language, _ args: String...) -> String {
        var text = Strings.text(key, lang)
        for (i, a) in args.enumerated() { text = text.replacingOccurrences(of: "{\(i + 1)}", with: a) }
        return text
    }

    static let table: [String: (zh: String, en: String)] = [
        "cases.provisional": ("（暂定）", "(provisional)"),
        "cases.provisional_help": ("期限跨入尚未导入节假日安排的年份，按普通工作日计算；导入后自动重算",
                                   "The deadline reaches into a year whose holiday calendar is not loaded; it counts plain weekdays there and is recomputed once the year is loaded"),
        "cases.policy_version": ("适用政策版本", "Policy version judging this case"),
        "cases.time_limit_extended": ("办理时限已依规定延长", "Time limit extended under the rules"),
        "calendar.missing_next_year": ("尚未导入 {1} 年节假日安排：跨入该年的办理期限按普通工作日计算，为暂定期限。请系统管理员导入国务院办公厅的节假日安排通知。",
                                       "The {1} holiday calendar is not loaded: deadlines reaching into that year count plain weekdays and are provisional. Ask the administrator to load the State Council's holiday notice."),
        "nav.admin": ("系统管理", "Administration"),
        "admin.title": ("系统管理", "Administration"),
        "admin.policies": ("政策版本", "Policy versions"),
        "admin.calendars": ("节假日安排", "Holiday calendars"),
        "admin.areas": ("行政区划", "Areas"),
        "admin.standards": ("保障标准", "Standards"),
        "admin.load": ("导入", "Load"),
        "admin.file_text": ("文件内容（TOML）", "File contents (TOML)"),
        "admin.file": ("选择文件", "Choose a file"),
        "admin.csv_text": ("区划代码（CSV：code,name,urban_rural_code[,resident_population]）", "Division codes (CSV: code,name,urban_rural_code[,resident_population])"),
        "admin.effective_from": ("生效日期", "Effective from"),
        "admin.activate": ("生效", "Activate"),
        "admin.status": ("状态", "Status"),
        "admin.status.draft": ("待生效（草稿）", "Draft"),
        "admin.status.active": ("已生效", "Active"),
        "admin.in_force": ("现行", "In force"),
        "admin.version": ("版本", "Version"),
        "admin.title_col": ("名称", "Title"),
        "admin.loaded_by": ("导入人", "Loaded by"),
        "admin.activated_by": ("生效操作人", "Activated by"),
        "admin.differences": ("与现行版本的差异", "Differences from the version in force"),
        "admin.item": ("项目", "Item"),
        "admin.current_value": ("现行", "In force"),
        "admin.new_value": ("新版本", "New"),
        "admin.no_differences": ("与现行版本没有差异", "No differences from the version in force"),
        "admin.year": ("年份", "Year"),
        "admin.source": ("依据", "Source"),
        "admin.holidays": ("放假天数", "Days off"),
        "admin.working_weekends": ("调休上班", "Swapped working days"),
        "admin.loaded_on": ("导入日期", "Loaded on"),
        "admin.calendar_loaded": ("已导入 {1} 年节假日安排，{2} 件在办案件的期限随之调整", "Calendar {1} loaded; {2} open cases' deadlines moved"),
        "admin.areas_imported": ("已导入区划：新增 {1}，更新 {2}，未变 {3}", "Areas imported: {1} new, {2} updated, {3} unchanged"),
        "admin.area_code": ("区划代码", "Area code"),
        "admin.area_name": ("名称", "Name"),
        "admin.area_level": ("级别", "Level"),
        "admin.area_kind": ("城乡", "Urban/rural"),
        "standards.title": ("最低生活保障标准", "Minimum living standards"),
        "standards.enter": ("录入新标准", "Enter a new standard"),
        "standards.area": ("地区（盟市或旗县区划代码）", "Area (league or county code)"),
        "standards.kind": ("城乡类别", "Urban or rural"),
        "standards.monthly": ("标准（元/人·月）", "Standard (yuan per person per month)"),
        "standards.effective_month": ("执行月份（YYYY-MM）", "Effective month (YYYY-MM)"),
        "standards.document": ("文件依据", "Document"),
        "standards.entered_by": ("录入人", "Entered by"),
        "standards.approved_by": ("审核人", "Approved by"),
        "standards.approve": ("审核通过", "Approve"),
        "standards.reject": ("退回", "Reject"),
        "standards.reason": ("退回理由", "Reason"),
        "standards.status.pending": ("待审核", "Awaiting approval"),
        "standards.status.approved": ("已审核", "Approved"),
        "standards.status.rejected": ("已退回", "Rejected"),
        "standards.public_title": ("城乡最低生活保障标准公布", "Published minimum living standards"),
        "standards.public_note": ("以下标准经录入、审核两道程序后公布，自执行月份起适用于该月及以后的审核审批与发放。",
                                  "Each standard below was entered by one official and approved by another; it applies to decisions and payments from its effective month on."),
        "standards.none": ("尚无标准", "No standards yet"),
    ]

    static let auditLabels: [String: (String, String)] = [
        "policy.loaded": ("导入政策版本", "Policy version loaded"),
        "policy.activated": ("政策版本生效", "Policy version activated"),
        "calendar.loaded": ("导入节假日安排", "Holiday calendar loaded"),
        "standard.entered": ("录入保障标准", "Standard entered"),
        "standard.approved": ("审核保障标准", "Standard approved"),
        "standard.rejected": ("退回保障标准", "Standard rejected"),
        "areas.imported": ("导入行政区划", "Areas imported"),
        "area.updated": ("修改行政区划", "Area updated"),
    ]
}

/// The region this installation serves (内蒙古自治区, code 15): the area the system acts for
/// when no person does (a calendar loaded at start, the public standards page).
enum Installation {
    static let region = try! AreaCode("150000000000")
}
