#!/usr/bin/env bash
# The clone benchmark: on one machine, in one run, against the same source data, it times
#   1. the raw pipe: psql COPY (SELECT …) TO STDOUT (FORMAT binary) | psql COPY … FROM STDIN (FORMAT binary), table by
#      table, BENCH_JOBS streams at once, into tables without keys or indexes: the floor of any data copy;
#   2. follow clone --table-jobs N --index-jobs N (its data phase, the whole command, its peak resident memory);
#   3. pgcopydb clone --table-jobs N --index-jobs N (the whole command);
# and prints the times and the ratios Follow aims at.
# With BENCH_TARGET=citus the target is a Citus cluster (a coordinator and two workers from ../shared/citus/cluster.sh,
# started and stopped here) and the parts are
#   1. raw: the tables follow makes (its pre-data, taken from a follow clone --schema-only into Citus), created and
#      distributed as follow does; the raw pipe above, its SELECTs reading the backfilled column through the same
#      joins as follow's, into those distributed tables; then the same keys, foreign keys and indexes in one session;
#   2. follow clone into Citus;
# and the ratio is follow's whole clone to the raw pipe plus keys. See bench/README.md.
#   bench/clone.sh         start (or reuse) the servers, load the data unless loaded at this scale, measure, stop
#   bench/clone.sh stop    stop the benchmark servers
# Environment: BENCH_TARGET (postgres or citus), BENCH_SCALE (1), BENCH_JOBS (2), BENCH_STEPS ("raw follow pgcopydb";
# citus: "raw follow"), BENCH_RUNS (1), BENCH_SOURCE_PORT (55532), BENCH_TARGET_PORT (55533), CITUS_PORT_BASE (55540),
# CITUS_CLUSTER_ROOT (.bench/citus), BENCH_DIR (.bench), BENCH_KEEP_SERVERS (unset: stop the servers at the end),
# BENCH_DATA_START / BENCH_DATA_END (patterns of follow's log lines around its data phase).
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
. scripts/lib.sh
. bench/lib.sh

# One raw stream, run by xargs: bench/clone.sh _pipe TABLE (environment from the main run). With BENCH_RAW_DIR, the
# two COPY statements are that directory's TABLE.out and TABLE.in.
if [ "${1:-}" = _pipe ]; then
  copy_out="COPY (SELECT * FROM $2) TO STDOUT (FORMAT binary)" copy_in="COPY $2 FROM STDIN (FORMAT binary)"
  if [ -n "${BENCH_RAW_DIR:-}" ]; then copy_out=$(cat "$BENCH_RAW_DIR/$2.out") copy_in=$(cat "$BENCH_RAW_DIR/$2.in"); fi
  "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -d "$BENCH_SOURCE_URI" -c "$copy_out" \
    | "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -d "$BENCH_RAW_URI" -c "$copy_in"
  exit
fi

repo=$PWD
mode=${BENCH_TARGET:-postgres}
case $mode in
  postgres) default_steps="raw follow pgcopydb" ;;
  citus) default_steps="raw follow" ;;
  *) echo "BENCH_TARGET is postgres or citus, not '$mode'." >&2; exit 2 ;;
esac
scale=${BENCH_SCALE:-1}
jobs=${BENCH_JOBS:-2}
steps=${BENCH_STEPS-$default_steps}
runs=${BENCH_RUNS:-1}
source_port=${BENCH_SOURCE_PORT:-55532}
target_port=${BENCH_TARGET_PORT:-55533}
data_start=${BENCH_DATA_START:-data phase: run}
data_end=${BENCH_DATA_END:-data phase done}
database=adplatform

. bench/citus.sh
bench_environment "$repo"
[ "$mode" = citus ] && citus_setup

if [ "${1:-}" = stop ]; then
  stop_cluster source
  stop_cluster target
  citus_stop
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: bench/clone.sh [stop]   (settings in BENCH_* variables, see bench/README.md)" >&2
  exit 2
fi

# Index builds are part of every clone measured here.
server_settings+=("maintenance_work_mem = 512MB")

