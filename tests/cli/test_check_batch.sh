#!/usr/bin/env bash
# Batched stateful decisions: `hogo check --db DB --jsonl` decides the lines that have arrived
# in one transaction and answers them only once it is committed. The answers are those of
# one process per line, byte for byte; a bad line in a batch fails alone; and after 20
# SIGKILLs at random moments of a stream every answered decision has its audit event, in
# order, and `hogo audit verify` passes. Test layer (black box and fault tier); about 20 s.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE
"$HOGO" init >/dev/null 2>&1
"$HOGO" key generate --signing "$scratch/sk" >/dev/null 2>&1
export HOGO_SIGNING_KEY_FILE=$scratch/sk
for p in irp rcc rea rkm rmc; do
    for k in 0 1 2; do "$HOGO" subject add "$p-$k" --operator "$p" >/dev/null; done
done
"$HOGO" subject set irp-1 age 14 >/dev/null
"$HOGO" subject set irp-2 applied_to 9234567890123 >/dev/null
python3 bench/check_db_workload.py "$scratch/w.jsonl" 2000 3

decisions() { # the number of decision events in the log
    "$HOGO" audit export 2>/dev/null | grep -c '"action":"decision"' || true
}

# 1. one batch answers as one process per line does
head -60 "$scratch/w.jsonl" >"$scratch/w60.jsonl"
before=$(decisions)
run_file "$scratch/w60.jsonl" check --jsonl
cp "$scratch/out" "$scratch/batched"
: >"$scratch/single"
while IFS= read -r line; do
    printf '%s\n' "$line" | "$HOGO" check --jsonl >>"$scratch/single" 2>/dev/null
done <"$scratch/w60.jsonl"
after=$(decisions)
check "a batch answers every line" [ "$(grep -c '"decision"' "$scratch/batched")" -eq 60 ]
check "a batch answers byte for byte as one process per line" cmp -s "$scratch/batched" "$scratch/single"
check "every decision of both runs is an audit event" [ $((after - before)) -eq 120 ]

# 2. a bad line fails alone; the rest of its batch is committed
{
    sed -n 1p "$scratch/w.jsonl"
    sed -n 2p "$scratch/w.jsonl" | sed 's/"subject_id":"[^"]*"/"subject_id":"nobody"/'
    echo '{"policy": "irp",'
    sed -n 3p "$scratch/w.jsonl"
} >"$scratch/mixed.jsonl"
before=$(decisions)
run_file "$scratch/mixed.jsonl" check --jsonl
check "a bad line in a batch gets its error and the others their decisions" \
    all 'exit_is 2' "[ \"\$(sed -n 1p $scratch/out | grep -c '\"decision\"')\" -eq 1 ]" \
    "sed -n 2p $scratch/out | grep -q 'nobody'" "sed -n 3p $scratch/out | grep -q '\"error\"'" \
    "[ \"\$(sed -n 4p $scratch/out | grep -c '\"decision\"')\" -eq 1 ]"
check "the batch's two decisions were committed" [ $(($(decisions) - before)) -eq 2 ]

# 3. kill -9 in the middle of a stream: no answered decision without its event
python3 - "$HOGO" "$scratch" <<'PY'
import json, os, random, signal, subprocess, sys, threading, time
hogo, scratch = sys.argv[1], sys.argv[2]
lines = open(f"{scratch}/w.jsonl", encoding="utf-8").read().splitlines(keepends=True)

def decision_events():
    out = subprocess.run([hogo, "audit", "export"], capture_output=True, text=True, check=True).stdout
    return [e for e in (json.loads(l).get("event") for l in out.splitlines()) if e and e["action"] == "decision"]

random.seed(os.getpid())
# how long a start and one answer take (much longer under the sanitizers), to spread the
# kills over the stream rather than before its first answer
t0 = time.monotonic()
subprocess.run([hogo, "check", "--jsonl"], input=lines[0].encode(), capture_output=True)
one = time.monotonic() - t0
answered_total = cut = 0
for kill in range(20):
    before = len(decision_events())
    out_path = f"{scratch}/answers"
    with open(out_path, "wb") as out:
        p = subprocess.Popen([hogo, "check", "--jsonl"], stdin=subprocess.PIPE, stdout=out,
                             stderr=subprocess.DEVNULL)
        def feed():
            i = 0
            try:
                while i < len(lines):
                    n = random.randint(1, 50)
                    p.stdin.write("".join(lines[i:i + n]).encode())
                    p.stdin.flush()
                    i += n
                    time.sleep(random.random() * 0.02)
                p.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
        t = threading.Thread(target=feed)
        t.start()
        time.sleep(one * random.uniform(0.5, 4))
        p.send_signal(signal.SIGKILL)
        p.wait()
        t.join()
    data = open(out_path, "rb").read()
    answered = data.count(b"\n")  # a line cut by the kill was never answered
    events = decision_events()[before:]
    answered_total += answered
    cut += 0 < answered < len(lines)
    asked = [json.loads(l)["subject_id"] for l in lines[:answered]]
    logged = [e["subject_id"] for e in events[:answered]]
    if len(events) < answered or asked != logged:
        print(f"kill {kill}: {answered} answered but {len(events)} events, first difference "
              f"{next((i for i, (a, b) in enumerate(zip(asked, logged)) if a != b), None)}")
        sys.exit(1)
print(f"20 kills: {answered_total} answered decisions, each with its event; {cut} streams "
      "cut after some answers")
if cut == 0:
    print("no kill fell between a stream's first and last answer")
    sys.exit(1)
PY
rc=$?
check "after 20 SIGKILLs every answered decision has its audit event, in order" [ "$rc" -eq 0 ]
run '' audit verify --public-key "$scratch/sk.pub"
check "the audit log verifies after the kills" exit_is 0
finish
