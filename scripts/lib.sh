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

# Runs a server binary as the postgres user when we are root: initdb and postgres refuse root.
# From / because postgres may not be allowed into the current directory; pass absolute paths.
as_postgres() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
