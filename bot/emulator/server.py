"""The emulator behind a real HTTP socket on loopback.

``python -m bot run`` with ``TELEGRAM_API_URL`` pointing here exercises the bot's production
transport (httpx, timeouts, multipart encoding, long polling, or webhook delivery to the bot's
own HTTP server) against the emulator, which is what the in-process adapter cannot prove.
Each request gets its own thread so a pending ``getUpdates`` long poll never blocks
``sendMessage`` and friends.
"""

from __future__ import annotations

import json
import logging
import re
import select
import socket
import sys
import threading
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.emulator.core import BotApiEmulator, FileTuple

__all__ = ["EmulatorServer", "parse_multipart"]

_LOG = logging.getLogger(__name__)
_FILE_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_METHOD_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[^/]+)/?$")


def _fix_header_text(value: str) -> str:
    """Raw UTF-8 in headers (httpx sends file names that way) arrives as surrogate escapes."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return value


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, FileTuple]]:
    """Splits a multipart/form-data body into text fields and file parts (stdlib ``email``)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("multipart body without parts")
    fields: dict[str, str] = {}
    files: dict[str, FileTuple] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        name = _fix_header_text(name)
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode("utf-8")
        else:
            files[name] = (_fix_header_text(filename), data, part.get_content_type())
    return fields, files


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for long polls when closing
    emu: BotApiEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a cancelled long poll) is normal, not worth a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            _LOG.debug("client %s went away: %r", client_address, error)
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        _LOG.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle()

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._handle()

    def _client_alive(self) -> bool:
        """True unless the client closed its end (readable socket with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return True
            return self.connection.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reply_json(self, status: int, payload: dict[str, Any]) -> None:
        self._reply(status, json.dumps(payload).encode("utf-8"))

    def _handle(self) -> None:
        emu = self.server.emu
        split = urlsplit(self.path)
        path = unquote(split.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""

        file_match = _FILE_RE.match(path)
        if file_match:
            data = emu.download(file_match.group("path")) if file_match.group("token") == emu.token else None
            if data is None:
                self._reply_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            else:
                self._reply(200, data, "application/octet-stream")
            return

        method_match = _METHOD_RE.match(path)
        if not method_match:
            self._reply_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return

        params: dict[str, Any] = dict(parse_qsl(split.query, keep_blank_values=True))
        files: dict[str, FileTuple] = {}
        content_type = self.headers.get("Content-Type") or ""
        mime = content_type.split(";", 1)[0].strip().lower()
        try:
            if mime == "application/json" and body:
                decoded = json.loads(body)
                if not isinstance(decoded, dict):
                    raise ValueError("JSON body must be an object")
                params.update(decoded)
            elif mime == "multipart/form-data":
                fields, files = parse_multipart(content_type, body)
                params.update(fields)
            elif body:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (ValueError, UnicodeDecodeError) as exc:
            description = f"Bad Request: can't parse request body: {exc}"
            self._reply_json(400, {"ok": False, "error_code": 400, "description": description})
            return

        try:
            status, payload = emu.call(
                method_match.group("method"),
                params,
                files,
                token=method_match.group("token"),
                client_alive=self._client_alive,
            )
        except Exception as exc:  # an emulator bug must surface, not hang the client
            _LOG.exception("emulator failure on %s", method_match.group("method"))
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            payload = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"}
        self._reply_json(int(status), payload)


class EmulatorServer:
    """Serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` from a daemon thread.

    A bot in webhook mode gets its updates POSTed to ``webhook_target`` (the reverse proxy: the
    registered https:// URL's path on a local http:// address, see ``BotApiEmulator.webhook_target``).
    """

    def __init__(
        self, emu: BotApiEmulator, host: str = "127.0.0.1", port: int = 0, *, webhook_target: str | None = None
    ) -> None:
        self.emu = emu
        if webhook_target is not None:
            emu.webhook_target = webhook_target
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL such as ``http://127.0.0.1:PORT`` (the port is known once started)."""
        if self._server is None:
            raise RuntimeError("server not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    def start(self) -> EmulatorServer:
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        server.emu = self.emu
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="telegram-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.emu.wake_pollers()  # let pending long polls answer [] instead of hanging on
        self.emu.stop_webhook_delivery()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
