# Shared by scripts/test and scripts/demo: finding and installing the PostgreSQL server binaries.
# Source it; it sets no shell options of its own.

is_root() { [ "$(id -u)" -eq 0 ]; }

# Prints the directory holding initdb and pg_ctl: FOLLOW_PG_BINDIR, else the newest
# /usr/lib/postgresql/<version>/bin, else wherever the initdb on PATH really lives.
find_pg_bindir() {
  if [ -n "${FOLLOW_PG_BINDIR:-}" ]; then
    [ -x "$FOLLOW_PG_BINDIR/initdb" ] && echo "$FOLLOW_PG_BINDIR"
    return
  fi
  local dir best=""
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4n); do
    [ -x "$dir/initdb" ] && best=$dir
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  local initdb
  initdb=$(command -v initdb) || return 1
  dirname "$(readlink -f "$initdb")"
}

# Installs PostgreSQL 15 from Debian when no server binaries are found; only root can.
ensure_postgres() {
  find_pg_bindir >/dev/null && return 0
  if ! is_root; then
    echo "No PostgreSQL server binaries (initdb) found. Install them with:" >&2
    echo "  sudo apt-get install postgresql-15 postgresql-contrib   (or set FOLLOW_PG_BINDIR)" >&2
    return 1
  fi
  echo "Installing PostgreSQL 15 with apt-get (log: /tmp/follow-apt.log)..." >&2
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 postgresql-contrib; } \
      >/tmp/follow-apt.log 2>&1; then
    tail -n 20 /tmp/follow-apt.log >&2
    echo "Installing postgresql-15 failed." >&2
    return 1
  fi
  find_pg_bindir >/dev/null
}

# The status page test renders in headless Chromium. Installs Debian's chromium when it is missing and apt can
# (root); optional: without it that test is skipped. Bounded in time: a slow mirror does not hold up the tests.
ensure_chromium() {
  if command -v chromium >/dev/null || [ -n "${FOLLOW_CHROMIUM:-}" ]; then return 0; fi
  if ! is_root || ! command -v apt-get >/dev/null; then
    echo "Chromium is not installed (sudo apt-get install chromium): the status page test will be skipped." >&2
    return 1
  fi
  echo "Installing chromium with apt-get (log: /tmp/follow-apt-chromium.log)..." >&2
  if ! { timeout 300 apt-get update && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends chromium; } \
      >/tmp/follow-apt-chromium.log 2>&1; then
    tail -n 5 /tmp/follow-apt-chromium.log >&2
    echo "Installing chromium failed: the status page test will be skipped." >&2
    return 1
  fi
}

# Runs a server binary as the postgres user when we are root: initdb and postgres refuse root.
# From / because postgres may not be allowed into the current directory; pass absolute paths.
as_postgres() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# ../shared/citus beside the clone: Citus' source with build.sh and cluster.sh. CI has it; a user's clone may not.
citus_source_dir() { echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/citus"; }

# True when the Citus extension is installed into the PostgreSQL that find_pg_bindir finds (what the tests use).
citus_installed() {
  local bindir libdir sharedir
  bindir=$(find_pg_bindir) || return 1
  libdir=$("$bindir/pg_config" --pkglibdir 2>/dev/null) || libdir=$bindir/../lib
  sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null) || sharedir=""
  [ -f "$libdir/citus.so" ] && { [ -z "$sharedir" ] || [ -f "$sharedir/extension/citus.control" ]; }
}

# Builds and installs Citus from ../shared/citus when that directory is there (build.sh does nothing when this
# version is installed already; building needs root). The tests start a Citus cluster of their own when Citus is
# installed and skip the Citus tests otherwise. Returns non-zero, with the reason on stderr, only when
# ../shared/citus is there but Citus is still not installed.
ensure_citus() {
  local dir build log lock waited=0
  dir=$(citus_source_dir) build=$dir/build.sh
  if [ ! -f "$build" ]; then
    citus_installed || echo "Citus is not installed and $dir is absent: the Citus tests will be skipped." >&2
    return 0
  fi
  log=${TMPDIR:-/tmp}/follow-citus-build-$(id -u).log lock=${TMPDIR:-/tmp}/follow-citus-build.lock
  # Another test run (another clone beside the same ../shared) may be building right now: wait for it rather
  # than install the same files at the same time.
  while command -v pgrep >/dev/null && pgrep -f 'shared/citus/build\.sh' >/dev/null; do
    [ "$waited" -eq 0 ] && echo "Waiting for another build of Citus to finish..." >&2
    waited=$((waited + 5))
    [ "$waited" -ge 1200 ] && break
    sleep 5
  done
  local bindir pg_config=()
  if bindir=$(find_pg_bindir) && [ -x "$bindir/pg_config" ]; then pg_config=(env "PG_CONFIG=$bindir/pg_config"); fi
  local run=("${pg_config[@]}" bash "$build")
  command -v flock >/dev/null && run=(flock "$lock" "${run[@]}")
  echo "Citus: running $build (log: $log)..." >&2
  if "${run[@]}" </dev/null >"$log" 2>&1 && citus_installed; then
    echo "Citus: $(tail -n 1 "$log")" >&2
    return 0
  fi
  tail -n 20 "$log" | sed 's/^/  /' >&2
  if citus_installed; then
    echo "Building Citus from $dir failed (log: $log); the tests use the Citus installed already." >&2
    return 0
  fi
  if is_root; then
    echo "Building Citus from $dir failed (log: $log): the Citus tests will be skipped." >&2
  else
    echo "Citus is not installed and building it from $dir needs root (sudo $build): the Citus tests will be skipped." >&2
  fi
  return 1
}