drop_database() { sql "$target_port" postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
# The databases of the target measured: the plain PostgreSQL target, or the Citus cluster's (on all its nodes).
target_recreate() { if [ "$mode" = citus ]; then citus_recreate_database "$1"; else recreate_database "$target_port" "$1"; fi; }
target_drop() { if [ "$mode" = citus ]; then citus_drop_database "$1"; else drop_database "$1"; fi; }

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
  trap 'stop_cluster source; stop_cluster target; citus_stop' EXIT
fi
source_port=$(start_cluster source "$source_port" | tail -n 1)
if [ "$mode" = citus ]; then
  # No plain PostgreSQL target: checkpoint () writes the source and the Citus nodes.
  target_port=""
  citus_start "$work/citus-cluster.log"
else
  target_port=$(start_cluster target "$target_port" | tail -n 1)
fi
source_uri=$(uri "$source_port" "$database")

# The data is kept between runs: loading it again only when the scale changed.
load_sample "$source_port" "$database" "$scale"
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
tport=$target_port
[ "$mode" = citus ] && tport=$citus_port

# The joins that fill the distribution column of the sample's backfilled tables (samples/ad-platform/rules.txt), as
# follow's copy query writes them, and the alias of the table that holds the column: the raw pipe's SELECTs on Citus.
declare -A citus_backfill=(
  [public.ads]="JOIN public.campaigns p1 ON t.campaign_id = p1.id|p1"
  [public.clicks]="JOIN public.ads p1 ON t.ad_id = p1.id JOIN public.campaigns p2 ON p1.campaign_id = p2.id|p2"
  [public.impressions]="JOIN public.ads p1 ON t.ad_id = p1.id JOIN public.campaigns p2 ON p1.campaign_id = p2.id|p2"
)

# citus_prepare_raw: the raw part's statements on Citus, from the schema follow makes (not timed): follow clone
# --schema-only into a database of its own, then its pre-data and post-data sections (pg_dump), its distribution
# calls (from Citus' metadata) and each table's two COPY statements (the target's columns in the target's order,
# cast where the target's type differs, the added column read through the joins above), in $work/citus.
citus_prepare_raw() {
  local dir=$work/citus schema_uri table joins holder select columns where name type
  echo "Taking follow's tables, distribution and keys from follow clone --schema-only into Citus (not timed)..." >&2
  mkdir -p "$dir"
  build_follow "$work/build.log" || exit 1
  follow_built=1
  citus_recreate_database bench_schema
  schema_uri=$(uri "$citus_port" bench_schema)
  if ! FOLLOW_LOG_LEVEL=Information dotnet "$follow_dll" clone --schema-only --source "$source_uri" --target "$schema_uri" \
      --rules samples/ad-platform/rules.txt --slot-name bench_schema >"$work/schema-only.log" 2>&1; then
    tail -n 5 "$work/schema-only.log" >&2
    echo "follow clone --schema-only into Citus failed (log: $work/schema-only.log)." >&2
    exit 1
  fi
  drop_follow_slots
  "$bindir/pg_dump" --schema-only --section=pre-data --no-owner --no-publications --no-subscriptions --exclude-schema=follow \
    -d "$schema_uri" >"$dir/pre-data.sql"
  "$bindir/pg_dump" --schema-only --section=post-data --no-owner --no-publications --no-subscriptions --exclude-schema=follow \
    -d "$schema_uri" >"$dir/post-data.sql"
  # Reference tables first, then for each colocation group one table with the group's shard count, then the others
  # colocated with it.
  value "$citus_port" bench_schema "
    WITH p AS (
      SELECT format('%I.%I', n.nspname, c.relname) AS name, d.partmethod, d.repmodel, d.colocationid,
             column_to_column_name(d.logicalrelid, d.partkey) AS col, g.shardcount,
             first_value(format('%I.%I', n.nspname, c.relname)) OVER (PARTITION BY d.colocationid ORDER BY c.oid) AS anchor, c.oid
        FROM pg_dist_partition d JOIN pg_class c ON c.oid = d.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_dist_colocation g ON g.colocationid = d.colocationid)
    SELECT CASE WHEN partmethod = 'n' AND repmodel = 't' THEN format('SELECT create_reference_table(%L);', name)
                WHEN partmethod = 'n' THEN format('SELECT citus_add_local_table_to_metadata(%L);', name)
                WHEN name = anchor THEN format('SELECT create_distributed_table(%L, %L, shard_count => %s);', name, col, shardcount)
                ELSE format('SELECT create_distributed_table(%L, %L, colocate_with => %L);', name, col, anchor) END
      FROM p ORDER BY partmethod <> 'n', name <> anchor, oid" >"$dir/distribute.sql"
  for table in "${tables[@]}"; do
    declare -A source_types=()
    while IFS='|' read -r name type; do source_types[$name]=$type; done < <(value "$source_port" "$database" "
      SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
       WHERE attrelid = '$table'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")
    joins="" holder="" select=() columns=() where=""
    while IFS='|' read -r name type; do
      columns+=("\"$name\"")
      if [ -n "${source_types[$name]:-}" ]; then
        if [ "${source_types[$name]}" = "$type" ]; then select+=("t.\"$name\""); else select+=("t.\"$name\"::$type"); fi
      elif [ -n "${citus_backfill[$table]:-}" ]; then
        joins=${citus_backfill[$table]%|*} holder=${citus_backfill[$table]#*|}
        select+=("$holder.\"$name\"::$type")
        where=" WHERE $holder.\"$name\" IS NOT NULL"
      else
        echo "The target's $table has a column $name the source has not, and bench/clone.sh knows no joins to fill it." >&2
        exit 1
      fi
    done < <(value "$citus_port" bench_schema "
      SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
       WHERE attrelid = '$table'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")
    unset source_types
    echo "COPY (SELECT $(IFS=,; echo "${select[*]}") FROM $table t${joins:+ $joins}$where) TO STDOUT (FORMAT binary)" >"$dir/$table.out"
    echo "COPY $table ($(IFS=,; echo "${columns[*]}")) FROM STDIN (FORMAT binary)" >"$dir/$table.in"
  done
  citus_drop_database bench_schema
}

# The clone leaves its slot and publication for the stream; here they would only hold WAL back (not timed).
drop_follow_slots() {
  sql "$source_port" "$database" -o /dev/null <<'SQL'
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database() AND NOT active;
SELECT format('DROP PUBLICATION %I', pubname) FROM pg_publication \gexec
SQL
}

# run_raw_citus: the tables (created and distributed), the raw pipe, and the keys in one session, each timed.
run_raw_citus() {
  echo "1. Raw on Citus: tables, raw pipe with the backfill joins ($jobs streams), keys in one session..." >&2
  local dir=$work/citus started
  citus_recreate_database bench_raw
  checkpoint
  started=$(now)
  sql "$citus_port" bench_raw -o /dev/null -f "$dir/pre-data.sql" -f "$dir/distribute.sql"
  raw_tables_s=$(seconds "$started" "$(now)")
  BENCH_RAW_URI=$(uri "$citus_port" bench_raw) BENCH_RAW_DIR=$dir
  export BENCH_PSQL=$psql BENCH_SOURCE_URI=$source_uri BENCH_RAW_URI BENCH_RAW_DIR
  started=$(now)
  run_pipes || return
  raw_s=$(seconds "$started" "$(now)")
  started=$(now)
  if ! sql "$citus_port" bench_raw -o /dev/null -f "$dir/post-data.sql"; then
    echo "The keys, foreign keys and indexes failed on the raw copy." >&2
    failed=1 raw_s=""
    return
  fi
  raw_keys_s=$(seconds "$started" "$(now)")
  check_rows bench_raw "$citus_port" || { echo "The raw pipe copied the wrong number of rows." >&2; failed=1; raw_s=""; }
  citus_drop_database bench_raw
}

# Every table through the raw pipe, $jobs at a time; false (and failed=1) when one failed.
run_pipes() {
  printf '%s\n' "${tables[@]}" | xargs -P "$jobs" -I{} "$self" _pipe {} && return 0
  echo "The raw pipe failed." >&2
  failed=1
  return 1
}

run_raw() {
  if [ "$mode" = citus ]; then run_raw_citus; return; fi
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
  run_pipes || return
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
  target_recreate bench_follow
  checkpoint
  local started status log=$work/follow.log
  started=$(now)
  set +e
  (FOLLOW_LOG_LEVEL=Information "$time_bin" -v -o "$work/follow.time" ${BENCH_WRAP:-} dotnet "$follow_dll" clone \
      --source "$source_uri" --target "$(uri "$tport" bench_follow)" --rules samples/ad-platform/rules.txt \
      --table-jobs "$jobs" --index-jobs "$jobs" --slot-name bench_follow 2>&1) | stamp >"$log"
  status=${PIPESTATUS[0]}
  set -e
  local ended
  ended=$(now)
  drop_follow_slots
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
    follow_post_s=$(seconds "$last" "$ended")
  else
    notes+=("follow's log has no lines matching '$data_start' and '$data_end': its data phase is taken as the whole command.")
    follow_data_s=$follow_s
  fi
  check_rows bench_follow "$tport" || { echo "follow clone copied the wrong number of rows." >&2; failed=1; }
  cp "$log" "$work/follow-$round.log"
  target_drop bench_follow
}

run_pgcopydb() {
  echo "3. pgcopydb clone --table-jobs $jobs --index-jobs $jobs..." >&2
  if [ "$mode" = citus ]; then
    echo "pgcopydb does not distribute tables: BENCH_STEPS with BENCH_TARGET=citus are raw and follow." >&2; failed=1; return
  fi
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

# Rounds of every part, one after the other, so that the machine's slow spells fall on all of them; medians are shown.
[ "$mode" = citus ] && case " $steps " in *" raw "*) citus_prepare_raw ;; esac
raws=() raw_tabless=() raw_keyss=() raw_pluss=() follows=() follow_datas=() follow_posts=() follow_rsss=() pgcopydbs=()
for round in $(seq "$runs"); do
  if [ "$runs" -gt 1 ]; then echo "Round $round of $runs" >&2; fi
  raw_s="" raw_tables_s="" raw_keys_s="" follow_s="" follow_data_s="" follow_post_s="" follow_rss_mb="" pgcopydb_s=""
  for step in $steps; do
    case $step in
      raw) run_raw ;;
      follow) run_follow ;;
      pgcopydb) run_pgcopydb ;;
      *) echo "Unknown step '$step' in BENCH_STEPS (raw, follow, pgcopydb)." >&2; exit 2 ;;
    esac
  done
  [ -n "$raw_s" ] && raws+=("$raw_s")
  [ -n "$raw_s" ] && [ -n "$raw_tables_s" ] && raw_tabless+=("$raw_tables_s")
  [ -n "$raw_s" ] && [ -n "$raw_keys_s" ] && raw_keyss+=("$raw_keys_s") raw_pluss+=("$(awk -v a="$raw_s" -v b="$raw_keys_s" 'BEGIN { printf "%.2f", a + b }')")
  [ -n "$follow_s" ] && follows+=("$follow_s")
  [ -n "$follow_data_s" ] && follow_datas+=("$follow_data_s")
  [ -n "$follow_post_s" ] && follow_posts+=("$follow_post_s")
  [ -n "$follow_rss_mb" ] && follow_rsss+=("$follow_rss_mb")
  [ -n "$pgcopydb_s" ] && pgcopydbs+=("$pgcopydb_s")
  if [ "$runs" -gt 1 ]; then
    if [ "$mode" = citus ]; then
      echo "  raw tables ${raw_tables_s:--} s, pipe ${raw_s:--} s, keys ${raw_keys_s:--} s; follow data ${follow_data_s:--} s, after it ${follow_post_s:--} s, whole ${follow_s:--} s" >&2
    else
      echo "  raw ${raw_s:--} s, follow data ${follow_data_s:--} s, follow whole ${follow_s:--} s, pgcopydb ${pgcopydb_s:--} s" >&2
    fi
  fi
