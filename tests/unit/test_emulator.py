"""The Telegram emulator must refuse what Telegram refuses, through the real PTB stack.

Every refusal is provoked with a real ``telegram.Bot`` on ``EmulatorRequest`` so the assertions
cover PTB's wire encoding and its error mapping (BadRequest/Forbidden/RetryAfter), not just the
emulator's internals.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.emulator import (
    BotApiEmulator,
    EmulatorRequest,
    EmuUser,
    FloodLimits,
    HtmlError,
    parse_html,
    sample_png,
    utf16_len,
)

TOKEN = "123456:TEST-token"
URL = "http://emulator.invalid"


def make_bot(emu: BotApiEmulator, token: str = TOKEN) -> Bot:
    return Bot(
        token,
        base_url=f"{URL}/bot",
        base_file_url=f"{URL}/file/bot",
        request=EmulatorRequest(emu),
        get_updates_request=EmulatorRequest(emu),
    )


@pytest.fixture
def emu() -> BotApiEmulator:
    return BotApiEmulator(TOKEN)


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    instance = make_bot(emu)
    await instance.initialize()
    yield instance
    await instance.shutdown()


@pytest.fixture
def marie(emu: BotApiEmulator) -> EmuUser:
    """A resident who already started the bot (so the bot may write to her)."""
    user = emu.user(42, "Marie", username="marie")
    user.send_text("/start")
    emu.take_updates()
    return user


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


async def refused(emu: BotApiEmulator, call: Any, error: type[TelegramError], description: str) -> None:
    """Awaits ``call``, expecting PTB to raise ``error`` for exactly Telegram's ``description``."""
    before = len(emu.refused)
    with pytest.raises(error):
        await call
    assert len(emu.refused) == before + 1
    assert emu.refused[-1].description == description


# --------------------------------------------------------------------------------------------
# html.py
# --------------------------------------------------------------------------------------------
def test_parse_html_produces_utf16_entities() -> None:
    text, entities = parse_html('😀 <b>Hé &amp; co</b> <a href="https://lba.fr">site</a> &#x1F600;&quot;')
    assert text == '😀 Hé & co site 😀"'
    assert entities == [
        {"offset": 3, "length": 7, "type": "bold"},
        {"offset": 11, "length": 4, "type": "text_link", "url": "https://lba.fr"},
    ]
    assert utf16_len("😀a") == 3


def test_parse_html_pre_code_blockquote_spoiler() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler><code>c</code>'
    )
    assert text == "x = 1qstc"
    types = [(e["type"], e.get("language")) for e in entities]
    assert types == [
        ("pre", "python"),
        ("expandable_blockquote", None),
        ("spoiler", None),
        ("spoiler", None),
        ("code", None),
    ]


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("é <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_html_errors(html: str, detail: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(html)
    assert caught.value.detail == detail


def test_parse_html_refuses_bare_ampersand_and_unknown_entities() -> None:
    for html in ("A & B", "&nbsp;", "&#;", "<a>x</a>"):
        with pytest.raises(HtmlError):
            parse_html(html)


# --------------------------------------------------------------------------------------------
# Basics, tokens, unknown methods
# --------------------------------------------------------------------------------------------
async def test_get_me_and_token_and_unknown_method(emu: BotApiEmulator, bot: Bot) -> None:
    assert bot.username == "lba_test_bot" and bot.id == 7000000001
    wrong = make_bot(emu, token="999:WRONG")
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    assert emu.refused[-1].status == 401 and emu.refused[-1].description == "Unauthorized"
    status, body = emu.call("sendCarrierPigeon", {"chat_id": "42"})
    assert status == 404 and body == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(EndPointNotFound):  # PTB's reading of Telegram's 404 "Not Found"
        await bot.do_api_request("sendCarrierPigeon")


async def test_send_message_records_plain_text_entities_and_raw_html(
    emu: BotApiEmulator, bot: Bot, marie: EmuUser
) -> None:
    sent = await bot.send_message(42, "  <b>Bonjour</b> 😀 <i>Marie</i>\n", parse_mode="HTML")
    assert sent.text == "Bonjour 😀 Marie"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 7), ("italic", 11, 5)]
    record = marie.last_bot_message
    assert record is not None and record.html == "  <b>Bonjour</b> 😀 <i>Marie</i>\n"
    assert record.text == "Bonjour 😀 Marie" and record.from_bot and record.message_id == sent.message_id
    assert emu.calls[-1].method == "sendMessage" and emu.calls[-1].params["chat_id"] == 42


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("Prix < 10 €", 'Unsupported start tag "" at byte offset 5'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("fin</b>", "Unexpected end tag at byte offset 3"),
        ("Martin & fils", 'Unsupported HTML entity at byte offset 7; a bare "&" must be written as "&amp;"'),
    ],
)
async def test_html_refusals(emu: BotApiEmulator, bot: Bot, marie: EmuUser, html: str, detail: str) -> None:
    await refused(
        emu,
        bot.send_message(42, html, parse_mode="HTML"),
        BadRequest,
        f"Bad Request: can't parse entities: {detail}",
    )
    assert marie.bot_messages == []


