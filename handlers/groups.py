"""Telegram groups: the bot added to a group, /lier_groupe (/link_group), the bot removed.

In a group nobody linked the bot says one thing, once, when it is added (a manager should run
/lier_groupe), and answers nothing but /lier_groupe afterwards. The choice buttons carry the
Telegram id of whoever ran the command, so that only they may press them; the service still
checks that the presser is a signed-in manager of that residence, or an admin.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberUpdated, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot import ui
from bot.i18n import Raw, t
from bot.runtime import Ctx
from handlers.common import PRIVATE, current_user, lang_of
from models import GroupKind
from services import groups
from services.errors import DomainError, NotFound
from services.groups import LinkedGroup, LinkStart

log = logging.getLogger(__name__)

GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
COMMANDS = ["lier_groupe", "link_group"]
KINDS = tuple(kind.value for kind in GroupKind)
ID = r"(\d{1,12})"
PAGE = r"(\d{1,4})"
NAME_IN_BUTTON = 40


def _present(member: ChatMember) -> bool:
    if member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return True
    return member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))


def _kind(lang: str, kind: GroupKind | str) -> Raw:
    return Raw(t(lang, f"grp.kind.{GroupKind(kind).value}"))


def _title(update: Update) -> str:
    chat = update.effective_chat
    return (chat.title if chat else None) or ""


# --- the bot joins or leaves -------------------------------------------------------------------------


async def membership_changed(update: Update, context: Ctx) -> None:
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return  # a private chat: a user blocking or restarting the bot is the outbox's business
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    if was and not now:
        if await context.rt.db(groups.bot_removed, change.chat.id):
            log.info("removed from a linked group: link marked inactive")
        return
    if not was and now:  # just added (a promotion to admin changes nothing here)
        lang = lang_of(update, context)
        await context.bot.send_message(change.chat.id, t(lang, "grp.hello"))


async def chat_migrated(update: Update, context: Ctx) -> None:
    """A group upgraded to a supergroup gets a new id: the link follows it."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await context.rt.db(groups.migrate, message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await context.rt.db(groups.migrate, message.migrate_from_chat_id, message.chat_id)


# --- /lier_groupe in a group -------------------------------------------------------------------------


def _kind_markup(lang: str, residence_id: int, uid: int) -> InlineKeyboardMarkup:
    rows = [[ui.button(t(lang, f"grp.btn.{kind}"), "grp", "k", kind, residence_id, uid)] for kind in KINDS]
    rows.append([ui.button(t(lang, "btn.cancel"), "grp", "x", uid)])
    return ui.keyboard(rows)


def _current(lang: str, current: LinkedGroup | None) -> str:
    if current is None:
        return ""
    return t(lang, "grp.current", kind=_kind(lang, current.kind), residence=current.residence_name) + "\n\n"


async def _residence_picker(update: Update, context: Ctx, uid: int, page: int, lang: str) -> None:
    result = await context.rt.db(groups.residence_page, uid, page)
    rows = [[ui.button(_short(c.name), "grp", "r", c.id, uid)] for c in result.items]
    nav = []
    if result.page > 0:
        nav.append(ui.button(t(lang, "btn.prev"), "grp", "p", result.page - 1, uid))
    if result.has_next:
        nav.append(ui.button(t(lang, "btn.next"), "grp", "p", result.page + 1, uid))
    rows.append(nav)
    rows.append([ui.button(t(lang, "btn.cancel"), "grp", "x", uid)])
    await ui.show(update, t(lang, "grp.choose_residence", title=_title(update)), ui.keyboard(rows))


def _short(name: str) -> str:
    return name if len(name) <= NAME_IN_BUTTON else name[: NAME_IN_BUTTON - 1] + "…"


