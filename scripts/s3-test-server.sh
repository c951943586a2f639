#!/usr/bin/env bash
# Starts and stops a local moto S3 server with SigV4 verification ON, for Lifeboat's S3 tests,
# and optionally a fault-injecting proxy (fault-proxy.py) in front of it.
#
#   s3-test-server.sh start DIR   start moto on a free 127.0.0.1 port; writes DIR/env, DIR/pid, DIR/moto.log
#   s3-test-server.sh proxy DIR   start fault-proxy.py in front of it; adds LIFEBOAT_TEST_S3_PROXY to DIR/env
#   s3-test-server.sh stop DIR    stop both (idempotent, never fails)
#
# By default moto runs through moto-server.py, which makes its SigV4 check use the raw request URI (stock
# moto rejects correctly signed requests with '/' in a query value, e.g. prefix=repo%2F).
# S3_TEST_SERVER_STOCK_MOTO=1 runs plain `python3 -m moto.server` instead.
#
# `start` prints the endpoint on its last stdout line, `proxy` the proxy URL.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REGION="us-east-1"
BUCKET_PLAIN="lifeboat-test"
BUCKET_VERSIONED="lifeboat-versioned"
BUCKET_LOCKED="lifeboat-locked"
WAIT_SECONDS="${S3_TEST_SERVER_WAIT:-30}"
MOTO_PATTERN="moto"  # matches both "-m moto.server" and "moto-server.py" command lines

# Debian's own python3 refuses system-wide pip installs (PEP 668); a test machine may override that.
pip_install() {
    python3 -m pip install --quiet "$@" >&2 && return 0
    python3 -m pip install --quiet --break-system-packages "$@" >&2
}

die() { echo "s3-test-server: $*" >&2; exit 1; }
usage() { echo "usage: $0 start|proxy|stop DIR" >&2; exit 2; }

# The real interpreter, not pyenv's bash shim, so `$!` is the server's own PID.
real_python() {
    python3 -c 'import sys; print(sys.executable)'
}

ensure_moto_server() {
    if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
        echo "s3-test-server: installing moto[server]" >&2
        pip_install 'moto[server]' || die "pip install 'moto[server]' failed"
        python3 -c 'import moto.server, flask' >/dev/null 2>&1 || die "moto.server still not importable"
    fi
    python3 -c 'import boto3' >/dev/null 2>&1 || pip_install boto3 || die "pip install boto3 failed"
}

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pid_alive PID PATTERN: the PID exists and its command line still contains PATTERN (guards against PID reuse).
pid_alive() {
    local pid="$1" pattern="$2"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# wait_http URL SECONDS PID: poll until URL answers with any HTTP status, or fail if PID dies / time runs out.
wait_http() {
    local url="$1" seconds="$2" pid="$3" deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || return 1
        if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
        sleep 0.2
    done
    return 1
}

# stop_pidfile FILE PATTERN: TERM, wait up to 5 s, then KILL. Never fails.
stop_pidfile() {
    local file="$1" pattern="$2" pid i
    [[ -f "$file" ]] || return 0
    pid="$(cat "$file" 2>/dev/null || true)"
    if pid_alive "$pid" "$pattern"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_alive "$pid" "$pattern" || break
            sleep 0.1
        done
        if pid_alive "$pid" "$pattern"; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
    fi
    rm -f "$file"
    return 0
}

# Runs against the moto endpoint while auth is still off (dummy credentials): IAM user, policy, key, buckets.
# Prints "ACCESS_KEY SECRET" on stdout.
provision() {
    ENDPOINT="$1" python3 - <<'PY'
import json, os, boto3
from botocore.config import Config
ep = os.environ["ENDPOINT"]
kw = dict(endpoint_url=ep, region_name="us-east-1", aws_access_key_id="dummy", aws_secret_access_key="dummy",
          config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "total_max_attempts": 3}))
