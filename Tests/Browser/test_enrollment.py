"""Dynamic management through the pages (issue 13, 二.六): a review lowers a household's
amount, a second review ends it, each step taken by its own role in the browser; the next
payroll pays the lowered amount and the one after pays nothing."""
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import run_server, sign_in, submit


@pytest.fixture(scope="module")
def review_server():
    """Its own demo region, so the payrolls drafted here are this test's alone."""
    yield from run_server(60)


def yuan(text):
    m = re.search(r"-?¥([0-9,]+)\.([0-9]{2})", text)
    assert m, text
    return int(m.group(1).replace(",", "")) * 100 + int(m.group(2))


def draft_and_release(browser, server, period):
    sign_in(browser, server, "xc_county")
    browser.get(server + "/payments")
    field = browser.find_element(By.ID, "period")
    field.clear()
    field.send_keys(period)
    submit(browser, "do-draft")
    assert browser.find_element(By.ID, "stage").get_attribute("data-stage") == "drafted"
    payroll = browser.current_url.split("?")[0]
    sign_in(browser, server, "xc_finance")
    browser.get(payroll)
    submit(browser, "do-release")
    assert browser.find_element(By.ID, "stage").get_attribute("data-stage") == "released"


def paid_in(browser, server, household, period):
    """The household's line in the payroll of `period`, as its payments page shows it (None if none)."""
    sign_in(browser, server, "xc_county")
    browser.get(server + "/payments/households/" + household)
    rows = browser.find_elements(By.CSS_SELECTOR, f"tr.history-row[data-period='{period}']")
    return yuan(rows[0].find_element(By.CSS_SELECTOR, ".history-amount").text) if rows else None


def review(browser, server, household, outcome, wages=None, exit_reason=None):
    """Opens, visits, proposes and decides a review of `household`, each as its role."""
    sign_in(browser, server, "xc_township")
    browser.get(server + "/enrolled/" + household)
    browser.find_element(By.CSS_SELECTOR, "#open-review input[name=reason]").send_keys("入户复核")
    submit(browser, "do-open-review")
    assert browser.find_element(By.ID, "review-stage").get_attribute("data-stage") == "opened"
    review_url = browser.current_url.split("?")[0]
    # One visitor is refused beside the field, and what was chosen stays on the page.
    browser.find_element(By.ID, "visitors").clear()
    browser.find_element(By.ID, "visitors").send_keys("王复核")
    submit(browser, "do-recordVisit")
    assert browser.find_elements(By.CSS_SELECTOR, "#problems li[data-field='visitors']")
    browser.find_element(By.ID, "visitors").clear()
    browser.find_element(By.ID, "visitors").send_keys("王复核、李复核")
    if wages is not None:
        # The first member's wages, as declared, plus what the review found.
        field = browser.find_elements(By.CSS_SELECTOR, "#step-recordVisit input[data-kind='wages']")[0]
        declared = float(field.get_attribute("value") or "0")
        field.clear()
        field.send_keys(f"{declared + wages:.2f}")
    else:
        Select(browser.find_element(By.ID, "visitKind")).select_by_value("neighbours")
    submit(browser, "do-recordVisit")
    assert browser.find_element(By.ID, "review-stage").get_attribute("data-stage") == "visited"
    # The township's caseworker may visit but not propose or decide.
    assert not browser.find_elements(By.ID, "do-propose") and not browser.find_elements(By.ID, "do-decide")

    sign_in(browser, server, "xc_head")
    browser.get(review_url)
    Select(browser.find_element(By.ID, "outcome-propose")).select_by_value(outcome)
    if exit_reason:
        Select(browser.find_element(By.ID, "exitReason-propose")).select_by_value(exit_reason)
    submit(browser, "do-propose")
    assert browser.find_element(By.ID, "review-stage").get_attribute("data-stage") == "proposed"
    assert not browser.find_elements(By.ID, "do-decide")

    sign_in(browser, server, "xc_approver")
    browser.get(review_url)
    submit(browser, "do-decide")
    assert browser.find_element(By.ID, "review-stage").get_attribute("data-stage") == "decided"


def test_review_lowers_then_ends_and_payrolls_follow(browser, review_server):
    server = review_server
    # A household of the township that is enrolled: from the township's missed-report list.
    sign_in(browser, server, "xc_township")
    browser.get(server + "/reviews")
    assert browser.find_element(By.ID, "review-calendar")
    link = browser.find_elements(By.CSS_SELECTOR, "tr.missed-row a")[0].get_attribute("href")
    household = link.rstrip("/").split("/")[-1]
    browser.get(link)
    assert browser.find_element(By.ID, "enrolled-status").get_attribute("data-status") == "enrolled"
    before = yuan(browser.find_element(By.ID, "enrolled-monthly").text)
    assert before > 0

    # 2 March: the review finds ¥300 a month more wages, so the amount falls.
    review(browser, server, household, "lower", wages=300)
    sign_in(browser, server, "xc_township")
    browser.get(server + "/enrolled/" + household)
    lowered = yuan(browser.find_element(By.ID, "enrolled-monthly").text)
    assert 0 < lowered < before
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.decision-row[data-kind='changed']")
    assert rows and rows[-1].text.startswith("2026-04")

    # March is paid as before; from April the lowered amount.
    draft_and_release(browser, server, "2026-03")
    assert paid_in(browser, server, household, "2026-03") == before
    server.set_date("2026-04-08")
    draft_and_release(browser, server, "2026-04")
    assert paid_in(browser, server, household, "2026-04") == lowered

    # 8 April: a second review ends the allowance; May pays nothing.
    review(browser, server, household, "end", exit_reason="income_above_standard")
    sign_in(browser, server, "xc_county")
    browser.get(server + "/enrolled/" + household)
    assert browser.find_element(By.ID, "enrolled-status").get_attribute("data-status") == "exited"
    assert not browser.find_elements(By.ID, "open-review")
    server.set_date("2026-05-07")
    draft_and_release(browser, server, "2026-05")
    assert paid_in(browser, server, household, "2026-05") is None
    assert paid_in(browser, server, household, "2026-04") == lowered

    # The household's history shows both decisions, and each decision prints its letter:
    # the end names its reason, the household's remedies and the issuing bureau.
    browser.get(server + "/enrolled/" + household)
    history = browser.find_elements(By.CSS_SELECTOR, "#timeline li[data-kind='decision']")
    assert len(history) >= 3
    ended = browser.find_elements(By.CSS_SELECTOR, "tr.decision-row[data-kind='exited'] a.letter-link")
    assert ended
    ended[-1].click()
    assert browser.find_element(By.ID, "letter-title").text == "停止最低生活保障通知书"
    assert "家庭人均收入高于当地低保标准" in browser.find_element(By.ID, "letter-reason").text
    remedy = browser.find_element(By.ID, "letter-remedy").text
    assert "60日内" in remedy and "12349" in remedy
    assert browser.find_element(By.ID, "letter-issuer").text.endswith("民政局")
    # On paper the navigation is not printed.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, "header.top").is_displayed()
    assert browser.find_element(By.ID, "letter").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
