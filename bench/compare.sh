#!/usr/bin/env bash
# The live compare benchmark: on one machine, in one run, the ad-platform sample is cloned, follow follow streams
# while pgbench writes small transactions at BENCH_RATE a second, and
#   1. follow compare data --live is timed (the follower held at its pause point while it compares), then the
#      seconds until the follower is back under 1 s of lag (follow list progress's lagSeconds);
#   2. the writes stop, the follower reaches endpos, and follow compare data on the stopped source is timed.
# It prints both times and their ratio (target: --live at most 1.3 x), and the catch-up (target: within 30 s).
#   bench/compare.sh         start (or reuse) the servers, load the sample, measure, stop
#   bench/compare.sh stop    stop the benchmark servers
# Environment: BENCH_SCALE (1; bench/clone.sh's 28 is about 1 GB), BENCH_RATE (200 transactions a second),
# BENCH_SOURCE_PORT (55536), BENCH_TARGET_PORT (55537), BENCH_DIR (.bench), BENCH_KEEP_SERVERS, BENCH_FOLLOW_DLL.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
. scripts/lib.sh
. bench/lib.sh

repo=$PWD
scale=${BENCH_SCALE:-1}
rate=${BENCH_RATE:-200}
source_port=${BENCH_SOURCE_PORT:-55536}
target_port=${BENCH_TARGET_PORT:-55537}
database=adplatform
slot=bench_compare
bench_environment "$repo"

if [ "${1:-}" = stop ]; then
  stop_cluster compare-source
  stop_cluster compare-target
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: bench/compare.sh [stop]   (settings in BENCH_* variables, see bench/README.md)" >&2
  exit 2
fi

mkdir -p "$bench"
work=$bench/compare-work
rm -rf "$work"
mkdir -p "$work"
if is_root; then chmod 755 "$bench"; fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -z "${BENCH_KEEP_SERVERS:-}" ]; then stop_cluster compare-source; stop_cluster compare-target; fi
}
trap cleanup EXIT
source_port=$(start_cluster compare-source "$source_port" | tail -n 1)
target_port=$(start_cluster compare-target "$target_port" | tail -n 1)
source_uri=$(uri "$source_port" "$database")
target_uri=$(uri "$target_port" bench_compare)
follow() { FOLLOW_LOG_LEVEL=Warning dotnet "$follow_dll" "$@"; }
build_follow "$work/build.log"

load_sample "$source_port" "$database" "$scale"
sql "$source_port" postgres -o /dev/null -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot'"
recreate_database "$target_port" bench_compare
echo "Cloning with follow clone..." >&2
follow clone --source "$source_uri" --target "$target_uri" --rules samples/ad-platform/rules.txt --slot-name "$slot" >"$work/clone.log" 2>&1 \
  || { tail -n 5 "$work/clone.log" >&2; echo "follow clone failed (log: $work/clone.log)." >&2; exit 1; }

follow follow --source "$source_uri" --target "$target_uri" --slot-name "$slot" >"$work/follow.log" 2>&1 &
follower=$!
pids+=("$follower")
# Small transactions on rows of every tenant: a click inserted under an ad, its campaign's budget raised.
cat >"$work/workload.pgbench" <<'SQL'
\set ad random(:ad_min, :ad_max)
BEGIN;
INSERT INTO clicks (ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
SELECT id, now(), 'https://bench', 0.1, '10.0.0.1', '{}' FROM ads WHERE id = :ad;
UPDATE campaigns SET monthly_budget = coalesce(monthly_budget, 0) + 1 WHERE id = (SELECT campaign_id FROM ads WHERE id = :ad);
COMMIT;
SQL
ad_min=$(value "$source_port" "$database" "SELECT min(id) FROM ads")
ad_max=$(value "$source_port" "$database" "SELECT max(id) FROM ads")
"$bindir/pgbench" -n -c 2 -R "$rate" -T 100000 -D ad_min="$ad_min" -D ad_max="$ad_max" -f "$work/workload.pgbench" "$source_uri" >"$work/pgbench.log" 2>&1 &
writer=$!
pids+=("$writer")
sleep 5

lag() { follow list progress --json --source "$source_uri" --target "$target_uri" | jq -r '.stream.lagSeconds // 1000'; }
echo "Comparing with follow compare data --live while pgbench writes..." >&2
checkpoint() { sql "$source_port" postgres -c CHECKPOINT; sql "$target_port" postgres -c CHECKPOINT; }
checkpoint
start=$(now)
status=0
follow compare data --live --source "$source_uri" --target "$target_uri" >"$work/live.out" 2>"$work/live.err" || status=$?
live=$(seconds "$start" "$(now)")
[ "$status" -eq 0 ] || { cat "$work/live.out" "$work/live.err" >&2; echo "compare --live exited $status." >&2; exit 1; }
caught=$(now)
catch_up=-
while [ "$(seconds "$caught" "$(now)" | cut -d. -f1)" -lt 60 ]; do
  if awk -v l="$(lag)" 'BEGIN { exit !(l < 1) }'; then catch_up=$(seconds "$caught" "$(now)"); break; fi
  sleep 0.5
done

kill "$writer"; wait "$writer" 2>/dev/null || true
follow sentinel set endpos --current --source "$source_uri" --target "$target_uri" >/dev/null
wait "$follower" || { tail -n 5 "$work/follow.log" >&2; echo "follow follow failed (log: $work/follow.log)." >&2; exit 1; }
echo "Comparing with follow compare data on the stopped source..." >&2
checkpoint
start=$(now)
follow compare data --source "$source_uri" --target "$target_uri" >"$work/stopped.out" 2>&1 || { cat "$work/stopped.out" >&2; exit 1; }
stopped=$(seconds "$start" "$(now)")

size=$(value "$source_port" "$database" "SELECT pg_size_pretty(sum(pg_table_size(oid))) FROM pg_class WHERE relname IN ('companies', 'campaigns', 'ads', 'clicks', 'impressions')")
ratio=$(awk -v a="$live" -v b="$stopped" 'BEGIN { printf "%.2f", a / b }')
echo "scale $scale ($size), pgbench at $rate transactions/s"
echo "compare data --live (source writing):  $live s"
echo "compare data (source stopped):         $stopped s"
echo "ratio --live / stopped:                $ratio (target <= 1.3)"
echo "follower back under 1 s of lag after:  $catch_up s (target <= 30)"
