"""A real misbehaving adapter on loopback: one behaviour per server, raw sockets.

``/about`` always answers a valid conformance statement (so a run starts); every other
request gets the server's hostile behaviour.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from typing import Any

from tests import paper_bombs

ABOUT = json.dumps({"logiciel": {"nom": "hostile", "version": "0", "editeur": "tests"},
                    "versionContrat": "1.0",
                    "capacites": {"typesLignes": ["medicament"], "modeDegrade": True}}).encode()
PID = "0123456789ABCDEFGH"
HOSTILE_TEXT = '<script>alert("pwned")</script>"><img src=x onerror=alert(1)>'
MODES = ("silent", "drip", "5xx", "invalid-json", "wrong-shape", "huge", "redirect-loop",
         "paper-not-pdf", "paper-corrupt", "paper-bomb", "paper-wide", "paper-hex-flate",
         "paper-fan-out")


class _Handler(socketserver.BaseRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        try:
            while self._one(sock):
                pass
        except OSError:
            pass

    def _one(self, sock: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        line = head.split(b"\r\n")[0].decode()
        method, path = line.split(" ")[0], line.split(" ")[1]
        length = next((int(h.split(b":")[1]) for h in head.split(b"\r\n")
                       if h.lower().startswith(b"content-length:")), 0)
        while len(rest) < length:
            rest += sock.recv(65536)
        if path == "/about" and self.server.mode != "silent-all":
            self._send(sock, 200, ABOUT)
            return True
        return self.server.behave(self, sock, method, path)

    @staticmethod
    def _send(sock: socket.socket, status: int, body: bytes, ctype: str = "application/json",
              extra: str = "") -> None:
        sock.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}"
                     f"\r\n{extra}\r\n".encode() + body)


class HostileServer(socketserver.ThreadingTCPServer):
    """Serves one hostile ``mode`` on 127.0.0.1 (a free port)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()

    def behave(self, h: _Handler, sock: socket.socket, method: str, path: str) -> bool:
        mode = self.mode
        if mode in ("silent", "silent-all"):  # accepts, reads, never answers
            self.stopping.wait(60)
            return False
        if mode == "drip":  # headers, then one byte every 0.2 s, forever
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100000\r\n\r\n")
            while not self.stopping.wait(0.2):
                sock.sendall(b" ")
            return False
        if mode == "5xx":
            h._send(sock, 500, b"<html>Internal Server Error</html>", "text/html")
        elif mode == "invalid-json":
            h._send(sock, 201 if method == "POST" else 200, b'{"id": "0123", statut: ')
        elif mode == "wrong-shape":
            h._send(sock, 201 if method == "POST" else 200, b"[1, 2, 3]")
        elif mode == "huge":  # 200 MB announced and streamed
            size = 200_000_000
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % size)
            block = b"[" + b"0," * 32767
            sent = 0
            while sent < size and not self.stopping.is_set():
                sock.sendall(block)
                sent += len(block)
            return False
        elif mode == "xss":  # a rejection whose words are markup
            h._send(sock, 422, json.dumps({"title": HOSTILE_TEXT, "detail": HOSTILE_TEXT,
                                           "rule": HOSTILE_TEXT}).encode(), "application/problem+json")
        elif mode == "redirect-loop":
            h._send(sock, 302, b"", extra=f"Location: {path}\r\n")
        elif mode.startswith("paper-"):
            self._adapter(h, sock, method, path)
        return True

    def _adapter(self, h: _Handler, sock: socket.socket, method: str, path: str) -> None:
        """A plausible adapter whose printed paper is broken."""
        if method == "POST":
            h._send(sock, 201, json.dumps({"id": PID, "statut": "enregistree",
                                           "papier": f"/prescriptions/{PID}/paper"}).encode())
        elif path.endswith("/paper"):
            body = {"paper-not-pdf": b"<html>ordonnance</html>",
                    "paper-corrupt": b"%PDF-1.7\n1 0 obj << /Type /Catalog",
                    "paper-bomb": BOMB, "paper-wide": paper_bombs.wide_page(),
                    "paper-hex-flate": paper_bombs.hex_flate(),
                    "paper-fan-out": paper_bombs.fan_out()}[self.mode]
            h._send(sock, 200, body, "application/pdf")
        else:
            h._send(sock, 200, json.dumps({"id": PID, "resultats": []}).encode())


BOMB = paper_bombs.flate_zeros()