iam = boto3.client("iam", **kw)
iam.create_user(UserName="lifeboat-test")
policy = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
arn = iam.create_policy(PolicyName="lifeboat-s3-all", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
iam.attach_user_policy(UserName="lifeboat-test", PolicyArn=arn)
key = iam.create_access_key(UserName="lifeboat-test")["AccessKey"]
s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket="lifeboat-test")
s3.create_bucket(Bucket="lifeboat-versioned")
s3.put_bucket_versioning(Bucket="lifeboat-versioned", VersioningConfiguration={"Status": "Enabled"})
s3.create_bucket(Bucket="lifeboat-locked", ObjectLockEnabledForBucket=True)
s3.put_object_lock_configuration(Bucket="lifeboat-locked", ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
}

# Proves SigV4 verification is on: wrong secret -> 403, real key -> success and buckets configured as expected.
prove_auth() {
    ENDPOINT="$1" KEY="$2" SECRET="$3" python3 - <<'PY'
import os, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
ep, key, secret = os.environ["ENDPOINT"], os.environ["KEY"], os.environ["SECRET"]
def client(k, s):
    return boto3.client("s3", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k,
                        aws_secret_access_key=s,
                        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))
for label, k, s in (("wrong secret", key, secret + "x"), ("unknown key", "AKIAUNKNOWNKEY000000", secret)):
    try:
        client(k, s).list_objects_v2(Bucket="lifeboat-test")
        sys.exit(f"auth check failed: request with {label} succeeded, verification is OFF")
    except ClientError as e:
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        code = e.response["Error"]["Code"]
        if status != 403 or code not in ("SignatureDoesNotMatch", "InvalidAccessKeyId"):
            sys.exit(f"auth check failed: {label} gave {status} {code}, expected 403")
        print(f"auth check: {label} -> {status} {code}", file=sys.stderr)
good = client(key, secret)
good.list_objects_v2(Bucket="lifeboat-test")
v = good.get_bucket_versioning(Bucket="lifeboat-versioned").get("Status")
lock = good.get_object_lock_configuration(Bucket="lifeboat-locked")["ObjectLockConfiguration"]
ret = lock.get("Rule", {}).get("DefaultRetention", {})
if v != "Enabled" or ret.get("Mode") != "GOVERNANCE" or ret.get("Days") != 1:
    sys.exit(f"bucket setup check failed: versioning={v} lock={lock}")
print("auth check: real key -> 200; versioning Enabled; object lock GOVERNANCE 1 day", file=sys.stderr)
PY
}

cmd_start() {
    local dir="$1" py port pid endpoint creds key secret
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ -f "$dir/pid" ]] && pid_alive "$(cat "$dir/pid")" "$MOTO_PATTERN"; then
        die "a server from '$dir' is already running (pid $(cat "$dir/pid")); stop it first"
    fi
    command -v curl >/dev/null || die "curl is required"
    ensure_moto_server
    py="$(real_python)"
    port="$(free_port)"
    endpoint="http://127.0.0.1:$port"
    # Plain background exec of the real interpreter: $! is the python process itself.
    if [[ "${S3_TEST_SERVER_STOCK_MOTO:-0}" == 1 ]]; then
        "$py" -m moto.server -H 127.0.0.1 -p "$port" </dev/null >"$dir/moto.log" 2>&1 &
    else
        # Same server plus the raw-URI signature fix (see moto-server.py).
        "$py" "$SCRIPT_DIR/moto-server.py" -H 127.0.0.1 -p "$port" </dev/null >"$dir/moto.log" 2>&1 &
    fi
    pid=$!
    echo "$pid" >"$dir/pid"
    if ! wait_http "$endpoint/moto-api/" "$WAIT_SECONDS" "$pid"; then
        tail -n 20 "$dir/moto.log" >&2 || true
        stop_pidfile "$dir/pid" "$MOTO_PATTERN"
        die "moto did not answer on $endpoint within ${WAIT_SECONDS}s"
    fi
    pid_alive "$pid" "$MOTO_PATTERN" || die "recorded pid $pid is not the moto server"

    if ! creds="$(provision "$endpoint")"; then
        stop_pidfile "$dir/pid" "$MOTO_PATTERN"; die "provisioning IAM user and buckets failed"
    fi
    read -r key secret <<<"$creds"
    [[ -n "$key" && -n "$secret" ]] || { stop_pidfile "$dir/pid" "$MOTO_PATTERN"; die "no access key returned"; }

    # From here on every request must carry a valid SigV4 signature of an IAM key.
    if ! curl -sf --max-time 10 -X POST -H 'Content-Type: text/plain' --data '0' \
        "$endpoint/moto-api/reset-auth" >/dev/null; then
        stop_pidfile "$dir/pid" "$MOTO_PATTERN"; die "POST /moto-api/reset-auth failed"
    fi
    if ! prove_auth "$endpoint" "$key" "$secret"; then
        stop_pidfile "$dir/pid" "$MOTO_PATTERN"; die "verification failed (signature check or bucket setup)"
    fi

    (
        umask 077
        cat >"$dir/env" <<EOF
export AWS_ACCESS_KEY_ID=$key
export AWS_SECRET_ACCESS_KEY=$secret
export LIFEBOAT_TEST_S3_ENDPOINT=$endpoint
export LIFEBOAT_TEST_S3_BUCKET=$BUCKET_PLAIN
export LIFEBOAT_TEST_S3_REGION=$REGION
EOF
    )
    chmod 0600 "$dir/env"
    echo "s3-test-server: moto pid $pid, buckets $BUCKET_PLAIN $BUCKET_VERSIONED $BUCKET_LOCKED, env in $dir/env" >&2
    echo "$endpoint"
}

