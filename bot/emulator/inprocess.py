"""A PTB request backend that talks to :class:`BotApiEmulator` without sockets.

Flow tests want the *real* ``Application``/``Bot`` code path (serialisation, error mapping,
``Defaults``) but no network and no threads.  ``EmulatorRequest`` plugs in where
``HTTPXRequest`` normally sits and feeds the exact ``RequestData`` PTB would have posted
(``json_parameters`` + ``multipart_data``) to :meth:`BotApiEmulator.call`, so the emulator decodes
precisely what would have gone over the wire.

Long polling is the one thing that cannot be done synchronously inside an event loop: a blocking
``getUpdates`` would freeze the very loop that must run the bot.  So ``getUpdates`` is executed
with ``timeout=0`` and, when nothing is pending, the adapter awaits an emulator change
notification (cancellable, no sleeping) until the requested timeout elapses.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.emulator.core import BotApiEmulator, FileTuple

__all__ = ["EmulatorRequest"]

_FILE_RE = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_METHOD_RE = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/]+)$")
_NOT_FOUND = json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()


def _read_content(content: Any) -> bytes:
    """PTB >= 21.5 may hand over an open file handle instead of bytes."""
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if isinstance(content, str):
        return content.encode("utf-8")
    if hasattr(content, "read"):
        data = content.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise TypeError(f"unsupported upload content: {type(content)!r}")


class EmulatorRequest(BaseRequest):
    """``BaseRequest`` implementation routing every call to an in-memory emulator."""

    def __init__(self, emu: BotApiEmulator, *, read_timeout: float | None = 5.0) -> None:
        self._emu = emu
        self._read_timeout = read_timeout

    @property
    def emulator(self) -> BotApiEmulator:
        return self._emu

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: the emulator lives in memory."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        path = unquote(urlsplit(url).path)
        file_match = _FILE_RE.search(path)
        if file_match:
            if file_match.group("token") != self._emu.token:
                return 404, _NOT_FOUND
            data = self._emu.download(file_match.group("path"))
            return (200, data) if data is not None else (404, _NOT_FOUND)

        method_match = _METHOD_RE.search(path)
        if not method_match:
            return 404, _NOT_FOUND
        api_method = method_match.group("method")
        token = method_match.group("token")
        params: dict[str, str] = dict(request_data.json_parameters) if request_data else {}
        files: dict[str, FileTuple] = {}
        if request_data is not None and request_data.contains_files:
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                files[name] = (filename, _read_content(content), mimetype)

        if api_method.lower() == "getupdates":
            status, body = await self._get_updates(params, token)
        else:
            status, body = self._emu.call(api_method, params, files, token=token)
        return status, json.dumps(body).encode("utf-8")

    async def _get_updates(self, params: dict[str, str], token: str) -> tuple[int, dict[str, Any]]:
        """Long poll without blocking the loop: poll with timeout 0, then await a change."""
        try:
            timeout = max(0.0, min(50.0, float(params.get("timeout") or 0)))
        except ValueError:
            timeout = 0.0
        immediate = {**params, "timeout": "0"}
        seq = self._emu.update_seq
        status, body = self._emu.call("getUpdates", immediate, token=token)
        if status != 200 or body["result"] or timeout <= 0:
            return status, body
        await self._emu.async_wait_for(lambda: self._emu.update_seq != seq, timeout)
        # Offset/allowed_updates were applied by the first call; repeating them is harmless.
        return self._emu.call("getUpdates", immediate, token=token)
