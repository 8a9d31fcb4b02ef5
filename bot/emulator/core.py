"""An offline stand-in for the Telegram Bot API that refuses what the real service refuses.

Mocks that accept everything let a bot pass its tests and then fail in production on an
unescaped ``<``, a 65-byte ``callback_data`` or an edit that changes nothing.  This emulator keeps
the state Telegram keeps (chats, messages, files, updates, callback queries, commands) and answers
every Bot API call with the same JSON, status code and error description Telegram would, so the
real python-telegram-bot stack can be exercised end to end without a network.

One entry point, :meth:`BotApiEmulator.call`, serves both the in-process request adapter and the
HTTP server, so both see exactly the same decoding and validation.  The ``EmuUser`` / ``EmuGroup``
objects play the human side (sending messages, pressing buttons, blocking the bot).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import math
import mimetypes
import re
import struct
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.emulator.html import HtmlError, parse_html, utf16_len

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallRecord",
    "CallbackQueryRecord",
    "EmuGroup",
    "EmuMessage",
    "EmuUser",
    "FloodLimits",
    "Hold",
    "StoredFile",
    "WebhookAttempt",
    "sample_png",
]

JsonDict = dict[str, Any]
FileTuple = tuple[str, bytes, str]

# Telegram delivers these update types when a bot does not ask for specific ones.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# Calls that produce messages and therefore count against Telegram's flood limits.
SENDING_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendmediagroup"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Parameters Telegram treats as plain strings; everything else arrives JSON-encoded from PTB.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "language_code",
        "url",
        "action",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "photo",
        "document",
        "sticker",
        "title",
        "custom_title",
        "emoji",
    }
)
ENTITY_KEYS = ("type", "offset", "length", "url", "language", "custom_emoji_id", "user")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_DOCUMENT_UPLOAD = 50 * 1024 * 1024
DELETE_WINDOW = 48 * 3600

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?![A-Za-z0-9_@])")
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANG_RE = re.compile(r"^[a-z]{2}$")


class ApiError(Exception):
    """A refusal, carrying the HTTP status and Telegram's exact description."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's documented sending limits; tunable so tests can provoke them cheaply."""

    global_per_second: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20


@dataclass
class CallRecord:
    """One Bot API call as the emulator understood it (for assertions on what the bot did)."""

    method: str
    params: JsonDict
    status: int
    result: Any = None
    description: str | None = None
    files: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class WebhookAttempt:
    """One POST of an update to the bot's webhook: delivered (2xx), refused (other status) or unreachable."""

    update_id: int
    url: str
    status: int | None  # the bot's HTTP status; None when the connection failed
    error: str | None = None
    at: float = 0.0
    with_secret: bool = False  # the X-Telegram-Bot-Api-Secret-Token header was sent

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Hold:
    """Bot API calls matching a predicate wait until :meth:`release`: a test catches the bot mid-update.

    ``waiting`` counts the calls waiting now, ``calls`` lists every call held (method, params).
    Use as a context manager, or call :meth:`release`; ``timeout`` is only a safety net.
    """

    def __init__(self, emu: BotApiEmulator, predicate: Callable[[str, JsonDict], bool], timeout: float) -> None:
        self._emu = emu
        self.predicate = predicate
        self.timeout = timeout
        self.waiting = 0
        self.calls: list[tuple[str, JsonDict]] = []
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()
        with self._emu._cond:
            if self in self._emu._holds:
                self._emu._holds.remove(self)
            self._emu._changed()

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


def _post_json(url: str, payload: JsonDict, secret: str | None) -> tuple[int | None, str | None]:
    """POST one update as Telegram does; (HTTP status or None if unreachable, error text)."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    try:
        with _DIRECT.open(request, timeout=10) as response:
            response.read()
            return int(response.status), None
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, str(error.reason)
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))


@dataclass
class StoredFile:
    """A file Telegram would host: uploads from the bot and media sent by users."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo", "document" or "sticker"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    photo_sizes: list[str] = field(default_factory=list)  # all sizes of the same photo

    @property
    def file_size(self) -> int:
        return len(self.data)


@dataclass
class CallbackQueryRecord:
    """A button press and how (whether) the bot answered it."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    at: float
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    answer_url: str | None = None


@dataclass
class EmuMessage:
    """A message as the emulator stores it; mutated in place on edits and deletions."""

    chat_id: int
    message_id: int
    from_bot: bool
    date: int
    text: str | None = None
    html: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    photo: list[str] = field(default_factory=list)
    document: str | None = None
    document_name: str | None = None
    sticker: str | None = None
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    deleted: bool = False
    edited: int = 0
    edit_date: int | None = None
    from_user_id: int | None = None
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    reply_keyboard: JsonDict | None = None
    pinned: bool = False
    extra: JsonDict = field(default_factory=dict)

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline buttons as (label, callback_data or url) rows, the way tests like to read them."""
        if not self.reply_markup:
            return []
        rows: list[list[tuple[str, str]]] = []
        for row in self.reply_markup.get("inline_keyboard", []):
            rows.append([(b["text"], _button_payload(b)) for b in row])
        return rows

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    @property
    def keyboard_labels(self) -> list[str]:
        """Labels of a reply keyboard (``keyboard`` markup) sent with this message."""
        if not self.reply_keyboard or "keyboard" not in self.reply_keyboard:
            return []
        return [b["text"] for row in self.reply_keyboard["keyboard"] for b in row]

    @property
    def kind(self) -> str:
        if self.photo:
            return "photo"
        if self.document:
            return "document"
        if self.sticker:
            return "sticker"
        if self.text is not None:
            return "text"
        return "service"

    @property
    def content(self) -> str:
        """The text or the caption, whichever the message carries (empty string if none)."""
        return self.text if self.text is not None else (self.caption or "")


def _answer_dict(query: CallbackQueryRecord) -> JsonDict:
    return {
        "callback_query_id": query.query_id,
        "user_id": query.user_id,
        "chat_id": query.chat_id,
        "message_id": query.message_id,
        "data": query.data,
        "text": query.answer_text,
        "show_alert": query.show_alert,
        "url": query.answer_url,
    }


