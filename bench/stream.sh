#!/usr/bin/env bash
# The stream benchmark: on one machine, in one run, the same backlog of small source transactions is applied
#   1. by follow follow (to a plain PostgreSQL target cloned with follow clone), start to exit, and
#   2. by PostgreSQL's own logical replication (a subscription on a plain PostgreSQL target, enabled after the
#      backlog was written), from ALTER SUBSCRIPTION ... ENABLE until its slot confirmed the backlog's end;
# then one transaction of BENCH_BIG_ROWS rows goes through both the same way, with follow's peak resident memory.
# It prints the rates (row changes per second) and their ratio. See bench/README.md.
#   bench/stream.sh         start (or reuse) the servers, load the sample, write the backlog, measure, stop
#   bench/stream.sh stop    stop the benchmark servers
# Environment: BENCH_SCALE (1), BENCH_TXNS (40000), BENCH_BIG_ROWS (1000000; 0 skips that part),
# BENCH_SOURCE_PORT (55534), BENCH_TARGET_PORT (55535), BENCH_DIR (.bench), BENCH_KEEP_SERVERS (unset: stop the
# servers at the end), BENCH_WRAP (a command put before follow follow, e.g. strace).
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
. scripts/lib.sh
. bench/lib.sh

repo=$PWD
scale=${BENCH_SCALE:-1}
txns=${BENCH_TXNS:-40000}
big_rows=${BENCH_BIG_ROWS:-1000000}
source_port=${BENCH_SOURCE_PORT:-55534}
target_port=${BENCH_TARGET_PORT:-55535}
database=adplatform
template=adplatform_loaded
slot=bench_stream
native=bench_native

bench_environment "$repo"

if [ "${1:-}" = stop ]; then
  stop_cluster stream-source
  stop_cluster stream-target
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: bench/stream.sh [stop]   (settings in BENCH_* variables, see bench/README.md)" >&2
  exit 2
fi

mapfile -t tables < <(printf '%s\n' companies campaigns ads clicks impressions)

mkdir -p "$bench"
work=$bench/stream-work
rm -rf "$work"
mkdir -p "$work"
if is_root; then chmod 755 "$bench"; fi
if [ -z "${BENCH_KEEP_SERVERS:-}" ]; then
  trap 'stop_cluster stream-source; stop_cluster stream-target' EXIT
fi
source_port=$(start_cluster stream-source "$source_port" | tail -n 1)
target_port=$(start_cluster stream-target "$target_port" | tail -n 1)
source_uri=$(uri "$source_port" "$database")
follow_uri=$(uri "$target_port" bench_follow)
follow() { FOLLOW_LOG_LEVEL=Information dotnet "$follow_dll" "$@"; }

ensure_gnu_time
build_follow "$work/build.log"

