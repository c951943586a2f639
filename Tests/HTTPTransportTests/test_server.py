#!/usr/bin/env python3
"""A real HTTP/1.1 server for HTTPTransportTests (keep-alive, 100-continue, optional TLS).

Binds 127.0.0.1 on --port (0: a free port the OS picks, which avoids races between parallel runs) and
prints the bound port on one stdout line. Routes:
  /echo                        request as JSON: method, path, headers (ordered), body length/sha256/hex,
                               whether it was chunked, the client port (to prove connection reuse)
  /status/<code>?body=T        respond <code> with body T
  /bytes/<n>                   n bytes of the pattern byte[i] = i % 251
  /stall/<n>?after=k           announce n bytes, send k, then stall (low-speed timeout test)
  /drop/<n>?after=k[&reset=1]  announce n bytes, send k, then close (or reset) the connection
  /require-header?name=N&value=V  200 if header N has exactly value V, else 412
  /pattern-sha256?n=N          sha256 of the first N pattern bytes
  /reject-early/<code>         answer <code> and close without sending 100 Continue or reading the body
  /close-once?key=K            first time for this path: read the body and close without answering; then like /echo
"""
import argparse
import hashlib
import json
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PERIOD = 251
BLOCK = bytes(i % PERIOD for i in range(PERIOD)) * 4096  # ~1 MiB; a multiple of PERIOD, so every block starts at phase 0
READ_SIZE = 1 << 20
SEEN_KEYS = set()
SEEN_LOCK = threading.Lock()


def pattern_chunks(count):
    while count > 0:
        piece = BLOCK[:min(count, len(BLOCK))]
        count -= len(piece)
        yield piece


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lifeboat-test-server"
    sys_version = ""
    # Headers and body go out in separate writes; with Nagle on, each response would wait for a delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def handle_expect_100(self):
        # /close-once must receive the body before dropping the connection, and an interim 100 would count
        # as a response, so curl would not retry; make curl wait out its expect timeout instead.
        if self.path.startswith("/close-once") and not self.seen(self.path):
            return True
        if self.path.startswith("/reject-early"):
            return True  # like S3 refusing a bad signature: the final status replaces the 100
        return super().handle_expect_100()

    def do_GET(self):
        self.dispatch()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    def dispatch(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = [p for p in url.path.split("/") if p]
        route = parts[0] if parts else ""
        handler = getattr(self, "route_" + route.replace("-", "_"), None)
        if handler is None:
            self.read_body()
            self.respond(404, b"no such route\n")
            return
        handler(parts[1:], query)

    # Request body ------------------------------------------------------------------------------------

    def read_body(self):
        """Reads the whole body (hashing as it goes, never holding more than READ_SIZE)."""
        digest = hashlib.sha256()
        length = 0
        head = bytearray()
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        for piece in (self.read_chunked() if chunked else self.read_sized()):
            digest.update(piece)
            length += len(piece)
            if len(head) < 4096:
                head += piece[:4096 - len(head)]
        return {"length": length, "sha256": digest.hexdigest(), "hex": head.hex() if length <= 4096 else None,
                "chunked": chunked}

    def read_sized(self):
        remaining = int(self.headers.get("Content-Length", "0") or "0")
        while remaining > 0:
            piece = self.rfile.read(min(remaining, READ_SIZE))
            if not piece:
                raise ConnectionError("client closed mid-body")
            remaining -= len(piece)
            yield piece

    def read_chunked(self):
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return
            yield self.rfile.read(size)
            self.rfile.readline()

    # Responses ---------------------------------------------------------------------------------------

    def respond(self, status, body, content_type="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def start_pattern(self, announced, sent):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(announced))
        self.end_headers()
        for piece in pattern_chunks(sent):
            self.wfile.write(piece)
        self.wfile.flush()

    # Routes ------------------------------------------------------------------------------------------

    def route_echo(self, parts, query):
        body = self.read_body()
        document = {
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body_length": body["length"],
            "body_sha256": body["sha256"],
            "body_hex": body["hex"],
            "chunked": body["chunked"],
            "client_port": self.client_address[1],
        }
        payload = json.dumps(document).encode()
        self.respond(200, payload, "application/json",
                     [("X-Echo-Method", self.command), ("X-Dup", "first"), ("x-dup", "second")])

    def route_status(self, parts, query):
        self.read_body()
        status = int(parts[0]) if parts else 200
        self.respond(status, query.get("body", "").encode(), "application/xml")

    def route_bytes(self, parts, query):
        self.read_body()
        count = int(parts[0])
        self.start_pattern(count, count)

    def route_stall(self, parts, query):
        self.read_body()
        self.start_pattern(int(parts[0]), int(query.get("after", "0")))
        time.sleep(float(query.get("seconds", "30")))
        self.close_connection = True

    def route_drop(self, parts, query):
        self.read_body()
        self.start_pattern(int(parts[0]), int(query.get("after", "0")))
        self.abort_connection(query.get("reset") == "1")

    def route_require_header(self, parts, query):
        self.read_body()
        wanted_name, wanted_value = query.get("name", ""), query.get("value", "")
        values = self.headers.get_all(wanted_name) or []
        if values == [wanted_value]:
            self.respond(200, b"ok\n")
        else:
            self.respond(412, ("header %r was %r\n" % (wanted_name, values)).encode())

    def route_reject_early(self, parts, query):
        # The unread body is still on the wire, so this connection cannot carry another request.
        self.close_connection = True
        self.respond(int(parts[0]), b"<Error><Code>AccessDenied</Code></Error>", "application/xml",
                     [("Connection", "close")])

    def route_pattern_sha256(self, parts, query):
        digest = hashlib.sha256()
        for piece in pattern_chunks(int(query["n"])):
            digest.update(piece)
        self.read_body()
        self.respond(200, json.dumps({"sha256": digest.hexdigest()}).encode(), "application/json")

    @staticmethod
    def seen(path):
        with SEEN_LOCK:
            return path in SEEN_KEYS

    def route_close_once(self, parts, query):
        with SEEN_LOCK:
            first = self.path not in SEEN_KEYS
            SEEN_KEYS.add(self.path)
        if first:
            self.read_body()
            self.abort_connection(reset=False)
        else:
            self.route_echo(parts, query)

    def abort_connection(self, reset):
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that hang up (the abort tests) are expected; anything else is a server bug worth seeing.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, ssl.SSLError, OSError)):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
