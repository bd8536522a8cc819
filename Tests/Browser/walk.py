"""One application walked from intake to enrollment through the pages, each step signed in
as the role that takes it: shared by the demo walk and the walk in a league set up from an
empty database."""
import base64
import os
import re
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, resident_id, sign_in, submit

# A 1×1 PNG: evidence files are checked by content, not by name.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def open_case(browser, server, receipt):
    browser.get(server + "/cases")
    browser.find_element(By.LINK_TEXT, receipt).click()
    assert browser.find_element(By.ID, "receipt").text == receipt


def do(browser, action):
    submit(browser, "do-" + action)
    browser.implicitly_wait(0)   # the page has loaded: look once, don't wait for what should be absent
    problems = browser.find_elements(By.ID, "problems")
    browser.implicitly_wait(5)
    assert not problems, problems[0].text
    assert browser.find_element(By.ID, "done")


def stage(browser):
    return browser.find_element(By.ID, "stage").get_attribute("data-stage")


def walk_to_enrollment(browser, server, who, village, head, spouse, computed, password=PASSWORD, window=None):
    """`who` names the accounts: village, township, head, county, approver. The household
    lives in `village`; the office's date starts on 2 March 2026. With `window` (a registered
    window's name) the township caseworker takes the application at that window; otherwise
    the village assistant submits it. Returns the receipt and the two ID numbers."""
    server.set_date("2026-03-02")
    county = village[:6]
    head_id, spouse_id = resident_id(county, "19650412", 451), resident_id(county, "19680903", 462)

    # The township caseworker registers the household.
    sign_in(browser, server, who["township"], password)
    browser.get(server + "/households/new")
    Select(browser.find_element(By.ID, "village_code")).select_by_value(village)
    browser.find_element(By.ID, "address").send_keys("新华东街18号")
    browser.find_element(By.NAME, "m0.name").send_keys(head)
    browser.find_element(By.NAME, "m0.id_number").send_keys(head_id)
    browser.find_element(By.NAME, "m0.income.wages").send_keys("600")
    browser.find_element(By.ID, "add-member").click()
    browser.find_element(By.NAME, "m1.name").send_keys(spouse)
    browser.find_element(By.NAME, "m1.id_number").send_keys(spouse_id)
    Select(browser.find_element(By.NAME, "m1.relation")).select_by_value("spouse")
    Select(browser.find_element(By.NAME, "m1.work_capacity")).select_by_value("none")
    submit(browser, "save")
    household_url = browser.current_url.split("?")[0]

    # The village assistant files the application on the household's behalf, with evidence;
    # or the township takes it at its window, chosen from the registered list (二.四).
    sign_in(browser, server, who["township"] if window else who["village"], password)
    browser.get(household_url)
    submit(browser, "apply")
    if window:
        assert window in Select(browser.find_element(By.ID, "window")).first_selected_option.text
    assert "未发现记录" in browser.find_element(By.ID, "blacklist").text
    for kind in ("income_assets", "verification_authorization", "integrity_pledge"):
        browser.find_element(By.ID, "signer-" + kind).send_keys(head)
    evidence = os.path.join(tempfile.mkdtemp(), "hukou.png")
    with open(evidence, "wb") as f:
        f.write(PNG)
    browser.find_element(By.ID, "evidence").send_keys(evidence)
    submit(browser, "submit-application")
    receipt = browser.find_element(By.ID, "receipt").text
    if window:
        assert window in browser.find_element(By.TAG_NAME, "main").text
    assert re.fullmatch(village[:9] + r"-20260302-\d{4}-[0-9X]", receipt)
    assert stage(browser) == "submitted"

    # The township accepts, investigates with two people, convenes the evaluation.
    sign_in(browser, server, who["township"], password)
    open_case(browser, server, receipt)
    do(browser, "accept")
    assert stage(browser) == "underInvestigation"
    assert browser.find_element(By.ID, "days-left").text == "30"
    browser.find_element(By.ID, "investigators").send_keys("王调查、李调查")
    browser.find_element(By.ID, "applicantSigned").click()
    do(browser, "completeInvestigation")
    assert browser.find_element(By.ID, "computed-amount").text == computed
    browser.find_element(By.ID, "panelSize").send_keys("60")
    browser.find_element(By.ID, "votesFor").send_keys("55")
    browser.find_element(By.ID, "votesAgainst").clear()
    browser.find_element(By.ID, "votesAgainst").send_keys("3")
    browser.find_element(By.ID, "votesAbstain").clear()
    browser.find_element(By.ID, "votesAbstain").send_keys("2")
    browser.find_element(By.ID, "evaluationSigned").click()
    do(browser, "recordEvaluation")
    assert stage(browser) == "evaluated"

    # The township head reviews; the caseworker posts the first notice for seven days.
    sign_in(browser, server, who["head"], password)
    open_case(browser, server, receipt)
    do(browser, "townshipApprove")
    sign_in(browser, server, who["township"], password)
    open_case(browser, server, receipt)
    do(browser, "postFirstNotice")
    submit(browser, "do-submitToCounty")
    assert "公示" in browser.find_element(By.ID, "problems").text   # the notice period is still running
    server.set_date("2026-03-09")
    open_case(browser, server, receipt)
    do(browser, "submitToCounty")
    assert stage(browser) == "awaitingApproval"

    # The county draws its spot-check sample (a batch of one is drawn whole), visits, approves.
    sign_in(browser, server, who["approver"], password)
    browser.get(server + "/approval")
    assert browser.find_element(By.ID, "sample-size").text == "1"
    submit(browser, "draw")
    assert "一致" in browser.find_element(By.ID, "redraw").text
    assert receipt in browser.find_element(By.ID, "picked").text
    sign_in(browser, server, who["county"], password)
    open_case(browser, server, receipt)
    assert stage(browser) == "spotCheck"
    browser.find_element(By.ID, "findings").send_keys("入户核实，情况属实")
    do(browser, "recordSpotCheckVisit")
    sign_in(browser, server, who["approver"], password)
    open_case(browser, server, receipt)
    # The first month defaults to the current one (the office's clock: March 2026).
    assert browser.find_element(By.ID, "firstMonth").get_attribute("value") == "2026-03"
    do(browser, "approve")
    assert stage(browser) == "approved"

    # The county posts the long-term notice and enrolls the household.
    sign_in(browser, server, who["county"], password)
    open_case(browser, server, receipt)
    do(browser, "postSecondNotice")
    do(browser, "enroll")
    assert stage(browser) == "enrolled"
    assert browser.find_element(By.ID, "next-review").text
    return receipt, head_id, spouse_id