def _update_kind(update: Mapping[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _button_payload(button: Mapping[str, Any]) -> str:
    for action in INLINE_BUTTON_ACTIONS:
        if action in button:
            value = button[action]
            return value if isinstance(value, str) else json.dumps(value)
    return ""


@dataclass
class _Chat:
    chat_id: int
    kind: str  # private, group, supergroup
    title: str | None = None
    username: str | None = None
    messages: dict[int, EmuMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: JsonDict | None = None


def sample_png(width: int = 1, height: int = 1, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG, because the emulator (like Telegram) refuses photos that are not images."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width/height from the image header, or None when the bytes are not a supported image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
        return None
    return None


def _decode_params(params: Mapping[str, Any]) -> JsonDict:
    """Turns PTB's form fields (JSON-encoded except plain strings) back into Python values."""
    decoded: JsonDict = {}
    for key, value in params.items():
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("utf-8", "replace")
        if key in STRING_PARAMS:
            if isinstance(value, dict | list):
                decoded[key] = json.dumps(value)
            elif isinstance(value, str) or value is None:
                decoded[key] = value
            else:
                decoded[key] = str(value)
        elif isinstance(value, str):
            try:
                decoded[key] = json.loads(value)
            except ValueError:
                decoded[key] = value
        else:
            decoded[key] = value
    return decoded


def _int_param(p: Mapping[str, Any], name: str, *, required: bool = False, default: int | None = None) -> int | None:
    value = p.get(name)
    if value is None or value == "":
        if required:
            raise _bad(f"{name} is empty")
        return default
    if isinstance(value, bool):
        raise _bad(f'field "{name}" must be of type Integer')
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise _bad(f'field "{name}" must be of type Integer')


def _bool_param(p: Mapping[str, Any], name: str) -> bool:
    value = p.get(name)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _normalize_entities(entities: Any) -> list[JsonDict]:
    if not entities:
        return []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise _bad("can't parse entities JSON object")
    result = []
    for entity in entities:
        if not isinstance(entity.get("type"), str) or not isinstance(entity.get("offset"), int):
            raise _bad('can\'t parse MessageEntity: field "type" must be of type String')
        if not isinstance(entity.get("length"), int) or entity["length"] <= 0:
            continue
        result.append({k: entity[k] for k in ENTITY_KEYS if k in entity})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return result


def _strip_formatted(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram trims surrounding whitespace and shifts/clips entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    new_len = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def _valid_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url:
        return False
    match = re.match(r"^(https?|tg)://([^/?#\s]+)", url, re.IGNORECASE)
    if not match:
        return False
    host = match.group(2)
    return match.group(1).lower() == "tg" or ("." in host and not host.startswith("localhost"))


class EmuUser:
    """A Telegram user talking to the bot; methods act on their private chat."""

    def __init__(
        self,
        emu: BotApiEmulator,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self._emu = emu
        self.user_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = False
        self.blocked = False

    def __repr__(self) -> str:
        return f"EmuUser({self.user_id}, {self.first_name!r})"

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    # -- acting -------------------------------------------------------------------------------
    def send_text(self, text: str) -> JsonDict:
        """Queues a ``message`` update exactly as Telegram would build it (command entity included)."""
        return self._emu._user_message(self, self.user_id, self._emu._text_fields(text))

    def send_photo(self, data: bytes, caption: str | None = None) -> JsonDict:
        fields = self._emu._user_photo_fields(data, caption)
        return self._emu._user_message(self, self.user_id, fields)

    def send_document(self, data: bytes, filename: str, mime_type: str, caption: str | None = None) -> JsonDict:
        fields = self._emu._user_document_fields(data, filename, mime_type, caption)
        return self._emu._user_message(self, self.user_id, fields)

    def send_sticker(self, emoji: str = "👍") -> JsonDict:
        """A non-text message, to check the bot copes with content it did not ask for."""
        return self._emu._user_message(self, self.user_id, self._emu._user_sticker_fields(emoji))

    def edit_text(self, message: EmuMessage, text: str) -> JsonDict:
        """Edits one of this user's own text messages: Telegram sends the bot an ``edited_message``."""
        return self._emu._user_edit(self, self.user_id, message.message_id, text)

    def press(self, label_or_data: str, *, message_id: int | None = None) -> JsonDict:
        """Presses an inline button (label first, then callback_data) and queues the callback_query."""
        return self._emu._press(self, self.user_id, label_or_data, message_id)

    def press_data(self, data: str, *, message_id: int | None = None) -> JsonDict:
        """Sends a callback_query with arbitrary data, like a button from an older bot release.

        Targets ``message_id`` (any non-deleted bot message) or the latest bot message with a
        keyboard; useful to check that stale or unknown callback data is handled politely.
        """
        return self._emu._press(self, self.user_id, data, message_id, raw_data=True)

    def tap(self, label: str) -> JsonDict:
        """Taps a reply-keyboard button, which on Telegram simply sends its label as text."""
        labels = self.keyboard or []
        if label not in labels:
            raise LookupError(f"no reply keyboard button {label!r}; available: {labels}")
        return self.send_text(label)

    def block_bot(self) -> JsonDict:
        """Blocks the bot: Telegram tells the bot via my_chat_member, then refuses its messages.

        Writing to the bot again (any ``send_*``) unblocks it first, as the Telegram app does.
        """
        return self._emu._set_blocked(self, True)

    def unblock_bot(self) -> JsonDict:
        return self._emu._set_blocked(self, False)

    # -- reading ------------------------------------------------------------------------------
    @property
    def messages(self) -> list[EmuMessage]:
        """Every message of the private chat, both directions, deleted ones included."""
        return self._emu.messages(self.user_id)

    @property
    def bot_messages(self) -> list[EmuMessage]:
        return [m for m in self.messages if m.from_bot and not m.deleted]

    @property
    def last_bot_message(self) -> EmuMessage | None:
        messages = self.bot_messages
        return messages[-1] if messages else None

    @property
    def keyboard(self) -> list[str] | None:
        """Labels of the reply keyboard currently shown to the user, if any."""
        return self._emu._current_keyboard(self.user_id)

    @property
    def latest_keyboard_message(self) -> EmuMessage | None:
        """The latest non-deleted bot message carrying an inline keyboard (what press() targets)."""
        return self._emu._latest_with_keyboard(self.user_id)

    def buttons(self, message: EmuMessage | None = None) -> list[list[tuple[str, str]]]:
        """Inline buttons of ``message`` or of the latest bot message that has some."""
        target = message or self._emu._latest_with_keyboard(self.user_id)
        return target.buttons if target else []

    @property
    def callback_answers(self) -> list[JsonDict]:
        """This user's answered button presses, as dicts (see BotApiEmulator.callback_answers)."""
        return [a for a in self._emu.callback_answers if a["user_id"] == self.user_id]


class EmuGroup:
    """A group or supergroup; the bot only hears it after :meth:`add_bot`."""

    def __init__(self, emu: BotApiEmulator, chat_id: int, title: str, kind: str, username: str | None) -> None:
        self._emu = emu
        self.chat_id = chat_id
        self.title = title
        self.kind = kind
        self.username = username
        self.members: dict[int, str] = {}
        self.bot_status: str | None = None

    def __repr__(self) -> str:
        return f"EmuGroup({self.chat_id}, {self.title!r})"

    def send_text(self, user: EmuUser, text: str, *, reply_to: EmuMessage | None = None) -> JsonDict:
        """Builds the update; it is only queued if the bot can see it (membership, privacy mode)."""
        fields = self._emu._text_fields(text)
        if reply_to is not None:
            fields["reply_to_message_id"] = reply_to.message_id
        return self._emu._user_message(user, self.chat_id, fields)

    def add_member(self, user: EmuUser, status: str = "member") -> None:
        with self._emu._lock:
            self.members[user.user_id] = status

    def add_bot(self, by: EmuUser, *, admin: bool = False) -> JsonDict:
        """Telegram sends ``my_chat_member`` and a ``new_chat_members`` service message."""
        return self._emu._add_bot(self, by, admin)

    def remove_bot(self, by: EmuUser | None = None) -> JsonDict:
        return self._emu._change_bot_status(self, "kicked", by)

    def set_bot_admin(self, admin: bool = True, by: EmuUser | None = None) -> JsonDict:
        return self._emu._change_bot_status(self, "administrator" if admin else "member", by)

    def press(self, user: EmuUser, label_or_data: str, *, message_id: int | None = None) -> JsonDict:
        return self._emu._press(user, self.chat_id, label_or_data, message_id)

    @property
    def messages(self) -> list[EmuMessage]:
        return self._emu.messages(self.chat_id)

    @property
    def bot_messages(self) -> list[EmuMessage]:
        return [m for m in self.messages if m.from_bot and not m.deleted]

    @property
    def last_bot_message(self) -> EmuMessage | None:
        messages = self.bot_messages
        return messages[-1] if messages else None

    def buttons(self, message: EmuMessage | None = None) -> list[list[tuple[str, str]]]:
        target = message or self._emu._latest_with_keyboard(self.chat_id)
        return target.buttons if target else []


class BotApiEmulator:
    """Telegram's side of the conversation: state, validation and update delivery (thread-safe)."""

    def __init__(
        self,
        token: str,
        *,
        bot_id: int = 7000000001,
        bot_username: str = "lba_test_bot",
        bot_first_name: str = "LBA Bot",
        clock: Callable[[], float] = time.time,
        flood_limits: bool | FloodLimits = False,
        group_privacy: bool = True,
        callback_query_ttl: float | None = None,
        webhook_target: str | None = None,
    ) -> None:
        self.token = token
        # The reverse proxy in front of a webhook bot: Telegram posts to the public https:// URL the bot
        # registered; a TLS-terminating proxy forwards it to the bot's plain-HTTP port. The emulator posts
        # to `webhook_target` (e.g. "http://127.0.0.1:8443") + the registered URL's path. Without it, the
        # emulator (offline) reaches nobody: updates wait, as they would for an unreachable bot.
        # Several targets, comma-separated, are a load balancer's pool: each post goes to the next one in
        # turn (round robin), and a post a target fails is retried on the next (failover).
        self.webhook_target = webhook_target
        self._webhook_turn = 0
        self.webhook_retry_base = 0.05  # seconds before the first retry, doubled each time...
        self.webhook_retry_max = 2.0  # ...up to this (Telegram waits longer; tests need not)
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.group_privacy = group_privacy
        self.callback_query_ttl = callback_query_ttl
        self._clock = clock
        if flood_limits is True:
            self.flood_limits: FloodLimits | None = FloodLimits()
        elif isinstance(flood_limits, FloodLimits):
            self.flood_limits = flood_limits
        else:
            self.flood_limits = None

        self._lock = threading.RLock()
        self._local = threading.local()  # per-call context that must survive a long-poll wait
        self._cond = threading.Condition(self._lock)
        self._users: dict[int, EmuUser] = {}
        self._groups: dict[int, EmuGroup] = {}
        self._chats: dict[int, _Chat] = {}
        self._updates: list[JsonDict] = []
        self._next_update_id = 100_000_001
        self._fetched_upto = 0
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.dropped_updates: list[JsonDict] = []
        self._files: dict[str, StoredFile] = {}
        self._files_by_unique: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = 0
        self._query_counter = 0
        self._media_group_counter = 0
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self._answer_log: list[CallbackQueryRecord] = []
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.webhook: JsonDict | None = None
        self.webhook_attempts: list[WebhookAttempt] = []
        self._webhook_generation = 0  # changes with every setWebhook / deleteWebhook
        self._webhook_thread: threading.Thread | None = None
        self._webhook_closing = False
        self._holds: list[Hold] = []
        self.calls: list[CallRecord] = []
        self.refused: list[CallRecord] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.sent_ok = 0
        self.flood_refusals = 0
        self._subscribers: list[Callable[[EmuMessage], None]] = []
        self._listeners: list[Callable[[], None]] = []
        self._version = 0
        self._update_seq = 0
        self._poll_generation = 0
        self.waiting_pollers = 0  # getUpdates calls currently long-polling (lets tests sync on it)
        self._wake_epoch = 0
        self._last_activity = time.monotonic()
        self._global_sends: deque[float] = deque()
        self._private_buckets: dict[int, tuple[float, float]] = {}
        self._group_sends: dict[int, deque[float]] = {}
        handlers: dict[str, Callable[[JsonDict, dict[str, FileTuple]], Any]] = {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "logOut": self._m_true,
            "close": self._m_true,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "deleteMessages": self._m_delete_messages,
            "answerCallbackQuery": self._m_answer_callback_query,
            "sendPhoto": self._m_send_photo,
            "sendDocument": self._m_send_document,
            "sendMediaGroup": self._m_send_media_group,
            "sendChatAction": self._m_send_chat_action,
            "getFile": self._m_get_file,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "setChatMenuButton": self._m_set_chat_menu_button,
            "getChatMenuButton": self._m_get_chat_menu_button,
            "setMyDescription": self._m_set_bot_text("description", 512),
            "getMyDescription": self._m_get_bot_text("description"),
            "setMyShortDescription": self._m_set_bot_text("short_description", 120),
            "getMyShortDescription": self._m_get_bot_text("short_description"),
            "setMyName": self._m_set_bot_text("name", 64),
            "getMyName": self._m_get_bot_text("name"),
            "getChat": self._m_get_chat,
            "getChatMember": self._m_get_chat_member,
            "getChatAdministrators": self._m_get_chat_administrators,
            "leaveChat": self._m_leave_chat,
            "pinChatMessage": self._m_pin_chat_message,
            "unpinChatMessage": self._m_unpin_chat_message,
        }
        # Telegram's method names are case-insensitive.
        self._methods = {name.lower(): handler for name, handler in handlers.items()}

    # =========================================================================================
    # Entry point
    # =========================================================================================
    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, FileTuple] | None = None,
        *,
        token: str | None = None,
        client_alive: Callable[[], bool] | None = None,
    ) -> tuple[int, JsonDict]:
        """Executes one Bot API call and returns (HTTP status, JSON body) as Telegram would.

        ``params`` are the raw form fields (strings as PTB sends them; already-decoded JSON values
        are accepted too).  ``token`` is checked when given (the transports pass the URL's token).
        ``client_alive`` lets a long poll notice that its HTTP client hung up (PTB cancels its
        pending poll when it stops), so updates are not handed to a dead socket and the abandoned
        poll is not reported as a conflict.  Every call lands in :attr:`calls` (``getUpdates``
        as soon as it starts, with status 0 while it waits); refusals also in :attr:`refused`.
        """
        files = dict(files or {})
        polling = method.lower() == "getupdates"
        if self._holds:
            self._wait_if_held(method, params or {})
        record = CallRecord(method, {}, 0, files=self._file_summary(files), at=self._clock())
        with self._cond:
            if polling:
                # Visible (status 0) while it long-polls, so callers can wait for "the bot polls".
                self.calls.append(record)
                self._changed()
            try:
                if token is not None and token != self.token:
                    raise ApiError(401, "Unauthorized")
                handler = self._methods.get(method.lower())
                if handler is None:
                    raise ApiError(404, "Not Found")
                record.params = _decode_params(params or {})
                self._local.client_alive = client_alive
                result = handler(record.params, files)
            except ApiError as exc:
                status, body = exc.status, exc.body()
                record.status, record.description = exc.status, exc.description
                if exc.status == 429:
                    self.flood_refusals += 1
                self.refused.append(record)
            else:
                status, body = 200, {"ok": True, "result": result}
                record.status, record.result = 200, result
                if method.lower() in SENDING_METHODS:
                    self.sent_ok += 1
            if not polling:
                self.calls.append(record)
            if polling and status == 200 and not body["result"]:
                return status, body  # an empty poll is no activity and changes nothing
            self._last_activity = time.monotonic()
            self._changed()
            return status, body

    def download(self, file_path: str) -> bytes | None:
        """Contents served at ``/file/bot<token>/<file_path>`` (None means 404)."""
        with self._lock:
            stored = self._files_by_path.get(file_path)
            return stored.data if stored else None

    @staticmethod
    def _file_summary(files: Mapping[str, FileTuple]) -> dict[str, tuple[str, int, str]]:
        return {name: (f[0], len(f[1]), f[2]) for name, f in files.items()}

    # =========================================================================================
    # Client side: users, groups, waiting
    # =========================================================================================
    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
    ) -> EmuUser:
        """Registers (or returns) a user; they must write to the bot before it can write to them."""
        with self._lock:
            existing = self._users.get(user_id)
            if existing is not None:
                return existing
            if user_id <= 0:
                raise ValueError("Telegram user ids are positive")
            user = EmuUser(self, user_id, first_name, last_name, username, language_code)
            self._users[user_id] = user
            self._chats[user_id] = _Chat(user_id, "private", username=username)
            return user

    def group(self, chat_id: int, title: str, *, kind: str = "supergroup", username: str | None = None) -> EmuGroup:
        with self._lock:
            existing = self._groups.get(chat_id)
            if existing is not None:
                return existing
            if chat_id >= 0:
                raise ValueError("Telegram group ids are negative (supergroups look like -100...)")
            if kind not in ("group", "supergroup"):
                raise ValueError("kind must be 'group' or 'supergroup'")
            group = EmuGroup(self, chat_id, title, kind, username)
            self._groups[chat_id] = group
            self._chats[chat_id] = _Chat(chat_id, kind, title=title, username=username)
            return group

    def get_user(self, user_id: int) -> EmuUser:
        return self._users[user_id]

    def messages(self, chat_id: int) -> list[EmuMessage]:
        with self._lock:
            chat = self._chats.get(chat_id)
            return list(chat.messages.values()) if chat else []

    def message(self, chat_id: int, message_id: int) -> EmuMessage | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            return chat.messages.get(message_id) if chat else None

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by file_id (uploads and user media alike)."""
        with self._lock:
            return self._files.get(file_id)

    def commands_for(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Commands stored for exactly this scope and language (Telegram's own storage key)."""
        with self._lock:
            key = (self._scope_key(scope or {"type": "default"}), language_code)
            return copy.deepcopy(self._commands.get(key, []))

    @property
    def commands(self) -> dict[tuple[str, str], list[JsonDict]]:
        """All stored command lists keyed by (scope JSON with sorted keys, language_code).

        The scope key looks like ``{"chat_id": 42, "type": "chat"}`` or ``{"type": "default"}``.
        """
        with self._lock:
            return copy.deepcopy(self._commands)

    @property
    def callback_answers(self) -> list[JsonDict]:
        """Every answerCallbackQuery the bot made, in order (what the user saw as toast/alert)."""
        with self._lock:
            return [_answer_dict(q) for q in self._answer_log]

    def visible_commands(self, user_id: int, language_code: str | None = None) -> list[JsonDict]:
        """What a user's client shows in a private chat, following Telegram's scope precedence."""
        lang = language_code if language_code is not None else (self._users[user_id].language_code or "")
        scopes = [{"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, {"type": "default"}]
        with self._lock:
            for scope in scopes:
                for code in (lang, ""):
                    found = self._commands.get((self._scope_key(scope), code))
                    if found:
                        return copy.deepcopy(found)
            return []

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates queued but not yet fetched by the bot."""
        with self._lock:
            return copy.deepcopy([u for u in self._updates if u["update_id"] > self._fetched_upto])

    @property
    def version(self) -> int:
        return self._version

    @property
    def update_seq(self) -> int:
        """Changes whenever getUpdates might have something new to say."""
        return self._update_seq

    def take_updates(self) -> list[JsonDict]:
        """Pops every pending update, for drivers that feed ``Application.process_update`` directly."""
        with self._cond:
            taken = [u for u in self._updates if u["update_id"] > self._fetched_upto]
            self._updates.clear()
            if taken:
                self._fetched_upto = taken[-1]["update_id"]
                self._last_activity = time.monotonic()
                self._changed()
            return copy.deepcopy(taken)

    def subscribe(self, callback: Callable[[EmuMessage], None]) -> Callable[[], None]:
        """Calls ``callback(record)`` for each new bot message, each bot edit and each deletion.

        The callback runs with the emulator lock held: it must be quick and must not wait on
        another thread that uses the emulator.  Returns a function that unsubscribes.
        """
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Low-level change hook (called under the lock after every state change)."""
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Blocks until ``predicate()`` is true, re-checking on every change (thread-side helper)."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    async def async_wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Like :meth:`wait_for` but yields to the event loop, for bots running in the same loop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event = asyncio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(event.set)

        self.add_listener(wake)
        try:
            while True:
                event.clear()
                with self._lock:
                    if predicate():
                        return True
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    with self._lock:
                        return bool(predicate())
        finally:
            self.remove_listener(wake)

    def _idle_remaining(self, quiet: float) -> float | None:
        """None when idle; otherwise how long to wait before checking again (inf = until a change)."""
        if any(u["update_id"] > self._fetched_upto for u in self._updates):
            return math.inf
        idle_for = time.monotonic() - self._last_activity
        return None if idle_for >= quiet else quiet - idle_for

    def wait_idle(self, quiet: float = 0.3, timeout: float = 15.0) -> bool:
        """Waits until the bot fetched every update and made no call for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                remaining = self._idle_remaining(quiet)
                if remaining is None:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(remaining, left))

    async def async_wait_idle(self, quiet: float = 0.3, timeout: float = 15.0) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        event = asyncio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(event.set)

        self.add_listener(wake)
        try:
            while True:
                event.clear()
                with self._lock:
                    remaining = self._idle_remaining(quiet)
                if remaining is None:
                    return True
                left = deadline - loop.time()
                if left <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, left))
        finally:
            self.remove_listener(wake)

    def wake_pollers(self) -> None:
        """Makes long-polling getUpdates calls return ``[]`` now (used when a server stops)."""
        with self._cond:
            self._wake_epoch += 1
            self._update_seq += 1
            self._changed()

    # -- holding calls ----------------------------------------------------------------------------
    def hold(self, predicate: Callable[[str, JsonDict], bool], *, timeout: float = 30.0) -> Hold:
        """From now on, calls for which ``predicate(method, params)`` is true wait until released.

        They wait outside the emulator's lock, so everything else (other chats, polls) goes on.
        """
        hold = Hold(self, predicate, timeout)
        with self._lock:
            self._holds.append(hold)
        return hold

    def _wait_if_held(self, method: str, params: Mapping[str, Any]) -> None:
        decoded = _decode_params(params)
        with self._cond:
            hold = next((h for h in self._holds if h.predicate(method, decoded)), None)
            if hold is None:
                return
            hold.waiting += 1
            hold.calls.append((method, decoded))
            self._changed()
        try:
            hold._released.wait(hold.timeout)
        finally:
            with self._cond:
                hold.waiting -= 1
                self._changed()

    # -- webhook delivery -------------------------------------------------------------------------
    @property
    def webhook_deliveries(self) -> list[WebhookAttempt]:
        """Updates the bot's webhook accepted (2xx), in order."""
        with self._lock:
            return [a for a in self.webhook_attempts if a.delivered]

    @property
    def webhook_rejections(self) -> list[WebhookAttempt]:
        """Attempts the bot refused (non-2xx) or that could not connect; each is retried."""
        with self._lock:
            return [a for a in self.webhook_attempts if not a.delivered]

    def stop_webhook_delivery(self) -> None:
        """Ends the delivery thread (EmulatorServer.stop calls it); a later setWebhook starts a new one."""
        with self._cond:
            self._webhook_closing = True
            thread, self._webhook_thread = self._webhook_thread, None
            self._changed()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=15)

    def _start_webhook_delivery(self) -> None:
        """(Under the lock.) One delivery thread, started with the first webhook."""
        if self._webhook_thread is not None and self._webhook_thread.is_alive():
            return
        self._webhook_closing = False
        self._webhook_thread = threading.Thread(
            target=self._deliver_webhooks, name="telegram-emulator-webhook", daemon=True
        )
        self._webhook_thread.start()

    def _webhook_destination(self, registered: str) -> str | None:
        """The registered public URL as the reverse proxy forwards it: target + path (+ query)."""
        targets = [t.strip() for t in (self.webhook_target or "").split(",") if t.strip()]
        if not targets:
            return None
        parts = urlsplit(registered)
        query = f"?{parts.query}" if parts.query else ""
        return targets[self._webhook_turn % len(targets)].rstrip("/") + (parts.path or "/") + query

    def _next_webhook_job(self) -> tuple[JsonDict, str, str | None] | None:
        """(Under the lock.) Waits for an update to post; None once delivery stops."""
        while not self._webhook_closing:
            hook = self.webhook
            url = self._webhook_destination(hook["url"]) if hook else None
            if hook is not None and url is not None and self._updates:
                return copy.deepcopy(self._updates[0]), url, hook.get("secret_token")
            self._cond.wait()
        return None

    def _backoff(self, delay: float) -> None:
        """(Under the lock.) Waits before a retry; a new setWebhook (the bot restarted) or a stop cuts it short."""
        generation = self._webhook_generation
        deadline = time.monotonic() + delay
        while not self._webhook_closing and self._webhook_generation == generation:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._cond.wait(left)

    def _deliver_webhooks(self) -> None:
        """Posts pending updates one at a time, oldest first (so each chat's order holds), as Telegram does:
        an update leaves the queue only when the bot answered 2xx; otherwise it is retried with backoff."""
        delay = 0.0
        while True:
            with self._cond:
                if delay:
                    self._backoff(delay)
                job = self._next_webhook_job()
                if job is None:
                    return
            update, url, secret = job
            status, error = _post_json(url, update, secret)  # outside the lock: the bot calls us meanwhile
            with self._cond:
                attempt = WebhookAttempt(update["update_id"], url, status, error, self._clock(), bool(secret))
                self.webhook_attempts.append(attempt)
                self._webhook_turn += 1  # the next post, or this one's retry, goes to the next target
                if attempt.delivered:
                    delay = 0.0
                    if self._updates and self._updates[0]["update_id"] == update["update_id"]:
                        self._updates.pop(0)
                        self._fetched_upto = max(self._fetched_upto, update["update_id"])
                else:
                    delay = min(max(delay * 2, self.webhook_retry_base), self.webhook_retry_max)
                self._last_activity = time.monotonic()
                self._changed()

    # -- internal helpers for the client side ---------------------------------------------------
    def _changed(self) -> None:
        self._version += 1
        self._cond.notify_all()
        for listener in list(self._listeners):
            listener()

    def _emit(self, record: EmuMessage) -> None:
        for callback in list(self._subscribers):
            callback(record)

    def _now(self) -> int:
        return int(self._clock())

    def _enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if kind in self._allowed_updates:
            self._updates.append(update)
            self._update_seq += 1
        else:
            self.dropped_updates.append(update)
        self._last_activity = time.monotonic()
        self._changed()
        return copy.deepcopy(update)

    def _text_fields(self, text: str) -> JsonDict:
        fields: JsonDict = {"text": text}
        match = _COMMAND_RE.match(text)
        if match:
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
        return fields

    def _user_photo_fields(self, data: bytes, caption: str | None) -> JsonDict:
        with self._lock:
            ids = self._store_photo(data)
        fields: JsonDict = {"photo": ids}
        if caption:
            fields["caption"] = caption
        return fields

    def _user_document_fields(self, data: bytes, filename: str, mime_type: str, caption: str | None) -> JsonDict:
        with self._lock:
            file_id = self._store_document(data, filename, mime_type)
        fields: JsonDict = {"document": file_id, "document_name": filename}
        if caption:
            fields["caption"] = caption
        return fields

    def _user_sticker_fields(self, emoji: str) -> JsonDict:
        with self._lock:
            stored = self._store_file("sticker", sample_png(4, 4), "stickers", ".webp", None, "image/webp")
            stored.width = stored.height = 512
        return {"sticker": stored.file_id, "extra": {"_sticker_emoji": emoji}}

    def _user_edit(self, user: EmuUser, chat_id: int, message_id: int, text: str) -> JsonDict:
        with self._lock:
            record = self._chats[chat_id].messages.get(message_id)
            if record is None or record.from_bot or record.from_user_id != user.user_id or record.text is None:
                raise LookupError(f"user {user.user_id} has no text message {message_id} to edit")
            fields = self._text_fields(text)
            record.text, record.entities = fields["text"], fields.get("entities", [])
            record.edited += 1
            message = self._message_dict(record)
            message["edit_date"] = self._now()
            return self._enqueue("edited_message", message)

    def _user_message(self, user: EmuUser, chat_id: int, fields: JsonDict) -> JsonDict:
        with self._lock:
            chat = self._chats[chat_id]
            delivered = True
            if chat.kind == "private":
                if user.blocked:  # writing to a blocked bot means restarting it first
                    self._set_blocked(user, False)
                user.started = True
            else:
                group = self._groups[chat_id]
                group.members.setdefault(user.user_id, "member")
                delivered = self._group_sees(group, fields)
            extra = fields.pop("extra", {})
            record = EmuMessage(
                chat_id=chat_id,
                message_id=0,
                from_bot=False,
                date=self._now(),
                from_user_id=user.user_id,
                **fields,
            )
            record.extra = extra
            self._store_message(chat, record)
            if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard") and record.text is not None:
                chat.reply_keyboard = None
            message = self._message_dict(record)
            if delivered:
                return self._enqueue("message", message)
            self._changed()
            return {"message": message}

    def _group_sees(self, group: EmuGroup, fields: JsonDict) -> bool:
        """Membership plus privacy mode: by default bots only hear commands, mentions and replies."""
        if group.bot_status not in ("member", "administrator"):
            return False
        if not self.group_privacy or group.bot_status == "administrator":
            return True
        text = fields.get("text") or fields.get("caption") or ""
        match = _COMMAND_RE.match(text)
        if match:
            addressee = match.group(1)
            return addressee is None or addressee.lower() == self.bot_username.lower()
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        reply_id = fields.get("reply_to_message_id")
        if reply_id is not None:
            original = self._chats[group.chat_id].messages.get(reply_id)
            return bool(original and original.from_bot)
        return False

    def _set_blocked(self, user: EmuUser, blocked: bool) -> JsonDict:
        with self._lock:
            if user.blocked == blocked:
                return {}
            user.blocked = blocked
            bot = self._bot_user()
            old: JsonDict = {"status": "member", "user": bot}
            new: JsonDict = {"status": "kicked", "user": bot, "until_date": 0}
            if not blocked:
                old, new = new, old
            return self._enqueue(
                "my_chat_member",
                {
                    "chat": self._chat_dict(self._chats[user.user_id]),
                    "from": user.to_dict(),
                    "date": self._now(),
                    "old_chat_member": old,
                    "new_chat_member": new,
                },
            )

    def _add_bot(self, group: EmuGroup, by: EmuUser, admin: bool) -> JsonDict:
        with self._lock:
            if not any(status == "creator" for status in group.members.values()):
                group.members[by.user_id] = "creator"
            group.members.setdefault(by.user_id, "member")
            update = self._change_bot_status(group, "administrator" if admin else "member", by)
            chat = self._chats[group.chat_id]
            record = EmuMessage(
                chat_id=group.chat_id, message_id=0, from_bot=False, date=self._now(), from_user_id=by.user_id
            )
            record.extra = {"new_chat_members": [self._bot_user()]}
            self._store_message(chat, record)
            self._enqueue("message", self._message_dict(record))
            return update

    def _change_bot_status(self, group: EmuGroup, status: str, by: EmuUser | None) -> JsonDict:
        with self._lock:
            old_status = group.bot_status or "left"
            group.bot_status = status
            return self._enqueue(
                "my_chat_member",
                {
                    "chat": self._chat_dict(self._chats[group.chat_id]),
                    "from": by.to_dict() if by else self._bot_user(),
                    "date": self._now(),
                    "old_chat_member": self._member_dict(old_status, self._bot_user()),
                    "new_chat_member": self._member_dict(status, self._bot_user()),
                },
            )

    def _latest_with_keyboard(self, chat_id: int) -> EmuMessage | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return None
            for record in reversed(chat.messages.values()):
                if record.from_bot and not record.deleted and record.reply_markup:
                    return record
            return None

    def _current_keyboard(self, chat_id: int) -> list[str] | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or not chat.reply_keyboard or "keyboard" not in chat.reply_keyboard:
                return None
            return [b["text"] for row in chat.reply_keyboard["keyboard"] for b in row]

    def _press(
        self,
        user: EmuUser,
        chat_id: int,
        label_or_data: str,
        message_id: int | None,
        *,
        raw_data: bool = False,
    ) -> JsonDict:
        with self._lock:
            chat = self._chats[chat_id]
            if message_id is None:
                record = self._latest_with_keyboard(chat_id)
                if record is None:
                    raise LookupError(f"no bot message with an inline keyboard in chat {chat_id}")
            else:
                record = chat.messages.get(message_id)
                if record is None or record.deleted or not record.from_bot:
                    raise LookupError(f"message {message_id} in chat {chat_id} is not a bot message")
                if not record.reply_markup and not raw_data:
                    raise LookupError(f"message {message_id} in chat {chat_id} has no inline keyboard")
            if raw_data:
                data = label_or_data
            else:
                assert record.reply_markup is not None
                buttons = [b for row in record.reply_markup["inline_keyboard"] for b in row]
                button = next((b for b in buttons if b["text"] == label_or_data), None)
                if button is None:
                    button = next((b for b in buttons if b.get("callback_data") == label_or_data), None)
                if button is None:
                    available = ", ".join(f"{b['text']!r} → {_button_payload(b)!r}" for b in buttons)
                    raise LookupError(
                        f"no button {label_or_data!r} on message {record.message_id}; available: {available}"
                    )
                if "callback_data" not in button:
                    raise LookupError(f"button {button['text']!r} sends no callback_data ({_button_payload(button)!r})")
                data = button["callback_data"]
            self._query_counter += 1
            digest = hashlib.sha1(f"{self.bot_id}:{user.user_id}:{self._query_counter}".encode()).hexdigest()
            query_id = str(int(digest[:15], 16))
            self.callback_queries[query_id] = CallbackQueryRecord(
                query_id, user.user_id, chat_id, record.message_id, data, self._clock()
            )
            chat_instance = str(int(hashlib.sha1(f"{self.bot_id}:{chat_id}".encode()).hexdigest()[:15], 16))
            return self._enqueue(
                "callback_query",
                {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": self._message_dict(record),
                    "chat_instance": chat_instance,
                    "data": data,
                },
            )

    # =========================================================================================
    # Dict builders
    # =========================================================================================
    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_dict(self, chat: _Chat) -> JsonDict:
        if chat.kind == "private":
            user = self._users[chat.chat_id]
            data: JsonDict = {"id": chat.chat_id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        data = {"id": chat.chat_id, "type": chat.kind, "title": chat.title}
        if chat.username:
            data["username"] = chat.username
        return data

    def _member_dict(self, status: str, user: JsonDict) -> JsonDict:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = [
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_pin_messages",
            ]
            data = {"status": "administrator", "user": user, "can_be_edited": False, "is_anonymous": False}
            data.update(dict.fromkeys(rights, True))
            data["can_promote_members"] = False
            return data
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def _file_dict(self, stored: StoredFile) -> JsonDict:
        data: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if stored.kind == "photo":
            data.update(width=stored.width, height=stored.height)
        elif stored.kind == "document":
            if stored.file_name:
                data["file_name"] = stored.file_name
            if stored.mime_type:
                data["mime_type"] = stored.mime_type
        return data

    def _message_dict(self, record: EmuMessage, *, nested: bool = False) -> JsonDict:
        chat = self._chats[record.chat_id]
        data: JsonDict = {"message_id": record.message_id}
        if record.from_bot:
            data["from"] = self._bot_user()
        elif record.from_user_id is not None:
            data["from"] = self._users[record.from_user_id].to_dict()
        data["chat"] = self._chat_dict(chat)
        data["date"] = record.date
        if record.edit_date is not None:
            data["edit_date"] = record.edit_date
        if record.reply_to_message_id is not None and not nested:
            original = chat.messages.get(record.reply_to_message_id)
            if original is not None and not original.deleted:
                data["reply_to_message"] = self._message_dict(original, nested=True)
        if record.media_group_id:
            data["media_group_id"] = record.media_group_id
        if record.text is not None:
            data["text"] = record.text
            if record.entities:
                data["entities"] = copy.deepcopy(record.entities)
        if record.photo:
            data["photo"] = [self._file_dict(self._files[fid]) for fid in record.photo]
        if record.document:
            data["document"] = self._file_dict(self._files[record.document])
        if record.sticker:
            stored = self._files[record.sticker]
            data["sticker"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": record.extra.get("_sticker_emoji", "👍"),
                "file_size": stored.file_size,
            }
        if record.caption:
            data["caption"] = record.caption
            if record.caption_entities:
                data["caption_entities"] = copy.deepcopy(record.caption_entities)
        if record.reply_markup:
            data["reply_markup"] = copy.deepcopy(record.reply_markup)
        data.update({k: copy.deepcopy(v) for k, v in record.extra.items() if not k.startswith("_")})
        return data

    # =========================================================================================
    # Validation helpers
    # =========================================================================================
    def _lookup_chat(self, raw: Any) -> _Chat:
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        if isinstance(raw, str):
            if raw.startswith("@"):
                wanted = raw[1:].lower()
                for chat in self._chats.values():
                    if chat.username and chat.username.lower() == wanted:
                        return chat
                raise _bad("chat not found")
            try:
                raw = int(raw)
            except ValueError:
                raise _bad("chat not found") from None
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _bad("chat not found")
        chat = self._chats.get(raw)
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _check_access(self, chat: _Chat) -> None:
        if chat.kind == "private":
            user = self._users[chat.chat_id]
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        group = self._groups[chat.chat_id]
        if group.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.kind} chat")
        if group.bot_status not in ("member", "administrator"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.kind} chat")

    def _chat_for_send(self, p: JsonDict) -> _Chat:
        chat = self._lookup_chat(p.get("chat_id"))
        self._check_access(chat)
        return chat

    def _format(
        self, raw: Any, parse_mode: Any, entities: Any, *, caption: bool
    ) -> tuple[str, list[JsonDict], str | None]:
        """Parses text/caption like Telegram: parse mode, trimming, emptiness and length checks."""
        text = "" if raw is None else str(raw)
        html: str | None = None
        if entities:
            plain, parsed = text, _normalize_entities(entities)
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    plain, parsed = parse_html(text)
                except HtmlError as exc:
                    raise _bad(f"can't parse entities: {exc.detail}") from None
                html = text
            elif mode in ("markdown", "markdownv2"):
                plain, parsed = text, []  # not validated by the emulator
            else:
                raise _bad("unsupported parse_mode")
        else:
            plain, parsed = text, []
        plain, parsed = _strip_formatted(plain, parsed)
        if caption:
            if utf16_len(plain) > MAX_CAPTION:
                raise _bad("message caption is too long")
        else:
            if not plain:
                raise _bad("message text is empty")
            if utf16_len(plain) > MAX_TEXT:
                raise _bad("message is too long")
        return plain, parsed, html

    def _markup(self, raw: Any, *, inline_only: bool = False) -> tuple[JsonDict | None, JsonDict | None]:
        """Validates reply_markup; returns (inline keyboard to attach, other keyboard markup)."""
        if raw is None or raw == "":
            return None, None
        if not isinstance(raw, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in raw:
            return self._inline_keyboard(raw["inline_keyboard"]), None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in raw:
            rows = raw["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            normalized = []
            for row in rows:
                new_row = []
                for button in row:
                    text = (
                        button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
                    )
                    if not isinstance(text, str) or not text.strip():
                        raise _bad("keyboard button text must be non-empty")
                    new_row.append({**button, "text": text} if isinstance(button, dict) else {"text": text})
                if new_row:
                    normalized.append(new_row)
            options = {k: raw[k] for k in raw if k != "keyboard"}
            return None, {"keyboard": normalized, **options}
        if "remove_keyboard" in raw:
            if raw["remove_keyboard"] is not True:
                raise _bad("can't parse reply keyboard markup JSON object")
            return None, dict(raw)
        if "force_reply" in raw:
            if raw["force_reply"] is not True:
                raise _bad("can't parse reply keyboard markup JSON object")
            return None, dict(raw)
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _inline_keyboard(rows: Any) -> JsonDict | None:
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        normalized: list[list[JsonDict]] = []
        count = 0
        for row in rows:
            new_row: list[JsonDict] = []
            for button in row:
                if not isinstance(button, dict):
                    raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                text = button.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise _bad("text buttons are unallowed in the inline keyboard")
                actions = [a for a in INLINE_BUTTON_ACTIONS if button.get(a) is not None]
                if not actions:
                    raise _bad("text buttons are unallowed in the inline keyboard")
                if len(actions) > 1:
                    raise _bad("can't parse inline keyboard button: exactly one of the optional fields must be used")
                action = actions[0]
                if action == "callback_data":
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                if action == "url" and not _valid_button_url(button["url"]):
                    raise _bad("BUTTON_URL_INVALID")
                new_row.append({"text": text, action: copy.deepcopy(button[action])})
                count += 1
            if new_row:
                normalized.append(new_row)
        if count > 100:
            raise _bad("reply markup is too long")
        return {"inline_keyboard": normalized} if normalized else None

    def _reply_target(self, chat: _Chat, p: JsonDict) -> int | None:
        params = p.get("reply_parameters")
        message_id = p.get("reply_to_message_id")
        allow = _bool_param(p, "allow_sending_without_reply")
        if isinstance(params, dict):
            message_id = params.get("message_id")
            allow = allow or bool(params.get("allow_sending_without_reply"))
        if message_id in (None, ""):
            return None
        message_id = _int_param({"message_id": message_id}, "message_id")
        original = chat.messages.get(message_id) if message_id is not None else None
        if original is None or original.deleted:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return message_id

    def _flood_check(self, chat: _Chat) -> None:
        limits = self.flood_limits
        if limits is None:
            return
        now = self._clock()
        waits: list[float] = []
        while self._global_sends and self._global_sends[0] <= now - 1.0:
            self._global_sends.popleft()
        if len(self._global_sends) >= limits.global_per_second:
            waits.append(self._global_sends[0] + 1.0 - now)
        tokens = 0.0
        if chat.kind == "private":
            tokens, last = self._private_buckets.get(chat.chat_id, (float(limits.private_burst), now))
            tokens = min(float(limits.private_burst), tokens + (now - last) * limits.private_per_second)
            if tokens < 1.0:
                waits.append((1.0 - tokens) / limits.private_per_second)
        else:
            window = self._group_sends.setdefault(chat.chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= limits.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        if waits:
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        self._global_sends.append(now)
        if chat.kind == "private":
            self._private_buckets[chat.chat_id] = (tokens - 1.0, now)
        else:
            self._group_sends[chat.chat_id].append(now)

    def _store_message(self, chat: _Chat, record: EmuMessage) -> EmuMessage:
        record.message_id = chat.next_message_id
        chat.next_message_id += 1
        chat.messages[record.message_id] = record
        if record.from_bot:
            self._emit(record)
        return record

    def _bot_message(self, chat: _Chat, reply_keyboard: JsonDict | None, **fields: Any) -> EmuMessage:
        record = EmuMessage(chat_id=chat.chat_id, message_id=0, from_bot=True, date=self._now(), **fields)
        record.reply_keyboard = reply_keyboard
        if reply_keyboard is not None:
            if "keyboard" in reply_keyboard:
                chat.reply_keyboard = reply_keyboard
            elif "remove_keyboard" in reply_keyboard:
                chat.reply_keyboard = None
        return self._store_message(chat, record)

    # -- files ---------------------------------------------------------------------------------
    def _store_file(
        self, kind: str, data: bytes, folder: str, suffix: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        self._file_counter += 1
        n = self._file_counter
        prefix = {"photo": "AgACAgQAAxkBAA", "document": "BQACAgQAAxkBAA", "sticker": "CAACAgQAAxkBAA"}[kind]
        digest = hashlib.sha256(f"{self.bot_id}:{kind}:{n}".encode()).hexdigest()
        stored = StoredFile(
            file_id=f"{prefix}{digest[:40]}",
            file_unique_id=f"AQAD{digest[40:56]}",
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{n}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_unique[stored.file_unique_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _store_photo(self, data: bytes) -> list[str]:
        width, height = _image_size(data) or (512, 512)
        sizes: list[tuple[int, int]] = []
        for limit in (90, 320, 800, 1280, 2560):
            scale = min(1.0, limit / max(width, height, 1))
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            if size not in sizes:
                sizes.append(size)
            if scale >= 1.0:
                break
        ids = []
        for w, h in sizes:
            stored = self._store_file("photo", data, "photos", ".jpg", None, "image/jpeg")
            stored.width, stored.height = w, h
            ids.append(stored.file_id)
        for file_id in ids:
            self._files[file_id].photo_sizes = list(ids)
        return ids

    def _store_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> str:
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1][:10]
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = (mimetypes.guess_type(file_name or "")[0] if file_name else None) or mime_type
        return self._store_file("document", data, "documents", suffix, file_name, mime_type).file_id

    def _file_input(self, value: Any, files: Mapping[str, FileTuple], name: str) -> FileTuple | StoredFile:
        """Resolves a media parameter: an upload (attach:// or a part named like the param) or a file_id."""
        if value is None or value == "":
            if name in files:
                return files[name]
            raise _bad(f"there is no {name} in the request")
        if not isinstance(value, str):
            raise _bad("wrong file identifier/HTTP URL specified")
        if value.startswith("attach://"):
            part = value[len("attach://") :]
            if part not in files:
                raise _bad("wrong file identifier/HTTP URL specified")
            return files[part]
        if value.lower().startswith(("http://", "https://")):
            raise _bad("failed to get HTTP URL content")
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        return stored

    def _photo_from(self, value: Any, files: Mapping[str, FileTuple], name: str) -> list[str]:
        source = self._file_input(value, files, name)
        if isinstance(source, StoredFile):
            if source.kind != "photo":
                raise _bad("type of file mismatch")
            return list(source.photo_sizes or [source.file_id])
        data = source[1]
        if not data:
            raise _bad("file must be non-empty")
        if len(data) > MAX_PHOTO_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        size = _image_size(data)
        if size is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or min(width, height) == 0 or max(width, height) / min(width, height) > 20:
            raise _bad("PHOTO_INVALID_DIMENSIONS")
        return self._store_photo(data)

    def _document_from(self, value: Any, files: Mapping[str, FileTuple], name: str) -> tuple[str, str | None]:
        source = self._file_input(value, files, name)
        if isinstance(source, StoredFile):
            if source.kind != "document":
                raise _bad("type of file mismatch")
            return source.file_id, source.file_name
        file_name, data, mime_type = source
        if not data:
            raise _bad("file must be non-empty")
        if len(data) > MAX_DOCUMENT_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        return self._store_document(data, file_name, mime_type), file_name

    # =========================================================================================
    # Bot API methods
    # =========================================================================================
    def _m_true(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        return True

    def _m_get_me(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_get_updates(self, p: JsonDict, files: dict[str, FileTuple]) -> list[JsonDict]:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(p, "offset")
        limit = _int_param(p, "limit", default=100) or 100
        limit = max(1, min(100, limit))
        timeout_raw = p.get("timeout", 0)
        try:
            timeout = max(0.0, min(50.0, float(timeout_raw or 0)))
        except (TypeError, ValueError):
            raise _bad('field "timeout" must be of type Integer') from None
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if offset is not None:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # a poll still waiting is now terminated by this one
        epoch = self._wake_epoch
        deadline = time.monotonic() + timeout
        while True:
            self._updates = [u for u in self._updates if _update_kind(u) in self._allowed_updates]
            # Every unconfirmed update is (re)sent until a later offset confirms it, as on Telegram.
            batch = self._updates[:limit]
            if batch:
                self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
                return copy.deepcopy(batch)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            client_alive: Callable[[], bool] | None = getattr(self._local, "client_alive", None)
            self.waiting_pollers += 1
            self._changed()
            try:
                self._cond.wait(remaining)
            finally:
                self.waiting_pollers -= 1
            if client_alive is not None and not client_alive():
                return []  # abandoned by its client: answer nobody, deliver nothing
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            if self._wake_epoch != epoch or self.webhook:
                return []

    def _m_set_webhook(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        url = p.get("url") or ""
        self._webhook_generation += 1
        if not url:
            self.webhook = None
            return True
        if not str(url).lower().startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {
            "url": url,
            "allowed_updates": p.get("allowed_updates"),
            "secret_token": p.get("secret_token"),
        }
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if _bool_param(p, "drop_pending_updates"):
            self._updates.clear()
        self._update_seq += 1
        self._start_webhook_delivery()
        return True

    def _m_delete_webhook(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        self._webhook_generation += 1
        self.webhook = None
        if _bool_param(p, "drop_pending_updates"):
            if self._updates:
                self._fetched_upto = max(self._fetched_upto, self._updates[-1]["update_id"])
            self._updates.clear()
        return True

    def _m_get_webhook_info(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        pending = len([u for u in self._updates if u["update_id"] > self._fetched_upto])
        info: JsonDict = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self.webhook and self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        failed = [a for a in self.webhook_attempts if not a.delivered]
        if self.webhook and failed:
            info["last_error_date"] = int(failed[-1].at)
            info["last_error_message"] = failed[-1].error or f"Wrong response from the webhook: {failed[-1].status}"
        return info

    def _m_send_message(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        chat = self._chat_for_send(p)
        text, entities, html = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
        inline, keyboard = self._markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        self._flood_check(chat)
        record = self._bot_message(
            chat,
            keyboard,
            text=text,
            html=html,
            entities=entities,
            reply_markup=inline,
            reply_to_message_id=reply_to,
        )
        return self._message_dict(record)

    def _m_send_photo(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        chat = self._chat_for_send(p)
        caption, entities, html = self._format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        inline, keyboard = self._markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        photo = self._photo_from(p.get("photo"), files, "photo")
        self._flood_check(chat)
        record = self._bot_message(
            chat,
            keyboard,
            photo=photo,
            caption=caption or None,
            caption_html=html,
            caption_entities=entities,
            reply_markup=inline,
            reply_to_message_id=reply_to,
        )
        return self._message_dict(record)

    def _m_send_document(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        chat = self._chat_for_send(p)
        caption, entities, html = self._format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        inline, keyboard = self._markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat, p)
        document, name = self._document_from(p.get("document"), files, "document")
        self._flood_check(chat)
        record = self._bot_message(
            chat,
            keyboard,
            document=document,
            document_name=name,
            caption=caption or None,
            caption_html=html,
            caption_entities=entities,
            reply_markup=inline,
            reply_to_message_id=reply_to,
        )
        return self._message_dict(record)

    def _m_send_media_group(self, p: JsonDict, files: dict[str, FileTuple]) -> list[JsonDict]:
        chat = self._chat_for_send(p)
        media = p.get("media")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise _bad("can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the media group: must be from 2 to 10")
        kinds = {m.get("type") for m in media}
        if not kinds <= {"photo", "document"}:
            raise _bad(f"media type {sorted(k for k in kinds if k not in ('photo', 'document'))} is not supported")
        if "document" in kinds and len(kinds) > 1:
            raise _bad("document can't be mixed with other media types")
        reply_to = self._reply_target(chat, p)
        prepared: list[JsonDict] = []
        for item in media:
            caption, entities, html = self._format(
                item.get("caption"), item.get("parse_mode"), item.get("caption_entities"), caption=True
            )
            fields: JsonDict = {
                "caption": caption or None,
                "caption_html": html,
                "caption_entities": entities,
            }
            if item["type"] == "photo":
                fields["photo"] = self._photo_from(item.get("media"), files, "media")
            else:
                fields["document"], fields["document_name"] = self._document_from(item.get("media"), files, "media")
            prepared.append(fields)
        self._flood_check(chat)
        self._media_group_counter += 1
        group_id = str(13_000_000_000_000_000 + self._media_group_counter)
        results = []
        for fields in prepared:
            record = self._bot_message(chat, None, media_group_id=group_id, reply_to_message_id=reply_to, **fields)
            results.append(self._message_dict(record))
        return results

    def _m_send_chat_action(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat = self._chat_for_send(p)
        action = p.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat.chat_id, str(action)))
        return True

    def _edit_target(self, p: JsonDict) -> tuple[_Chat, EmuMessage]:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        if p.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        chat = self._lookup_chat(p.get("chat_id"))
        self._check_access(chat)
        message_id = _int_param(p, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        record = chat.messages.get(message_id)
        if record is None or record.deleted or not record.from_bot:
            raise _bad("message to edit not found")
        return chat, record

    def _finish_edit(self, record: EmuMessage) -> JsonDict:
        record.edited += 1
        record.edit_date = self._now()
        self._emit(record)
        return self._message_dict(record)

    def _m_edit_message_text(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        _, record = self._edit_target(p)
        if record.text is None:
            raise _bad("there is no text in the message to edit")
        text, entities, html = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"), caption=False)
        inline, _ = self._markup(p.get("reply_markup"), inline_only=True)
        if text == record.text and entities == record.entities and inline == record.reply_markup:
            raise _bad(NOT_MODIFIED)
        record.text, record.entities, record.html, record.reply_markup = text, entities, html, inline
        return self._finish_edit(record)

    def _m_edit_message_caption(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        _, record = self._edit_target(p)
        if not record.photo and not record.document:
            raise _bad("there is no caption in the message to edit")
        caption, entities, html = self._format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        inline, _ = self._markup(p.get("reply_markup"), inline_only=True)
        if (
            (caption or None) == record.caption
            and entities == record.caption_entities
            and inline == record.reply_markup
        ):
            raise _bad(NOT_MODIFIED)
        record.caption, record.caption_entities, record.caption_html = caption or None, entities, html
        record.reply_markup = inline
        return self._finish_edit(record)

    def _m_edit_message_reply_markup(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        _, record = self._edit_target(p)
        inline, _ = self._markup(p.get("reply_markup"), inline_only=True)
        if inline == record.reply_markup:
            raise _bad(NOT_MODIFIED)
        record.reply_markup = inline
        return self._finish_edit(record)

    def _delete_one(self, chat: _Chat, message_id: int) -> None:
        record = chat.messages.get(message_id)
        if record is None or record.deleted:
            raise _bad("message to delete not found")
        is_admin = chat.kind == "private" or self._groups[chat.chat_id].bot_status == "administrator"
        if not record.from_bot and not is_admin:
            raise _bad("message can't be deleted")
        if self._clock() - record.date > DELETE_WINDOW:
            raise _bad("message can't be deleted for everyone")
        record.deleted = True
        self._emit(record)

    def _m_delete_message(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat = self._lookup_chat(p.get("chat_id"))
        if chat.kind != "private":
            self._check_access(chat)
        message_id = _int_param(p, "message_id", required=True)
        assert message_id is not None
        self._delete_one(chat, message_id)
        return True

    def _m_delete_messages(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat = self._lookup_chat(p.get("chat_id"))
        if chat.kind != "private":
            self._check_access(chat)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100 or not all(isinstance(i, int) for i in ids):
            raise _bad("message_ids must be a list of 1-100 message identifiers")
        for message_id in ids:
            with contextlib.suppress(ApiError):  # Telegram silently skips what it cannot delete here
                self._delete_one(chat, message_id)
        return True

    def _m_answer_callback_query(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        query = self.callback_queries.get(str(p.get("callback_query_id") or ""))
        expired = (
            query is not None
            and self.callback_query_ttl is not None
            and self._clock() - query.at > self.callback_query_ttl
        )
        if query is None or query.answered or expired:
            raise _bad(QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer_text = str(text) if text else None
        query.show_alert = _bool_param(p, "show_alert")
        query.answer_url = p.get("url")
        self._answer_log.append(query)
        return True

    def _m_get_file(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        stored = self._files.get(str(p.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    # -- commands --------------------------------------------------------------------------------
    def _scope_key(self, scope: Any) -> str:
        if scope is None or scope == "":
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise _bad("unsupported bot command scope type")
        kind = scope["type"]
        canonical: JsonDict = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._lookup_chat(scope.get("chat_id"))
            canonical["chat_id"] = chat.chat_id
            if kind == "chat_administrators" and chat.kind == "private":
                raise _bad("can't use chat_administrators scope in private chats")
        if kind == "chat_member":
            user_id = _int_param(scope, "user_id", required=True)
            if user_id not in self._users:
                raise _bad("user not found")
            canonical["user_id"] = user_id
        return json.dumps(canonical, sort_keys=True)

    @staticmethod
    def _language(p: JsonDict) -> str:
        code = p.get("language_code") or ""
        if code and not _LANG_RE.match(code):
            raise _bad("invalid language code specified")
        return code

    def _m_set_my_commands(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        normalized = []
        for command in commands:
            name = command.get("command")
            if not isinstance(name, str) or not _BOT_COMMAND_RE.match(name):
                raise _bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            normalized.append({"command": name, "description": description})
        key = (self._scope_key(p.get("scope")), self._language(p))
        if normalized:
            self._commands[key] = normalized
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, p: JsonDict, files: dict[str, FileTuple]) -> list[JsonDict]:
        key = (self._scope_key(p.get("scope")), self._language(p))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_delete_my_commands(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        key = (self._scope_key(p.get("scope")), self._language(p))
        self._commands.pop(key, None)
        return True

    def _m_set_chat_menu_button(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat_id: int | None = None
        if p.get("chat_id") not in (None, ""):
            chat = self._lookup_chat(p.get("chat_id"))
            if chat.kind != "private":
                raise _bad("chat must be a private chat")
            chat_id = chat.chat_id
        button = p.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise _bad("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    def _m_get_chat_menu_button(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        chat_id = None
        if p.get("chat_id") not in (None, ""):
            chat_id = self._lookup_chat(p.get("chat_id")).chat_id
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}
        return {"type": "commands"} if button.get("type") == "default" else copy.deepcopy(button)

    def _m_set_bot_text(self, kind: str, limit: int) -> Callable[[JsonDict, dict[str, FileTuple]], bool]:
        def handler(p: JsonDict, files: dict[str, FileTuple]) -> bool:
            value = p.get(kind) or ""
            if len(value) > limit:
                raise _bad(f"{kind.replace('_', ' ')} is too long")
            key = (kind, self._language(p))
            if value:
                self.bot_texts[key] = value
            else:
                self.bot_texts.pop(key, None)
            return True

        return handler

    def _m_get_bot_text(self, kind: str) -> Callable[[JsonDict, dict[str, FileTuple]], JsonDict]:
        def handler(p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
            lang = self._language(p)
            value = self.bot_texts.get((kind, lang)) or self.bot_texts.get((kind, ""), "")
            if kind == "name" and not value:
                value = self.bot_first_name
            return {kind: value}

        return handler

    # -- chats -----------------------------------------------------------------------------------
    def _m_get_chat(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        chat = self._lookup_chat(p.get("chat_id"))
        if chat.kind != "private":
            self._check_access(chat)
        data = self._chat_dict(chat)
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        pinned = [m for m in chat.messages.values() if m.pinned and not m.deleted]
        if pinned:
            data["pinned_message"] = self._message_dict(pinned[-1])
        return data

    def _m_get_chat_member(self, p: JsonDict, files: dict[str, FileTuple]) -> JsonDict:
        chat = self._lookup_chat(p.get("chat_id"))
        user_id = _int_param(p, "user_id", required=True)
        if user_id == self.bot_id:
            if chat.kind == "private":
                return self._member_dict("member", self._bot_user())
            self._check_access(chat)
            return self._member_dict(self._groups[chat.chat_id].bot_status or "left", self._bot_user())
        user = self._users.get(user_id) if user_id is not None else None
        if user is None:
            raise _bad("user not found")
        if chat.kind == "private":
            if user_id != chat.chat_id:
                raise _bad("user not found")
            return self._member_dict("member", user.to_dict())
        self._check_access(chat)
        status = self._groups[chat.chat_id].members.get(user.user_id, "left")
        return self._member_dict(status, user.to_dict())

    def _m_get_chat_administrators(self, p: JsonDict, files: dict[str, FileTuple]) -> list[JsonDict]:
        chat = self._lookup_chat(p.get("chat_id"))
        if chat.kind == "private":
            raise _bad("there are no administrators in the private chat")
        self._check_access(chat)
        group = self._groups[chat.chat_id]
        admins = [
            self._member_dict(status, self._users[uid].to_dict())
            for uid, status in group.members.items()
            if status in ("creator", "administrator")
        ]
        if group.bot_status == "administrator":
            admins.append(self._member_dict("administrator", self._bot_user()))
        return admins

    def _m_leave_chat(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat = self._lookup_chat(p.get("chat_id"))
        if chat.kind == "private":
            raise _bad("chat member status can't be changed in private chats")
        self._check_access(chat)
        self._change_bot_status(self._groups[chat.chat_id], "left", None)
        return True

    def _pin_rights(self, chat: _Chat) -> None:
        if chat.kind != "private" and self._groups[chat.chat_id].bot_status != "administrator":
            raise _bad("not enough rights to manage pinned messages in the chat")

    def _m_pin_chat_message(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat = self._chat_for_send(p)
        message_id = _int_param(p, "message_id", required=True)
        record = chat.messages.get(message_id) if message_id is not None else None
        if record is None or record.deleted:
            raise _bad("message to pin not found")
        self._pin_rights(chat)
        record.pinned = True
        return True

    def _m_unpin_chat_message(self, p: JsonDict, files: dict[str, FileTuple]) -> bool:
        chat = self._chat_for_send(p)
        self._pin_rights(chat)
        message_id = _int_param(p, "message_id")
        pinned = [m for m in chat.messages.values() if m.pinned and not m.deleted]
        if message_id is not None:
            record = chat.messages.get(message_id)
            if record is None or record.deleted:
                raise _bad("message to unpin not found")
            record.pinned = False
        elif pinned:
            pinned[-1].pinned = False
        return True
