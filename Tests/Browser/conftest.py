"""Starts a real Dibao server (debug build, its own SQLite file, demo data) and a real
headless Chromium for the browser tests."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "Demo-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(str):
    """The server's base URL, with the file its clock reads the date from and a way to run
    a `dibao` command on the same database."""
    clock_file = ""
    command = None

    def set_date(self, iso):
        with open(self.clock_file, "w") as f:
            f.write(iso)


@pytest.fixture(scope="session")
def server():
    """A demo region with 60 households and their caseload."""
    yield from run_server(60)


@pytest.fixture(scope="module")
def empty_server():
    """The demo region and accounts with no households: a walk whose county batch is its own case alone."""
    yield from run_server(0)


@pytest.fixture(scope="module")
def blank_server():
    """An empty database: no areas below the region, no calendar, no bank, one administrator
    made by the command a new office runs first (README, "Setting up a real league")."""
    yield from run_server(None)


SETUP_ADMIN_PASSWORD = "Nm15-Setup-Office"


def run_server(households):
    binary = os.path.join(ROOT, ".build", "debug", "dibao")
    if not os.path.exists(binary):
        subprocess.run(["swift", "build", "--product", "dibao"], cwd=ROOT, check=True)
    workdir = tempfile.mkdtemp(prefix="dibao-browser-")
    port = free_port()
    clock_file = os.path.join(workdir, "today")
    with open(clock_file, "w") as f:
        f.write("2026-03-02")
    env = dict(os.environ, DATABASE_URL="sqlite:" + os.path.join(workdir, "browser.sqlite"), DIBAO_PASSWORD_COST="4",
               DIBAO_CLOCK_FILE=clock_file, DIBAO_STORAGE=os.path.join(workdir, "storage"), DIBAO_SIGN_IN_PER_MINUTE="10000")
    log = open(os.path.join(workdir, "server.log"), "w")
    if households is None:
        env["DIBAO_CALENDAR_DIRECTORY"] = os.path.join(workdir, "no-calendars")
        os.makedirs(env["DIBAO_CALENDAR_DIRECTORY"])
        subprocess.run([binary, "user", "add", "--username", "admin", "--role", "administrator", "--area", "150000000000",
                        "--name", "自治区系统管理员", "--password", SETUP_ADMIN_PASSWORD], cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
        command = [binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)]
    else:
        command = [binary, "demo", "--households", str(households), "--serve", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = Server(f"http://127.0.0.1:{port}")
    url.clock_file = clock_file
    url.command = lambda *args: subprocess.run([binary, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                log.close()
                raise RuntimeError("server did not start:\n" + open(os.path.join(workdir, "server.log")).read())
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600", "--lang=zh-CN"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})   # to see Content-Security-Policy refusals
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def resident_id(region: str, birth: str, seq: int) -> str:
    """A valid GB 11643 number: ISO 7064 MOD 11-2 check character."""
    body = f"{region}{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def sign_in(browser, server, username, password=PASSWORD):
    """Signs in through the form (as nobody else first) and waits for the page it leads to."""
    browser.delete_all_cookies()
    browser.get(server + "/login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    submit(browser, "sign-in")
    assert browser.find_element(By.ID, "current-user").get_attribute("textContent").strip()


def submit(browser, element_id):
    """Clicks a submit button and waits until the next page has replaced this one."""
    click_and_wait(browser, browser.find_element(By.ID, element_id))


def click_and_wait(browser, element):
    """Clicks a button or link and waits until the next page has replaced this one. Chromium
    reports a replaced page either as a stale element or as a node that "does not belong to the
    document", depending on timing; `EC.staleness_of` only catches the first."""
    old = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        try:
            old.tag_name
            return False
        except WebDriverException:   # stale, or gone from the inspector: the page was replaced
            return True

    WebDriverWait(browser, 15).until(replaced)
    WebDriverWait(browser, 15).until(lambda b: b.execute_script("return document.readyState") == "complete")
