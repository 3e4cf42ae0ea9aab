#!/usr/bin/env bash
# The stream benchmark: on one machine, in one run, the same backlog of small source transactions is applied
#   BENCH_TARGET=postgres (the default):
#   1. by follow follow (to a plain PostgreSQL target cloned with follow clone), start to exit, and
#   2. by PostgreSQL's own logical replication (a subscription on a plain PostgreSQL target, enabled after the
#      backlog was written), from ALTER SUBSCRIPTION ... ENABLE until its slot confirmed the backlog's end;
#   then one transaction of BENCH_BIG_ROWS rows goes through both the same way, with follow's peak resident memory.
#   BENCH_TARGET=citus (a Citus cluster from ../shared/citus/cluster.sh, started and stopped here):
#   1. by follow follow into Citus, 2. by follow follow into the plain PostgreSQL target, and 3. written on Citus
#      directly by pgbench, BENCH_CLIENTS (8) clients that know each row's tenant (bench/stream-direct.pgbench);
#   BENCH_BIG_ROWS (0 here) rows in one transaction then go through both followers.
# It prints the rates (row changes per second) and their ratios; with BENCH_RUNS=N, the medians of N rounds (each
# round clones again and writes the backlog again). See bench/README.md.
#   bench/stream.sh         start (or reuse) the servers, load the sample, write the backlog, measure, stop
#   bench/stream.sh stop    stop the benchmark servers
# Environment: BENCH_TARGET (postgres or citus), BENCH_SCALE (1), BENCH_TXNS (40000; citus: 10000), BENCH_RUNS (1),
# BENCH_BIG_ROWS (1000000; citus: 0; 0 skips that part), BENCH_CLIENTS (8), BENCH_PGBENCH_MODE (prepared),
# BENCH_SOURCE_PORT (55534), BENCH_TARGET_PORT (55535), CITUS_PORT_BASE (55540), CITUS_CLUSTER_ROOT (.bench/citus),
# BENCH_DIR (.bench), BENCH_KEEP_SERVERS (unset: stop the servers at the end), BENCH_WRAP (a command put before
# follow follow, e.g. strace).
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
. scripts/lib.sh
. bench/lib.sh

repo=$PWD
mode=${BENCH_TARGET:-postgres}
case $mode in
  postgres) default_txns=40000 default_big_rows=1000000 ;;
  citus) default_txns=10000 default_big_rows=0 ;;
  *) echo "BENCH_TARGET is postgres or citus, not '$mode'." >&2; exit 2 ;;
esac
scale=${BENCH_SCALE:-1}
txns=${BENCH_TXNS:-$default_txns}
big_rows=${BENCH_BIG_ROWS:-$default_big_rows}
runs=${BENCH_RUNS:-1}
clients=${BENCH_CLIENTS:-8}
pgbench_mode=${BENCH_PGBENCH_MODE:-prepared}
source_port=${BENCH_SOURCE_PORT:-55534}
target_port=${BENCH_TARGET_PORT:-55535}
database=adplatform
template=adplatform_loaded
slot=bench_stream
citus_slot=bench_stream_citus
direct_slot=bench_direct
native=bench_native

. bench/citus.sh
bench_environment "$repo"
[ "$mode" = citus ] && citus_setup

if [ "${1:-}" = stop ]; then
  stop_cluster stream-source
  stop_cluster stream-target
  citus_stop
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
  trap 'stop_cluster stream-source; stop_cluster stream-target; citus_stop' EXIT
fi
source_port=$(start_cluster stream-source "$source_port" | tail -n 1)
target_port=$(start_cluster stream-target "$target_port" | tail -n 1)
[ "$mode" = citus ] && citus_start "$work/citus-cluster.log"
source_uri=$(uri "$source_port" "$database")
follow_uri=$(uri "$target_port" bench_follow)
follow() { FOLLOW_LOG_LEVEL=Information dotnet "$follow_dll" "$@"; }

if [ "$mode" = citus ]; then
  citus_follow_uri=$(uri "$citus_port" bench_follow)
  direct_uri=$(uri "$citus_port" bench_direct)
  # Each pgbench client runs the same number of transactions.
  if [ $((txns % clients)) -ne 0 ]; then
    txns=$((txns / clients * clients))
    echo "BENCH_TXNS rounded down to $txns, a multiple of the $clients pgbench clients." >&2
  fi