# The sample is loaded once into a template; each run starts from a fresh copy of it, since the backlog changes it.
loaded=$(value "$source_port" postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$template'")
if [ "$loaded" != "follow bench scale $scale" ]; then
  echo "Loading the ad-platform data at scale $scale..." >&2
  recreate_database "$source_port" "$template"
  sql "$source_port" "$template" -f samples/ad-platform/schema.sql
  sql "$source_port" "$template" -v scale="$scale" -o /dev/null -f bench/ad-platform-data.sql
  sql "$source_port" "$template" -c "COMMENT ON DATABASE $template IS 'follow bench scale $scale'"
fi
recreate_database "$source_port" "$database"
sql "$source_port" postgres -c "DROP DATABASE $database" -c "CREATE DATABASE $database TEMPLATE $template"

echo "Cloning into bench_follow with follow clone (slot $slot)..." >&2
recreate_database "$target_port" bench_follow
if ! follow clone --source "$source_uri" --target "$follow_uri" --rules samples/ad-platform/rules.txt --slot-name "$slot" \
    >"$work/clone.log" 2>&1; then
  tail -n 5 "$work/clone.log" >&2
  echo "follow clone failed (log: $work/clone.log)." >&2
  exit 1
fi

# The native target gets the same schema and data; the source takes no writes meanwhile, so the subscription's
# slot, created after the copy, starts exactly where the copy ends (copy_data = false).
echo "Copying into $native and creating its subscription (disabled, slot $native)..." >&2
recreate_database "$target_port" "$native"
"$bindir/pg_dump" --no-owner --no-publications --no-subscriptions -d "$source_uri" | sql "$target_port" "$native" -o /dev/null
sql "$source_port" "$database" -c "CREATE PUBLICATION $native FOR TABLE $(IFS=,; echo "${tables[*]}")"
sql "$target_port" "$native" -c "CREATE SUBSCRIPTION $native CONNECTION 'host=127.0.0.1 port=$source_port dbname=$database user=postgres'
  PUBLICATION $native WITH (enabled = false, copy_data = false, slot_name = '$native')"

echo "Writing the backlog: $txns transactions of 3 row changes..." >&2
started=$(now)
sql "$source_port" "$database" -v txns="$txns" -o /dev/null -f bench/stream-workload.sql
end_lsn=$(value "$source_port" "$database" "SELECT pg_current_wal_lsn()")
changes=$((3 * txns))
echo "Written in $(seconds "$started" "$(now)") s, up to $end_lsn." >&2

# wait_native LSN: until the subscription's slot confirmed LSN (the subscriber flushed everything before it).
wait_native() {
  while [ "$(value "$source_port" "$database" "SELECT confirmed_flush_lsn >= '$1' FROM pg_replication_slots WHERE slot_name = '$native'")" != t ]; do
    sleep 0.05
  done
}

# run_follow NAME: follow sentinel set endpos --current, then follow follow to its exit, under GNU time; prints seconds.
run_follow() {
  local started status
  started=$(now)
  follow sentinel set endpos --current --source "$source_uri" --target "$follow_uri" >"$work/$1-endpos.log" 2>&1
  set +e
  FOLLOW_LOG_LEVEL=Information /usr/bin/time -v -o "$work/$1.time" ${BENCH_WRAP:-} dotnet "$follow_dll" follow \
    --source "$source_uri" --target "$follow_uri" --rules samples/ad-platform/rules.txt --slot-name "$slot" 2>&1 | stamp >"$work/$1.log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    tail -n 5 "$work/$1.log" >&2
    echo "follow follow failed with exit status $status (log: $work/$1.log)." >&2
    return 1
  fi
  seconds "$started" "$(now)"
}

# streamed_seconds NAME: from the follower's first streamed position to endpos, without its start-up and the
# sequences set after; from the times stamped on its log lines.
streamed_seconds() {
  awk '/streaming from slot/ && !s { s = $1 } /endpos .* reached|idle past endpos/ { e = $1 } END { if (s && e) printf "%.2f", e - s }' "$work/$1.log"
}

rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/$1.time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
failed=0

echo "1. follow follow, $changes changes..." >&2
checkpoint
follow_s=$(run_follow backlog) || exit 1
follow_rss=$(rss_mb backlog)
streamed_s=$(streamed_seconds backlog)
check_rows bench_follow || { echo "follow follow applied the wrong number of rows." >&2; failed=1; }

echo "2. native subscription, $changes changes..." >&2
checkpoint
started=$(now)
sql "$target_port" "$native" -c "ALTER SUBSCRIPTION $native ENABLE"
wait_native "$end_lsn"
native_s=$(seconds "$started" "$(now)")
check_rows "$native" || { echo "The subscription applied the wrong number of rows." >&2; failed=1; }

big_follow_s="" big_native_s="" big_rss=""
if [ "$big_rows" -gt 0 ]; then
  echo "3. one transaction of $big_rows inserted rows: follow follow, then the subscription..." >&2
  sql "$target_port" "$native" -c "ALTER SUBSCRIPTION $native DISABLE"
  sql "$source_port" "$database" -o /dev/null -v rows="$big_rows" <<'SQL'
INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
SELECT a.min + g % a.count, now(), 'https://big.example/' || g, g % 1000 / 1000.0, '10.0.0.3', jsonb_build_object('g', g)
  FROM generate_series(1, :rows) g, (SELECT min(id), count(*) FROM ads) a;
SQL
  big_end=$(value "$source_port" "$database" "SELECT pg_current_wal_lsn()")
  checkpoint
  big_follow_s=$(run_follow big) || exit 1
  big_rss=$(rss_mb big)
  checkpoint
  started=$(now)
  sql "$target_port" "$native" -c "ALTER SUBSCRIPTION $native ENABLE"
  wait_native "$big_end"
  big_native_s=$(seconds "$started" "$(now)")
  check_rows bench_follow || { echo "follow follow applied the wrong number of rows." >&2; failed=1; }
  check_rows "$native" || { echo "The subscription applied the wrong number of rows." >&2; failed=1; }
fi

# The slots would hold WAL back until the next run drops the database.
sql "$target_port" "$native" -o /dev/null -c "ALTER SUBSCRIPTION $native DISABLE" \
  -c "ALTER SUBSCRIPTION $native SET (slot_name = NONE)" -c "DROP SUBSCRIPTION $native"
follow stream cleanup --source "$source_uri" --target "$follow_uri" --slot-name "$slot" >"$work/cleanup.log" 2>&1 || true
sql "$source_port" "$database" -o /dev/null -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$native'"

follow_rate=$(rate "$changes" "$follow_s")
native_rate=$(rate "$changes" "$native_s")
ratio=$(awk -v f="$follow_rate" -v n="$native_rate" 'BEGIN { printf "%.2f", f / n }')
echo
echo "Stream benchmark: scale $scale, a backlog of $txns transactions, $changes row changes (inserts, updates, deletes)"
printf '%-48s %10s %14s %10s\n' "measurement" "time" "changes/s" "peak RSS"
printf '%-48s %8s s %14s %7s MB\n' "follow follow (endpos --current, start to exit)" "$follow_s" "$follow_rate" "$follow_rss"
[ -n "$streamed_s" ] && printf '%-48s %8s s %14s\n' "follow follow, streaming alone (start to endpos)" "$streamed_s" "$(rate "$changes" "$streamed_s")"
printf '%-48s %8s s %14s\n' "native subscription (enable to confirmed)" "$native_s" "$native_rate"
if [ -n "$big_follow_s" ]; then
  printf '%-48s %8s s %14s %7s MB\n' "follow follow, one $big_rows-row transaction" "$big_follow_s" "$(rate "$big_rows" "$big_follow_s")" "$big_rss"
  printf '%-48s %8s s %14s\n' "native, one $big_rows-row transaction" "$big_native_s" "$(rate "$big_rows" "$big_native_s")"
fi
echo
verdict() { awk -v v="$1" -v t="$3" "BEGIN { print (v $2 t) ? \"ok\" : \"MISSED\" }"; }
printf '%-52s %8s %10s %7s\n' "ratio" "value" "target" ""
printf '%-52s %8s %10s %7s\n' "follow rate / native rate" "$ratio" ">= 0.5" "$(verdict "$ratio" '>=' 0.5)"
[ -n "$streamed_s" ] && printf '%-52s %8s\n' "follow streaming-alone rate / native rate (for reading)" \
  "$(awk -v f="$(rate "$changes" "$streamed_s")" -v n="$native_rate" 'BEGIN { printf "%.2f", f / n }')"
[ -n "$big_rss" ] && printf '%-52s %8s %10s %7s\n' "follow peak RSS on the big transaction (MB)" "$big_rss" "< 200" "$(verdict "$big_rss" '<' 200)"
if [ "$failed" -ne 0 ]; then echo "Some measurements failed (the messages above say why): exit status 1."; fi
exit $failed
