# Shared by bench/clone.sh and bench/stream.sh: the benchmark servers and small helpers around psql.
# Source it after scripts/lib.sh and call bench_environment first; server_settings holds the lines for
# postgresql.conf (a benchmark may add its own before start_cluster runs); checkpoint and check_rows expect
# source_port, target_port, database and tables. It sets no shell options of its own.

# The same settings on both servers, so that no tool gains from where it writes. Checkpoints are spread out so
# that none falls inside one measurement and not another (each measurement starts after a CHECKPOINT).
server_settings=(
  "listen_addresses = '127.0.0.1'"
  "unix_socket_directories = ''"
  "shared_buffers = 512MB"
  "max_wal_size = 8GB"
  "min_wal_size = 1GB"
  "checkpoint_timeout = 30min"
  "max_connections = 100"
  "wal_level = logical"
  "max_replication_slots = 20"
  "max_wal_senders = 20"
)

# bench_environment REPO: sets bench (the clusters' directory), bindir and psql; installs PostgreSQL when missing.
# As root the servers run as postgres, who must be able to reach the cluster directories.
bench_environment() {
  bench=${BENCH_DIR:-$1/.bench}
  if [ -z "${BENCH_DIR:-}" ] && is_root && ! runuser -u postgres -- test -x "$1"; then
    bench=/tmp/follow-bench
  fi
  ensure_postgres
  bindir=$(find_pg_bindir)
  psql=$bindir/psql
}

# start_cluster NAME PORT: initdb on first use, then pg_ctl start unless it is already running; prints the port.
start_cluster() {
  local name=$1 port=$2 data=$bench/$1
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    if is_root; then chown postgres: "$bench" "$data"; fi
    if ! as_postgres "$bindir/initdb" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$data" >/dev/null 2>&1; then
      rm -rf "${data:?}"/*
      as_postgres "$bindir/initdb" --auth=trust -U postgres -E UTF8 --locale=C -D "$data" >/dev/null
    fi
    printf '%s\n' "# Follow benchmark" "${server_settings[@]}" >>"$data/postgresql.conf"
  fi
  if as_postgres "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    echo "The benchmark $name server is already running." >&2
  else
    as_postgres "$bindir/pg_ctl" start -w -D "$data" -l "$data/server.log" -o "-p $port" >/dev/null
  fi
  sed -n 4p "$data/postmaster.pid"
}

stop_cluster() {
  [ -f "$bench/$1/PG_VERSION" ] || return 0
  as_postgres "$bindir/pg_ctl" stop -m fast -D "$bench/$1" >/dev/null 2>&1 && echo "Stopped the benchmark $1 server." >&2 || true
}

# A checkpoint on every server before each measured part, so none pays for the one before: the source, the target
# (when target_port is set) and the nodes of a Citus cluster (citus_ports, from bench/citus.sh).
checkpoint() {
  local port
  for port in "$source_port" ${target_port:+"$target_port"} ${citus_ports[@]+"${citus_ports[@]}"}; do
    sql "$port" postgres -c CHECKPOINT
  done
}

# check_rows DB [PORT]: whether every table of the tables array has as many rows in the database DB of the target
# (or of the server on PORT) as in the source: a copy or an apply that lost rows measures nothing.
check_rows() {
  local db=$1 port=${2:-$target_port} table expected actual bad=0
  for table in "${tables[@]}"; do
    expected=$(value "$source_port" "$database" "SELECT count(*) FROM $table")
    actual=$(value "$port" "$db" "SELECT count(*) FROM $table" 2>/dev/null || echo missing)
    if [ "$expected" != "$actual" ]; then
      echo "  $db: $table has $actual rows, the source $expected" >&2
      bad=1
    fi
  done
  return $bad
}

# Prefixes each line with the time it was read.
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

uri() { echo "postgres://postgres@127.0.0.1:$1/$2"; }
sql() { local port=$1 db=$2; shift 2; PGOPTIONS="-c client_min_messages=warning" "$psql" -X -q -v ON_ERROR_STOP=1 -d "$(uri "$port" "$db")" "$@"; }
value() { sql "$1" "$2" -At -c "$3"; }
now() { echo "$EPOCHREALTIME"; }
# median VALUES...: the middle value (the mean of the two middle ones), or nothing without values.
median() { [ $# -gt 0 ] || return 0; printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# load_sample PORT DB SCALE: the ad-platform data at SCALE into DB, unless it holds that scale already (the data is
# kept between runs; the database's comment says which scale it holds).
load_sample() {
  local port=$1 db=$2 scale=$3 loaded started
  loaded=$(value "$port" postgres "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$db'")
  [ "$loaded" = "follow bench scale $scale" ] && return 0
  echo "Loading the ad-platform data at scale $scale into $db..." >&2
  started=$(now)
  recreate_database "$port" "$db"
  sql "$port" "$db" -f samples/ad-platform/schema.sql
  sql "$port" "$db" -v scale="$scale" -o /dev/null -f bench/ad-platform-data.sql
  sql "$port" "$db" -c "COMMENT ON DATABASE $db IS 'follow bench scale $scale'"
  echo "Loaded in $(seconds "$started" "$(now)") s." >&2
}

# Replication slots and subscriptions left by an earlier run would block DROP DATABASE.
recreate_database() {
  local port=$1 db=$2
  sql "$port" postgres -o /dev/null <<SQL
SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots WHERE database = '$db' AND active_pid IS NOT NULL;
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '$db';
DROP DATABASE IF EXISTS $db WITH (FORCE);
CREATE DATABASE $db;
SQL
  drop_stale_origins "$port"
}

# drop_stale_origins PORT: the replication origins follow made for target databases that are gone (follow_<oid>):
# origins belong to the whole server, and each takes one of max_replication_slots.
drop_stale_origins() {
  sql "$1" postgres -o /dev/null -c "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin
    WHERE CASE WHEN roname ~ '^follow_[0-9]+$' THEN substr(roname, 8)::oid END NOT IN (SELECT oid FROM pg_database)"
}

# Makes sure GNU time is there, for the follower's peak resident memory; only root can install it.
ensure_gnu_time() {
  [ -x /usr/bin/time ] && return 0
  if is_root; then DEBIAN_FRONTEND=noninteractive apt-get install -y time >/dev/null && return 0; fi
  echo "GNU time is missing (/usr/bin/time, Debian package time): cannot measure follow's memory." >&2
  return 1
}

# Publishes follow as it ships (Release, ReadyToRun: compiled ahead of time, as the container image has it) into
# $bench/follow and sets follow_dll; the build log is in $1 when it fails. BENCH_FOLLOW_DLL names another build.
build_follow() {
  follow_dll=${BENCH_FOLLOW_DLL:-$bench/follow/follow.dll}
  [ -n "${BENCH_FOLLOW_DLL:-}" ] && return 0
  if ! dotnet publish src/Follow -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
      -o "$bench/follow" -v q --nologo -clp:NoSummary >"$1" 2>&1; then
    cat "$1" >&2
    echo "Building follow failed." >&2
    return 1
  fi
}