fi
changes=$((3 * txns))

ensure_gnu_time
build_follow "$work/build.log"

# The sample is loaded once into a template; each round starts from a fresh copy of it, since the backlog changes it.
load_sample "$source_port" "$template" "$scale"

# clone_into NAME URI SLOT: follow clone of the source into the database at URI, with its own slot and publication.
clone_into() {
  echo "Cloning into $1 with follow clone (slot $3)..." >&2
  if ! follow clone --source "$source_uri" --target "$2" --rules samples/ad-platform/rules.txt --slot-name "$3" \
      >"$work/clone-$1.log" 2>&1; then
    tail -n 5 "$work/clone-$1.log" >&2
    echo "follow clone into $1 failed (log: $work/clone-$1.log)." >&2
    exit 1
  fi
}

# prepare_round: a fresh source; the targets cloned from it, each follower with its slot; then the backlog.
prepare_round() {
  recreate_database "$source_port" "$database"
  sql "$source_port" postgres -c "DROP DATABASE $database" -c "CREATE DATABASE $database TEMPLATE $template"
  recreate_database "$target_port" bench_follow
  clone_into "PostgreSQL bench_follow" "$follow_uri" "$slot"
  if [ "$mode" = postgres ]; then
    # The native target gets the same schema and data; the source takes no writes meanwhile, so the subscription's
    # slot, created after the copy, starts exactly where the copy ends (copy_data = false).
    echo "Copying into $native and creating its subscription (disabled, slot $native)..." >&2
    recreate_database "$target_port" "$native"
    "$bindir/pg_dump" --no-owner --no-publications --no-subscriptions -d "$source_uri" | sql "$target_port" "$native" -o /dev/null
    sql "$source_port" "$database" -c "CREATE PUBLICATION $native FOR TABLE $(IFS=,; echo "${tables[*]}")"
    sql "$target_port" "$native" -c "CREATE SUBSCRIPTION $native CONNECTION 'host=127.0.0.1 port=$source_port dbname=$database user=postgres'
      PUBLICATION $native WITH (enabled = false, copy_data = false, slot_name = '$native')"
  else
    citus_recreate_database bench_follow
    clone_into "Citus bench_follow" "$citus_follow_uri" "$citus_slot"
    # pgbench's database: the same tables as follow makes them, without a slot; and the backlog's rows with their
    # tenants, as the application would know them (bench/stream-direct-ops.sql, read before the backlog exists).
    citus_recreate_database bench_direct
    clone_into "Citus bench_direct" "$direct_uri" "$direct_slot"
    follow stream cleanup --source "$source_uri" --target "$direct_uri" --slot-name "$direct_slot" >"$work/cleanup-direct.log" 2>&1 \
      || { tail -n 5 "$work/cleanup-direct.log" >&2; echo "follow stream cleanup of $direct_slot failed." >&2; exit 1; }
    sql "$source_port" "$database" -v txns="$txns" -f bench/stream-direct-ops.sql \
      | sql "$citus_port" bench_direct -c "CREATE TABLE bench_ops (i int PRIMARY KEY, kind int NOT NULL, ad bigint, ad_co bigint,
          old bigint, old_co bigint, campaign bigint, campaign_co bigint, click bigint, click_co bigint, impression bigint,
          impression_co bigint)" -c "COPY bench_ops FROM STDIN" -c "ANALYZE bench_ops"
  fi

  echo "Writing the backlog: $txns transactions of 3 row changes..." >&2
  local started
  started=$(now)
  sql "$source_port" "$database" -v txns="$txns" -o /dev/null -f bench/stream-workload.sql
  end_lsn=$(value "$source_port" "$database" "SELECT pg_current_wal_lsn()")
  echo "Written in $(seconds "$started" "$(now)") s, up to $end_lsn." >&2
}

# end_round: the slots (and the subscription) would hold WAL back until the next round drops the database.
end_round() {
  if [ "$mode" = postgres ]; then
    sql "$target_port" "$native" -o /dev/null -c "ALTER SUBSCRIPTION $native DISABLE" \
      -c "ALTER SUBSCRIPTION $native SET (slot_name = NONE)" -c "DROP SUBSCRIPTION $native"
    sql "$source_port" "$database" -o /dev/null -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$native'"
  else
    follow stream cleanup --source "$source_uri" --target "$citus_follow_uri" --slot-name "$citus_slot" >"$work/cleanup-citus.log" 2>&1 || true
  fi
  follow stream cleanup --source "$source_uri" --target "$follow_uri" --slot-name "$slot" >"$work/cleanup.log" 2>&1 || true
}

