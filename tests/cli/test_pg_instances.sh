#!/usr/bin/env bash
# Several processes writing to one PostgreSQL store at once keep one audit chain: two
# `hogo check --db --jsonl` streams (one of them killed with SIGKILL midway) and two loops of
# `hogo provide` run together against a server whose default isolation is repeatable read
# (the store must not depend on the server's default); afterwards every answered decision and
# every acknowledged record has its event and `hogo audit verify` passes. Two processes also
# initialise and open the same fresh database at the same moment. Test layer (black box,
# PostgreSQL); skipped (exit 77) without the PostgreSQL binaries; about 20 s.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
conn=$(bash scripts/pg-test.sh start 2>"$scratch/pg.err")
case $? in
0) ;;
77) echo "skipped: PostgreSQL is not installed"; exit 77 ;;
*) echo "cannot start a PostgreSQL test cluster:"; cat "$scratch/pg.err"; exit 1 ;;
esac
pgdir=$(sed 's/^host=\([^ ]*\) .*/\1/' <<<"$conn")
trap 'bash scripts/pg-test.sh stop "$pgdir"; rm -rf "$scratch"' EXIT
psql=${HOGO_PG_BINDIR:-/usr/lib/postgresql/15/bin}/psql
"$psql" "$conn" -qc "ALTER DATABASE postgres SET default_transaction_isolation TO 'repeatable read'" >"$scratch/psql.out" 2>&1
export HOGO_DB="pg:$conn"
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE

# two processes create the same fresh database at once: one creates, the other finds it made
"$HOGO" init >"$scratch/init1" 2>&1 & i1=$!
"$HOGO" init >"$scratch/init2" 2>&1 & i2=$!
wait $i1; r1=$?
wait $i2; r2=$?
rc=0
check "two processes initialising one database at once both succeed" [ "$r1" -eq 0 -a "$r2" -eq 0 ]
"$HOGO" audit export | grep -o '"detail":"{\\"schema_version\\":[0-9]*}"' >"$scratch/migrations"
run '' audit verify
check "each schema step ran once and the chain is intact" \
    all 'exit_is 0' "[ -s $scratch/migrations ]" "[ -z \"\$(sort $scratch/migrations | uniq -d)\" ]"

for p in irp rcc rea rkm rmc; do
    for k in 0 1 2; do "$HOGO" subject add "$p-$k" --operator "$p" >/dev/null; done
done
"$HOGO" subject add prov --operator irp >/dev/null
"$HOGO" subject set prov applied_to 6100000000001 >/dev/null
printf '%s' '{"policy":"irp","subject_id":"prov","action":"provide","purpose":"recruitment_selection","data":["name"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"6100000000001"}}' >"$scratch/prov.json"
python3 bench/check_db_workload.py "$scratch/w.jsonl" 3000 3

feed() { # [half] writes the workload in small chunks, so that each stream commits many
          # batches; with "half", only its first half, then it holds the stream open
    python3 -c '
import sys, time, random
lines = open(sys.argv[1], "rb").read().splitlines(keepends=True)
end = len(lines) // 2 if sys.argv[2] == "half" else len(lines)
for i in range(0, end, 50):
    sys.stdout.buffer.write(b"".join(lines[i:min(i + 50, end)])); sys.stdout.flush()
    time.sleep(random.random() * 0.004)
if end < len(lines):
    time.sleep(120)' "$scratch/w.jsonl" "${1:-all}"
}
provide_loop() { # out
    for _ in $(seq 1 25); do "$HOGO" provide --format jsonl "$scratch/prov.json" >>"$1" 2>>"$scratch/provide.err"; done
}
mkfifo "$scratch/a.in" "$scratch/b.in"
"$HOGO" check --jsonl <"$scratch/a.in" >"$scratch/a.out" 2>"$scratch/a.err" & a=$!
"$HOGO" check --jsonl <"$scratch/b.in" >"$scratch/b.out" 2>"$scratch/b.err" & b=$!
feed >"$scratch/a.in" & fa=$!
feed half >"$scratch/b.in" 2>/dev/null & fb=$!
provide_loop "$scratch/p1.out" & p1=$!
provide_loop "$scratch/p2.out" & p2=$!
# the second stream is killed midway: once it has answered some lines, while the second half
# of its input has not come yet (so it cannot have finished, however fast the machine)
for _ in $(seq 1 1200); do
    [ "$(grep -c '^{"decision"' "$scratch/b.out" 2>/dev/null || true)" -ge 100 ] && break
    sleep 0.05
done
kill -KILL "$b" 2>/dev/null
kill "$fb" 2>/dev/null
wait $a $fa $p1 $p2
wait $b $fb 2>/dev/null
answered_a=$(grep -c '"decision"' "$scratch/a.out" || true)
answered_b=$(grep -c '^{"decision"' "$scratch/b.out" || true)
acked=$(cat "$scratch/p1.out" "$scratch/p2.out" | grep -c record_id || true)
check "the first stream answered every line" [ "$answered_a" -eq 3000 ]
check "the killed stream answered part of its lines" [ "$answered_b" -lt 3000 ]
check "every provision of both loops was acknowledged" [ "$acked" -eq 50 ]
"$HOGO" audit export >"$scratch/audit.jsonl"
decisions=$(grep -c '"action":"decision"' "$scratch/audit.jsonl" || true)
records=$(grep -c '"action":"provision.record"' "$scratch/audit.jsonl" || true)
echo "     $answered_a + $answered_b decisions answered, $decisions decision events; $acked provisions, $records records"
check "every answered decision has its event" [ "$decisions" -ge $((answered_a + answered_b)) ]
check "every acknowledged provision has its record event" [ "$records" -eq "$acked" ]
run '' audit verify
check "the audit chain verifies: one chain, no fork, no gap" all 'exit_is 0' 'stdout_has intact'
run '' ledger list --kind provisions
check "every acknowledged record is in the ledger" [ "$(grep -o '"id"' "$scratch/out" | wc -l)" -eq "$acked" ]
finish
