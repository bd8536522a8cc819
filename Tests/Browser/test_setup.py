"""A new office, from an empty database (issue 15): the administrator made by the first
command imports a league with two counties from a division-code CSV, loads the 2026 holiday
calendar, registers a bank and makes an account for each role, all through the pages; two
officials of each county enter and approve its standard; then the township's caseworker takes
an application to enrollment under that standard."""
import os
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ROOT, SETUP_ADMIN_PASSWORD, click_and_wait, sign_in, submit
from walk import walk_to_enrollment

PASSWORD = "Wuhai-Office-26"

# 乌海市 with 海勃湾区 (urban) and 海南区 (rural): code, name, urban–rural code, residents.
DIVISIONS = """code,name,urban_rural_code,resident_population
150300000000,乌海市,,
150302000000,海勃湾区,,
150302001000,新华街道,,
150302001001,新华社区居委会,111,1000
150302001002,团结社区居委会,111,800
150303000000,海南区,,
150303100000,拉僧庙镇,,
150303100201,拉僧庙村委会,220,900
"""

# One account for each role (the last two for the rural county).
ACCOUNTS = [
    ("hb_village", "新华社区协理员", "village_assistant", "150302001001", ""),
    ("hb_township", "新华街道低保经办人", "township_caseworker", "150302001000", ""),
    ("hb_head", "新华街道审核负责人", "township_head", "150302001000", ""),
    ("hb_county", "海勃湾区民政局经办人", "county_caseworker", "150302000000", ""),
    ("hb_approver", "海勃湾区民政局审批人", "county_approver", "150302000000", ""),
    ("hb_finance", "海勃湾区财政局", "finance_officer", "150302000000", ""),
    ("hb_bank", "邮储银行海勃湾支行", "bank_operator", "150302000000", "PSBC"),
    ("hb_verify", "海勃湾区核对中心", "verification_officer", "150302000000", ""),
    ("wh_dept", "乌海市公安局数据报送", "department_clerk", "150300000000", ""),
    ("wh_supervisor", "乌海市民政局监督科", "supervisor", "150300000000", ""),
    ("wh_discipline", "乌海市纪委监委", "discipline_inspector", "150300000000", ""),
    ("wh_admin", "乌海市民政局系统管理员", "administrator", "150300000000", ""),
    ("hn_county", "海南区民政局经办人", "county_caseworker", "150303000000", ""),
    ("hn_approver", "海南区民政局审批人", "county_approver", "150303000000", ""),
]


def choose_file(browser, input_css, textarea_id, path):
    """Through the file chooser: the page reads the file into the textarea before sending."""
    browser.find_element(By.CSS_SELECTOR, input_css).send_keys(path)
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, textarea_id).get_attribute("value").strip())


def loaded(browser):
    """The load's outcome line; a refusal fails the test with its message."""
    browser.implicitly_wait(0)
    error = browser.find_elements(By.ID, "load-error")
    browser.implicitly_wait(5)
    assert not error, error[0].text
    return browser.find_element(By.ID, "load-done").text


def enter_standard(browser, server, enterer, approver, area, kind, monthly):
    sign_in(browser, server, enterer, PASSWORD)
    browser.get(server + "/admin/standards")
    browser.find_element(By.ID, "standard-area").send_keys(area)
    Select(browser.find_element(By.ID, "standard-kind")).select_by_value(kind)
    browser.find_element(By.ID, "standard-monthly").send_keys(monthly)
    browser.find_element(By.ID, "standard-month").send_keys("2026-03")
    browser.find_element(By.ID, "standard-document").send_keys("乌海市民政局 乌海市财政局关于调整城乡低保标准的通知")
    submit(browser, "enter-standard")
    pending = browser.find_element(By.CSS_SELECTOR, "#standards tr[data-status=pending]")
    # The one who entered it cannot approve it: no approve button for them.
    browser.implicitly_wait(0)
    assert not pending.find_elements(By.CSS_SELECTOR, ".approve-standard")
    browser.implicitly_wait(5)
    sign_in(browser, server, approver, PASSWORD)
    browser.get(server + "/admin/standards")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#standards tr[data-status=pending] .approve-standard"))
    assert browser.find_elements(By.CSS_SELECTOR, "#standards tr[data-status=approved]")