async def link_command(update: Update, context: Ctx) -> None:
    user, chat = update.effective_user, update.effective_chat
    lang = lang_of(update, context)
    if user is None or chat is None:
        return
    try:
        start: LinkStart = await context.rt.db(groups.start_link, user.id, chat.id)
    except DomainError:
        await update.effective_message.reply_text(t(lang, "grp.not_allowed"))
        return
    lang = start.language
    intro = _current(lang, start.current)
    if start.is_admin and len(start.residences) != 1:
        await update.effective_message.reply_text(intro + t(lang, "grp.admin_intro"))
        await _residence_picker(update, context, user.id, 0, lang)
        return
    if not start.residences:
        await update.effective_message.reply_text(t(lang, "grp.not_allowed"))
        return
    residence = start.residences[0]
    text = intro + t(lang, "grp.choose_kind", title=_title(update), residence=residence.name)
    await update.effective_message.reply_text(text, reply_markup=_kind_markup(lang, residence.id, user.id))


async def group_button(update: Update, context: Ctx) -> None:
    """Every `grp:` press, in a group: the right person, then the service decides."""
    query = update.callback_query
    user, chat = update.effective_user, update.effective_chat
    lang = lang_of(update, context)
    data = ui.parts(query.data)
    if user is None or chat is None or chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP) or len(data) < 3:
        await query.answer()
        return
    owner = ui.to_int(data[-1])
    if owner != user.id:
        await query.answer(t(lang, "grp.not_yours"), show_alert=True)
        return
    action, args = data[1], data[2:-1]
    try:
        if action == "x" and not args:
            await query.answer()
            await ui.show(update, t(lang, "grp.cancelled"))
        elif action == "p" and len(args) == 1 and ui.to_int(args[0]) is not None:
            await query.answer()
            await _residence_picker(update, context, user.id, int(args[0]), lang)
        elif action == "r" and len(args) == 1 and ui.to_int(args[0]) is not None:
            residence = await context.rt.db(groups.choose_residence, user.id, int(args[0]))
            await query.answer()
            text = t(lang, "grp.choose_kind", title=_title(update), residence=residence.name)
            await ui.show(update, text, _kind_markup(lang, residence.id, user.id))
        elif action == "k" and len(args) == 2 and args[0] in KINDS and ui.to_int(args[1]) is not None:
            linked = await context.rt.db(
                groups.link, user.id, chat.id, _title(update), int(args[1]), GroupKind(args[0]), context.rt.now()
            )
            await query.answer()
            text = t(
                lang,
                "grp.linked",
                kind=_kind(lang, linked.kind),
                residence=linked.residence_name,
                what=Raw(t(lang, f"grp.linked.{linked.kind.value}")),
            )
            await ui.show(update, text)
        else:
            await query.answer(t(lang, "grp.expired"), show_alert=True)
    except NotFound:
        await query.answer(t(lang, "grp.expired"), show_alert=True)
    except DomainError:
        await query.answer(t(lang, "grp.refused"), show_alert=True)


# --- /lier_groupe in private -------------------------------------------------------------------------


async def link_private(update: Update, context: Ctx) -> None:
    me = await current_user(update, context)
    if me is None:  # the gate already answered
        return
    lang = me.language
    try:
        linked = await context.rt.db(groups.linked_groups, me)
    except DomainError:
        await update.effective_message.reply_text(t(lang, "grp.staff_only"), reply_markup=ui.menu_markup(lang))
        return
    lines = [t(lang, "grp.private")]
    if linked:
        lines += ["", t(lang, "grp.private.linked")]
        lines += [
            t(lang, "grp.private.item", title=g.title or "—", kind=_kind(lang, g.kind), residence=g.residence_name)
            for g in linked
        ]
    else:
        lines += ["", t(lang, "grp.private.none")]
    await update.effective_message.reply_text("\n".join(lines), reply_markup=ui.menu_markup(lang))


def handlers() -> list[BaseHandler[Update, Ctx, object]]:
    return [
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        CommandHandler(COMMANDS, link_command, filters=GROUPS),
        CommandHandler(COMMANDS, link_private, filters=PRIVATE),
        CallbackQueryHandler(group_button, pattern=ui.pattern("grp")),
        MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
    ]
