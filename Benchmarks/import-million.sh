#!/usr/bin/env bash
# Imports a 1,000,000-row deposit file with three bad rows (lines 250001, 500001, 750001),
# twice, with the release build, on a fresh SQLite database; prints rows/s, the three
# reported lines, and shows that the second import changes nothing.
#   Benchmarks/import-million.sh [ROWS]        (DIBAO_BIN=path/to/dibao to use a built binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$rows" "$work/deposit.csv" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def rid(i):
    body = "150102%04d%02d%02d%03d" % (1940 + i % 70, 1 + i // 70 % 12, 1 + i // 840 % 28, i // 23520 % 1000)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
bad = {250001: "110105194912310021,中国银行,BAD-1,10.00,2026-10-31",     # wrong check character
       500001: rid(3) + ",中国银行,BAD-2,10.00,2026-02-30",              # no such date
       750001: rid(4) + ",中国银行,BAD-3,-5,2026-10-31"}                  # negative balance
with open(path, "w", encoding="utf-8") as f:
    f.write("id_number,institution,account,balance_yuan,as_of\n")
    for line in range(2, rows + 2):
        f.write(bad.get(line) or "%s,中国农业银行,6228%09d,%d.%02d,2026-10-31\n" % (rid(line), line, line % 90000, line % 100))
        if line in bad: f.write("\n")
PY
if [ -n "${DIBAO_BIN:-}" ]; then bin=$DIBAO_BIN; else
  swift build -c release --product dibao >/dev/null
  bin=$(swift build -c release --show-bin-path)/dibao
fi
export DATABASE_URL="sqlite:$work/import.sqlite"
"$bin" migrate >/dev/null
echo "== first import"
"$bin" verification import --source deposit --period 2026-10 "$work/deposit.csv"
echo "== second import of the same file"
"$bin" verification import --source deposit --period 2026-10 "$work/deposit.csv"
echo "== stored"
python3 - "$work/import.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("records:", db.execute("select count(*) from department_records").fetchone()[0])
print("batches:", db.execute("select count(*), sum(rows_accepted), sum(rows_rejected) from department_batches").fetchone())
for row in db.execute("select line, rule from department_batch_errors order by line"): print("error line", row[0], row[1])
PY
