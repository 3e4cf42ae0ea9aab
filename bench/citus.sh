# Shared by bench/clone.sh and bench/stream.sh when BENCH_TARGET=citus: a Citus cluster (a coordinator and two
# workers on 127.0.0.1) started and stopped with ../shared/citus/cluster.sh, and its databases. Source it after
# bench/lib.sh, once bench_environment has run. It builds nothing: without Citus installed into the PostgreSQL the
# benchmark uses (citus.so), citus_setup says so and exits with status 2.
# Environment: CITUS_CLUSTER_ROOT (the nodes' directories, default $bench/citus), CITUS_PORT_BASE (the
# coordinator's port, default 55540; the workers take the next two), BENCH_CITUS_CLUSTER (cluster.sh to use,
# default ../shared/citus/cluster.sh beside the checkout).

citus_ports=()

# citus_setup: checks that Citus is installed and cluster.sh is there; sets citus_cluster, citus_root, citus_port
# (the coordinator) and citus_ports (all three nodes).
citus_setup() {
  citus_cluster=${BENCH_CITUS_CLUSTER:-$(citus_source_dir)/cluster.sh}
  citus_root=${CITUS_CLUSTER_ROOT:-$bench/citus}
  citus_port=${CITUS_PORT_BASE:-55540}
  citus_ports=("$citus_port" $((citus_port + 1)) $((citus_port + 2)))
  if ! citus_installed; then
    echo "Citus is not installed into the PostgreSQL of $bindir (no citus.so in $("$bindir/pg_config" --pkglibdir 2>/dev/null || echo its lib directory))." >&2
    echo "The benchmark builds nothing: install it first (as root, ../shared/citus/build.sh), then run this again." >&2
    exit 2
  fi
  if [ ! -f "$citus_cluster" ]; then
    echo "No $citus_cluster: BENCH_TARGET=citus starts its cluster with ../shared/citus/cluster.sh (or BENCH_CITUS_CLUSTER)." >&2
    exit 2
  fi
}

citus_cluster_sh() {
  CITUS_CLUSTER_ROOT=$citus_root CITUS_PORT_BASE=$citus_port PGBIN=$bindir bash "$citus_cluster" "$@"
}

# The settings of server_settings that make no difference to the cluster's own layout (memory, WAL, checkpoints),
# on every node, so that a Citus target runs as the plain PostgreSQL target does; and the name Citus reaches its own
# node by (localhost may resolve to ::1, where nothing listens).
citus_settings() {
  local line name value
  for line in "${server_settings[@]}"; do
    name=${line%% =*} value=${line#*= }
    case $name in
      shared_buffers | max_wal_size | min_wal_size | checkpoint_timeout | maintenance_work_mem) echo "$name|${value//\'/}" ;;
    esac
  done
  echo "max_worker_processes|32"
  echo "citus.local_hostname|127.0.0.1"
}

# citus_start LOG: starts the cluster (initdb on first use), puts citus_settings on every node and restarts the
# nodes once when a setting needs it.
citus_start() {
  local log=$1 port setting restart=0
  if ! citus_cluster_sh start >>"$log" 2>&1; then
    tail -n 5 "$log" >&2
    echo "Starting the Citus cluster failed (log: $log)." >&2
    exit 1
  fi
  for port in "${citus_ports[@]}"; do
    while IFS='|' read -r name value; do
      sql "$port" postgres -c "ALTER SYSTEM SET $name = '$value'"
    done < <(citus_settings)
    sql "$port" postgres -o /dev/null -c "SELECT pg_reload_conf()"
    sleep 0.2
    [ "$(value "$port" postgres "SELECT count(*) FROM pg_settings WHERE pending_restart")" = 0 ] || restart=1
  done
  if [ "$restart" -eq 1 ]; then
    echo "Restarting the Citus nodes for their settings..." >&2
    citus_cluster_sh stop >>"$log" 2>&1
    citus_cluster_sh start >>"$log" 2>&1 || { tail -n 5 "$log" >&2; echo "Restarting the Citus cluster failed (log: $log)." >&2; exit 1; }
  fi
}

citus_stop() {
  [ -n "${citus_cluster:-}" ] && citus_cluster_sh stop >/dev/null 2>&1 && echo "Stopped the benchmark Citus cluster." >&2 || true
}

# citus_drop_database NAME: on the coordinator and (Citus 13 propagates it) its workers; then on each worker
# alone, for a database an interrupted run left there. FORCE ends the sessions of the node it runs on, but a
# worker may still have one for a moment (the coordinator's connections of a session just ended, Citus' own
# daemon): then it is tried again, up to five times.
citus_drop_database() {
  local port attempt
  for attempt in 1 2 3 4 5; do
    sql "$citus_port" postgres -o /dev/null -c "SET citus.enable_create_database_propagation = on" \
      -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>"$work/citus-drop.err" && break
    [ "$attempt" -lt 5 ] || { cat "$work/citus-drop.err" >&2; return 1; }
    sleep "$attempt"
  done
  for port in "${citus_ports[@]:1}"; do
    for attempt in 1 2 3 4 5; do
      sql "$port" postgres -o /dev/null -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>"$work/citus-drop.err" && break
      [ "$attempt" -lt 5 ] || { cat "$work/citus-drop.err" >&2; return 1; }
      sleep "$attempt"
    done
  done
}

# citus_recreate_database NAME: a fresh database ready for distributed tables: created on every node, the extension
# in it on every node, and the coordinator's node list (itself and the workers), which belongs to each database.
citus_recreate_database() {
  local db=$1 port
  sql "$citus_port" postgres -o /dev/null <<SQL
SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots WHERE database = '$db' AND active_pid IS NOT NULL;
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '$db';
SQL
  citus_drop_database "$db"
  drop_stale_origins "$citus_port"
  sql "$citus_port" postgres -o /dev/null -c "SET citus.enable_create_database_propagation = on" -c "CREATE DATABASE $db"
  for port in "${citus_ports[@]}"; do
    sql "$port" "$db" -o /dev/null -c "CREATE EXTENSION IF NOT EXISTS citus"
  done
  sql "$citus_port" "$db" -o /dev/null -c "SELECT citus_set_coordinator_host('127.0.0.1', $citus_port)" \
    -c "SELECT citus_add_node('127.0.0.1', ${citus_ports[1]})" -c "SELECT citus_add_node('127.0.0.1', ${citus_ports[2]})"
}