done
raw_s=$(median "${raws[@]}") follow_s=$(median "${follows[@]}") follow_data_s=$(median "${follow_datas[@]}") pgcopydb_s=$(median "${pgcopydbs[@]}")
raw_tables_s=$(median "${raw_tabless[@]}") raw_keys_s=$(median "${raw_keyss[@]}") raw_plus_s=$(median "${raw_pluss[@]}")
follow_post_s=$(median "${follow_posts[@]}")
# The largest, not the median: the limit holds for every run.
follow_rss_mb=$(printf '%s\n' "${follow_rsss[@]}" | sort -n | tail -n 1)

rate() { [ -n "$1" ] && awk -v mb="$data_mb" -v s="$1" 'BEGIN { printf "%.0f MB/s", mb / s }'; }
shown() { [ -n "$1" ] && echo "$1 s" || echo "-"; }
# verdict VALUE OPERATOR TARGET: ok or MISSED, or - without a value.
verdict() { [ -z "$1" ] && { echo "-"; return; }; awk -v v="$1" -v t="$3" "BEGIN { print (v $2 t) ? \"ok\" : \"MISSED\" }"; }
# ratio A B: A / B, or nothing without both.
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi; }

echo
data_ratio=$(ratio "$raw_s" "$follow_data_s")
if [ "$mode" = citus ]; then
  echo "Clone benchmark on Citus (a coordinator and 2 workers): scale $scale ($database_mb MB database, $data_mb MB of table data), $jobs table jobs, $jobs index jobs$([ "$runs" -gt 1 ] && echo ", medians of $runs rounds")"
  printf '%-52s %10s %12s\n' "measurement" "time" "throughput"
  printf '%-52s %10s\n' "raw: tables created and distributed" "$(shown "$raw_tables_s")"
  printf '%-52s %10s %12s\n' "raw pipe ($jobs binary COPY streams, backfill joins)" "$(shown "$raw_s")" "$(rate "$raw_s")"
  printf '%-52s %10s\n' "raw: keys, foreign keys, indexes in one session" "$(shown "$raw_keys_s")"
  printf '%-52s %10s\n' "raw pipe + keys" "$(shown "$raw_plus_s")"
  printf '%-52s %10s %12s\n' "follow clone, data phase" "$(shown "$follow_data_s")" "$(rate "$follow_data_s")"
  printf '%-52s %10s\n' "follow clone, after the data phase" "$(shown "$follow_post_s")"
  printf '%-52s %10s\n' "follow clone, whole" "$(shown "$follow_s")"
  echo
  plus_ratio=$(ratio "$follow_s" "$raw_plus_s")
  all_ratio=$(ratio "$follow_s" "$([ -n "$raw_plus_s" ] && [ -n "$raw_tables_s" ] && awk -v a="$raw_plus_s" -v b="$raw_tables_s" 'BEGIN { print a + b }')")
  printf '%-56s %8s %10s %7s\n' "ratio" "value" "target" ""
  printf '%-56s %8s %10s %7s\n' "follow whole clone time / (raw pipe + keys) time" "${plus_ratio:--}" "<= 1.1" "$(verdict "$plus_ratio" '<=' 1.1)"
  printf '%-56s %8s\n' "follow whole / (tables + raw pipe + keys) (for reading)" "${all_ratio:--}"
  printf '%-56s %8s\n' "follow data throughput / raw pipe throughput (reading)" "${data_ratio:--}"
  printf '%-56s %8s %10s %7s\n' "follow peak resident memory (MB)" "${follow_rss_mb:--}" "< 200" "$(verdict "$follow_rss_mb" '<' 200)"
