"""A terminal chat with the bot, playing several residents/staff in turn ("bac à sable").

Staff and developers need to try conversations without a phone, a Telegram account or a network,
and need to switch identity (resident, family member, staff) to follow multi-party flows.  The
playground drives :class:`BotApiEmulator` from the human side and renders what the bot sends the
way a Telegram client would, in text.  All user-facing strings are French, like the residences.

It is I/O agnostic (``stdin``/``stdout`` are injectable) so tests can script a session.
"""

from __future__ import annotations

import copy
import mimetypes
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.emulator.core import BotApiEmulator, EmuMessage, EmuUser
from bot.emulator.html import utf16_len

__all__ = ["Persona", "Playground", "render_entities"]

_STYLE_CODES = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "code": "2",
    "pre": "2",
    "spoiler": "7",
    "text_link": "4;34",
    "blockquote": "2",
    "expandable_blockquote": "2",
}
_RESET = "\x1b[0m"
_HISTORY = 20

HELP = """Commandes du bac à sable :
  :user CLÉ               changer de persona (affiche ses messages non lus)
  :users                  lister les personas et leurs messages non lus
  :photo CHEMIN [légende] envoyer une photo
  :doc CHEMIN             envoyer un document
  :say TEXTE              envoyer TEXTE tel quel (par exemple un nombre)
  :history                les 20 derniers messages de la persona
  :help                   cette aide
  :quit                   quitter (ou Ctrl-D)
  N                       presser le bouton n°N du dernier message du bot
  tout autre texte        est envoyé au bot"""


@dataclass(frozen=True)
class Persona:
    """Someone the tester can impersonate (a resident, a relative, a staff member...)."""

    key: str
    user_id: int
    first_name: str
    language_code: str
    description: str


@dataclass
class _Event:
    kind: str  # "new", "edited" or "deleted"
    record: EmuMessage


def render_entities(text: str, entities: Sequence[dict[str, Any]], *, color: bool) -> str:
    """Renders Bot API entities for a terminal: ANSI styles when ``color``, links as "text (url)"."""
    positions: list[int] = []  # UTF-16 offset of each code point
    offset = 0
    for char in text:
        positions.append(offset)
        offset += utf16_len(char)

    def covers(entity: dict[str, Any], pos: int) -> bool:
        return entity["offset"] <= pos < entity["offset"] + entity["length"]

    out: list[str] = []
    active: tuple[str, ...] = ()
    for index, char in enumerate(text):
        pos = positions[index]
        if color:
            codes = tuple(
                sorted({_STYLE_CODES[e["type"]] for e in entities if e["type"] in _STYLE_CODES and covers(e, pos)})
            )
            if codes != active:
                out.append(_RESET)
                if codes:
                    out.append(f"\x1b[{';'.join(codes)}m")
                active = codes
        out.append(char)
        end = pos + utf16_len(char)
        for entity in entities:
            if entity["type"] == "text_link" and entity["offset"] + entity["length"] == end:
                if color and active:
                    out.append(_RESET)
                    active = ()
                out.append(f" ({entity.get('url', '')})")
    if color and active:
        out.append(_RESET)
    return "".join(out)


