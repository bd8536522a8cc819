"""Issue 12: an account changes its own password through the page (a common one is
refused with the rule), and an administrator sees the API tokens and revokes one."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD, sign_in, submit


def change(browser, current, new):
    browser.find_element(By.ID, "current").send_keys(current)
    browser.find_element(By.ID, "new").send_keys(new)
    browser.find_element(By.ID, "confirm").send_keys(new)
    submit(browser, "change-password")


def test_password_change_refuses_a_common_one_then_takes_a_good_one(browser, server):
    sign_in(browser, server, "tk_head")
    browser.find_element(By.ID, "nav-password").click()
    change(browser, PASSWORD, "password123!")
    assert "常" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    change(browser, PASSWORD, "锡林河畔的敖包2026")
    assert browser.find_element(By.ID, "password-changed").text
    submit(browser, "sign-out")
    sign_in(browser, server, "tk_head", "锡林河畔的敖包2026")


def test_admin_sees_tokens_and_revokes_one(browser, server):
    out = server.command("user", "token", "--username", "xc_bank", "--name", "银行代发系统")
    assert "expires" in out.stdout
    sign_in(browser, server, "admin")
    browser.get(server + "/admin/tokens")
    table = browser.find_element(By.ID, "tokens")
    assert "银行代发系统" in table.text and "有效" in table.text
    before = len(browser.find_elements(By.CSS_SELECTOR, "button.revoke-token"))
    assert before >= 1
    browser.find_elements(By.CSS_SELECTOR, "button.revoke-token")[0].click()
    WebDriverWait(browser, 15).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "button.revoke-token")) == before - 1)
    assert "已吊销" in browser.find_element(By.ID, "tokens").text


def test_pages_break_no_content_security_rule(browser, server):
    """Pages send a CSP that allows this site's scripts only; no page of ours may need more."""
    sign_in(browser, server, "xc_county")
    for path in ["/", "/households", "/households/new", "/cases", "/payments", "/account/password"]:
        browser.get(server + path)
    refused = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []
    assert browser.find_elements(By.CSS_SELECTOR, "script[src='/js/print.js']")
