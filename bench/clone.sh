#!/usr/bin/env bash
# The clone benchmark: on one machine, in one run, against the same source data, it times
#   1. the raw pipe: psql COPY (SELECT …) TO STDOUT (FORMAT binary) | psql COPY … FROM STDIN (FORMAT binary), table by
#      table, BENCH_JOBS streams at once, into tables without keys or indexes: the floor of any data copy;
#   2. follow clone --table-jobs N --index-jobs N (its data phase, the whole command, its peak resident memory);
#   3. pgcopydb clone --table-jobs N --index-jobs N (the whole command);
# and prints the times and the ratios Follow aims at. See bench/README.md.
#   bench/clone.sh         start (or reuse) the servers, load the data unless loaded at this scale, measure, stop
#   bench/clone.sh stop    stop the benchmark servers
# Environment: BENCH_SCALE (1), BENCH_JOBS (2), BENCH_STEPS ("raw follow pgcopydb"), BENCH_RUNS (1), BENCH_SOURCE_PORT (55532),
# BENCH_TARGET_PORT (55533), BENCH_DIR (.bench), BENCH_KEEP_SERVERS (unset: stop the servers at the end),
# BENCH_DATA_START / BENCH_DATA_END (patterns of follow's log lines around its data phase).
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
. scripts/lib.sh
. bench/lib.sh

# One raw stream, run by xargs: bench/clone.sh _pipe TABLE (environment from the main run).
if [ "${1:-}" = _pipe ]; then
  "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -d "$BENCH_SOURCE_URI" -c "COPY (SELECT * FROM $2) TO STDOUT (FORMAT binary)" \
    | "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -d "$BENCH_RAW_URI" -c "COPY $2 FROM STDIN (FORMAT binary)"
  exit
fi

repo=$PWD
scale=${BENCH_SCALE:-1}
jobs=${BENCH_JOBS:-2}
steps=${BENCH_STEPS-raw follow pgcopydb}
runs=${BENCH_RUNS:-1}
source_port=${BENCH_SOURCE_PORT:-55532}
target_port=${BENCH_TARGET_PORT:-55533}
data_start=${BENCH_DATA_START:-data phase: run}
data_end=${BENCH_DATA_END:-data phase done}
database=adplatform

bench_environment "$repo"

if [ "${1:-}" = stop ]; then
  stop_cluster source
  stop_cluster target
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: bench/clone.sh [stop]   (settings in BENCH_* variables, see bench/README.md)" >&2
  exit 2
fi

# Index builds are part of every clone measured here.
server_settings+=("maintenance_work_mem = 512MB")

