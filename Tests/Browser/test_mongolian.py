"""Issue 16: a caseworker switches the pages to Mongolian in its own script. The household
list, an application and the public notice then carry `lang="mn-Mong"`, are drawn in the
Noto Sans Mongolian font the server itself serves, run top to bottom (writing-mode
vertical-lr), and no Chinese or English interface string is left on them (`untranslated`)."""
import re
from html import unescape

from selenium.webdriver.common.by import By

from conftest import sign_in


def visible(html):
    """The words a page shows: no scripts, styles or tags; entities decoded."""
    html = re.sub(r"<(script|style)[\s\S]*?</\1>", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(text)


def page_in(browser, lang):
    """This page as the same account reads it in `lang` (fetched, not shown)."""
    url = browser.current_url.split("#")[0]
    url += ("&" if "?" in url else "?") + "lang=" + lang
    return visible(browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done);
    """, url))


def untranslated(browser):
    """Interface text left in Chinese or English on the Mongolian page. Data — names,
    addresses, area names, what a person typed — reads the same in every language, so a
    run of Chinese on the Mongolian page that the English page does not have, or an English
    word the Chinese page does not have, is interface text nobody translated."""
    mn = visible(browser.page_source)
    en, zh = page_in(browser, "en"), page_in(browser, "zh")
    page_in(browser, "mn")   # the session's language back to Mongolian
    left = [run for run in re.findall(r"[\u3400-\u9fff\uff08\uff09\uff1a\u3001]*[\u3400-\u9fff][\u3400-\u9fff\uff08\uff09\uff1a\u3001]*", mn) if run not in en]
    left += [w for w in re.findall(r"[A-Za-z]{3,}", mn) if w not in zh and w not in ("CSV", "PDF")]
    return sorted(set(left))


def assert_mongolian_page(browser, what):
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "mn-Mong", what
    main = browser.find_element(By.TAG_NAME, "main")
    assert browser.execute_script("return getComputedStyle(arguments[0]).writingMode", main) == "vertical-lr", what
    heading = browser.find_element(By.CSS_SELECTOR, "main h1")
    assert re.search(r"[\u1820-\u18af]", heading.text), f"{what}: the heading is Mongolian: {heading.text!r}"
    assert "Noto Sans Mongolian" in browser.execute_script("return getComputedStyle(arguments[0]).fontFamily", heading)
    loaded = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => done([...document.fonts].filter(f => f.family.includes('Noto Sans Mongolian') && f.status === 'loaded').length));
    """)
    assert loaded >= 1, f"{what}: the served Mongolian font is loaded"
    left = untranslated(browser)
    assert not left, f"{what}: Chinese or English interface text left on the Mongolian page: {left[:20]}"


def test_a_caseworker_works_in_mongolian(browser, server):
    sign_in(browser, server, "xc_township")
    browser.get(server + "/households")
    browser.find_element(By.ID, "lang-mn").click()
    assert_mongolian_page(browser, "household list")
    # The choice holds as the caseworker goes on, without ?lang= in the address. Pages are
    # opened by their addresses: this machine has no CJK font, and a name drawn in vertical
    # text without one has no height to click on.
    households = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main table a[href*='/households/']")]
    assert households
    case = None
    for href in households:
        browser.get(href)
        assert "lang=" not in browser.current_url
        assert_mongolian_page(browser, "household")
        cases = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main a[href*='/cases/']")
                 if re.search(r"/cases/[0-9A-Fa-f-]{36}$", a.get_attribute("href"))]
        if cases:
            case = cases[0]
            break
    assert case, "a household of the list has an application"
    browser.get(case)
    assert_mongolian_page(browser, "application")
    assert browser.find_elements(By.ID, "stage") or "ᠭᠤᠶᠤᠴᠢᠯᠠᠭ᠎ᠠ" in browser.find_element(By.TAG_NAME, "body").text

    browser.get(server + "/public/notices?area=150102001000")
    assert_mongolian_page(browser, "public notice")

    # And back: the menu's 中文 returns the same page in Chinese.
    browser.find_element(By.ID, "lang-zh").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert "公示" in browser.find_element(By.TAG_NAME, "body").text
