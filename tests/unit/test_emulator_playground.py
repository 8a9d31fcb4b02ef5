"""The terminal playground, scripted through StringIO with a stand-in bot."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.emulator import BotApiEmulator, Persona, Playground, parse_html, render_entities, sample_png

TOKEN = "123456:TEST-token"


class ScriptedBot:
    """Plays the bot synchronously: each pending update is answered through ``emu.call``.

    Used as the playground's ``wait`` hook, so the session needs no thread and no timing.
    """

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu

    def send(self, method: str, **params: object) -> dict[str, object]:
        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        status, body = self.emu.call(method, encoded)
        assert status == 200, body
        return body

    def __call__(self) -> None:
        for update in self.emu.take_updates():
            if "callback_query" in update:
                query = update["callback_query"]
                self.send("answerCallbackQuery", callback_query_id=query["id"], text="Noté")
                message = query["message"]
                self.send(
                    "editMessageText",
                    chat_id=message["chat"]["id"],
                    message_id=message["message_id"],
                    text=f"Choix : <i>{query['data']}</i>",
                    parse_mode="HTML",
                )
                continue
            message = update.get("message")
            if message is None:
                continue
            chat = message["chat"]["id"]
            text = message.get("text")
            if text == "/start":
                markup = {
                    "inline_keyboard": [
                        [{"text": "Oui", "callback_data": "yes"}, {"text": "Non", "callback_data": "no"}]
                    ]
                }
                self.send(
                    "sendMessage",
                    chat_id=chat,
                    text='<b>Bonjour</b> &amp; bienvenue, voir <a href="https://lba.fr">le site</a>',
                    parse_mode="HTML",
                    reply_markup=markup,
                )
            elif text == "12":
                self.send("sendMessage", chat_id=chat, text="Reçu : 12 personnes")
                self.send("sendMessage", chat_id=43, text="Nouvelle demande de Marie")
            elif text == "secret":
                self.send("deleteMessage", chat_id=chat, message_id=message["message_id"])
                self.send("sendMessage", chat_id=chat, text="Message effacé pour votre sécurité")
            elif "photo" in message:
                self.send("sendMessage", chat_id=chat, text=f"Photo reçue : {message.get('caption', '')}")
            elif "document" in message:
                self.send(
                    "sendDocument",
                    chat_id=chat,
                    document=message["document"]["file_id"],
                    caption="Votre copie",
                )


def test_playground_session(tmp_path: Path) -> None:
    emu = BotApiEmulator(TOKEN)
    personas = [
        Persona("m", 42, "Marie", "fr", "résidente, appartement A12"),
        Persona("p", 43, "Pierre", "fr", "agent d'accueil"),
    ]
    photo = tmp_path / "fuite.png"
    photo.write_bytes(sample_png(6, 6))
    notes = tmp_path / "notes.txt"
    notes.write_text("Bonjour\n")
    script = "\n".join(
        [
            "/start",
            "1",
            "1",
            ":say 12",
            "secret",
            f":photo {photo} Fuite sous l'évier",
            f":doc {notes}",
            ":users",
            ":user p",
            ":history",
            ":user x",
            ":bogus",
        ]
    )
    out = io.StringIO()
    playground = Playground(
        emu, personas, stdin=io.StringIO(script + "\n"), stdout=out, color=False, downloads=tmp_path / "dl"
    )
    bot = ScriptedBot(emu)
    playground._wait = bot  # the scripted bot answers instead of a real one
    emu.get_user(43).send_text("/start")  # Pierre started the bot earlier
    playground.run()
    text = out.getvalue()

    assert "[m] > " in text
    assert "🤖 Bonjour & bienvenue, voir le site (https://lba.fr)" in text
    assert "   [1] Oui  [2] Non" in text
    assert "🔔 notification : Noté\n🤖 (modifié) Choix : yes" in text
    assert "Aucun bouton à presser" in text  # the edit removed the keyboard
    assert "🤖 Reçu : 12 personnes" in text
    # Pierre's /start answer, then the alert: each announced once, as it arrives.
    assert text.count("📨 1 nouveau(x) message(s) pour [p] Pierre") == 2
    assert "(votre message a été supprimé par le bot)" in text and "secret" not in text.split("supprimé par le bot")[1]
    assert "🤖 Photo reçue : Fuite sous l'évier" in text
    assert "🤖 [document: notes.txt] Votre copie" in text
    assert (tmp_path / "dl" / "notes.txt").read_text() == "Bonjour\n"
    assert "* [m] Marie — résidente, appartement A12" in text
    assert "  [p] Pierre — agent d'accueil — 2 non lu(s)" in text
    assert "Vous êtes maintenant [p] Pierre" in text and "🤖 Nouvelle demande de Marie" in text
    assert "  vous : /start" in text and "  bot  : Nouvelle demande de Marie" in text
    assert "Persona inconnue : x" in text and "Commande inconnue : :bogus" in text
    assert text.rstrip().endswith("Au revoir !")
    assert emu.refused == []


def test_render_entities_with_and_without_color() -> None:
    plain, entities = parse_html('😀 <b>gras</b> <a href="https://x.fr">lien</a>')
    assert render_entities(plain, entities, color=False) == "😀 gras lien (https://x.fr)"
    colored = render_entities(plain, entities, color=True)
    assert "\x1b[1mgras" in colored and "\x1b[4;34mlien\x1b[0m (https://x.fr)" in colored


def test_playground_quits_on_eof_and_quit() -> None:
    emu = BotApiEmulator(TOKEN)
    persona = Persona("r", 9, "Rose", "fr", "résidente")
    for script in ("", ":quit\nne pas envoyer\n"):
        out = io.StringIO()
        Playground(emu, [persona], stdin=io.StringIO(script), stdout=out, wait=lambda: None).run()
        assert "Au revoir !" in out.getvalue()
    assert emu.pending_updates == []
