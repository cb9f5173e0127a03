"""A small forward proxy, run as its own process by the network tests: plain HTTP in absolute
form and HTTPS through CONNECT, as company proxies do.

    python tests/support/proxyserver.py LOGFILE [--auth user:password]

Prints its port on the first line of stdout, then serves on 127.0.0.1 until killed. Each request
is appended to LOGFILE as one JSON line (method, target, whether Proxy-Authorization was right),
so a test can check the proxy was used. It only ever connects to 127.0.0.1 (the tests' own
servers): anything else gets a 403.
"""

from __future__ import annotations

import base64
import json
import select
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ALLOWED = {"127.0.0.1", "localhost"}


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ProxyServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _record(self, ok: bool) -> None:
        line = json.dumps({"method": self.command, "target": self.path, "auth_ok": ok})
        with self.server.log_lock, open(self.server.log_path, "a", encoding="utf-8") as log:
            log.write(line + "\n")

    def _authorised(self) -> bool:
        expected = self.server.auth
        if not expected:
            return True
        token = base64.b64encode(expected.encode()).decode()
        return self.headers.get("Proxy-Authorization", "") == f"Basic {token}"

    def _refuse(self, status: int, reason: str) -> None:
        body = reason.encode()
        self.send_response(status, reason)
        if status == 407:
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_CONNECT(self) -> None:
        ok = self._authorised()
        self._record(ok)
        if not ok:
            self._refuse(407, "Proxy Authentication Required")
            return
        host, _, port = self.path.rpartition(":")
        if host not in ALLOWED:
            self._refuse(403, "Forbidden")
            return
        try:
            upstream = socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            self._refuse(502, "Bad Gateway")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        _pipe(self.connection, upstream)
        self.close_connection = True

    def do_GET(self) -> None:
        ok = self._authorised()
        self._record(ok)
        if not ok:
            self._refuse(407, "Proxy Authentication Required")
            return
        parts = urlsplit(self.path)
        if parts.scheme != "http" or parts.hostname not in ALLOWED:
            self._refuse(403, "Forbidden")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-authorization"}
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        request = f"GET {target or '/'} HTTP/1.1\r\n"
        request += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() != "connection")
        request += "Connection: close\r\n\r\n"
        try:
            upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=5)
        except OSError:
            self._refuse(502, "Bad Gateway")
            return
        with upstream:
            upstream.sendall(request.encode("latin-1"))
            chunks = []
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                chunks.append(data)
        # The origin's answer as it came, then close (the answer's framing is the origin's).
        self.wfile.write(b"".join(chunks))
        self.close_connection = True


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    sockets = [client, upstream]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 10)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
    except OSError:
        return
    finally:
        upstream.close()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, log_path: str, auth: str) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.log_path = log_path
        self.auth = auth
        self.log_lock = threading.Lock()


def main(argv: list[str]) -> int:
    log_path = argv[0]
    auth = argv[argv.index("--auth") + 1] if "--auth" in argv else ""
    server = ProxyServer(log_path, auth)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
