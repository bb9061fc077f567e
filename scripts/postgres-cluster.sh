# Shared by scripts/test and Benchmarks/floors/compare.sh (sourced, not run): installs the
# SQLite headers and PostgreSQL when missing and starts a throwaway cluster on 127.0.0.1 and a
# free port (with a self-signed TLS certificate), stopped and deleted by stop_postgres.
# Expects a `log` function. After start_postgres: PG_PORT, PG_DIR, PG_URL (postgres://steward@…/steward_test).

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_missing() {
  local missing=()
  [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
  bin="$(pg_bin)"
  { [ -n "$bin" ] && [ -x "$bin/initdb" ]; } || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
      as_root apt-get update -qq >/dev/null 2>&1 &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    } || log "could not install ${missing[*]}"
    bin="$(pg_bin)"
  fi
}

PG_DIR=""
PG_USER=""
PG_RUN=()
stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    "${PG_RUN[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  return 0
}

start_postgres() {
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { log "PostgreSQL server tools not found"; return 1; }
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  PG_DIR="$(mktemp -d /tmp/steward-pg.XXXXXX)"
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: use Debian's postgres account (created by the package).
    id postgres >/dev/null 2>&1 || useradd --system --home "$PG_DIR" postgres
    PG_USER=postgres
    chown -R postgres "$PG_DIR"
    PG_RUN=(runuser -u postgres --)
  fi
  "${PG_RUN[@]}" "$bin/initdb" -D "$PG_DIR/data" -U steward --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # TLS with a self-signed certificate, as Debian's default cluster has: the sslmode tests
  # connect with each mode, trusting this certificate through sslrootcert where they verify.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$PG_DIR/server.key" -out "$PG_DIR/server.crt" >/dev/null 2>&1 || { log "openssl failed"; return 1; }
  chmod 600 "$PG_DIR/server.key"
  [ -n "$PG_USER" ] && chown "$PG_USER" "$PG_DIR/server.key" "$PG_DIR/server.crt"
  PG_OPTIONS="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200"
  PG_OPTIONS="$PG_OPTIONS -c ssl=on -c ssl_cert_file=$PG_DIR/server.crt -c ssl_key_file=$PG_DIR/server.key"
  "${PG_RUN[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 -o "$PG_OPTIONS" start >/dev/null ||
    { cat "$PG_DIR/server.log" >&2; return 1; }
  psql -h 127.0.0.1 -p "$PG_PORT" -U steward -d postgres -qAt -c 'CREATE DATABASE steward_test' >/dev/null
  PG_URL="postgres://steward@127.0.0.1:$PG_PORT/steward_test"
  log "PostgreSQL $("$bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_URL)"
}