cmd_proxy() {
    local dir="$1" py port pid url endpoint
    [[ -f "$dir/env" && -f "$dir/pid" ]] || die "no server in '$dir'; run start first"
    dir="$(cd "$dir" && pwd)"
    pid_alive "$(cat "$dir/pid")" "$MOTO_PATTERN" || die "the server recorded in '$dir/pid' is not running"
    stop_pidfile "$dir/proxy.pid" "fault-proxy.py"
    endpoint="$(sed -n 's/^export LIFEBOAT_TEST_S3_ENDPOINT=//p' "$dir/env")"
    [[ -n "$endpoint" ]] || die "no LIFEBOAT_TEST_S3_ENDPOINT in '$dir/env'"
    py="$(real_python)"
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    "$py" "$SCRIPT_DIR/fault-proxy.py" "$port" --upstream "$endpoint" </dev/null >"$dir/proxy.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/proxy.pid"
    if ! wait_http "$url/__faults__" "$WAIT_SECONDS" "$pid"; then
        tail -n 20 "$dir/proxy.log" >&2 || true
        stop_pidfile "$dir/proxy.pid" "fault-proxy.py"
        die "fault proxy did not answer on $url within ${WAIT_SECONDS}s"
    fi
    local tmp="$dir/env.tmp"
    (umask 077; grep -v '^export LIFEBOAT_TEST_S3_PROXY=' "$dir/env" >"$tmp" || true)
    echo "export LIFEBOAT_TEST_S3_PROXY=$url" >>"$tmp"
    chmod 0600 "$tmp"
    mv -f "$tmp" "$dir/env"
    echo "s3-test-server: fault proxy pid $pid -> $endpoint" >&2
    echo "export LIFEBOAT_TEST_S3_PROXY=$url"
}

cmd_stop() {
    local dir="$1"
    [[ -d "$dir" ]] || return 0
    stop_pidfile "$dir/proxy.pid" "fault-proxy.py"
    stop_pidfile "$dir/pid" "$MOTO_PATTERN"
    if [[ -f "$dir/env" ]]; then
        (umask 077; grep -v '^export LIFEBOAT_TEST_S3_PROXY=' "$dir/env" >"$dir/env.tmp" || true) 2>/dev/null
        mv -f "$dir/env.tmp" "$dir/env" 2>/dev/null || true
    fi
    return 0
}

[[ $# -eq 2 ]] || usage
case "$1" in
    start) cmd_start "$2" ;;
    proxy) cmd_proxy "$2" ;;
    stop) cmd_stop "$2" || true; exit 0 ;;
    *) usage ;;
esac
