import DibaoCore
import Vapor
/// Words of the payment pages, in both languages.
enum PaymentText {
    static let table: [String: (zh: String, en: String)] = [
        "nav.payments": ("资金发放", "Payments"),
        "pay.title": ("低保资金发放", "Benefit payments"),
        "pay.payrolls": ("发放花名册", "Payrolls"),
        "pay.none": ("暂无。", "None."),
        "pay.number": ("花名册编号", "Payroll"),
        "pay.county": ("旗县", "County"),
        "pay.period": ("发放期间", "Period"),
        "pay.stage": ("状态", "Stage"),
        "pay.lines": ("笔数", "Lines"),
        "pay.total": ("金额合计", "Total"),
        "pay.held": ("暂缓（无账户）", "Held (no account)"),
        "pay.paid": ("已发放", "Paid"),
        "pay.failed": ("发放失败", "Failed"),
        "pay.draft": ("编制发放花名册", "Draft the payroll"),
        "pay.frequency": ("发放周期", "Payment frequency"),
        "pay.drafted_by": ("编制人", "Drafted by"),
        "pay.released_by": ("审核拨付人", "Released by"),
        "pay.release": ("审核通过并拨付", "Check and release"),
        "pay.discard": ("作废草稿", "Discard draft"),
        "pay.export": ("生成银行代发文件", "Make the bank payment files"),
        "pay.close": ("结清", "Close"),
        "pay.files": ("银行代发文件", "Bank payment files"),
        "pay.bank": ("代发银行", "Bank"),
        "pay.download": ("下载代发文件", "Download payment file"),
        "pay.result": ("回盘", "Result"),
        "pay.upload_result": ("导入回盘文件", "Import result file"),
        "pay.result_file": ("回盘文件", "Result file"),
        "pay.no_result": ("未回盘", "No result yet"),
        "pay.by_township": ("按苏木乡镇/街道汇总", "Totals by township"),
        "pay.township": ("苏木乡镇/街道", "Township"),
        "pay.village": ("嘎查村/社区", "Village/community"),
        "pay.households": ("户数", "Households"),
        "pay.payment_list": ("发放清单", "Payment list"),
        "pay.csv": ("导出 CSV", "Export CSV"),
        "pay.csv_gb": ("导出 CSV（GB18030）", "Export CSV (GB18030)"),
        "pay.print": ("打印", "Print"),
        "pay.head": ("户主", "Head"),
        "pay.members": ("人数", "Members"),
        "pay.account": ("一卡通账号", "Account"),
        "pay.holder": ("户名", "Holder"),
        "pay.amount": ("金额", "Amount"),
        "pay.period_amount": ("本期应发", "This period"),
        "pay.adjustment": ("补（扣）发", "Adjustment"),
        "pay.status": ("状态", "Status"),
        "pay.failures": ("发放失败待处理", "Failed payments to settle"),
        "pay.reason": ("原因", "Reason"),
        "pay.repay": ("更正账户，下期补发", "Correct the account, repay next payroll"),
        "pay.suspend": ("暂停发放", "Suspend payment"),
        "pay.note": ("说明", "Note"),
        "pay.level_total": ("合计", "Total"),
        "pay.budget": ("预算执行", "Budget execution"),
        "pay.year": ("年度", "Year"),
        "pay.source": ("资金来源", "Fund source"),
        "pay.budget_amount": ("年度预算", "Budget"),
        "pay.spent": ("已支出", "Spent"),
        "pay.progress": ("执行进度", "Execution progress"),
        "pay.time_progress": ("时间进度", "Time elapsed"),
        "pay.evenness": ("支出均衡性", "Evenness of spending"),
        "pay.carry_over": ("预计年末结转结余", "Projected year-end carry-over"),
        "pay.carry_over_flag": ("超过当年支出的政策上限，须说明原因", "Above the policy share of the year's spending: explain it"),
        "pay.quarterly": ("分季度执行情况", "Execution by quarter"),
        "pay.quarter": ("季度", "Quarter"),
        "pay.monthly_chart": ("逐月支出（虚线为均衡进度）", "Spending by month (the line is an even pace)"),
        "pay.set_budget": ("录入年度预算", "Set the year's budget"),
        "pay.save": ("保存", "Save"),
        "pay.household": ("保障金发放", "Benefit payment"),
        "pay.schedule": ("待遇变动", "Benefit history"),
        "pay.from": ("起始月份", "From"),
        "pay.monthly": ("月保障金", "Monthly"),
        "pay.set_account": ("登记一卡通账户", "Record the one-card account"),
        "pay.decide": ("待遇变更", "Change the benefit"),
        "pay.decided_on": ("决定日期", "Decided on"),
        "pay.change": ("调整金额", "Change the amount"),
        "pay.resume": ("恢复发放", "Resume payment"),
        "pay.exit": ("停止保障（退出）", "Stop (exit)"),
        "pay.history": ("发放记录", "Payments"),
        "pay.settled": ("累计已发", "Paid so far"),
        "pay.no_schedule": ("该户未在享受低保待遇。", "The household is not receiving the allowance."),
        "pay.your_bank": ("本行", "Your bank"),
    ]
}

/// A bank's result file as text: UTF-8 (with or without a BOM), or GB18030 as banks'
/// Windows systems often save it — detected as department imports do. Anything else is
/// refused rather than stored as mojibake (issue 12: GB18030 failure reasons were kept as
/// replacement characters).
enum BankResultText {
    static func decode(_ buffer: ByteBuffer) throws -> String {
        let bytes = Array(buffer.readableBytesView)
        if let utf8 = DepartmentImport.decode(bytes[...], .utf8) { return utf8 }
        if let gb = DepartmentImport.decode(bytes[...], .gb18030), !gb.contains("\u{FFFD}") { return gb }
        throw FieldRefusal(field: "file", rule: "bank_file.encoding", zh: "回盘文件：不是 UTF-8 或 GB18030 编码的文本", en: "Result file: not UTF-8 or GB18030 text")
    }
}