def test_new_office_sets_up_a_league_and_enrolls_a_household(browser, blank_server):
    server = blank_server
    server.set_date("2026-03-02")
    sign_in(browser, server, "admin", SETUP_ADMIN_PASSWORD)
    browser.get(server + "/admin")

    # Areas: the division codes, through the file chooser.
    browser.get(server + "/admin/areas")
    csv = os.path.join(tempfile.mkdtemp(), "wuhai.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write(DIVISIONS)
    choose_file(browser, "input[type=file][data-fill=areas-text]", "areas-text", csv)
    submit(browser, "import-areas")
    assert "8" in loaded(browser)
    assert "拉僧庙镇" in browser.find_element(By.TAG_NAME, "main").text   # down to townships; villages are on their township

    # The 2026 holiday calendar, the file shipped with the system.
    browser.get(server + "/admin/calendars")
    assert "2026" not in browser.find_element(By.ID, "calendar-years").text
    choose_file(browser, "input[type=file][data-fill=calendar-text]", "calendar-text", os.path.join(ROOT, "calendars", "2026.toml"))
    submit(browser, "load-calendar")
    assert loaded(browser)
    assert "2026" in browser.find_element(By.ID, "calendar-years").text

    # A paying bank.
    browser.get(server + "/admin/banks")
    browser.find_element(By.ID, "bank-code").send_keys("PSBC")
    browser.find_element(By.ID, "bank-name").send_keys("中国邮政储蓄银行")
    submit(browser, "add-bank")
    assert "中国邮政储蓄银行" in browser.find_element(By.ID, "banks").text

    # An account for each role; a township caseworker at a county is refused, naming the rule.
    browser.get(server + "/admin/accounts")
    for username, name, role, area, bank in [("hb_wrong", "错误示例", "township_caseworker", "150302000000", "")] + ACCOUNTS:
        browser.find_element(By.ID, "account-username").clear()
        browser.find_element(By.ID, "account-username").send_keys(username)
        browser.find_element(By.ID, "account-name").clear()
        browser.find_element(By.ID, "account-name").send_keys(name)
        Select(browser.find_element(By.ID, "account-role")).select_by_value(role)
        browser.find_element(By.ID, "account-area").clear()
        browser.find_element(By.ID, "account-area").send_keys(area)
        Select(browser.find_element(By.ID, "account-bank")).select_by_value(bank)
        browser.find_element(By.ID, "account-password").send_keys(PASSWORD)
        submit(browser, "create-account")
        if username == "hb_wrong":
            assert "苏木乡镇/街道" in browser.find_element(By.ID, "account-error").text
            continue
        assert browser.find_element(By.ID, "created-username").text == username
    rows = browser.find_element(By.ID, "accounts").text
    for username, *_ in ACCOUNTS:
        assert username in rows
    browser.get(server + "/admin/banks")
    assert "hb_bank" in browser.find_element(By.ID, "banks").text

    # Each county's standard, entered by one official and approved by another.
    enter_standard(browser, server, "hb_county", "hb_approver", "150302000000", "urban", "800")
    enter_standard(browser, server, "hn_county", "hn_approver", "150303000000", "rural", "650")
    browser.delete_all_cookies()
    browser.get(server + "/public/standards")
    published = browser.find_element(By.TAG_NAME, "main").text
    assert "海勃湾区" in published and "海南区" in published and "800" in published

    # The county registers its service hall and its township's window (二.四), and publishes
    # its requirements on supporters (二.一); both show on the public pages.
    sign_in(browser, server, "hb_county", PASSWORD)
    browser.get(server + "/admin/network")
    assert browser.find_element(By.ID, "hall-area").get_attribute("value") == "150302000000"
    for field, value in (("name", "海勃湾区社会救助服务大厅"), ("address", "海勃湾区政务服务中心一楼"), ("hours", "工作日 8:30–17:30"),
                         ("phone", "0473-2012349"), ("square-metres", "320")):
        browser.find_element(By.ID, "hall-" + field).send_keys(value)
    browser.find_element(By.ID, "hall-one-stop").click()
    submit(browser, "add-hall")
    assert "海勃湾区社会救助服务大厅" in browser.find_element(By.ID, "one-stop-list").text
    for field, value in (("area", "150302001000"), ("name", "新华街道民政所受理窗口"), ("address", "新华街道便民服务中心"),
                         ("hours", "工作日 8:30–17:30"), ("phone", "0473-2020001")):
        browser.find_element(By.ID, "window-" + field).send_keys(value)
    submit(browser, "add-window")
    assert "新华街道民政所受理窗口" in browser.find_element(By.ID, "windows").text
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "海勃湾区社会救助服务大厅"))
    assert browser.find_element(By.ID, "point-qualifies").text == "是"
    browser.find_element(By.ID, "point-hours").clear()
    browser.find_element(By.ID, "point-hours").send_keys("工作日 8:30–18:00")
    submit(browser, "save-point")
    assert "修改服务大厅或受理窗口" in browser.find_element(By.ID, "point-history").text
    # Staffing of the township for the year (三.二); the performance page counts it (三.五).
    browser.get(server + "/admin/staffing")
    row = browser.find_element(By.CSS_SELECTOR, '#staffing tr[data-area="150302001000"]')
    for name, value in (("posts", "2"), ("filled", "2"), ("fullTime", "1"), ("purchased", "1")):
        row.find_element(By.NAME, name).send_keys(value)
    click_and_wait(browser, row.find_element(By.CSS_SELECTOR, ".save-staffing"))
    assert browser.find_element(By.ID, "staffing-saved")
    browser.get(server + "/performance")
    assert browser.find_element(By.CSS_SELECTOR, '#performance tr[data-county="150302000000"] .workers').text == "3"
    browser.get(server + "/admin/conditions")
    assert browser.find_element(By.ID, "conditions-area").get_attribute("value") == "150302000000"
    browser.find_element(By.ID, "conditions-supporters").send_keys("赡养人在外地工作的，提供工作单位出具的收入证明。")
    submit(browser, "save-conditions")
    assert browser.find_element(By.ID, "conditions-saved")
    browser.delete_all_cookies()
    browser.get(server + "/public/network?area=150302000000")
    assert "0473-2020001" in browser.find_element(By.ID, "public-windows").text
    browser.get(server + "/public/conditions?area=150302000000")
    conditions = browser.find_element(By.ID, "conditions").text
    assert "海勃湾区最低生活保障申请条件和办理程序" in conditions and "每人每月 ¥800.00" in conditions
    assert "赡养人在外地工作的" in conditions

    # The new accounts work: the bank operator and the supervisor open their homes.
    for username in ("hb_bank", "wh_supervisor", "hb_finance"):
        sign_in(browser, server, username, PASSWORD)
        assert browser.find_element(By.ID, "current-user").text

    # A township caseworker takes an application to enrollment: 800 × 2 − 600 = 1000.
    who = {"village": "hb_village", "township": "hb_township", "head": "hb_head", "county": "hb_county", "approver": "hb_approver"}
    walk_to_enrollment(browser, server, who, "150302001001", "乌云其木格", "巴特尔", "¥1,000.00", password=PASSWORD,
                       window="新华街道民政所受理窗口")
