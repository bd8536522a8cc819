"""The verification platform through the pages: a township asks for a check of an
application, the county centre uploads department files (one bad line reported), runs the
check and reads the report; the township head sees the contradictions on the case; another
county's centre cannot open the request."""
import os
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import resident_id, submit
from conftest import sign_in
from walk import do, stage


def write(name, text, encoding="utf-8"):
    path = os.path.join(tempfile.mkdtemp(), name)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


def upload(browser, server, source, path):
    browser.get(server + "/verification")
    Select(browser.find_element(By.ID, "source")).select_by_value(source)
    browser.find_element(By.ID, "file").send_keys(path)
    submit(browser, "do-upload")


def test_check_requested_run_and_read(browser, empty_server):
    server = empty_server
    server.set_date("2026-03-02")
    head, spouse = "核对测试户主", "核对测试配偶"
    head_id, spouse_id = resident_id("150102", "19620501", 611), resident_id("150102", "19640722", 622)

    sign_in(browser, server, "xc_township")
    browser.get(server + "/households/new")
    Select(browser.find_element(By.ID, "village_code")).select_by_value("150102001001")
    browser.find_element(By.ID, "address").send_keys("东风路3号")
    browser.find_element(By.NAME, "m0.name").send_keys(head)
    browser.find_element(By.NAME, "m0.id_number").send_keys(head_id)
    browser.find_element(By.ID, "add-member").click()
    browser.find_element(By.NAME, "m1.name").send_keys(spouse)
    browser.find_element(By.NAME, "m1.id_number").send_keys(spouse_id)
    Select(browser.find_element(By.NAME, "m1.relation")).select_by_value("spouse")
    submit(browser, "save")
    household_url = browser.current_url.split("?")[0]

    sign_in(browser, server, "xc_village")
    browser.get(household_url)
    submit(browser, "apply")
    for kind in ("income_assets", "verification_authorization", "integrity_pledge"):
        browser.find_element(By.ID, "signer-" + kind).send_keys(head)
    submit(browser, "submit-application")
    case_url = browser.current_url.split("?")[0]

    # The township accepts and asks the county centre for a check.
    sign_in(browser, server, "xc_township")
    browser.get(case_url)
    do(browser, "accept")
    assert stage(browser) == "underInvestigation"
    submit(browser, "do-request-check")
    assert browser.find_element(By.ID, "verification-pending").text

    # The county centre loads two departments' files; the bad line is reported by number.
    sign_in(browser, server, "xc_verify")
    upload(browser, server, "vehicle", write("vehicle.csv",
        "身份证号码,号牌号码,车辆类型,初次登记日期,评估价值（元）\r\n" + spouse_id + ",蒙A·V6789,小型轿车,2023-05-01,\"72,000.00\"\r\n", "gb18030"))
    assert browser.find_element(By.ID, "batch-status").get_attribute("data-status") == "accepted"
    assert browser.find_element(By.ID, "rows-accepted").text == "1"
    header = "id_number,institution,account,balance_yuan,as_of\n"
    bad = head_id + ",中国银行,6216002,12.345,2026-02-28\n"
    good = head_id + ",中国银行,6216001,65000,2026-02-28\n" + spouse_id + ",农业银行,6228001,1000,2026-02-28\n"
    # One bad line in three is over the policy's share: the batch is refused whole.
    upload(browser, server, "deposit", write("deposit.csv", header + good + bad))
    assert browser.find_element(By.ID, "batch-status").get_attribute("data-status") == "refused"
    assert browser.find_element(By.ID, "refused")
    # One in thirty is kept as an error line; the rest is stored.
    others = "".join(resident_id("150103", "19700101", 100 + i) + ",工商银行,62220%02d,500,2026-02-28\n" % i for i in range(27))
    upload(browser, server, "deposit", write("deposit2.csv", header + good + bad + others))
    assert browser.find_element(By.ID, "rows-accepted").text == "29"
    assert browser.find_element(By.ID, "rows-rejected").text == "1"
    errors = browser.find_elements(By.CLASS_NAME, "error-row")
    assert len(errors) == 1 and errors[0].text.startswith("4 ")

    browser.get(server + "/verification")
    browser.find_element(By.CSS_SELECTOR, "tr[data-status=pending] a").click()
    request_url = browser.current_url
    submit(browser, "do-run")
    assert browser.find_element(By.ID, "request-status").get_attribute("data-status") == "done"
    assert browser.find_element(By.ID, "flagged").text == "1"
    browser.find_element(By.CSS_SELECTOR, "tr.report-row a").click()
    kinds = [e.get_attribute("data-kind") for e in browser.find_elements(By.CLASS_NAME, "contradiction")]
    assert "undeclared_vehicle" in kinds and "financial_assets_above_declared" in kinds
    assert browser.find_element(By.CSS_SELECTOR, "[data-total=financial_assets]").text == "¥66,000.00"
    assert spouse_id in browser.page_source   # the centre sees the full number

    # The township head sees the contradictions on the case.
    sign_in(browser, server, "xc_head")
    browser.get(case_url)
    section = browser.find_element(By.ID, "verification")
    assert "未申报车辆" in section.text
    assert browser.find_element(By.ID, "open-report")

    # Another county's centre cannot open the request.
    sign_in(browser, server, "tk_verify")
    browser.get(request_url)
    assert "不属于您的核对中心" in browser.page_source
    assert "do-run" not in browser.page_source