# wait_native LSN: until the subscription's slot confirmed LSN (the subscriber flushed everything before it).
wait_native() {
  while [ "$(value "$source_port" "$database" "SELECT confirmed_flush_lsn >= '$1' FROM pg_replication_slots WHERE slot_name = '$native'")" != t ]; do
    sleep 0.05
  done
}

# run_follow NAME URI SLOT: follow sentinel set endpos --current, then follow follow into URI to its exit, under GNU
# time; prints seconds.
run_follow() {
  local started status
  started=$(now)
  follow sentinel set endpos --current --source "$source_uri" --target "$2" >"$work/$1-endpos.log" 2>&1
  set +e
  FOLLOW_LOG_LEVEL=Information /usr/bin/time -v -o "$work/$1.time" ${BENCH_WRAP:-} dotnet "$follow_dll" follow \
    --source "$source_uri" --target "$2" --rules samples/ad-platform/rules.txt --slot-name "$3" 2>&1 | stamp >"$work/$1.log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    tail -n 5 "$work/$1.log" >&2
    echo "follow follow failed with exit status $status (log: $work/$1.log)." >&2
    return 1
  fi
  seconds "$started" "$(now)"
}

# run_direct NAME: the backlog written on Citus by pgbench (bench/stream-direct.pgbench), start to exit; prints seconds.
run_direct() {
  local started
  started=$(now)
  if ! "$bindir/pgbench" -n -M "$pgbench_mode" -c "$clients" -j "$clients" -t $((txns / clients)) -D k=0 -D clients="$clients" \
      -f bench/stream-direct.pgbench "$direct_uri" >"$work/$1.log" 2>&1; then
    tail -n 5 "$work/$1.log" >&2
    echo "pgbench failed (log: $work/$1.log)." >&2
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
# Each prints nothing without its values.
rate() { if [ -n "$2" ]; then awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; fi; }
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi; }
largest() { if [ $# -gt 0 ]; then printf '%s\n' "$@" | sort -n | tail -n 1; fi; }
failed=0

# Per round: follow into PostgreSQL (pg), its streaming alone, its peak RSS; the native subscription; follow into
# Citus (citus); pgbench on Citus (direct).
pg_times=() pg_streamed=() pg_rss=() native_times=() citus_times=() citus_streamed=() citus_rss=() direct_times=()
for round in $(seq "$runs"); do
  [ "$runs" -eq 1 ] || echo "Round $round of $runs" >&2
  prepare_round
  if [ "$mode" = citus ]; then
    echo "1. follow follow into Citus, $changes changes..." >&2
    checkpoint
    s=$(run_follow "citus-$round" "$citus_follow_uri" "$citus_slot") || exit 1
    citus_times+=("$s") citus_rss+=("$(rss_mb "citus-$round")")
    s=$(streamed_seconds "citus-$round"); [ -n "$s" ] && citus_streamed+=("$s")
    check_rows bench_follow "$citus_port" || { echo "follow follow applied the wrong number of rows into Citus." >&2; failed=1; }
  fi

  echo "$([ "$mode" = citus ] && echo 2 || echo 1). follow follow into PostgreSQL, $changes changes..." >&2
  checkpoint
  s=$(run_follow "postgres-$round" "$follow_uri" "$slot") || exit 1
  pg_times+=("$s") pg_rss+=("$(rss_mb "postgres-$round")")
  s=$(streamed_seconds "postgres-$round"); [ -n "$s" ] && pg_streamed+=("$s")
  check_rows bench_follow || { echo "follow follow applied the wrong number of rows." >&2; failed=1; }

  if [ "$mode" = citus ]; then
    echo "3. pgbench on Citus, $clients clients, $changes changes..." >&2
    checkpoint
    s=$(run_direct "direct-$round") || exit 1
    direct_times+=("$s")
    check_rows bench_direct "$citus_port" || { echo "pgbench wrote the wrong number of rows on Citus." >&2; failed=1; }
    [ "$runs" -eq 1 ] || echo "  follow into Citus ${citus_times[-1]} s, into PostgreSQL ${pg_times[-1]} s, pgbench on Citus ${direct_times[-1]} s:" \
      "Citus / pgbench $(ratio "${direct_times[-1]}" "${citus_times[-1]}"), Citus / PostgreSQL $(ratio "${pg_times[-1]}" "${citus_times[-1]}")" >&2
  else
    echo "2. native subscription, $changes changes..." >&2
    checkpoint
    started=$(now)
    sql "$target_port" "$native" -c "ALTER SUBSCRIPTION $native ENABLE"
    wait_native "$end_lsn"
    native_times+=("$(seconds "$started" "$(now)")")
    check_rows "$native" || { echo "The subscription applied the wrong number of rows." >&2; failed=1; }
    [ "$runs" -eq 1 ] || echo "  follow ${pg_times[-1]} s, native ${native_times[-1]} s: $(ratio "${native_times[-1]}" "${pg_times[-1]}")" >&2
  fi
  # The last round's slots stay for the large transaction.
  if [ "$round" -lt "$runs" ]; then end_round; fi
done

big_follow_s="" big_native_s="" big_rss="" big_citus_s="" big_citus_rss=""
if [ "$big_rows" -gt 0 ]; then
  if [ "$mode" = citus ]; then
    echo "4. one transaction of $big_rows inserted rows: follow follow into Citus, then into PostgreSQL..." >&2
  else
    echo "3. one transaction of $big_rows inserted rows: follow follow, then the subscription..." >&2
    sql "$target_port" "$native" -c "ALTER SUBSCRIPTION $native DISABLE"
  fi
  sql "$source_port" "$database" -o /dev/null -v rows="$big_rows" <<'SQL'
INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
SELECT a.min + g % a.count, now(), 'https://big.example/' || g, g % 1000 / 1000.0, '10.0.0.3', jsonb_build_object('g', g)
  FROM generate_series(1, :rows) g, (SELECT min(id), count(*) FROM ads) a;
SQL
  big_end=$(value "$source_port" "$database" "SELECT pg_current_wal_lsn()")
  if [ "$mode" = citus ]; then
    checkpoint
    big_citus_s=$(run_follow big-citus "$citus_follow_uri" "$citus_slot") || exit 1
    big_citus_rss=$(rss_mb big-citus)
    check_rows bench_follow "$citus_port" || { echo "follow follow applied the wrong number of rows into Citus." >&2; failed=1; }
  fi
  checkpoint
  big_follow_s=$(run_follow big "$follow_uri" "$slot") || exit 1
  big_rss=$(rss_mb big)
  check_rows bench_follow || { echo "follow follow applied the wrong number of rows." >&2; failed=1; }
  if [ "$mode" = postgres ]; then
    checkpoint
    started=$(now)
    sql "$target_port" "$native" -c "ALTER SUBSCRIPTION $native ENABLE"
    wait_native "$big_end"
    big_native_s=$(seconds "$started" "$(now)")
    check_rows "$native" || { echo "The subscription applied the wrong number of rows." >&2; failed=1; }
  fi
fi
end_round

verdict() { [ -z "$1" ] && { echo "-"; return; }; awk -v v="$1" -v t="$3" "BEGIN { print (v $2 t) ? \"ok\" : \"MISSED\" }"; }
follow_s=$(median "${pg_times[@]}") streamed_s=$(median ${pg_streamed[@]+"${pg_streamed[@]}"})
follow_rss=$(largest "${pg_rss[@]}")
follow_rate=$(rate "$changes" "$follow_s")
rounds=""
[ "$runs" -gt 1 ] && rounds=", medians of $runs rounds (peak RSS: the largest)"
echo
if [ "$mode" = citus ]; then
  citus_s=$(median "${citus_times[@]}") citus_streamed_s=$(median ${citus_streamed[@]+"${citus_streamed[@]}"})
  direct_s=$(median "${direct_times[@]}") citus_peak=$(largest "${citus_rss[@]}" $big_citus_rss)
  citus_rate=$(rate "$changes" "$citus_s") direct_rate=$(rate "$changes" "$direct_s")
  echo "Stream benchmark on Citus (a coordinator and 2 workers): scale $scale, a backlog of $txns transactions, $changes row changes$rounds"
  printf '%-52s %10s %10s %10s\n' "measurement" "time" "changes/s" "peak RSS"
  printf '%-52s %8s s %10s %7s MB\n' "follow follow into Citus (endpos --current to exit)" "$citus_s" "$citus_rate" "$(largest "${citus_rss[@]}")"
  [ -n "$citus_streamed_s" ] && printf '%-52s %8s s %10s\n' "  into Citus, streaming alone (start to endpos)" "$citus_streamed_s" "$(rate "$changes" "$citus_streamed_s")"
  printf '%-52s %8s s %10s %7s MB\n' "follow follow into PostgreSQL" "$follow_s" "$follow_rate" "$follow_rss"
  [ -n "$streamed_s" ] && printf '%-52s %8s s %10s\n' "  into PostgreSQL, streaming alone" "$streamed_s" "$(rate "$changes" "$streamed_s")"
  printf '%-52s %8s s %10s\n' "pgbench on Citus, $clients clients, routed writes" "$direct_s" "$direct_rate"
  if [ -n "$big_citus_s" ]; then
    printf '%-52s %8s s %10s %7s MB\n' "follow into Citus, one $big_rows-row transaction" "$big_citus_s" "$(rate "$big_rows" "$big_citus_s")" "$big_citus_rss"
    printf '%-52s %8s s %10s %7s MB\n' "follow into PostgreSQL, the same transaction" "$big_follow_s" "$(rate "$big_rows" "$big_follow_s")" "$big_rss"
  fi
  echo
  to_direct=$(ratio "$citus_rate" "$direct_rate") to_postgres=$(ratio "$citus_rate" "$follow_rate")
  printf '%-52s %8s %10s %7s\n' "ratio" "value" "target" ""
  printf '%-52s %8s %10s %7s\n' "follow into Citus / pgbench on Citus" "$to_direct" ">= 3" "$(verdict "$to_direct" '>=' 3)"
  printf '%-52s %8s %10s %7s\n' "follow into Citus / follow into PostgreSQL (stretch)" "$to_postgres" ">= 0.5" "$(verdict "$to_postgres" '>=' 0.5)"
  printf '%-52s %8s %10s %7s\n' "follow peak RSS into Citus (MB)" "$citus_peak" "<= 200" "$(verdict "$citus_peak" '<=' 200)"
else
  native_s=$(median "${native_times[@]}")
  native_rate=$(rate "$changes" "$native_s")
  echo "Stream benchmark: scale $scale, a backlog of $txns transactions, $changes row changes (inserts, updates, deletes)$rounds"
  printf '%-48s %10s %14s %10s\n' "measurement" "time" "changes/s" "peak RSS"
  printf '%-48s %8s s %14s %7s MB\n' "follow follow (endpos --current, start to exit)" "$follow_s" "$follow_rate" "$follow_rss"
  [ -n "$streamed_s" ] && printf '%-48s %8s s %14s\n' "follow follow, streaming alone (start to endpos)" "$streamed_s" "$(rate "$changes" "$streamed_s")"
  printf '%-48s %8s s %14s\n' "native subscription (enable to confirmed)" "$native_s" "$native_rate"
  if [ -n "$big_follow_s" ]; then
    printf '%-48s %8s s %14s %7s MB\n' "follow follow, one $big_rows-row transaction" "$big_follow_s" "$(rate "$big_rows" "$big_follow_s")" "$big_rss"
    printf '%-48s %8s s %14s\n' "native, one $big_rows-row transaction" "$big_native_s" "$(rate "$big_rows" "$big_native_s")"
  fi
  echo
  to_native=$(ratio "$follow_rate" "$native_rate")
  printf '%-52s %8s %10s %7s\n' "ratio" "value" "target" ""
  printf '%-52s %8s %10s %7s\n' "follow rate / native rate" "$to_native" ">= 0.5" "$(verdict "$to_native" '>=' 0.5)"
  [ -n "$streamed_s" ] && printf '%-52s %8s\n' "follow streaming-alone rate / native rate (for reading)" \
    "$(ratio "$(rate "$changes" "$streamed_s")" "$native_rate")"
  [ -n "$big_rss" ] && printf '%-52s %8s %10s %7s\n' "follow peak RSS on the big transaction (MB)" "$big_rss" "< 200" "$(verdict "$big_rss" '<' 200)"
fi
if [ "$failed" -ne 0 ]; then echo "Some measurements failed (the messages above say why): exit status 1."; fi
exit $failed
