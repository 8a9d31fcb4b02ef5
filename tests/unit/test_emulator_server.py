"""The emulator over real HTTP, and a real PTB Application polling it in-process."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.emulator import BotApiEmulator, EmulatorRequest, EmulatorServer, sample_png

TOKEN = "123456:TEST-token"


async def test_real_bot_over_http_long_polls_uploads_and_gets_refusals() -> None:
    emu = BotApiEmulator(TOKEN)
    with EmulatorServer(emu) as server:
        assert server.url.startswith("http://127.0.0.1:")
        async with Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot") as bot:
            assert bot.username == "lba_test_bot"  # getMe went over HTTP
            marie = emu.user(42, "Marie")
            marie.send_text("/start")
            first = await bot.get_updates(timeout=5)
            assert first[0].message is not None and first[0].message.text == "/start"

            poll_task = asyncio.create_task(bot.get_updates(offset=first[-1].update_id + 1, timeout=10))
            assert await emu.async_wait_for(lambda: emu.waiting_pollers > 0, 5)

            # While the long poll is pending, other calls are served.
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
            sent = await bot.send_message(42, "<b>Bienvenue</b> Marie", parse_mode="HTML", reply_markup=markup)
            assert sent.text == "Bienvenue Marie" and sent.reply_markup == markup
            png = sample_png(40, 30)
            photo = await bot.send_photo(42, png, caption="Plan d'accès")
            assert emu.calls[-1].files["photo"][2] == "application/octet-stream"  # PTB sniffs nothing
            file = await bot.get_file(photo.photo[-1].file_id)
            assert bytes(await file.download_as_bytearray()) == png
            with pytest.raises(BadRequest, match="(?i)can't parse entities: unsupported start tag"):
                await bot.send_message(42, "a < b", parse_mode="HTML")
            assert not poll_task.done()

            marie.send_text("bonjour")
            updates = await asyncio.wait_for(poll_task, 5)
            assert [u.message.text for u in updates] == ["bonjour"]  # type: ignore[union-attr]
            assert marie.buttons(marie.bot_messages[0]) == [[("Oui", "yes")]]


def test_http_server_accepts_json_query_and_form_bodies() -> None:
    emu = BotApiEmulator(TOKEN)
    emu.user(42, "Marie").send_text("/start")
    with EmulatorServer(emu) as server, httpx.Client(base_url=server.url, timeout=5) as client:
        by_json = client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": 42, "text": "json"})
        assert by_json.status_code == 200 and by_json.json()["result"]["text"] == "json"
        by_query = client.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": "42", "text": "12"})
        assert by_query.json()["result"]["text"] == "12"  # a numeric text stays a string
        markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
        by_form = client.post(
            f"/bot{TOKEN}/sendMessage", data={"chat_id": "42", "text": "form", "reply_markup": markup}
        )
        assert by_form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        case_insensitive = client.post(f"/bot{TOKEN}/GETME")
        assert case_insensitive.json()["result"]["username"] == "lba_test_bot"

        wrong = client.post("/bot1:WRONG/getMe")
        assert wrong.status_code == 401 and wrong.json()["description"] == "Unauthorized"
        unknown = client.post(f"/bot{TOKEN}/sendPigeon")
        assert unknown.status_code == 404 and unknown.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found",
        }
        assert client.get(f"/file/bot{TOKEN}/photos/missing.jpg").status_code == 404
        refused = client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "42", "text": ""})
        assert refused.status_code == 400
        assert refused.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message text is empty",
        }


async def test_application_polls_the_emulator_in_process() -> None:
    emu = BotApiEmulator(TOKEN)
    url = "http://emulator.invalid"
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .request(EmulatorRequest(emu))
        .get_updates_request(EmulatorRequest(emu))
        .build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="yes")]])
        await update.message.reply_html("<b>Bienvenue</b>", reply_markup=markup)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Noté")
        await query.edit_message_text(f"Choix : {query.data}")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    marie = emu.user(42, "Marie")
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        await app.start()
        marie.send_text("/start")
        assert await emu.async_wait_for(lambda: marie.last_bot_message is not None, 5)
        marie.press("Oui")
        assert await emu.async_wait_for(lambda: bool(marie.bot_messages and marie.bot_messages[-1].edited), 5)
        await app.updater.stop()
        await app.stop()
    assert marie.bot_messages[-1].text == "Choix : yes"
    assert emu.callback_answers[-1]["text"] == "Noté"
    assert emu.refused == []


async def test_a_second_poller_terminates_the_first_with_a_conflict() -> None:
    emu = BotApiEmulator(TOKEN)
    with EmulatorServer(emu) as server:
        first = Bot(TOKEN, base_url=f"{server.url}/bot")
        second = Bot(TOKEN, base_url=f"{server.url}/bot")
        async with first, second:
            pending = asyncio.create_task(first.get_updates(timeout=10))
            assert await emu.async_wait_for(lambda: emu.waiting_pollers > 0, 5)
            assert not await second.get_updates(timeout=0)
            with pytest.raises(Conflict):
                await asyncio.wait_for(pending, 5)
    assert emu.refused[-1].description == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )
