"""One application from intake to enrollment through the pages, each step signed in as
the role that takes it, then found on the public notice page with name and ID masked."""
from selenium.webdriver.common.by import By

from walk import walk_to_enrollment

DEMO = {"village": "xc_village", "township": "xc_township", "head": "xc_head", "county": "xc_county", "approver": "xc_approver"}


def test_application_from_intake_to_enrollment(browser, empty_server):
    server = empty_server
    head, spouse = "流程测试户主", "流程测试配偶"
    # 906 × 2 − 600 = 1212
    receipt, head_id, spouse_id = walk_to_enrollment(browser, server, DEMO, "150102001001", head, spouse, "¥1,212.00")

    # Anyone, signed out, finds it on the township's notice page — masked.
    browser.delete_all_cookies()
    browser.get(server + "/public/notices?area=150102001000")
    notices = browser.find_element(By.ID, "second-notices").text
    assert "流*******主" in notices or "流" in notices and head not in notices
    assert head not in browser.page_source and spouse not in browser.page_source
    assert head_id not in browser.page_source and spouse_id not in browser.page_source
    assert "¥1,212.00" in notices
    browser.get(server + "/public/lookup?receipt=" + receipt)
    assert browser.find_element(By.ID, "public-stage").text == "已纳入保障"
