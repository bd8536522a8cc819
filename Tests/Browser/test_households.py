"""A township caseworker signs in, registers a household with two members through the
form (adding the second member row with the page's script), and finds it in the list."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, resident_id, sign_in, submit


def test_township_caseworker_registers_and_finds_household(browser, server):
    sign_in(browser, server, "xc_township")
    assert "工作台" in browser.title
    browser.find_element(By.LINK_TEXT, "家庭档案").click()
    browser.find_element(By.ID, "new-household").click()

    stamp = str(int(time.time()))[-4:]
    head, spouse = "浏览器测试户主" + stamp, "浏览器测试配偶" + stamp
    Select(browser.find_element(By.ID, "village_code")).select_by_value("150102001001")
    browser.find_element(By.ID, "address").send_keys("新华东街8号")
    browser.find_element(By.ID, "phone").send_keys("13900001111")

    browser.find_element(By.NAME, "m0.name").send_keys(head)
    browser.find_element(By.NAME, "m0.id_number").send_keys(resident_id("150102", "19700312", 431))
    Select(browser.find_element(By.NAME, "m0.relation")).select_by_value("head")
    browser.find_element(By.NAME, "m0.income.wages").send_keys("900")

    browser.find_element(By.ID, "add-member").click()
    browser.find_element(By.NAME, "m1.name").send_keys(spouse)
    browser.find_element(By.NAME, "m1.id_number").send_keys(resident_id("150102", "19720605", 442))
    Select(browser.find_element(By.NAME, "m1.relation")).select_by_value("spouse")
    Select(browser.find_element(By.NAME, "m1.disability_level")).select_by_value("2")
    submit(browser, "save")

    assert browser.find_element(By.ID, "head-name").text == head
    rows = browser.find_elements(By.CSS_SELECTOR, "#members tbody tr")
    assert len(rows) == 2
    assert spouse in rows[1].text

    browser.get(server + "/households")
    browser.find_element(By.ID, "q").send_keys(head[:7])
    submit(browser, "search")
    table = browser.find_element(By.ID, "households")
    assert head in table.text
    assert browser.find_element(By.ID, "total").text == "1"


def test_refused_form_names_the_field(browser, server):
    sign_in(browser, server, "xc_township")
    browser.get(server + "/households/new")
    Select(browser.find_element(By.ID, "village_code")).select_by_value("150102001001")
    browser.find_element(By.ID, "address").send_keys("新华东街9号")
    browser.find_element(By.NAME, "m0.name").send_keys("错误号码")
    browser.find_element(By.NAME, "m0.id_number").send_keys("150102199902301234")
    submit(browser, "save")
    problems = browser.find_element(By.ID, "problems")
    assert "身份证号码" in problems.text
    assert browser.find_element(By.NAME, "m0.name").get_attribute("value") == "错误号码"
    # The reason also stands beside the field, named in words (第1名成员身份证号码), and the
    # summary links to it.
    field = browser.find_element(By.NAME, "m0.id_number")
    assert field.get_attribute("aria-invalid") == "true"
    beside = browser.find_element(By.ID, field.get_attribute("aria-describedby"))
    assert "第1名成员身份证号码" in beside.text and "members[" not in beside.text
    assert problems.find_element(By.CSS_SELECTOR, "a[href='#" + field.get_attribute("id") + "']")


def test_supervisor_sees_masked_detail_and_cannot_edit(browser, server):
    sign_in(browser, server, "supervisor")
    browser.get(server + "/households")
    browser.find_element(By.CSS_SELECTOR, "#households tbody tr a").click()
    browser.find_element(By.ID, "head-name")   # the detail page has loaded
    assert "已按权限遮蔽" in browser.page_source
    id_cell = browser.find_element(By.CSS_SELECTOR, "#members tbody tr td.mono").text
    assert "**********" in id_cell
    assert not browser.find_elements(By.ID, "edit")
