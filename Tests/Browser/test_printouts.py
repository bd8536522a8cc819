"""Official printouts (issue 16, part 6) printed to PDF by headless Chromium, as an office
prints them: the notice for the village board (whole list, title, office, period, where to
object, seal block, page numbers, header repeated on every page), the 受理回执, a refusal
letter, the 纳入通知书 and the 发放清单 with masked accounts. The PDFs are saved in
$DIBAO_PRINT_DIR (default /tmp/dibao-printouts) for a person to look at."""
import base64
import io
import os
import re
import sqlite3
import unicodedata

import pypdf
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from conftest import run_server, sign_in

OUT = os.environ.get("DIBAO_PRINT_DIR", "/tmp/dibao-printouts")
# PDF text maps some glyphs to CJK radicals (⺠ for 民); fold both sides the same way.
RADICALS = str.maketrans({"⺠": "民", "⻓": "长", "戶": "户", "⻔": "门", "⻢": "马", "⻚": "页", "⻅": "见", "⻋": "车", "⻉": "贝", "⻩": "黄", "⻄": "西", "⻘": "青", "⻝": "食"})


def fold(text):
    return unicodedata.normalize("NFKC", text).translate(RADICALS).replace(" ", "")


@pytest.fixture(scope="module")
def print_server():
    """Enough households that a township's second notice runs over more than one A4 page."""
    yield from run_server(1000)


def db(server):
    return sqlite3.connect(os.path.join(os.path.dirname(server.clock_file), "browser.sqlite"))


def pdf_pages(browser, name):
    """Prints the page on A4 and returns the folded text of each PDF page."""
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    data = base64.b64decode(browser.print_page(options))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".pdf"), "wb") as f:
        f.write(data)
    assert data.startswith(b"%PDF")
    return [fold(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_notice_for_the_board(browser, print_server):
    # A visitor without an area chooses a county, then a township, then prints.
    browser.get(print_server + "/public/notices")
    browser.find_element(By.CSS_SELECTOR, "a.county-link[data-code='150102000000']").click()
    browser.find_element(By.CSS_SELECTOR, "#area-children a[data-code='150102001000']").click()
    browser.find_element(By.ID, "print-second").click()
    lines = len(browser.find_elements(By.CSS_SELECTOR, "tr.notice-line"))
    count = db(print_server).execute("SELECT COUNT(*) FROM notices WHERE township_code='150102001000' AND kind='second' AND active=1").fetchone()[0]
    assert lines == count > 40, "the whole list, not one screen page"
    pages = pdf_pages(browser, "second-notice")
    assert len(pages) >= 2
    first, last = pages[0], pages[-1]
    assert fold("关于海拉尔东路街道最低生活保障对象审批结果的公示") in first
    assert fold(f"以下{count}户") in first and fold("公示时间：自") in first
    for n, text in enumerate(pages, 1):
        assert f"{n}/{len(pages)}" in text, f"page number on page {n}"
        assert fold("序号所属嘎查村/社区户主") in text, f"the table header repeats on page {n}"
    for part in ["如有异议", "新城区民政局", "联系电话：", "监督电话：12349", "（盖章）", "负责人（签字）", "2026年3月2日"]:
        assert fold(part) in last, part
    # Nothing a notice must not show: no 18-digit ID number anywhere.
    assert not any(re.search(r"\d{17}[\dX]", t) for t in pages)
    # Nor a whole name of anyone in a listed household: the sheet shows what the notice masked.
    names = [r[0] for r in db(print_server).execute(
        "SELECT m.name FROM members m JOIN cases c ON c.household_id = m.household_id "
        "JOIN notices n ON n.case_id = c.id WHERE n.township_code='150102001000' AND n.kind='second' AND n.active=1")]
    assert len(names) >= count
    whole = "".join(pages)
    shown = [n for n in names if len(n) >= 2 and fold(n) in whole]
    assert not shown, shown[:5]


def test_receipt_refusal_and_decision_letters(browser, print_server):
    con = db(print_server)
    accepted = con.execute("SELECT id, receipt FROM cases WHERE township_code LIKE '150102%' AND accepted_on IS NOT NULL AND stage='firstNotice' LIMIT 1").fetchone()
    refused = con.execute("SELECT id, reason FROM cases WHERE county_code='150122000000' AND stage='refused' LIMIT 1").fetchone()
    enrolled = con.execute("SELECT id FROM cases WHERE township_code='150102001000' AND stage='enrolled' LIMIT 1").fetchone()
    assert accepted and refused and enrolled

    sign_in(browser, print_server, "xc_township")
    browser.get(print_server + "/cases/" + accepted[0])
    browser.find_element(By.ID, "doc-link-receipt").click()
    text = "".join(pdf_pages(browser, "receipt"))
    for part in ["最低生活保障申请受理回执", accepted[1], "受理日期", "审批时限", "个工作日", "已收材料", "联系电话", "监督电话",
                 "（盖章）", "经办人（签字）", "申请人（签收）", "申请进度查询"]:
        assert fold(part) in text, part

    browser.get(print_server + "/cases/" + enrolled[0])
    browser.find_element(By.ID, "doc-link-letter").click()
    assert browser.find_element(By.ID, "letter-title").text == "最低生活保障准予纳入通知书"
    text = "".join(pdf_pages(browser, "enrolled-letter"))
    assert fold("最低生活保障准予纳入通知书") in text and fold("行政复议") in text and fold("（盖章）") in text

    sign_in(browser, print_server, "tk_county")
    browser.get(print_server + "/cases/" + refused[0])
    browser.find_element(By.ID, "doc-link-letter").click()
    pages = pdf_pages(browser, "refusal-letter")
    assert len(pages) == 1, "one A4 page"
    for part in ["最低生活保障不予批准告知书", refused[1], "行政复议", "行政诉讼", "托克托县民政局", "（盖章）", "签收人"]:
        assert fold(part) in pages[0], part


def test_payment_list_masked_and_signed(browser, print_server):
    con = db(print_server)
    payroll = con.execute("SELECT id FROM payrolls WHERE period='2026-02' AND county_code='150102000000'").fetchone()[0]
    accounts = [r[0] for r in con.execute("SELECT account_number FROM payroll_lines WHERE payroll_id=? AND township_code='150102001000' AND account_number<>''", (payroll,))]
    villages = con.execute("SELECT COUNT(DISTINCT village_code) FROM payroll_lines WHERE payroll_id=? AND township_code='150102001000'", (payroll,)).fetchone()[0]
    assert accounts and villages > 1
    sign_in(browser, print_server, "xc_township")   # sees personal data, and still gets the list masked
    browser.get(print_server + f"/payments/payrolls/{payroll}/list?township=150102001000")
    village_totals = [fold(s.text) for s in browser.find_elements(By.CSS_SELECTOR, ".village-total")]
    assert len(village_totals) == villages
    pages = pdf_pages(browser, "payment-list")
    text = "".join(pages)
    assert fold("海拉尔东路街道最低生活保障金发放清单（2026-02）") in text
    for part in ["制表人：", "审核人：", "单位（签章）：", "账号已作隐藏处理"]:
        assert fold(part) in text, part
    for total in village_totals:
        assert total in text, "each village's total is printed"
    for account in accounts:
        assert account not in text, "no account number in full"
    assert all(fold(account[-4:]) in text for account in accounts)
    # Names and amounts are not broken one character per line.
    assert fold(browser.find_element(By.CSS_SELECTOR, "tr.list-line td:nth-child(2)").text) in text
