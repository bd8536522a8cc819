"""Issue 16: field work on a phone. At 390 × 844 a village assistant's home, a household,
the home investigation form and the public notice fit the screen (the document is no
wider than the viewport) under a header less than 120 px tall, whose menu opens from its
button; and a refused investigation comes back with everything typed still in the form
and the reason beside the field it is about."""
import os
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import resident_id, sign_in, submit
from walk import PNG, do, open_case, stage

WIDTH, HEIGHT = 390, 844


def fits_the_phone(browser, what):
    width, viewport, header = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth, document.querySelector('header.top').getBoundingClientRect().height]")
    assert viewport <= WIDTH, f"{what}: the window is a phone's ({viewport})"
    assert width <= viewport, f"{what}: the page is {width} px wide on a {viewport} px screen"
    assert header < 120, f"{what}: the header takes {header} px"


def test_field_work_on_a_phone(browser, empty_server):
    server = empty_server
    server.set_date("2026-03-02")
    browser.set_window_size(WIDTH, HEIGHT)
    head, head_id = "手机测试户主", resident_id("150102", "19660518", 473)

    # The township caseworker registers the household on the phone.
    sign_in(browser, server, "xc_township")
    fits_the_phone(browser, "township home")
    # The menu is behind its button, and opens.
    assert not browser.find_element(By.ID, "nav-households").is_displayed()
    browser.find_element(By.ID, "menu-button").click()
    assert browser.find_element(By.ID, "nav-households").is_displayed()
    browser.get(server + "/households/new")
    fits_the_phone(browser, "household form")
    Select(browser.find_element(By.ID, "village_code")).select_by_value("150102001001")
    browser.find_element(By.ID, "address").send_keys("新华东街28号")
    browser.find_element(By.NAME, "m0.name").send_keys(head)
    browser.find_element(By.NAME, "m0.id_number").send_keys(head_id)
    browser.find_element(By.NAME, "m0.income.wages").send_keys("300")
    submit(browser, "save")
    household_url = browser.current_url.split("?")[0]

    # The village assistant: home, the household, the application with a photo.
    sign_in(browser, server, "xc_village")
    fits_the_phone(browser, "village assistant's home")
    browser.get(household_url)
    fits_the_phone(browser, "household")
    submit(browser, "apply")
    fits_the_phone(browser, "application form")
    for kind in ("income_assets", "verification_authorization", "integrity_pledge"):
        browser.find_element(By.ID, "signer-" + kind).send_keys(head)
    photo = os.path.join(tempfile.mkdtemp(), "photo.png")
    with open(photo, "wb") as f:
        f.write(PNG)
    evidence = browser.find_element(By.ID, "evidence")
    assert evidence.get_attribute("capture") == "environment", "a phone offers its camera for evidence"
    evidence.send_keys(photo)
    submit(browser, "submit-application")
    receipt = browser.find_element(By.ID, "receipt").text

    # The township accepts; the home investigation is recorded on the phone.
    sign_in(browser, server, "xc_township")
    open_case(browser, server, receipt)
    do(browser, "accept")
    assert stage(browser) == "underInvestigation"
    fits_the_phone(browser, "home investigation form")
    browser.find_element(By.ID, "investigators").send_keys("王调查、李调查")
    browser.find_element(By.NAME, "notes").send_keys("住房简陋，无车辆")
    income = browser.find_element(By.CSS_SELECTOR, "#step-completeInvestigation input[name^='incomes[']")
    income.clear()
    income.send_keys("321")
    income_name = income.get_attribute("name")
    browser.find_element(By.CSS_SELECTOR, "input[name^='truth['][value='false']").click()
    # Not signed by the applicant: refused, and nothing typed is lost.
    submit(browser, "do-completeInvestigation")
    problems = browser.find_element(By.ID, "problems")
    assert "签" in problems.text
    assert browser.find_element(By.ID, "investigators").get_attribute("value") == "王调查、李调查"
    assert browser.find_element(By.NAME, "notes").get_attribute("value") == "住房简陋，无车辆"
    assert browser.find_element(By.NAME, income_name).get_attribute("value") == "321"
    assert browser.find_element(By.CSS_SELECTOR, "input[name^='truth['][value='false']").is_selected()
    signed = browser.find_element(By.ID, "applicantSigned")
    assert signed.get_attribute("aria-invalid") == "true"
    beside = browser.find_element(By.ID, signed.get_attribute("aria-describedby"))
    assert "签" in beside.text, "the reason stands next to the field"
    assert problems.find_element(By.CSS_SELECTOR, "a[href='#applicantSigned']")
    fits_the_phone(browser, "refused investigation")
    signed.click()
    browser.find_element(By.CSS_SELECTOR, "input[name^='truth['][value='true']").click()
    do(browser, "completeInvestigation")
    assert stage(browser) == "investigated"

    # Anyone reads the township's notices on a phone.
    browser.delete_all_cookies()
    browser.get(server + "/public/notices?area=150102001000")
    fits_the_phone(browser, "public notice")
