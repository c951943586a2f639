#!/usr/bin/env bash
# quickstart.sh: from a fresh Debian machine to a verified, restored backup in one command.
#   1. installs what is missing (scripts/setup.sh) and builds lifeboat (release)
#   2. uses the PostgreSQL in $LIFEBOAT_QUICKSTART_PG_URL, or starts a small sample cluster in
#      $LIFEBOAT_QUICKSTART_PG_DIR (default /var/tmp/lifeboat-quickstart-pg)
#   3. creates a key file, a lifeboat.yml and a local repository under ./quickstart/
#   4. writes a heartbeat, backs the sample database up, verifies it, restores it into a new database
#      (row counts compared), prints the catalog, runs the nightly smoke drill (scratch cluster, checks, RTO
#      and RPO, evidence), shows the retention plan of policies/development.yml and writes an HTML report.
# Run it again at any time: it reuses ./quickstart/ and takes another backup.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$root/quickstart"

bash scripts/setup.sh
echo "==> building lifeboat (release; the first build takes a few minutes)"
swift build -c release --static-swift-stdlib --product lifeboat >/dev/null
lifeboat="$(swift build -c release --static-swift-stdlib --show-bin-path)/lifeboat"

mkdir -p "$work"
chmod 700 "$work"   # holds the key file and the repository
if [ -n "${LIFEBOAT_QUICKSTART_PG_URL:-}" ]; then
    url="$LIFEBOAT_QUICKSTART_PG_URL"
    echo "==> using PostgreSQL at the configured URL"
else
    # Outside the clone: the postgres OS user must reach it even when the clone is under a 0700 home.
    pgdir="${LIFEBOAT_QUICKSTART_PG_DIR:-/var/tmp/lifeboat-quickstart-pg}"
    echo "==> starting a sample PostgreSQL 15 cluster in $pgdir"
    mkdir -p "$pgdir"
    chmod 755 "$pgdir"
    bash scripts/pg-scratch.sh start "$pgdir" >/dev/null
    url="$(bash scripts/pg-scratch.sh url "$pgdir")"
    echo "    (stop it with: bash scripts/pg-scratch.sh stop $pgdir)"
fi
base="${url%/*}"

psql() { "${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
if ! psql "$url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'quickstart_shop'" | grep -q 1; then
    echo "==> creating the sample database quickstart_shop"
    psql "$url" -c "CREATE DATABASE quickstart_shop"
    psql "$base/quickstart_shop" <<'SQL'
CREATE TABLE customers (id int PRIMARY KEY, name text, email text, joined date);
INSERT INTO customers SELECT i, 'Customer ' || i, 'c' || i || '@example.org', date '2020-01-01' + i % 1500
FROM generate_series(1, 50000) i;
CREATE TABLE orders (id bigint PRIMARY KEY, customer int REFERENCES customers, amount numeric(10,2), items jsonb);
INSERT INTO orders SELECT i, 1 + i % 50000, (i % 997) / 3.0, jsonb_build_object('sku', i % 313, 'qty', 1 + i % 4)
FROM generate_series(1, 200000) i;
SQL
fi

[ -f "$work/repo.key" ] || "$lifeboat" key generate --output "$work/repo.key"
cat > "$work/lifeboat.yml" <<YAML
cluster: quickstart
postgres:
  url: "$url"
repository:
  url: "file://$work/repository"
encryption:
  key_file: $work/repo.key
compression: { algorithm: zstd, level: 3 }
backup:
  databases: [quickstart_shop]
policy: $root/policies/development.yml
YAML
export LIFEBOAT_CONFIG="$work/lifeboat.yml"
cd "$work"

[ -f "$work/repository/repository.json" ] || "$lifeboat" init
echo "==> heartbeat (a row in lifeboat.heartbeat: drills measure the achieved RPO with it)"
"$lifeboat" heartbeat --database quickstart_shop
echo "==> backup"
"$lifeboat" backup --label quickstart
echo "==> verify"
"$lifeboat" verify latest
restore_db="quickstart_restore_$(date +%s)"
echo "==> restore into $restore_db"
"$lifeboat" restore latest --target "$base/$restore_db"
echo "==> catalog"
"$lifeboat" list
echo "==> DR drill: restore into a scratch cluster, check, measure RTO and RPO, record the evidence"
"$lifeboat" drill run "$root/drills/nightly-smoke.yml"
echo "==> retention plan (development policy; nothing is deleted)"
"$lifeboat" prune --dry-run
echo "==> compliance report"
# A repository this young reads INSUFFICIENT HISTORY (exit 0): the 30 days before it existed are not covered,
# and objectives whose window is longer than its history are not judged yet (docs/reports.md).
"$lifeboat" report --format html --output "$work/report.html" \
    || echo "    (exit 3: an objective was missed. Open $work/report.html for the reasons.)"
echo
echo "Done. Configuration: $work/lifeboat.yml   Repository: $work/repository"
echo "Try: LIFEBOAT_CONFIG=$work/lifeboat.yml $lifeboat show latest"
