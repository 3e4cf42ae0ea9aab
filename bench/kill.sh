#!/usr/bin/env bash
# What a kill -9 during the copy costs, now that a rerun keeps the tables completed before it: on one machine, in
# one run, against the same source data,
#   1. follow clone, whole;
#   2. follow clone killed -9 once the rows copied reach BENCH_KILL_AT (0.5) of the estimate, then the same command again (which
#      keeps the completed tables and copies the others from a new snapshot);
# and prints the times, the tables kept, and the cost of the kill: (killed run + rerun) − whole clone, against what
# it cost when a rerun recopied every table (the whole clone again).
#   bench/kill.sh   settings: BENCH_SCALE (5), BENCH_JOBS (2), BENCH_KILL_AT (0.5), BENCH_SOURCE_PORT (55572), BENCH_TARGET_PORT (55573),
#                   BENCH_DIR (/tmp/follow-bench-kill, its own servers: bench/clone.sh's may be running)
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
. scripts/lib.sh
. bench/lib.sh

repo=$PWD
BENCH_DIR=${BENCH_DIR:-/tmp/follow-bench-kill}
bench_environment "$repo"
scale=${BENCH_SCALE:-5}
jobs=${BENCH_JOBS:-2}
kill_at=${BENCH_KILL_AT:-0.5}
[[ $kill_at =~ ^0?\.[0-9]+$ ]] || { echo "BENCH_KILL_AT is a fraction such as 0.5, not '$kill_at'." >&2; exit 2; }
database=adplatform
slot=follow_kill
mkdir -p "$bench"
if is_root; then chmod 755 "$bench"; fi
trap 'stop_cluster source; stop_cluster target' EXIT
source_port=$(start_cluster source "${BENCH_SOURCE_PORT:-55572}" | tail -n 1)
target_port=$(start_cluster target "${BENCH_TARGET_PORT:-55573}" | tail -n 1)
source_uri=$(uri "$source_port" "$database")
target_uri=$(uri "$target_port" target)

load_sample "$source_port" "$database" "$scale"
build_follow "$bench/build.log"

# A new target database, and no slot or publication of an earlier measurement on the source.
fresh() {
  sql "$source_port" "$database" -o /dev/null -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot'" \
    -c "DROP PUBLICATION IF EXISTS $slot"
  recreate_database "$target_port" target
}
clone=(dotnet "$follow_dll" clone --table-jobs "$jobs" --index-jobs "$jobs" --slot-name "$slot" --source "$source_uri" --target "$target_uri"
  --rules samples/ad-platform/rules.txt)
export FOLLOW_LOG_LEVEL=Information

fresh
started=$(now)
"${clone[@]}" >"$bench/whole.log" 2>&1 || { cat "$bench/whole.log" >&2; exit 1; }
whole_s=$(seconds "$started" "$(now)")

fresh
started=$(now)
# A simple command in the background: $! is follow's own process, which kill -9 must reach.
"${clone[@]}" >"$bench/killed.log" 2>&1 &
pid=$!
half="SELECT coalesce(sum(rows) >= sum(estimated_rows) * $kill_at AND sum(estimated_rows) > 0, false) FROM follow.job WHERE run_id = (SELECT max(run_id) FROM follow.run)"
until [ "$(value "$target_port" target "SELECT to_regclass('follow.job') IS NOT NULL AND to_regclass('follow.run') IS NOT NULL")" = t ] \
    && [ "$(value "$target_port" target "$half")" = t ]; do
  kill -0 "$pid" 2>/dev/null || { cat "$bench/killed.log" >&2; echo "the clone ended before $kill_at of its rows were copied" >&2; exit 1; }
  sleep 0.05
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
if pgrep -f -- "--slot-name $slot" >/dev/null; then echo "the killed clone still runs" >&2; exit 1; fi
killed_s=$(seconds "$started" "$(now)")
kept=$(value "$target_port" target "SELECT coalesce(string_agg(table_name, ', '), 'none') FROM (SELECT table_name FROM follow.job
  WHERE run_id = (SELECT max(run_id) FROM follow.run) GROUP BY table_name HAVING bool_and(state = 'completed')) t")
started=$(now)
"${clone[@]}" >"$bench/rerun.log" 2>&1 || { cat "$bench/rerun.log" >&2; exit 1; }
rerun_s=$(seconds "$started" "$(now)")
fresh

echo "scale $scale, $jobs table jobs: whole clone ${whole_s} s"
echo "killed -9 at $kill_at of the rows: ${killed_s} s; completed then (kept by the rerun): $kept"
echo "rerun: ${rerun_s} s; the kill cost $(awk -v k="$killed_s" -v r="$rerun_s" -v w="$whole_s" 'BEGIN { printf "%.2f", k + r - w }') s"
echo "  (a rerun that recopied every table: the whole clone again, the kill cost about $(awk -v k="$killed_s" 'BEGIN { printf "%.2f", k }') s)"
grep -h "tables kept\|data phase done" "$bench/rerun.log" | sed 's/^/  rerun: /'