drop_database() { sql "$target_port" postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

# Written before each measurement, so that none pays for the dirty pages of the one before.
if [ "$bench" != "$repo/.bench" ] && [ -z "${BENCH_DIR:-}" ]; then
  echo "The postgres user cannot reach $repo, so the benchmark clusters live in $bench." >&2
fi
mkdir -p "$bench"
work=$bench/work
rm -rf "$work"
mkdir -p "$work"
if is_root; then chmod 755 "$bench"; fi

if [ -z "${BENCH_KEEP_SERVERS:-}" ]; then
  trap 'stop_cluster source; stop_cluster target' EXIT
fi
source_port=$(start_cluster source "$source_port" | tail -n 1)
target_port=$(start_cluster target "$target_port" | tail -n 1)
source_uri=$(uri "$source_port" "$database")

# The data is kept between runs: loading it again only when the scale changed.
loaded=$(value "$source_port" postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$database'")
if [ "$loaded" != "follow bench scale $scale" ]; then
  echo "Loading the ad-platform data at scale $scale into the source..." >&2
  started=$(now)
  recreate_database "$source_port" "$database"
  sql "$source_port" "$database" -f samples/ad-platform/schema.sql
  sql "$source_port" "$database" -v scale="$scale" -o /dev/null -f bench/ad-platform-data.sql
  sql "$source_port" "$database" -c "COMMENT ON DATABASE $database IS 'follow bench scale $scale'"
  echo "Loaded in $(seconds "$started" "$(now)") s." >&2
fi
database_mb=$(value "$source_port" postgres "SELECT round(pg_database_size('$database') / 1048576.0)")
mapfile -t tables < <(value "$source_port" "$database" "
  SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   ORDER BY pg_table_size(c.oid) DESC")
# Throughputs are the tables' data (heap and TOAST, no indexes) over the time taken.
data_mb=$(value "$source_port" "$database" "
  SELECT round(sum(pg_table_size(c.oid)) / 1048576.0, 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')")
echo "Source: scale $scale, database $database_mb MB, table data $data_mb MB, ${#tables[@]} tables; $jobs table jobs, $jobs index jobs." >&2

raw_s="" follow_data_s="" follow_s="" follow_rss_mb="" pgcopydb_s="" failed=0 notes=()

run_raw() {
  echo "1. Raw pipe, $jobs streams..." >&2
  recreate_database "$target_port" bench_raw
  # Plain copies of the tables: pg_dump's pre-data section has the tables and sequences but no keys or indexes.
  "$bindir/pg_dump" --schema-only --section=pre-data --no-owner --no-publications -d "$source_uri" \
    | sql "$target_port" bench_raw -o /dev/null
  checkpoint
  BENCH_RAW_URI=$(uri "$target_port" bench_raw)
  export BENCH_PSQL=$psql BENCH_SOURCE_URI=$source_uri BENCH_RAW_URI
  local started
  started=$(now)
  if ! printf '%s\n' "${tables[@]}" | xargs -P "$jobs" -I{} "$self" _pipe {}; then
    echo "The raw pipe failed." >&2
    failed=1
    return
  fi
  raw_s=$(seconds "$started" "$(now)")
  check_rows bench_raw || { echo "The raw pipe copied the wrong number of rows." >&2; failed=1; raw_s=""; }
  drop_database bench_raw
}

run_follow() {
  echo "2. follow clone --table-jobs $jobs --index-jobs $jobs..." >&2
  local time_bin=/usr/bin/time
  ensure_gnu_time || { failed=1; return; }
  if [ -z "${follow_built:-}" ]; then
    build_follow "$work/build.log" || { failed=1; return; }
    follow_built=1
  fi
  recreate_database "$target_port" bench_follow
  checkpoint
  local started status log=$work/follow.log
  started=$(now)
  set +e
  (FOLLOW_LOG_LEVEL=Information "$time_bin" -v -o "$work/follow.time" ${BENCH_WRAP:-} dotnet "$follow_dll" clone \
      --source "$source_uri" --target "$(uri "$target_port" bench_follow)" --rules samples/ad-platform/rules.txt \
      --table-jobs "$jobs" --index-jobs "$jobs" --slot-name bench_follow 2>&1) | stamp >"$log"
  status=${PIPESTATUS[0]}
  set -e
  local ended
  ended=$(now)
  # The clone leaves its slot and publication for the stream; here they would only hold WAL back (not timed).
  sql "$source_port" "$database" -o /dev/null <<'SQL'
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database() AND NOT active;
SELECT format('DROP PUBLICATION %I', pubname) FROM pg_publication \gexec
SQL
  if [ "$status" -ne 0 ]; then
    echo "follow clone failed with exit status $status:" >&2
    cut -d' ' -f2- "$log" | tail -n 5 | sed 's/^/  /' >&2
    if grep -qE "schema only|Unrecognized command or argument '--table-jobs'" "$log"; then
      echo "This build of follow has no data copy yet (follow clone --schema-only only): part 2 cannot be measured." >&2
    fi
    failed=1
    return
  fi
  follow_s=$(seconds "$started" "$ended")
  follow_rss_mb=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/follow.time")
  local first last
  first=$(grep -iE "$data_start" "$log" | head -n 1 | cut -d' ' -f1 || true)
  last=$(grep -iE "$data_end" "$log" | tail -n 1 | cut -d' ' -f1 || true)
  if [ -n "$first" ] && [ -n "$last" ]; then
    follow_data_s=$(seconds "$first" "$last")
  else
    notes+=("follow's log has no lines matching '$data_start' and '$data_end': its data phase is taken as the whole command.")
    follow_data_s=$follow_s
  fi
  check_rows bench_follow || { echo "follow clone copied the wrong number of rows." >&2; failed=1; }
  drop_database bench_follow
}

run_pgcopydb() {
  echo "3. pgcopydb clone --table-jobs $jobs --index-jobs $jobs..." >&2
  if ! command -v pgcopydb >/dev/null; then
    if is_root; then DEBIAN_FRONTEND=noninteractive apt-get install -y pgcopydb >/dev/null; else
      echo "pgcopydb is missing: install the Debian package pgcopydb." >&2; failed=1; return; fi
  fi
  recreate_database "$target_port" bench_pgcopydb
  rm -rf "$work/pgcopydb"
  checkpoint
  local started status
  started=$(now)
  set +e
  # pg_dump and pg_restore of the same major version as the servers.
  PATH=$bindir:$PATH pgcopydb clone --source "$source_uri" --target "$(uri "$target_port" bench_pgcopydb)" \
    --table-jobs "$jobs" --index-jobs "$jobs" --no-owner --dir "$work/pgcopydb" >"$work/pgcopydb.log" 2>&1
  status=$?
  set -e
  if [ "$status" -ne 0 ]; then
    echo "pgcopydb clone failed with exit status $status (log: $work/pgcopydb.log):" >&2
    tail -n 5 "$work/pgcopydb.log" | sed 's/^/  /' >&2
    failed=1
    return
  fi
  pgcopydb_s=$(seconds "$started" "$(now)")
  check_rows bench_pgcopydb || { echo "pgcopydb clone copied the wrong number of rows." >&2; failed=1; }
  drop_database bench_pgcopydb
}

# median VALUES...: the middle value (the mean of the two middle ones), or nothing without values.
median() { [ $# -gt 0 ] && printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Rounds of every part, one after the other, so that the machine's slow spells fall on all of them; medians are shown.
raws=() follows=() follow_datas=() follow_rsss=() pgcopydbs=()
for round in $(seq "$runs"); do
  if [ "$runs" -gt 1 ]; then echo "Round $round of $runs" >&2; fi
  raw_s="" follow_s="" follow_data_s="" follow_rss_mb="" pgcopydb_s=""
  for step in $steps; do
    case $step in
      raw) run_raw ;;
      follow) run_follow ;;
      pgcopydb) run_pgcopydb ;;
      *) echo "Unknown step '$step' in BENCH_STEPS (raw, follow, pgcopydb)." >&2; exit 2 ;;
    esac
  done
  [ -n "$raw_s" ] && raws+=("$raw_s")
  [ -n "$follow_s" ] && follows+=("$follow_s")
  [ -n "$follow_data_s" ] && follow_datas+=("$follow_data_s")
  [ -n "$follow_rss_mb" ] && follow_rsss+=("$follow_rss_mb")
  [ -n "$pgcopydb_s" ] && pgcopydbs+=("$pgcopydb_s")
  if [ "$runs" -gt 1 ]; then
    echo "  raw ${raw_s:--} s, follow data ${follow_data_s:--} s, follow whole ${follow_s:--} s, pgcopydb ${pgcopydb_s:--} s" >&2
  fi
done
raw_s=$(median "${raws[@]}") follow_s=$(median "${follows[@]}") follow_data_s=$(median "${follow_datas[@]}") pgcopydb_s=$(median "${pgcopydbs[@]}")
# The largest, not the median: the limit holds for every run.
follow_rss_mb=$(printf '%s\n' "${follow_rsss[@]}" | sort -n | tail -n 1)

rate() { [ -n "$1" ] && awk -v mb="$data_mb" -v s="$1" 'BEGIN { printf "%.0f MB/s", mb / s }'; }
shown() { [ -n "$1" ] && echo "$1 s" || echo "-"; }
# verdict VALUE OPERATOR TARGET: ok or MISSED, or - without a value.
verdict() { [ -z "$1" ] && { echo "-"; return; }; awk -v v="$1" -v t="$3" "BEGIN { print (v $2 t) ? \"ok\" : \"MISSED\" }"; }

echo
echo "Clone benchmark: scale $scale ($database_mb MB database, $data_mb MB of table data), $jobs table jobs, $jobs index jobs$([ "$runs" -gt 1 ] && echo ", medians of $runs rounds")"
printf '%-40s %10s %12s\n' "measurement" "time" "throughput"
printf '%-40s %10s %12s\n' "raw pipe ($jobs binary COPY streams)" "$(shown "$raw_s")" "$(rate "$raw_s")"
printf '%-40s %10s %12s\n' "follow clone, data phase" "$(shown "$follow_data_s")" "$(rate "$follow_data_s")"
printf '%-40s %10s\n' "follow clone, whole" "$(shown "$follow_s")"
printf '%-40s %10s\n' "pgcopydb clone, whole" "$(shown "$pgcopydb_s")"
echo
data_ratio="" whole_ratio=""
[ -n "$raw_s" ] && [ -n "$follow_data_s" ] && data_ratio=$(awk -v r="$raw_s" -v f="$follow_data_s" 'BEGIN { printf "%.2f", r / f }')
[ -n "$follow_s" ] && [ -n "$pgcopydb_s" ] && whole_ratio=$(awk -v f="$follow_s" -v p="$pgcopydb_s" 'BEGIN { printf "%.2f", f / p }')
printf '%-52s %8s %10s %7s\n' "ratio" "value" "target" ""
printf '%-52s %8s %10s %7s\n' "follow data throughput / raw pipe throughput" "${data_ratio:--}" ">= 0.9" "$(verdict "$data_ratio" '>=' 0.9)"
printf '%-52s %8s %10s %7s\n' "follow whole clone time / pgcopydb clone time" "${whole_ratio:--}" "< 1" "$(verdict "$whole_ratio" '<' 1)"
printf '%-52s %8s %10s %7s\n' "follow peak resident memory (MB)" "${follow_rss_mb:--}" "< 200" "$(verdict "$follow_rss_mb" '<' 200)"
for note in "${notes[@]}"; do echo "Note: $note"; done
if [ "$failed" -ne 0 ]; then echo "Some measurements failed (the messages above say why): exit status 1."; fi
exit $failed