class Playground:
    """Interactive loop: read a line, act as the current persona, wait, show the bot's answers."""

    def __init__(
        self,
        emu: BotApiEmulator,
        personas: Sequence[Persona],
        *,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        color: bool | None = None,
        wait: Callable[[], None] | None = None,
        downloads: Path | None = None,
    ) -> None:
        if not personas:
            raise ValueError("at least one persona is needed")
        self.emu = emu
        self.personas = {p.key: p for p in personas}
        if len(self.personas) != len(personas):
            raise ValueError("persona keys must be unique")
        self._stdin = stdin
        self._stdout = stdout
        if color is None:
            isatty = getattr(stdout, "isatty", None)
            color = bool(isatty and isatty())
        self.color = color
        self._wait = wait or self._wait_idle
        self.downloads = downloads
        self.users: dict[str, EmuUser] = {
            p.key: emu.user(p.user_id, p.first_name, language_code=p.language_code) for p in personas
        }
        self._by_chat = {p.user_id: p.key for p in personas}
        self.current = personas[0].key
        self._lock = threading.Lock()
        self._unread: dict[str, list[_Event]] = {p.key: [] for p in personas}
        self._announced: dict[str, int] = {p.key: 0 for p in personas}
        self._shown_answers: set[str] = set()
        self._pending_presses: list[str] = []
        self._unsubscribe = emu.subscribe(self._on_event)

    # -- plumbing -------------------------------------------------------------------------------
    def _write(self, line: str = "") -> None:
        self._stdout.write(line + "\n")
        self._stdout.flush()

    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.color else text

    def _on_event(self, record: EmuMessage) -> None:
        """Runs under the emulator lock, possibly on a server thread: only queue a snapshot."""
        key = self._by_chat.get(record.chat_id)
        if key is None:
            return
        if record.deleted:
            kind = "deleted"
        elif record.edited:
            kind = "edited"
        else:
            kind = "new"
        snapshot = copy.deepcopy(record)
        with self._lock:
            queue = self._unread[key]
            for index, event in enumerate(queue):
                if event.record.message_id == snapshot.message_id and event.kind != "deleted":
                    if kind == "deleted" and event.kind == "new" and snapshot.from_bot:
                        del queue[index]  # never seen, now gone: nothing to show
                    elif kind == "deleted":
                        queue[index] = _Event("deleted", snapshot)
                    else:
                        queue[index] = _Event(event.kind, snapshot)
                    return
            queue.append(_Event(kind, snapshot))

    def _wait_idle(self) -> None:
        self.emu.wait_idle()

    def close(self) -> None:
        self._unsubscribe()

    # -- main loop ------------------------------------------------------------------------------
    def run(self) -> None:
        persona = self.personas[self.current]
        self._write(f"Bac à sable LBA Bot — conversation hors ligne avec @{self.emu.bot_username}.")
        self._write(f"Vous êtes [{persona.key}] {persona.first_name} ({persona.description}).")
        self._write("Tapez :help pour l'aide, :quit pour quitter.")
        try:
            while True:
                self._stdout.write(f"[{self.current}] > ")
                self._stdout.flush()
                line = self._stdin.readline()
                if not line:
                    self._write()
                    break
                if not self.handle(line.rstrip("\r\n")):
                    break
        except KeyboardInterrupt:
            self._write()
        finally:
            self._write("Au revoir !")
            self.close()

    def handle(self, line: str) -> bool:
        """Executes one input line; returns False when the session should end."""
        stripped = line.strip()
        if not stripped:
            return True
        if stripped.startswith(":"):
            return self._command(stripped)
        if stripped.isdigit():
            if self._press_number(int(stripped)):
                self._after_action()
            return True
        self.users[self.current].send_text(line)
        self._after_action()
        return True

    def _command(self, line: str) -> bool:
        name, _, rest = line[1:].partition(" ")
        name = name.lower()
        rest = rest.strip()
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self._write(HELP)
        elif name == "users":
            self._list_users()
        elif name == "user":
            self._switch(rest)
        elif name == "say":
            if not rest:
                self._write("Usage : :say TEXTE")
            else:
                self.users[self.current].send_text(line.split(" ", 1)[1])
                self._after_action()
        elif name == "photo":
            self._send_file(rest, photo=True)
        elif name == "doc":
            self._send_file(rest, photo=False)
        elif name == "history":
            self._history()
        else:
            self._write(f"Commande inconnue : :{name}. Tapez :help pour l'aide.")
        return True

    # -- commands -------------------------------------------------------------------------------
    def _list_users(self) -> None:
        with self._lock:
            counts = {key: len(events) for key, events in self._unread.items()}
        for key, persona in self.personas.items():
            marker = "*" if key == self.current else " "
            unread = counts[key]
            suffix = f" — {unread} non lu(s)" if unread else ""
            self._write(f"{marker} [{key}] {persona.first_name} — {persona.description}{suffix}")

    def _switch(self, key: str) -> None:
        if key not in self.personas:
            self._write(f"Persona inconnue : {key or '(vide)'}. Tapez :users pour la liste.")
            return
        self.current = key
        persona = self.personas[key]
        self._write(f"Vous êtes maintenant [{key}] {persona.first_name} ({persona.description}).")
        if not self._flush_current():
            self._write("(aucun nouveau message)")

    def _send_file(self, rest: str, *, photo: bool) -> None:
        if not rest:
            self._write("Usage : :photo CHEMIN [légende]" if photo else "Usage : :doc CHEMIN")
            return
        path_text, _, caption = rest.partition(" ") if photo else (rest, "", "")
        path = Path(path_text).expanduser()
        try:
            data = path.read_bytes()
        except OSError:
            self._write(f"Fichier introuvable : {path}")
            return
        user = self.users[self.current]
        if photo:
            user.send_photo(data, caption or None)
        else:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            user.send_document(data, path.name, mime)
        self._after_action()

    def _history(self) -> None:
        messages = self.users[self.current].messages[-_HISTORY:]
        if not messages:
            self._write("(aucun message)")
            return
        for record in messages:
            who = "bot " if record.from_bot else "vous"
            flags = []
            if record.edited:
                flags.append("modifié")
            if record.deleted:
                flags.append("supprimé")
            suffix = f" ({', '.join(flags)})" if flags else ""
            body = self._summary(record).replace("\n", "\n       ")
            self._write(f"  {who} : {body}{suffix}")

    def _press_number(self, number: int) -> bool:
        user = self.users[self.current]
        record = user.latest_keyboard_message
        if record is None:
            self._write("Aucun bouton à presser (utilisez :say pour envoyer un nombre).")
            return False
        markup = record.reply_markup or {}
        flat = [button for row in markup.get("inline_keyboard", []) for button in row]
        if not 1 <= number <= len(flat):
            self._write(f"Pas de bouton n°{number} (boutons 1 à {len(flat)}).")
            return False
        button = flat[number - 1]
        if "callback_data" not in button:
            target = button.get("url") or next((v for k, v in button.items() if k != "text"), "")
            self._write(f"Ce bouton ouvre un lien : {target}")
            return False
        labels = [b["text"] for b in flat]
        key = button["text"] if labels.count(button["text"]) == 1 else button["callback_data"]
        update = user.press(key, message_id=record.message_id)
        self._pending_presses.append(update["callback_query"]["id"])
        return True

    # -- output ---------------------------------------------------------------------------------
    def _after_action(self) -> None:
        self._wait()
        self._report_presses()  # the toast pops up first on a real client
        self._flush_current()
        self._announce_others()

    def _flush_current(self) -> bool:
        with self._lock:
            events, self._unread[self.current] = self._unread[self.current], []
            self._announced[self.current] = 0
        for event in events:
            self._show(event)
        return bool(events)

    def _report_presses(self) -> None:
        for query_id in self._pending_presses:
            query = self.emu.callback_queries.get(query_id)
            if query is None:
                continue
            if not query.answered:
                self._write(self._style("  (le bot n'a pas répondu au clic : le bouton resterait en chargement)", "33"))
            elif query.answer_text:
                label = "alerte" if query.show_alert else "notification"
                self._write(self._style(f"  🔔 {label} : {query.answer_text}", "36"))
        self._pending_presses.clear()

    def _announce_others(self) -> None:
        with self._lock:
            counts = {k: len(v) for k, v in self._unread.items() if k != self.current}
        for key, count in counts.items():
            fresh = count - self._announced[key]
            if fresh > 0:
                persona = self.personas[key]
                self._write(
                    self._style(
                        f"📨 {fresh} nouveau(x) message(s) pour [{key}] {persona.first_name} "
                        f"— tapez :user {key} pour les lire",
                        "35",
                    )
                )
                self._announced[key] = count

    def _summary(self, record: EmuMessage) -> str:
        """Plain one-message rendering shared by the live view and :history."""
        if record.photo:
            head = "[photo]"
        elif record.document:
            head = f"[document: {record.document_name or 'fichier'}]"
        elif record.sticker:
            head = "[autocollant]"
        else:
            head = ""
        if record.text is not None:
            body = render_entities(record.text, record.entities, color=self.color)
        elif record.caption:
            body = render_entities(record.caption, record.caption_entities, color=self.color)
        elif "new_chat_members" in record.extra:
            body = "(a ajouté le bot au groupe)"
        else:
            body = ""
        return " ".join(part for part in (head, body) if part)

    def _show(self, event: _Event) -> None:
        record = event.record
        if event.kind == "deleted":
            if record.from_bot:
                self._write(self._style(f"  (message du bot supprimé) « {self._short(record)} »", "2"))
            else:
                # Not echoed: the bot deletes what should not linger on screen, such as a password.
                self._write(self._style("  (votre message a été supprimé par le bot)", "2"))
            return
        marker = " (modifié)" if event.kind == "edited" else ""
        body = self._summary(record).replace("\n", "\n   ")
        self._write(f"{self._style('🤖', '1')}{marker} {body}")
        if record.buttons:
            number = 0
            for row in record.buttons:
                cells = []
                for label, _ in row:
                    number += 1
                    cells.append(f"[{number}] {label}")
                self._write("   " + "  ".join(cells))
        if record.keyboard_labels:
            keys = "  ".join(f"« {label} »" for label in record.keyboard_labels)
            self._write(f"   Clavier : {keys} (tapez le texte d'une touche)")
        if record.document and self.downloads is not None:
            self._save_document(record)

    @staticmethod
    def _short(record: EmuMessage, limit: int = 60) -> str:
        text = record.content.replace("\n", " ")
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _save_document(self, record: EmuMessage) -> None:
        assert self.downloads is not None and record.document is not None
        stored = self.emu.file(record.document)
        if stored is None:
            return
        self.downloads.mkdir(parents=True, exist_ok=True)
        name = Path(record.document_name or Path(stored.file_path).name).name
        target = self.downloads / name
        counter = 1
        while target.exists():
            target = self.downloads / f"{Path(name).stem} ({counter}){Path(name).suffix}"
            counter += 1
        target.write_bytes(stored.data)
        self._write(f"   → enregistré dans {target}")
