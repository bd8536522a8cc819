import Vapor
import DibaoCore

/// UI text in Simplified Chinese (the working language) and English. Pages get the
/// table of their language as `t`; code uses `req.l10n(key)`.
enum Strings {
    static let table: [String: (zh: String, en: String)] = [
        "app.name": ("低保业务管理系统", "Dibao case management"),
        "app.tagline": ("最低生活保障 申请·审核·审批·发放·监督", "Minimum living allowance: application, review, approval, payment, supervision"),
        "nav.home": ("工作台", "Home"),
        "nav.households": ("家庭档案", "Households"),
        "nav.new_household": ("登记家庭", "Register household"),
        "nav.sign_out": ("退出", "Sign out"),
        "nav.language": ("English", "中文"),
        "login.title": ("登录", "Sign in"),
        "login.username": ("用户名", "Username"),
        "login.password": ("密码", "Password"),
        "login.submit": ("登录", "Sign in"),
        "login.failed": ("用户名或密码错误", "Wrong username or password"),
        "login.locked": ("连续登录失败次数过多，账号已锁定，请稍后再试", "Too many failed sign-ins: the account is locked, try again later"),
        "home.title": ("工作台", "Home"),
        "home.role": ("岗位", "Role"),
        "home.area": ("所属区域", "Area"),
        "home.households_in_area": ("辖区家庭数", "Households in your area"),
        "home.members_in_area": ("辖区家庭成员数", "Members in your area"),
        "home.recent_events": ("最近操作记录", "Recent activity"),
        "home.actions": ("常用操作", "Actions"),
        "home.no_household_access": ("本岗位不查看家庭档案。", "This role does not work with household records."),
        "households.title": ("家庭档案", "Households"),
        "households.search": ("查询", "Search"),
        "households.query": ("姓名 / 身份证号码", "Name / ID number"),
        "households.area": ("区域", "Area"),
        "households.all_areas": ("全部", "All"),
        "households.export": ("导出 CSV", "Export CSV"),
        "households.export_gb": ("导出 CSV（GB18030）", "Export CSV (GB18030)"),
        "households.none": ("没有符合条件的家庭。", "No households match."),
        "households.total": ("共", "Total"),
        "households.page": ("页", "Page"),
        "households.prev": ("上一页", "Previous"),
        "households.next": ("下一页", "Next"),
        "household.head": ("户主", "Head"),
        "household.village": ("所属嘎查村/社区", "Village/community"),
        "household.kind": ("城乡类别", "Urban/rural"),
        "household.members": ("家庭成员", "Members"),
        "household.member_count": ("人数", "Members"),
        "household.address": ("家庭住址", "Address"),
        "household.phone": ("联系电话", "Phone"),
        "household.status": ("状态", "Status"),
        "household.updated": ("更新时间", "Updated"),
        "household.detail": ("家庭详情", "Household"),
        "household.edit": ("修改", "Edit"),
        "household.history": ("变更记录", "History"),
        "household.supporters": ("赡养/抚养/扶养义务人", "Obligated relatives"),
        "household.assets": ("家庭财产", "Assets"),
        "household.monthly_income": ("家庭月收入", "Household monthly income"),
        "household.create_title": ("登记家庭", "Register a household"),
        "household.edit_title": ("修改家庭档案", "Edit household"),
        "household.reason": ("修改原因", "Reason for the change"),
        "household.save": ("保存", "Save"),
        "household.add_member": ("添加成员", "Add member"),
        "household.add_supporter": ("添加义务人", "Add relative"),
        "household.add_asset": ("添加财产", "Add asset"),
        "household.remove": ("删除", "Remove"),
        "household.fix_errors": ("请更正以下问题：", "Please correct the following:"),
        "household.saved": ("已保存。", "Saved."),
        "member.name": ("姓名", "Name"),
        "member.id_number": ("身份证号码", "ID number"),
        "member.relation": ("与户主关系", "Kinship"),
        "member.sex": ("性别", "Sex"),
        "member.birth_date": ("出生日期", "Born"),
        "member.disability": ("残疾等级", "Disability"),
        "member.severe_illness": ("重病", "Severe illness"),
        "member.illness_note": ("病情说明", "Illness note"),
        "member.work_capacity": ("劳动能力", "Work capacity"),
        "member.employment": ("就业状况", "Employment"),
        "member.income": ("月收入（元）", "Monthly income (yuan)"),
        "supporter.duty": ("义务类别", "Duty"),
        "supporter.monthly": ("月赡养费（元）", "Monthly support (yuan)"),
        "supporter.note": ("备注", "Note"),
        "asset.kind": ("类别", "Kind"),
        "asset.description": ("说明", "Description"),
        "asset.value": ("价值（元）", "Value (yuan)"),
        "sex.male": ("男", "Male"),
        "sex.female": ("女", "Female"),
        "yes": ("是", "Yes"),
        "no": ("否", "No"),
        "masked_note": ("（已按权限遮蔽敏感信息）", "(sensitive details masked for your role)"),
        "history.when": ("时间", "When"),
        "history.who": ("操作人", "Who"),
        "history.what": ("操作", "What"),
        "history.reason": ("原因", "Reason"),
        "status.registered": ("已登记", "Registered"),
        "error.title": ("出错了", "Something went wrong"),
        "error.forbidden": ("无权执行此操作", "You are not allowed to do this"),
        "error.household_not_found": ("未找到该家庭，或不在您的辖区内", "Household not found, or outside your area"),
        "error.csrf": ("表单已过期或来源无效，请刷新页面后重试", "The form expired or did not come from this site: reload the page and try again"),
        "error.sign_in_required": ("请先登录", "Please sign in"),
        "error.bad_token": ("访问令牌无效", "Invalid access token"),
        "error.stale": ("该家庭档案已被他人修改，请刷新后重新修改", "Someone else changed this household meanwhile: reload and edit again"),
        "error.reason_required": ("修改原因：修改档案必须填写原因", "Reason: a change to a household needs a reason"),
        "error.id_registered": ("身份证号码已登记在其他家庭", "This ID number is already registered in another household"),
        "error.area_outside": ("所属嘎查村/社区：不在您的辖区内或不存在", "Village/community: not in your area, or does not exist"),
        "back": ("返回", "Back"),
    ]

    static func text(_ key: String, _ lang: Language) -> String {
        guard let entry = table[key] else { return key }
        return lang == .zh ? entry.zh : entry.en
    }

    static func all(_ lang: Language) -> [String: String] {
        table.mapValues { lang == .zh ? $0.zh : $0.en }
    }
}

extension Request {
    /// The visitor's language: `?lang=` (remembered in a cookie), then the cookie, then Chinese.
    var lang: Language {
        if let q = query[String.self, at: "lang"], let l = Language(rawValue: q) { return l }
        if let c = cookies["lang"]?.string, let l = Language(rawValue: c) { return l }
        return .zh
    }

    func l10n(_ key: String) -> String { Strings.text(key, lang) }
}

/// Remembers an explicit `?lang=` choice.
struct LanguageCookie: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if let q = request.query[String.self, at: "lang"], Language(rawValue: q) != nil {
            response.cookies["lang"] = HTTPCookies.Value(string: q, maxAge: 365 * 24 * 3600, path: "/", isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}
