"""SIGKILL at random moments while a payroll is drafted (issue 5): every time, the
database holds either no payroll for the period or a whole one whose lines add up to
its totals. Runs the real `dibao payroll draft` command of the debug build on its own
SQLite file of 60,000 enrolled households."""
import os
import random
import signal
import sqlite3
import subprocess
import tempfile
import time
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, ".build", "debug", "dibao")
COUNTY = "150102000000"
PERIOD = "2026-03"


def state(db):
    """(payroll rows, orphan lines, whether every payroll's lines match its totals)."""
    con = sqlite3.connect(db)
    try:
        payrolls = con.execute("SELECT id, line_count, total_fen, held_count, held_fen FROM payrolls WHERE county_code = ? AND period = ?",
                               (COUNTY, PERIOD)).fetchall()
        orphans = con.execute("SELECT COUNT(*) FROM payroll_lines WHERE payroll_id NOT IN (SELECT id FROM payrolls)").fetchone()[0]
        whole = True
        for pid, count, total, held_count, held in payrolls:
            sent = con.execute("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payroll_lines WHERE payroll_id = ? AND status <> 'held'", (pid,)).fetchone()
            kept = con.execute("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payroll_lines WHERE payroll_id = ? AND status = 'held'", (pid,)).fetchone()
            whole = whole and sent == (count, total) and kept == (held_count, held) and count > 0
        events = con.execute("SELECT COUNT(*) FROM audit_events WHERE action = 'payroll.drafted'").fetchone()[0]
        return payrolls, orphans, whole, events
    finally:
        con.close()


def remove(db):
    """Throws a completed draft away (as `discard` would), so the next run drafts again."""
    con = sqlite3.connect(db)
    with con:
        con.execute("DELETE FROM payroll_lines")
        con.execute("DELETE FROM payrolls")
    con.close()


def test_sigkill_leaves_no_payroll_or_a_whole_one():
    assert os.path.exists(BINARY), "build first: swift build"
    # Every kill below lands after the command has said the draft began: inside the
    # transaction, or (rarely) just after its commit.
    work = tempfile.mkdtemp(prefix="dibao-crash-")
    db = os.path.join(work, "crash.sqlite")
    clock = os.path.join(work, "today")
    with open(clock, "w") as f:
        f.write("2026-03-02")
    env = dict(os.environ, DATABASE_URL="sqlite:" + db, DIBAO_CLOCK_FILE=clock, DIBAO_PASSWORD_COST="4")
    try:
        subprocess.run([BINARY, "bench", "payroll", "--households", "60000", "--load-only", "--log", "warning"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        draft = [BINARY, "payroll", "draft", "--county", COUNTY, "--period", PERIOD, "--by", "xc_county", "--log", "warning"]

        def start():
            """Starts a draft and returns once it says the work has begun."""
            proc = subprocess.Popen(draft, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            while True:
                line = proc.stdout.readline()
                assert line, "the draft command ended without starting"
                if line.startswith("Drafting"):
                    return proc

        # One uninterrupted run: how long the draft itself takes, and what a whole one holds.
        proc = start()
        started = time.time()
        assert proc.wait() == 0
        full = time.time() - started
        payrolls, orphans, whole, _ = state(db)
        assert len(payrolls) == 1 and whole and orphans == 0
        expected = payrolls[0][1:]
        remove(db)

        rng = random.Random(20260302)
        outcomes = {"none": 0, "whole": 0}
        for _ in range(24):
            _, _, _, events_before = state(db)
            proc = start()
            # A moment within the draft (a few land just after its commit).
            time.sleep(rng.uniform(0.0, 1.1) * full)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            payrolls, orphans, whole, events = state(db)
            assert orphans == 0, "lines without their payroll"
            if payrolls:
                assert len(payrolls) == 1 and whole, "a payroll whose lines do not add up to it"
                assert payrolls[0][1:] == expected, "a whole payroll, but not the one an uninterrupted run makes"
                assert events == events_before + 1, "a payroll without its audit event"
                outcomes["whole"] += 1
                remove(db)
            else:
                assert events == events_before, "an audit event for a payroll that is not there"
                outcomes["none"] += 1
        print("crash outcomes:", outcomes)
        assert outcomes["none"] >= 10, f"too few kills landed inside the draft to test anything: {outcomes}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
