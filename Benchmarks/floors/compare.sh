#!/usr/bin/env bash
# Steward beside the database floors (Benchmarks/floors/floor.py), the same workloads
# interleaved in one run, so the ratios hold while the shared machine's speed drifts.
#
#   Benchmarks/floors/compare.sh                 # SQLite and PostgreSQL, 3 rounds
#   ROUNDS=5 BACKENDS=sqlite Benchmarks/floors/compare.sh
#
# Builds the release binary if missing, puts psycopg (pinned) in a venv under $WORK for the
# PostgreSQL floor, starts a throwaway PostgreSQL cluster (scripts/postgres-cluster.sh) and stops
# it on exit. Prints medians per figure and Steward / floor; every result line is kept in
# $WORK/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${ROUNDS:-3}"
BACKENDS="${BACKENDS:-sqlite postgres}"
WORK="${WORK:-${TMPDIR:-/tmp}/steward-floors}"
log() { printf '== %s\n' "$*" >&2; }
mkdir -p "$WORK"
results="$WORK/results.jsonl"
: >"$results"

[ -x .build/release/steward ] || { log "building the release binary"; swift build -c release --product steward >/dev/null; }
steward=.build/release/steward

if [[ " $BACKENDS " == *" postgres "* ]]; then
  source scripts/postgres-cluster.sh
  install_missing
  trap stop_postgres EXIT INT TERM
  start_postgres
  if [ ! -x "$WORK/venv/bin/python" ]; then
    log "creating $WORK/venv with psycopg"
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install -q "psycopg[binary]==3.3.9"
  fi
fi
python="$WORK/venv/bin/python"
[ -x "$python" ] || python=python3

run() {  # system backend workload command...
  local system="$1" backend="$2" workload="$3"
  shift 3
  local line
  line="$("$@")" || { log "$system $workload failed"; return 1; }
  printf '%s\n' "$line" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read().strip().splitlines()[-1])
r.update({"system": sys.argv[1], "backend": sys.argv[2], "workload": sys.argv[3]})
print(json.dumps(r, sort_keys=True))' "$system" "$backend" "$workload" >>"$results"
}

for round in $(seq 1 "$ROUNDS"); do
  for backend in $BACKENDS; do
    for workload in throughput latency; do
      log "round $round/$ROUNDS: $backend $workload"
      if [ "$backend" = sqlite ]; then
        run steward sqlite "$workload" "$steward" bench --workload "$workload" --json
        run floor sqlite "$workload" "$python" Benchmarks/floors/floor.py sqlite --workload "$workload"
      else
        url="$PG_URL?sslmode=disable&schema=steward_bench"
        run steward postgres "$workload" "$steward" bench --workload "$workload" --json --fresh --store "$url"
        run floor postgres "$workload" "$python" Benchmarks/floors/floor.py postgres --workload "$workload" \
          --dsn "postgresql://steward@127.0.0.1:$PG_PORT/steward_test"
      fi
    done
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = {"throughput": ["enqueue_single_per_s", "enqueue_bulk_per_s", "process_per_s", "e2e_s"],
        "latency": ["p50_ms", "p90_ms", "p99_ms", "max_ms"]}
for backend in sorted({r["backend"] for r in rows}):
    for workload, names in keys.items():
        group = [r for r in rows if r["backend"] == backend and r["workload"] == workload]
        if not group:
            continue
        n = len([r for r in group if r["system"] == "steward"])
        print(f"\n{backend} {workload} (medians of {n})")
        print("| figure | Steward | floor | Steward / floor |")
        print("|---|---:|---:|---:|")
        for name in names:
            med = {s: statistics.median(r[name] for r in group if r["system"] == s) for s in ("steward", "floor")}
            ratio = med["steward"] / med["floor"] if med["floor"] else float("nan")
            print(f"| {name} | {med['steward']:,.3f} | {med['floor']:,.3f} | {ratio:.2f}x |".replace(".000 ", " "))
PY
