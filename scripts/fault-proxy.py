#!/usr/bin/env python3
"""Fault-injecting HTTP/1.1 proxy for Lifeboat's S3 tests (stdlib only).

Listens on 127.0.0.1:PORT and forwards every request to --upstream with the request line, headers (Host
included) and body unchanged, so SigV4 signatures made for the proxy's host:port stay valid upstream.

Control endpoint (never forwarded):
  POST   /__faults__  JSON list (or one object) appended to the fault queue. The head of the queue applies
                      to the next request; an entry with "match" applies only to the next request whose
                      "METHOD /path?query" contains that substring (other requests pass, entry stays at head).
                      Entry keys: {"status": 503, "code": "SlowDown", "message": "..."} answer without
                      forwarding; {"drop_after_bytes": N} forward, cut the response after N body bytes;
                      {"drop_request": true} close without answering; {"delay": S} sleep S seconds, then
                      do the rest of the entry (forward if nothing else); {"pass": true} forward.
  GET    /__faults__  {"queue": [...], "log": [last 200 requests in arrival order: method, path (with
                      query), status (null if none was sent), fault, note, done (false while in flight)]}
  DELETE /__faults__  clear queue and log.
"""
import argparse
import collections
import http.client
import http.server
import json
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from xml.sax.saxutils import escape

CONTROL_PATH = "/__faults__"
CHUNK = 64 * 1024
UPSTREAM_TIMEOUT = 120
CLIENT_IDLE_TIMEOUT = 120
DEFAULT_MESSAGES = {"SlowDown": "Please reduce your request rate.",
                    "InternalError": "We encountered an internal error. Please try again.",
                    "ServiceUnavailable": "Service is unable to handle request."}