async def test_text_and_caption_lengths_are_measured_after_parsing_in_utf16(
    emu: BotApiEmulator, bot: Bot, marie: EmuUser
) -> None:
    await bot.send_message(42, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(42, "😀" * 2048)
    await refused(emu, bot.send_message(42, "😀" * 2049), BadRequest, "Bad Request: message is too long")
    await refused(emu, bot.send_message(42, "a" * 4097), BadRequest, "Bad Request: message is too long")
    await refused(emu, bot.send_message(42, " \n "), BadRequest, "Bad Request: message text is empty")
    await refused(
        emu,
        bot.send_message(42, "<b> </b>", parse_mode="HTML"),
        BadRequest,
        "Bad Request: message text is empty",
    )
    png = sample_png(4, 4)
    await bot.send_photo(42, png, caption="é" * 1024)
    await refused(
        emu,
        bot.send_photo(42, png, caption="é" * 1025),
        BadRequest,
        "Bad Request: message caption is too long",
    )


async def test_inline_keyboard_validation(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    await bot.send_message(42, "ok", reply_markup=keyboard([("Oui", "x" * 64)]))
    await refused(
        emu,
        bot.send_message(42, "trop long", reply_markup=keyboard([("Oui", "é" * 33)])),
        BadRequest,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    await refused(
        emu,
        bot.send_message(42, "vide", reply_markup=keyboard([("Oui", "")])),
        BadRequest,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    await refused(
        emu,
        bot.send_message(42, "sans texte", reply_markup=keyboard([("", "data")])),
        BadRequest,
        "Bad Request: text buttons are unallowed in the inline keyboard",
    )
    no_action = InlineKeyboardMarkup([[InlineKeyboardButton("Juste du texte")]])
    await refused(
        emu,
        bot.send_message(42, "sans action", reply_markup=no_action),
        BadRequest,
        "Bad Request: text buttons are unallowed in the inline keyboard",
    )
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("Site", url="localhost:8080")]])
    await refused(
        emu, bot.send_message(42, "lien", reply_markup=bad_url), BadRequest, "Bad Request: BUTTON_URL_INVALID"
    )


async def test_reply_keyboards_are_tracked_per_chat(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    await bot.send_message(42, "Choisissez", reply_markup=ReplyKeyboardMarkup([["Oui", "Non"]]))
    assert marie.keyboard == ["Oui", "Non"]
    assert marie.last_bot_message is not None and marie.last_bot_message.reply_markup is None
    marie.tap("Oui")
    assert emu.take_updates()[0]["message"]["text"] == "Oui"
    with pytest.raises(LookupError):
        marie.tap("Peut-être")
    await bot.send_message(42, "Merci", reply_markup=ReplyKeyboardRemove())
    assert marie.keyboard is None
    await refused(
        emu,
        bot.send_message(42, "x", reply_markup=ReplyKeyboardMarkup([[""]])),
        BadRequest,
        "Bad Request: keyboard button text must be non-empty",
    )


# --------------------------------------------------------------------------------------------
# Edits and deletions
# --------------------------------------------------------------------------------------------
async def test_edit_refusals_and_successes(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    menu = await bot.send_message(42, "<b>Menu</b>", parse_mode="HTML", reply_markup=keyboard([("A", "a")]))
    not_modified = (
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )
    await refused(
        emu,
        bot.edit_message_text(
            "<b>Menu</b>",
            chat_id=42,
            message_id=menu.message_id,
            parse_mode="HTML",
            reply_markup=keyboard([("A", "a")]),
        ),
        BadRequest,
        not_modified,
    )
    # Same text but no longer bold: that is a modification.
    edited = await bot.edit_message_text(
        "Menu", chat_id=42, message_id=menu.message_id, reply_markup=keyboard([("A", "a")])
    )
    assert edited.text == "Menu" and marie.last_bot_message is not None  # type: ignore[union-attr]
    assert marie.last_bot_message.edited == 1 and marie.last_bot_message.entities == []
    # Omitting reply_markup removes the keyboard, as on Telegram.
    await bot.edit_message_text("Menu", chat_id=42, message_id=menu.message_id)
    assert marie.last_bot_message.reply_markup is None
    await refused(
        emu,
        bot.edit_message_reply_markup(chat_id=42, message_id=menu.message_id),
        BadRequest,
        not_modified,
    )
    await bot.edit_message_reply_markup(chat_id=42, message_id=menu.message_id, reply_markup=keyboard([("B", "b")]))
    assert marie.buttons() == [[("B", "b")]]

    await refused(
        emu,
        bot.edit_message_text("x", chat_id=42, message_id=9999),
        BadRequest,
        "Bad Request: message to edit not found",
    )
    own = marie.messages[0]  # Marie's own /start: the bot cannot edit it
    await refused(
        emu,
        bot.edit_message_text("x", chat_id=42, message_id=own.message_id),
        BadRequest,
        "Bad Request: message to edit not found",
    )
    photo = await bot.send_photo(42, sample_png(8, 8), caption="avant")
    await refused(
        emu,
        bot.edit_message_text("x", chat_id=42, message_id=photo.message_id),
        BadRequest,
        "Bad Request: there is no text in the message to edit",
    )
    await bot.edit_message_caption(chat_id=42, message_id=photo.message_id, caption="<i>après</i>", parse_mode="HTML")
    record = emu.message(42, photo.message_id)
    assert record is not None and record.caption == "après" and record.caption_html == "<i>après</i>"
    await refused(
        emu,
        bot.edit_message_caption(chat_id=42, message_id=menu.message_id, caption="x"),
        BadRequest,
        "Bad Request: there is no caption in the message to edit",
    )


async def test_delete_messages(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    sent = await bot.send_message(42, "éphémère")
    assert await bot.delete_message(42, sent.message_id)
    await refused(emu, bot.delete_message(42, sent.message_id), BadRequest, "Bad Request: message to delete not found")
    await refused(emu, bot.delete_message(42, 12345), BadRequest, "Bad Request: message to delete not found")
    marie.send_text("mon mot de passe")
    secret = marie.messages[-1]
    assert await bot.delete_message(42, secret.message_id)  # allowed in a private chat
    assert (
        secret.deleted
        and secret in marie.messages
        and sent.message_id not in [m.message_id for m in marie.bot_messages]
    )
    a = await bot.send_message(42, "a")
    assert await bot.delete_messages(42, [a.message_id, 777])
    assert emu.message(42, a.message_id).deleted  # type: ignore[union-attr]
    await refused(
        emu,
        bot.edit_message_text("x", chat_id=42, message_id=a.message_id),
        BadRequest,
        "Bad Request: message to edit not found",
    )


# --------------------------------------------------------------------------------------------
# Callback queries
# --------------------------------------------------------------------------------------------
async def test_press_and_answer_callback_queries(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    await bot.send_message(42, "Ancien", reply_markup=keyboard([("Vieux", "old")]))
    menu = await bot.send_message(
        42, "Menu", reply_markup=keyboard([("Oui", "yes"), ("Non", "no")], [("Aide", "help")])
    )
    assert marie.buttons() == [[("Oui", "yes"), ("Non", "no")], [("Aide", "help")]]
    raw = marie.press("Oui")
    update = Update.de_json(raw, bot)
    assert update.callback_query is not None and update.callback_query.data == "yes"
    assert update.callback_query.message.message_id == menu.message_id  # type: ignore[union-attr]
    assert update.callback_query.from_user.id == 42
    assert await bot.answer_callback_query(update.callback_query.id, text="C'est noté")
    assert emu.callback_answers[-1]["text"] == "C'est noté" and marie.callback_answers[-1]["data"] == "yes"
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    await refused(emu, bot.answer_callback_query(update.callback_query.id), BadRequest, too_old)
    await refused(emu, bot.answer_callback_query("123"), BadRequest, too_old)

    by_data = Update.de_json(marie.press("help"), bot)
    await refused(
        emu,
        bot.answer_callback_query(by_data.callback_query.id, text="x" * 201),  # type: ignore[union-attr]
        BadRequest,
        "Bad Request: MESSAGE_TOO_LONG",
    )
    older = marie.press("Vieux", message_id=menu.message_id - 1)
    assert older["callback_query"]["data"] == "old"
    stale = marie.press_data("from:an:old:release", message_id=menu.message_id)
    assert stale["callback_query"]["data"] == "from:an:old:release"
    with pytest.raises(LookupError, match="'Oui' → 'yes'"):
        marie.press("Peut-être")


async def test_callback_queries_expire_when_configured() -> None:
    now = [1_000.0]
    emu = BotApiEmulator(TOKEN, clock=lambda: now[0], callback_query_ttl=15)
    bot = make_bot(emu)
    await bot.initialize()
    user = emu.user(5, "Paul")
    user.send_text("/start")
    await bot.send_message(5, "Menu", reply_markup=keyboard([("Oui", "yes")]))
    query_id = user.press("Oui")["callback_query"]["id"]
    now[0] += 16
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id)


# --------------------------------------------------------------------------------------------
# Who the bot may talk to
# --------------------------------------------------------------------------------------------
async def test_chat_access_refusals(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    await refused(emu, bot.send_message(999, "allo"), BadRequest, "Bad Request: chat not found")
    emu.user(43, "Jules")
    await refused(
        emu, bot.send_message(43, "allo"), Forbidden, "Forbidden: bot can't initiate conversation with a user"
    )
    marie.block_bot()
    blocked = Update.de_json(emu.take_updates()[-1], bot)
    assert blocked.my_chat_member is not None and blocked.my_chat_member.new_chat_member.status == "kicked"
    await refused(emu, bot.send_message(42, "allo"), Forbidden, "Forbidden: bot was blocked by the user")
    marie.unblock_bot()
    assert emu.take_updates()[-1]["my_chat_member"]["new_chat_member"]["status"] == "member"
    await bot.send_message(42, "re-bonjour")

    group = emu.group(-1001234567890, "Résidence Lyon")
    await refused(
        emu,
        bot.send_message(group.chat_id, "x"),
        Forbidden,
        "Forbidden: bot is not a member of the supergroup chat",
    )
    group.add_bot(marie)
    kinds = [next(k for k in u if k != "update_id") for u in emu.take_updates()]
    assert kinds == ["my_chat_member", "message"]
    await bot.send_message(group.chat_id, "Bonjour le groupe")
    group.remove_bot(marie)
    await refused(
        emu,
        bot.send_message(group.chat_id, "x"),
        Forbidden,
        "Forbidden: bot was kicked from the supergroup chat",
    )
    basic = emu.group(-4001, "Petit groupe", kind="group")
    basic.add_bot(marie)
    basic.remove_bot()
    await refused(emu, bot.send_message(basic.chat_id, "x"), Forbidden, "Forbidden: bot was kicked from the group chat")


async def test_group_privacy_mode_hides_plain_chatter(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    group = emu.group(-1001, "Résidence")
    group.add_bot(marie)
    emu.take_updates()
    group.send_text(marie, "bonjour tout le monde")
    group.send_text(marie, "/aide@lba_test_bot")
    group.send_text(marie, "/aide@autre_bot")
    group.send_text(marie, "merci @lba_test_bot")
    texts = [u["message"]["text"] for u in emu.take_updates()]
    assert texts == ["/aide@lba_test_bot", "merci @lba_test_bot"]
    assert len(group.messages) == 5  # the service message plus the four texts, all recorded


async def test_chat_queries_pins_and_actions(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    assert await bot.send_chat_action(42, "typing")
    assert emu.chat_actions == [(42, "typing")]
    await refused(
        emu, bot.send_chat_action(42, "dancing"), BadRequest, "Bad Request: wrong parameter action in request"
    )
    chat = await bot.get_chat(42)
    assert chat.first_name == "Marie" and chat.username == "marie"
    member = await bot.get_chat_member(42, 42)
    assert member.status == "member"
    await refused(
        emu,
        bot.get_chat_administrators(42),
        BadRequest,
        "Bad Request: there are no administrators in the private chat",
    )
    sent = await bot.send_message(42, "épinglé")
    assert await bot.pin_chat_message(42, sent.message_id)
    assert (await bot.get_chat(42)).pinned_message.message_id == sent.message_id  # type: ignore[union-attr]
    assert await bot.unpin_chat_message(42)

    group = emu.group(-100777, "Conseil")
    group.add_bot(marie)
    admins = await bot.get_chat_administrators(group.chat_id)
    assert [a.status for a in admins] == ["creator"]
    post = await bot.send_message(group.chat_id, "annonce")
    await refused(
        emu,
        bot.pin_chat_message(group.chat_id, post.message_id),
        BadRequest,
        "Bad Request: not enough rights to manage pinned messages in the chat",
    )
    group.set_bot_admin()
    assert await bot.pin_chat_message(group.chat_id, post.message_id)
    assert (await bot.get_chat_member(group.chat_id, bot.id)).status == "administrator"
    assert await bot.leave_chat(group.chat_id)
    await refused(
        emu,
        bot.send_message(group.chat_id, "x"),
        Forbidden,
        "Forbidden: bot is not a member of the supergroup chat",
    )


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------
async def test_photo_upload_get_file_and_download(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    png = sample_png(1600, 900)
    sent = await bot.send_photo(42, png, caption="Plan")
    assert [(p.width, p.height) for p in sent.photo] == [
        (90, 51),
        (320, 180),
        (800, 450),
        (1280, 720),
        (1600, 900),
    ]
    assert emu.calls[-1].files["photo"][1] == len(png)  # PTB uploads it as a part named "photo"
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path is not None and file.file_path.startswith(f"{URL}/file/bot{TOKEN}/photos/")
    assert bytes(await file.download_as_bytearray()) == png
    again = await bot.send_photo(42, sent.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in sent.photo]

    await refused(emu, bot.send_photo(42, b"not an image"), BadRequest, "Bad Request: IMAGE_PROCESS_FAILED")
    await refused(
        emu,
        bot.send_photo(42, "AgACnope"),
        BadRequest,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    await refused(emu, bot.get_file("nope"), BadRequest, "Bad Request: invalid file_id")

    marie.send_document(b"x" * (20 * 1024 * 1024 + 1), "scan.pdf", "application/pdf")
    big = emu.take_updates()[-1]["message"]["document"]
    await refused(emu, bot.get_file(big["file_id"]), BadRequest, "Bad Request: file is too big")

    marie.send_photo(sample_png(10, 10), caption="fuite")
    photo_msg = Update.de_json(emu.take_updates()[-1], bot).message
    assert photo_msg is not None and photo_msg.caption == "fuite"
    user_file = await bot.get_file(photo_msg.photo[-1].file_id)
    assert bytes(await user_file.download_as_bytearray()) == sample_png(10, 10)


async def test_documents_and_media_groups(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    doc = await bot.send_document(42, b"%PDF-1.4 reglement", filename="règlement.pdf", caption="Le règlement")
    assert doc.document is not None and doc.document.file_name == "règlement.pdf"
    assert doc.document.mime_type == "application/pdf"
    record = marie.last_bot_message
    assert record is not None and record.document_name == "règlement.pdf"
    await refused(
        emu,
        bot.send_document(42, doc.document.file_id.replace("BQ", "AG")),
        BadRequest,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    album = await bot.send_media_group(
        42, [InputMediaPhoto(sample_png(3, 3), caption="1"), InputMediaPhoto(sample_png(4, 4))]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id is not None
    assert all(name.startswith("attached") for name in emu.calls[-1].files)  # attach:// parts


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------
async def test_commands_are_stored_per_scope_and_language(emu: BotApiEmulator, bot: Bot, marie: EmuUser) -> None:
    await bot.set_my_commands([BotCommand("start", "Démarrer"), BotCommand("aide", "Aide")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands(
        [BotCommand("annonce", "Publier une annonce")], scope=BotCommandScopeChat(42), language_code="fr"
    )
    await bot.set_my_commands([BotCommand("prive", "Privé")], scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in await bot.get_my_commands()] == ["start", "aide"]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(42))] == []
    assert set(emu.commands) == {
        ('{"type": "default"}', ""),
        ('{"type": "default"}', "en"),
        ('{"chat_id": 42, "type": "chat"}', "fr"),
        ('{"type": "all_private_chats"}', ""),
    }
    assert [c["command"] for c in emu.visible_commands(42)] == ["annonce"]
    assert [c["command"] for c in emu.visible_commands(42, "en")] == ["prive"]
    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [c["command"] for c in emu.visible_commands(42, "en")] == ["start"]

    await refused(emu, bot.set_my_commands([BotCommand("Start", "x")]), BadRequest, "Bad Request: BOT_COMMAND_INVALID")
    await refused(emu, bot.set_my_commands([BotCommand("a" * 33, "x")]), BadRequest, "Bad Request: BOT_COMMAND_INVALID")
    await refused(
        emu,
        bot.set_my_commands([BotCommand("ok", "")]),
        BadRequest,
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
    )
    await refused(
        emu,
        bot.set_my_commands([BotCommand("ok", "d" * 257)]),
        BadRequest,
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
    )
    too_many = [BotCommand(f"c{i}", "x") for i in range(101)]
    await refused(emu, bot.set_my_commands(too_many), BadRequest, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    await refused(
        emu,
        bot.set_my_commands([], language_code="fra"),
        BadRequest,
        "Bad Request: invalid language code specified",
    )
    assert await bot.set_chat_menu_button()


# --------------------------------------------------------------------------------------------
# Updates
# --------------------------------------------------------------------------------------------
async def test_get_updates_offsets_long_poll_and_webhook_conflict(emu: BotApiEmulator, bot: Bot) -> None:
    jules = emu.user(50, "Jules")
    jules.send_text("/start@lba_test_bot now")
    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 1 and updates[0].message is not None
    assert updates[0].message.entities[0].type == "bot_command" and updates[0].message.entities[0].length == 19
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet: sent again
    assert not await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)

    poll = asyncio.create_task(bot.get_updates(offset=updates[0].update_id + 1, timeout=10))
    await asyncio.sleep(0)  # let the poll start; it then waits for a change, not for time
    jules.send_text("bonjour")
    got = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in got] == ["bonjour"]  # type: ignore[union-attr]

    await refused(
        emu,
        bot.set_webhook("http://insecure.example/hook"),
        BadRequest,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )
    assert await bot.set_webhook("https://bot.example/hook")
    assert (await bot.get_webhook_info()).url == "https://bot.example/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert not await bot.get_updates(timeout=0)


def test_take_updates_wait_helpers_and_subscribe(emu: BotApiEmulator) -> None:
    seen: list[str] = []
    unsubscribe = emu.subscribe(lambda record: seen.append(record.content))
    user = emu.user(7, "Léa")
    user.send_text("salut")
    assert emu.wait_idle(quiet=0.0, timeout=0.01) is False  # the bot has not fetched it yet
    assert [u["message"]["text"] for u in emu.take_updates()] == ["salut"]
    assert emu.wait_idle(quiet=0.0, timeout=1.0)
    status, body = emu.call("sendMessage", {"chat_id": "7", "text": "réponse"})
    assert status == 200 and body["result"]["text"] == "réponse"
    assert emu.wait_for(lambda: user.last_bot_message is not None, timeout=1.0)
    unsubscribe()
    emu.call("sendMessage", {"chat_id": "7", "text": "encore"})
    assert seen == ["réponse"]
    assert emu.sent_ok == 2


# --------------------------------------------------------------------------------------------
# Flood limits
# --------------------------------------------------------------------------------------------
def _seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own retry_after
async def test_flood_limits_per_chat_group_and_global() -> None:
    now = [10_000.0]
    emu = BotApiEmulator(TOKEN, clock=lambda: now[0], flood_limits=FloodLimits(global_per_second=5))
    bot = make_bot(emu)
    await bot.initialize()
    users = [emu.user(100 + i, f"U{i}") for i in range(6)]
    for user in users:
        user.send_text("/start")
    for _ in range(3):  # a small burst is fine
        await bot.send_message(100, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(100, "x")
    assert _seconds(caught.value.retry_after) == 1
    assert emu.refused[-1].description == "Too Many Requests: retry after 1"
    now[0] += 1.0
    await bot.send_message(100, "x")  # one per second sustained
    now[0] += 1.0
    for user in users[1:]:
        await bot.send_message(user.user_id, "x")
    with pytest.raises(RetryAfter):  # the global limit (5/s here) is reached, not Paul's own
        await bot.send_message(users[0].user_id, "x")

    now[0] += 1.0
    group = emu.group(-100555, "Résidence")
    group.add_bot(users[0])
    for _ in range(20):
        now[0] += 0.5
        await bot.send_message(group.chat_id, "annonce")
    with pytest.raises(RetryAfter):
        await bot.send_message(group.chat_id, "une de trop")
    assert emu.refused[-1].description == "Too Many Requests: retry after 51"
    assert emu.flood_refusals == 3 and emu.sent_ok == 3 + 1 + 5 + 20
