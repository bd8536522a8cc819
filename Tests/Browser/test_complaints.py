"""Complaints and petitions through the pages (issue 14, 二.八): a member of the public
complains online about an enrolled household; the first staff member who opens it owns it,
lists everything missing in one notice, accepts it once completed and opens a review; the
review's decision is the answer the complainant reads by reference. The same facts again are
answered with that decision, not accepted. The public pages show no personal data."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import sign_in, submit

FACTS = "反映该户家中新购轿车一辆，子女在外务工收入较高，仍在领取低保金，请核查。"


def public_complaint(browser, server, village, head, facts):
    browser.delete_all_cookies()
    browser.get(server + "/public/complaints/new?area=" + village)
    Select(browser.find_element(By.ID, "area")).select_by_value(village)
    Select(browser.find_element(By.ID, "subject")).select_by_value("household")
    browser.find_element(By.ID, "subjectText").send_keys(head)
    browser.find_element(By.ID, "text").send_keys(facts)
    browser.find_element(By.ID, "complainantPhone").send_keys("13900002222")
    submit(browser, "submit-complaint")
    reference = browser.find_element(By.ID, "reference").text
    assert re.fullmatch(r"TS[A-Z0-9]{12}", reference), reference
    return reference, browser.current_url


def no_personal_data(browser, *secrets):
    html = browser.page_source
    for s in secrets:
        assert s not in html, "the public page shows " + s


def test_public_complaint_owned_completed_reviewed_answered(browser, server):
    # An enrolled household of 海拉尔东路街道, its head and village, as the township sees them.
    sign_in(browser, server, "xc_township")
    browser.get(server + "/reviews")
    link = browser.find_elements(By.CSS_SELECTOR, "tr.missed-row a")[0].get_attribute("href")
    browser.get(link)
    head_el = browser.find_element(By.ID, "enrolled-head")
    head, village = head_el.text, head_el.get_attribute("data-village")
    household = link.rstrip("/").split("/")[-1]
    browser.get(server + "/households/" + household)
    page = browser.page_source
    id_numbers = set(re.findall(r"\b15\d{15}[0-9X]\b", page))
    assert id_numbers

    # The public: no sign-in, a reference, a status page without personal data.
    reference, status_url = public_complaint(browser, server, village, head, FACTS)
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "received"
    no_personal_data(browser, "13900002222", head, *id_numbers)

    # The first staff member who opens it takes it and owns it (首问责任制).
    sign_in(browser, server, "xc_township")
    browser.get(server + "/complaints")
    row = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr.complaint-row") if reference in r.text][0]
    row.find_element(By.TAG_NAME, "a").click()
    complaint_url = browser.current_url.split("?")[0]
    submit(browser, "do-take")
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "registered"
    assert browser.find_element(By.ID, "owner").text == "海拉尔东路街道经办人"
    # The county caseworker is not offered its steps: it is not theirs.
    sign_in(browser, server, "xc_county")
    browser.get(complaint_url)
    assert not browser.find_elements(By.ID, "do-accept")

    # One notice listing everything missing; the complainant reads it by reference.
    sign_in(browser, server, "xc_township")
    browser.get(complaint_url)
    browser.find_element(By.ID, "missingItems").send_keys("车辆照片或车牌号\n子女务工单位名称")
    submit(browser, "do-request_materials")
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "awaiting_materials"
    assert browser.find_element(By.ID, "time-state").get_attribute("data-state") == "paused"
    browser.delete_all_cookies()
    browser.get(status_url)
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#missing-items li")]
    assert items == ["车辆照片或车牌号", "子女务工单位名称"]

    # Completed, accepted with the household it is about, and a review opened.
    sign_in(browser, server, "xc_township")
    browser.get(complaint_url)
    submit(browser, "do-complete_materials")
    # The head's name in the village told the household already; otherwise the handler picks it.
    browser.implicitly_wait(0)
    choices = browser.find_elements(By.ID, "subjectHousehold")
    browser.implicitly_wait(5)
    if choices:
        Select(choices[0]).select_by_value(household)
    submit(browser, "do-accept")
    assert browser.find_element(By.ID, "subject-household").get_attribute("href").endswith("/enrolled/" + household)
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "accepted"
    assert browser.find_element(By.ID, "time-state").get_attribute("data-state") == "on_track"
    browser.find_element(By.ID, "reason-open_review").send_keys("投诉反映新购车辆")
    submit(browser, "do-open_review")
    assert browser.find_element(By.ID, "review-stage").get_attribute("data-stage") == "opened"
    review_url = browser.current_url.split("?")[0]

    # The review: visited by the township, proposed by its head, decided by the county.
    browser.find_element(By.ID, "visitors").clear()
    browser.find_element(By.ID, "visitors").send_keys("王复核、李复核")
    submit(browser, "do-recordVisit")
    sign_in(browser, server, "xc_head")
    browser.get(review_url)
    Select(browser.find_element(By.ID, "outcome-propose")).select_by_value("suspend")
    browser.find_element(By.CSS_SELECTOR, "#step-propose input[name=reason]").send_keys("车辆登记待公安核实")
    submit(browser, "do-propose")
    sign_in(browser, server, "xc_approver")
    browser.get(review_url)
    submit(browser, "do-decide")
    assert browser.find_element(By.ID, "review-stage").get_attribute("data-stage") == "decided"

    # The complaint is answered by the review's decision; the complainant reads it by reference.
    sign_in(browser, server, "xc_township")
    browser.get(complaint_url)
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "answered"
    browser.delete_all_cookies()
    browser.get(status_url)
    answer = browser.find_element(By.ID, "complaint-answer").text
    assert "暂停发放" in answer
    no_personal_data(browser, "13900002222", head, *id_numbers)

    # The same facts again: proposed as a repeat, answered with the earlier decision, not accepted.
    ref2, status2 = public_complaint(browser, server, village, head, "再次" + FACTS)
    sign_in(browser, server, "xc_township")
    browser.get(server + "/complaints")
    [r for r in browser.find_elements(By.CSS_SELECTOR, "tr.complaint-row") if ref2 in r.text][0].find_element(By.TAG_NAME, "a").click()
    submit(browser, "do-take")
    candidates = browser.find_elements(By.CSS_SELECTOR, "#candidates li.candidate")
    assert len(candidates) == 1 and reference in candidates[0].text
    Select(browser.find_element(By.ID, "repeatOf")).select_by_index(1)
    submit(browser, "do-decline_repeat")
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "not_accepted"
    browser.delete_all_cookies()
    browser.get(status2)
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "not_accepted"
    assert browser.find_element(By.ID, "earlier-answer").text == answer.rsplit("（", 1)[0]
    no_personal_data(browser, "13900002222", head, *id_numbers)


def test_supervision_pages_open(browser, server):
    # The supervisor makes a plan, draws it and redoes the draw from its seed; finance reads the fund anomalies.
    sign_in(browser, server, "supervisor")
    browser.get(server + "/supervision")
    browser.find_element(By.CSS_SELECTOR, "#plan-form input[name=title]").send_keys("2026年度低保工作检查")
    submit(browser, "create-plan")
    submit(browser, "draw")
    drawn = browser.find_elements(By.CSS_SELECTOR, "li.drawn-township")
    assert len(drawn) == 3, "30 % of the league's ten townships, rounded up"
    browser.find_element(By.ID, "redraw").click()
    assert browser.find_element(By.ID, "redraw-result").get_attribute("data-matches") == "true"
    sign_in(browser, server, "xc_finance")
    browser.get(server + "/supervision/funds")
    assert browser.find_element(By.TAG_NAME, "h1").text
    # The township registers a cadre's relative from the same page.
    sign_in(browser, server, "xc_township")
    browser.get(server + "/supervision")
    assert browser.find_element(By.ID, "register-form")


def test_hotline_record_results_and_accountability_pages(browser, server):
    # A hotline call recorded by the county: the receiver owns it from the start.
    sign_in(browser, server, "xc_county")
    browser.get(server + "/complaints/new")
    Select(browser.find_element(By.ID, "channel")).select_by_value("hotline")
    browser.find_element(By.CSS_SELECTOR, "#complaint-form textarea[name=text]").send_keys("来电反映村里评议会没有公示评议结果。")
    browser.find_element(By.CSS_SELECTOR, "#complaint-form textarea[name=recordNote]").send_keys("来电人要求回电。")
    submit(browser, "record-complaint")
    assert browser.find_element(By.ID, "complaint-stage").get_attribute("data-stage") == "registered"
    assert browser.find_element(By.ID, "owner").text == "新城区民政局经办人"
    # A refused record keeps what was typed and says which field.
    browser.get(server + "/complaints/new")
    browser.find_element(By.CSS_SELECTOR, "#complaint-form input[name=complainantPhone]").send_keys("12")
    browser.find_element(By.CSS_SELECTOR, "#complaint-form textarea[name=text]").send_keys("电话号码写错了")
    submit(browser, "record-complaint")
    assert browser.find_elements(By.CSS_SELECTOR, "#problems li[data-field='complainant_phone']")
    assert "电话号码写错了" in browser.find_element(By.CSS_SELECTOR, "#complaint-form textarea[name=text]").get_attribute("value")
    # Fraud and accountability: the county's page with its forms; the supervisor reads it.
    browser.get(server + "/accountability")
    assert browser.find_element(By.ID, "fraud-form") and browser.find_element(By.ID, "issuer-form")
    sign_in(browser, server, "supervisor")
    browser.get(server + "/accountability")
    assert browser.find_element(By.ID, "actions")
    assert not browser.find_elements(By.ID, "fraud-form")
    # The published results of a county (no sign-in).
    browser.delete_all_cookies()
    browser.get(server + "/public/complaints/results?area=150102000000")
    assert browser.find_element(By.TAG_NAME, "h1").text == "投诉举报处理结果公开"