class FaultState:
    """Fault queue and request log shared by all handler threads; every access holds the lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.queue = []
        self.log = collections.deque(maxlen=200)

    def take(self, target):
        with self.lock:
            if not self.queue:
                return None
            head = self.queue[0]
            match = head.get("match")
            if match is not None and match not in target:
                return None
            return self.queue.pop(0)

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def snapshot(self):
        with self.lock:
            return {"queue": list(self.queue), "log": [dict(e) for e in self.log]}


class DropConnection(Exception):
    """Raised to close the client connection on purpose (fault injection)."""


class ClientGone(Exception):
    """The client closed its connection; nothing more to send."""


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = CLIENT_IDLE_TIMEOUT
    server_version = "fault-proxy"

    # --- dispatch -------------------------------------------------------------------------------------------

    def handle_any(self):
        try:
            if urllib.parse.urlsplit(self.path).path == CONTROL_PATH:
                self.handle_control()
            else:
                self.handle_proxy()
        except DropConnection:
            self.abort_connection()
        except (ClientGone, BrokenPipeError, ConnectionResetError, socket.timeout, TimeoutError):
            self.close_connection = True

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_OPTIONS = do_PATCH = handle_any

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    # --- control endpoint -----------------------------------------------------------------------------------

    def handle_control(self):
        state = self.server.state
        body = self.read_body_whole(limit=1 << 20)
        if self.command == "POST":
            try:
                entries = json.loads(body or b"[]")
                if isinstance(entries, dict):
                    entries = [entries]
                if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                    raise ValueError("expected a JSON list of objects")
            except ValueError as e:
                return self.send_json(400, {"error": str(e)})
            with state.lock:
                state.queue.extend(entries)
                n = len(state.queue)
            return self.send_json(200, {"queued": n})
        if self.command == "DELETE":
            with state.lock:
                state.queue.clear()
                state.log.clear()
            return self.send_json(200, {"queued": 0})
        if self.command == "GET":
            return self.send_json(200, state.snapshot())
        return self.send_json(405, {"error": "use GET, POST or DELETE"})

    def send_json(self, status, obj):
        data = json.dumps(obj, indent=1).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # --- proxying -------------------------------------------------------------------------------------------

    def handle_proxy(self):
        target = f"{self.command} {self.path}"
        fault = self.server.state.take(target)
        # Logged on arrival (so the log is in arrival order) and filled in as the request completes.
        entry = {"time": round(time.time(), 3), "method": self.command, "path": self.path,
                 "status": None, "fault": fault, "note": None, "done": False}
        self.server.state.record(entry)
        try:
            self.apply_fault(fault, entry)
        finally:
            entry["done"] = True

    def apply_fault(self, fault, entry):
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            # The proxy only streams Content-Length bodies; refuse rather than corrupt.
            self.close_connection = True
            entry["status"] = 411
            entry["note"] = "chunked request refused"
            return self.send_s3_error(411, "MissingContentLength", "fault-proxy needs Content-Length")
        fault = fault or {}
        if fault.get("delay"):
            time.sleep(float(fault["delay"]))
        if "status" in fault:
            self.discard_body()
            status = int(fault["status"])
            entry["status"] = status
            code = fault.get("code", "InternalError")
            return self.send_s3_error(status, code, fault.get("message", DEFAULT_MESSAGES.get(code, code)))
        if fault.get("drop_request"):
            self.discard_body()
            entry["note"] = "connection closed without response"
            raise DropConnection()
        drop_after = fault.get("drop_after_bytes")
        self.forward(entry, None if drop_after is None else int(drop_after))

    def forward(self, entry, drop_after):
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=UPSTREAM_TIMEOUT)
        try:
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
                self.copy_request_body(conn)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as e:
                self.close_connection = True
                entry["status"] = 502
                entry["note"] = f"upstream error: {e!r}"
                return self.send_s3_error(502, "BadGateway", "fault-proxy could not reach upstream")
            entry["status"] = resp.status
            self.relay_response(resp, entry, drop_after)
        finally:
            conn.close()

    def copy_request_body(self, conn):
        remaining = self.content_length()
        while remaining > 0:
            data = self.read_client(min(CHUNK, remaining))
            conn.send(data)
            remaining -= len(data)

    def relay_response(self, resp, entry, drop_after):
        head = [f"HTTP/1.1 {resp.status} {resp.reason}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in resp.msg.items()]
        head.append("\r\n")
        self.wfile.write("".join(head).encode("latin-1"))
        chunked = resp.chunked  # http.client de-chunks; re-chunk so the header we forwarded stays true
        if resp.will_close or (resp.getheader("Connection", "").lower() == "close"):
            self.close_connection = True
        sent = 0
        while True:
            try:
                data = resp.read(CHUNK)
            except (OSError, http.client.HTTPException) as e:
                entry["note"] = f"upstream failed mid-body: {e!r}"
                raise DropConnection() from e
            if not data:
                break
            if drop_after is not None and sent + len(data) > drop_after:
                data = data[: drop_after - sent]
                self.write_body(data, chunked)
                self.wfile.flush()
                entry["note"] = f"response cut after {sent + len(data)} body bytes"
                raise DropConnection()
            self.write_body(data, chunked)
            sent += len(data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        if drop_after is not None:
            entry["note"] = f"body had only {sent} bytes; nothing cut"
        self.wfile.flush()

    def write_body(self, data, chunked):
        if not data:
            return
        if chunked:
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            self.wfile.write(data)

    # --- helpers --------------------------------------------------------------------------------------------

    def content_length(self):
        try:
            return max(0, int(self.headers.get("Content-Length", "0")))
        except ValueError:
            return 0

    def read_body_whole(self, limit):
        n = min(self.content_length(), limit)
        return self.rfile.read(n) if n else b""

    def discard_body(self):
        remaining = self.content_length()
        while remaining > 0:
            data = self.read_client(min(CHUNK, remaining))
            remaining -= len(data)

    def read_client(self, n):
        try:
            data = self.rfile.read(n)
        except OSError as e:
            raise ClientGone() from e
        if not data:
            raise ClientGone()
        return data

    def send_s3_error(self, status, code, message):
        rid = uuid.uuid4().hex[:16].upper()
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"<RequestId>{rid}</RequestId></Error>").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("x-amz-request-id", rid)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def abort_connection(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, upstream, verbose):
        super().__init__(addr, ProxyHandler)
        self.upstream = upstream
        self.verbose = verbose
        self.state = FaultState()

    def handle_error(self, request, client_address):
        # Client disconnects are part of the job; only report unexpected errors.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int, help="port to listen on (127.0.0.1)")
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:5000")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args()
    upstream = urllib.parse.urlsplit(args.upstream)
    if upstream.scheme != "http" or not upstream.hostname:
        parser.error("--upstream must be http://HOST:PORT")
    server = ProxyServer(("127.0.0.1", args.port), upstream, args.verbose)
    print(f"fault-proxy: 127.0.0.1:{args.port} -> {args.upstream}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