else
  echo "Clone benchmark: scale $scale ($database_mb MB database, $data_mb MB of table data), $jobs table jobs, $jobs index jobs$([ "$runs" -gt 1 ] && echo ", medians of $runs rounds")"
  printf '%-40s %10s %12s\n' "measurement" "time" "throughput"
  printf '%-40s %10s %12s\n' "raw pipe ($jobs binary COPY streams)" "$(shown "$raw_s")" "$(rate "$raw_s")"
  printf '%-40s %10s %12s\n' "follow clone, data phase" "$(shown "$follow_data_s")" "$(rate "$follow_data_s")"
  printf '%-40s %10s\n' "follow clone, whole" "$(shown "$follow_s")"
  printf '%-40s %10s\n' "pgcopydb clone, whole" "$(shown "$pgcopydb_s")"
  echo
  whole_ratio=$(ratio "$follow_s" "$pgcopydb_s")
  printf '%-52s %8s %10s %7s\n' "ratio" "value" "target" ""
  printf '%-52s %8s %10s %7s\n' "follow data throughput / raw pipe throughput" "${data_ratio:--}" ">= 0.9" "$(verdict "$data_ratio" '>=' 0.9)"
  printf '%-52s %8s %10s %7s\n' "follow whole clone time / pgcopydb clone time" "${whole_ratio:--}" "< 1" "$(verdict "$whole_ratio" '<' 1)"
  printf '%-52s %8s %10s %7s\n' "follow peak resident memory (MB)" "${follow_rss_mb:--}" "< 200" "$(verdict "$follow_rss_mb" '<' 200)"
fi
for note in "${notes[@]}"; do echo "Note: $note"; done
if [ "$failed" -ne 0 ]; then echo "Some measurements failed (the messages above say why): exit status 1."; fi
exit $failed
