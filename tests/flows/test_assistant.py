"""The assistant as residents meet it, with no OpenAI key: free text answered and turned into the right flow,
prefilled, through the real Application. Nothing is written before the flow's own confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.emulator.core import EmuMessage
from models import Event, Incident, IncidentCategory, Reservation, ReservationSlot, Residence, Space, User
from models.assistant import AssistantQuestion, ChatMessage, FaqEntry, QuestionStatus
from models.db import unit_of_work
from tests.flows.test_signin import sign_in
from tests.harness import BotHarness, TgUser

PARIS = ZoneInfo("Europe/Paris")
TOMORROW = date(2026, 11, 25)  # the test clock starts on Tuesday 24 November 2026, 10:00 in Paris
LEAK = "Il y a une fuite d'eau dans ma salle de bain"
ASK_MANAGER = "📨 Poser la question au gestionnaire"


@contextmanager
def db(bot: BotHarness) -> Iterator[Session]:
    with unit_of_work(bot.app.bot_data["lba.runtime"].sessions) as session:  # type: ignore[union-attr]
        yield session


def count(bot: BotHarness, model: type, *where: object) -> int:
    with db(bot) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def labels(user: TgUser, message: EmuMessage | None = None) -> list[str]:
    return [label for row in user.emu.buttons(message) for label, _ in row]


def text(messages: list[EmuMessage]) -> str:
    return "\n".join(m.content for m in messages)


def user_id(bot: BotHarness, email: str) -> int:
    with db(bot) as s:
        found = s.scalar(sa.select(User.id).where(User.email == email))
        assert found is not None
        return found


def laundry(bot: BotHarness) -> int:
    with db(bot) as s:
        found = s.scalar(
            sa.select(Space.id)
            .join(Residence, Residence.id == Space.residence_id)
            .where(Space.name == "Laverie", Residence.city == "Lyon")
        )
        assert found is not None
        return found


def fill(bot: BotHarness, space_id: int, start: datetime, units: int) -> None:
    """The slot's every unit taken by other residents."""
    with db(bot) as s:
        for unit in range(1, units + 1):
            other = User(email=f"voisin{unit}@lba.test", first_name="Voisin", created_at=bot.clock())
            s.add(other)
            s.flush()
            booking = Reservation(
                space_id=space_id, user_id=other.id, start_at=start, end_at=start + timedelta(hours=1)
            )
            s.add(booking)
            s.flush()
            s.add(
                ReservationSlot(
                    reservation_id=booking.id, space_id=space_id, user_id=other.id, slot_start=start, unit=unit
                )
            )


async def signed(bot: BotHarness, uid: int, email: str, name: str, **kwargs: object) -> TgUser:
    user = bot.user(uid, name, **kwargs)
    await sign_in(user, email)
    return user


async def finish_report(user: TgUser, replies: list[EmuMessage]) -> list[EmuMessage]:
    """Answer whatever the report flow still asks, with the usual buttons, up to its summary."""
    for _ in range(5):
        shown = replies[-1].text
        if "Récapitulatif" in shown:
            return replies
        if "Où se situe" in shown:
            replies = await user.press("🏠 Mon appartement (A12)")
        elif "Décrivez" in shown:
            replies = await user.send(LEAK)
        elif "urgence" in shown:
            replies = await user.press("🟡 Normale")
        elif "Photos" in shown:
            replies = await user.press("⏭ Passer")
        else:
            raise AssertionError(f"unexpected step: {shown}")
    raise AssertionError("the report flow never reached its summary")


# --- the four sentences of the issue --------------------------------------------------------------------------------


async def test_a_leak_opens_the_report_with_plumbing_chosen(bot: BotHarness) -> None:
    jeanne = await signed(bot, 801, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send(LEAK)
    assert "Plomberie" in replies[0].text and "rien n'est envoyé" in replies[0].text
    assert bot.emu.chat_actions and bot.emu.chat_actions[-1] == (801, "typing")
    assert "🛠 Signaler : Plomberie" in labels(jeanne)

    replies = await jeanne.press("🛠 Signaler : Plomberie")
    assert "De quel type de problème" not in replies[-1].text  # the category is already chosen
    replies = await finish_report(jeanne, replies)
    summary = replies[-1].text
    assert "Plomberie" in summary and LEAK in summary and "Appartement A12" in summary
    assert count(bot, Incident) == 5  # the demo's, nothing more before Confirmer

    replies = await jeanne.press("✅ Confirmer")
    if "peut-être déjà signalé" in replies[-1].text:  # the demo has an open plumbing incident
        replies = await jeanne.press("➕ Non, c'est un autre problème")
    assert "enregistré" in replies[-1].text
    reporter = user_id(bot, "resident1@lba.demo")
    with db(bot) as s:
        filed = s.scalars(sa.select(Incident).where(Incident.description == LEAK)).all()
        assert [(i.category, i.reporter_id) for i in filed] == [(IncidentCategory.PLUMBING, reporter)]
    assert bot.refused() == []


async def test_booking_the_laundry_tomorrow_at_ten(bot: BotHarness) -> None:
    jeanne = await signed(bot, 802, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("Je veux réserver la laverie demain à 10h")
    assert "Laverie" in replies[0].text and "mercredi 25 novembre" in replies[0].text and "10:00" in replies[0].text
    assert labels(jeanne)[0] == "10:00"
    before = count(bot, Reservation)

    replies = await jeanne.press("10:00")
    if "Récapitulatif" not in replies[-1].text:  # the laundry can be booked for 1 or 2 hours: choose
        replies = await jeanne.press("1 h")
    summary = replies[-1].text
    assert "Récapitulatif" in summary and "Laverie" in summary and "mercredi 25 novembre à 10:00" in summary
    assert count(bot, Reservation) == before  # nothing booked before Confirmer

    await jeanne.press("✅ Confirmer")
    assert count(bot, Reservation) == before + 1
    start = datetime.combine(TOMORROW, time(10), PARIS).astimezone(UTC)
    mine = (Reservation.user_id == user_id(bot, "resident1@lba.demo"), Reservation.start_at == start)
    assert count(bot, Reservation, *mine, Reservation.space_id == laundry(bot)) == 1
    assert bot.refused() == []


async def test_ten_o_clock_full_offers_the_nearest_free_slots(bot: BotHarness) -> None:
    fill(bot, laundry(bot), datetime.combine(TOMORROW, time(10), PARIS).astimezone(UTC), 3)
    jeanne = await signed(bot, 803, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("Je veux réserver la laverie demain à 10h")
    assert "10:00 n'est pas libre" in replies[0].text
    offered = labels(jeanne)[:3]
    assert "10:00" not in offered and "09:00" in offered and "11:00" in offered
    replies = await jeanne.press("11:00")
    if "Récapitulatif" not in replies[-1].text:
        replies = await jeanne.press("1 h")
    assert "mercredi 25 novembre à 11:00" in replies[-1].text
    await jeanne.press("✅ Confirmer")
    start = datetime.combine(TOMORROW, time(11), PARIS).astimezone(UTC)
    mine = (Reservation.user_id == user_id(bot, "resident1@lba.demo"), Reservation.start_at == start)
    assert count(bot, Reservation, *mine) == 1


async def test_the_gym_opening_hours_come_from_the_knowledge_base(bot: BotHarness) -> None:
    jeanne = await signed(bot, 804, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("À quelle heure ouvre la salle de sport ?")
    answer = replies[0].text
    assert "📚 Source :" in answer and "salle de sport" in answer.lower() and "7 h à 21 h" in answer
    with db(bot) as s:
        questions = s.scalars(sa.select(FaqEntry.question_fr)).all()
    source = answer.split("📚 Source :", 1)[1].strip().splitlines()[0]
    assert source in questions  # the source named is a real entry of the knowledge base


async def test_nonsense_gets_help_the_menu_and_a_way_to_the_manager(bot: BotHarness) -> None:
    jeanne = await signed(bot, 805, "resident1@lba.demo", "Jeanne")
    sophie = await signed(bot, 806, "manager@lba.demo", "Sophie")
    question = "Blorf zqx vrommm"
    replies = await jeanne.send(question)
    assert "Je n'ai pas compris" in replies[0].text and "Je veux réserver la laverie" in replies[0].text
    assert "Bonjour Jeanne" in replies[-1].text  # and the menu
    assert ASK_MANAGER in labels(jeanne, replies[0]) and "🏠 Menu" in labels(jeanne, replies[0])
    assert count(bot, AssistantQuestion) == 0

    await jeanne.press(ASK_MANAGER, message_id=replies[0].message_id)
    assert "transmis" in jeanne.last.text
    await jeanne.press(ASK_MANAGER, message_id=replies[0].message_id)  # twice: still one question
    assert count(bot, AssistantQuestion) == 1
    note = sophie.last
    assert "Question d'un résident" in note.text and question in note.text and "Jeanne (A12)" in note.text

    await sophie.press("✍️ Répondre")
    assert "Votre réponse à Jeanne" in sophie.last.text
    assert "un peu court" in (await sophie.send("Non"))[0].text
    replies = await sophie.send("Ce n'est pas une question, mais voici : le salon de thé ouvre à 15h.")
    assert "Réponse envoyée à Jeanne" in replies[0].text
    told = jeanne.last.text
    assert "Réponse des gestionnaires" in told and "salon de thé ouvre à 15h" in told and question in told
    with db(bot) as s:
        row = s.scalar(sa.select(AssistantQuestion))
        assert row is not None and row.status == QuestionStatus.ANSWERED

    await sophie.press("➕ Ajouter à la FAQ")
    assert "Ajouté à la FAQ" in sophie.last.text
    with db(bot) as s:
        entry = s.scalar(sa.select(FaqEntry).where(FaqEntry.question_fr == question))
        assert entry is not None and "salon de thé" in entry.answer_fr
    replies = await jeanne.send(question)  # asked again: now the knowledge base knows
    assert "salon de thé ouvre à 15h" in replies[0].text and "📚 Source :" in replies[0].text
    assert bot.refused() == []


async def test_managers_see_waiting_questions_and_residents_cannot_answer(bot: BotHarness) -> None:
    jeanne = await signed(bot, 807, "resident1@lba.demo", "Jeanne")
    sophie = await signed(bot, 808, "manager@lba.demo", "Sophie")
    replies = await jeanne.send("Peut-on repeindre la porte de son balcon en bleu ?")
    await jeanne.press(ASK_MANAGER, message_id=replies[0].message_id)
    with db(bot) as s:
        question_id = s.scalar(sa.select(AssistantQuestion.id))
    replies = await sophie.send("/assistant")
    assert "Questions transmises en attente" in replies[0].text and "repeindre la porte" in replies[0].text
    assert "✍️ Répondre à la question 1" in labels(sophie)
    # A resident pressing a forged « Répondre »: refused, nothing changes.
    jeanne.emu.press_data(f"ai:ans:{question_id}")
    await bot.deliver()
    assert "Seuls les gestionnaires" in (bot.emu.callback_answers[-1]["text"] or "")
    with db(bot) as s:
        row = s.get(AssistantQuestion, question_id)
        assert row is not None and row.status == QuestionStatus.OPEN


# --- the rest of what the assistant promises --------------------------------------------------------------------------


async def test_an_english_resident_is_answered_in_english(bot: BotHarness) -> None:
    john = await signed(bot, 809, "resident2@lba.demo", "Marcel", language_code="en")
    await john.send("/language")
    await john.press("🇬🇧 English")
    replies = await john.send("What time does the gym open?")
    assert "📚 Source:" in replies[0].text and "gym" in replies[0].text.lower()
    replies = await john.send("There is a water leak in my bathroom")
    assert "🛠 Report: Plumbing" in labels(john)


async def test_the_assistant_command_and_forgetting(bot: BotHarness) -> None:
    jeanne = await signed(bot, 810, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("/assistant")
    intro = replies[0].text
    assert "L'assistant de la résidence" in intro and "hors ligne" in intro and "laverie demain à 10h" in intro
    assert "🗑 Oublier mes échanges" in labels(jeanne)
    await jeanne.send("Merci beaucoup")
    await jeanne.send("Bonjour")
    mine = (ChatMessage.user_id == user_id(bot, "resident1@lba.demo"),)
    assert count(bot, ChatMessage, *mine) == 4
    replies = await jeanne.send("/assistant oublier")
    assert "4 message(s)" in replies[0].text
    assert count(bot, ChatMessage, *mine) == 0
    await jeanne.send("Bonjour")
    await jeanne.send("/assistant")
    replies = await jeanne.press("🗑 Oublier mes échanges")
    assert "2 message(s)" in replies[-1].text
    # The dashboard's button works now (it said "bientôt" before).
    await jeanne.send("/menu")
    replies = await jeanne.press("💬 Assistant")
    assert "L'assistant de la résidence" in replies[-1].text


async def test_text_inside_a_flow_goes_to_the_flow(bot: BotHarness) -> None:
    jeanne = await signed(bot, 811, "resident1@lba.demo", "Jeanne")
    await jeanne.send("/signaler")
    await jeanne.press("🚰 Plomberie")
    await jeanne.press("🏠 Mon appartement (A12)")
    replies = await jeanne.send("Je veux réserver la laverie demain à 10h")  # the description, not a booking
    assert "urgence" in replies[-1].text
    assert count(bot, ChatMessage) == 0


async def test_a_forged_report_button_changes_nothing(bot: BotHarness) -> None:
    marcel = await signed(bot, 812, "resident2@lba.demo", "Marcel")
    jeanne = await signed(bot, 813, "resident1@lba.demo", "Jeanne")
    await marcel.send(LEAK)
    with db(bot) as s:
        turn = s.scalar(sa.select(ChatMessage.id).where(ChatMessage.role == "user"))
    jeanne.emu.press_data(f"ai:inc:{turn}")
    await bot.deliver()
    assert "plus disponible" in (bot.emu.callback_answers[-1]["text"] or "")
    await jeanne.send("/signaler")  # no flow was left open by the forged press
    assert "De quel type de problème" in jeanne.last.text
    assert count(bot, Incident) == 5


async def test_the_next_loto(bot: BotHarness) -> None:
    with db(bot) as s:
        lyon = s.scalar(sa.select(Residence.id).where(Residence.city == "Lyon"))
        start = datetime(2026, 12, 19, 14, 0, tzinfo=UTC)
        s.add(
            Event(
                residence_id=lyon,
                title="Grand loto de Noël",
                location="Salle commune",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=50,
                description="Des paniers garnis à gagner.",
                created_at=bot.clock(),
            )
        )
    jeanne = await signed(bot, 814, "resident1@lba.demo", "Jeanne")
    replies = await jeanne.send("c'est quand le prochain loto ?")
    answer = replies[0].text
    assert "loto" in answer.lower() and "Loto de l'automne" in answer and "Grand loto de Noël" in answer
    assert answer.index("Loto de l'automne") < answer.index("Grand loto de Noël")
    assert "Atelier tablette" not in answer
    replies = await jeanne.press("🎉 Grand loto de Noël")
    assert "Des paniers garnis" in replies[-1].text and "M'inscrire" in " ".join(labels(jeanne))


async def test_silent_in_groups(bot: BotHarness) -> None:
    sophie = await signed(bot, 815, "manager@lba.demo", "Sophie")
    jeanne = await signed(bot, 816, "resident1@lba.demo", "Jeanne")
    group = bot.emu.group(-100555, "Résidents Lyon")
    group.add_member(jeanne.emu)
    group.add_bot(by=sophie.emu, admin=True)  # an admin bot sees every message of the group
    await bot.deliver()
    before = len(group.bot_messages)
    group.send_text(jeanne.emu, LEAK)
    await bot.deliver()
    assert len(group.bot_messages) == before
    assert count(bot, ChatMessage) == 0


async def test_html_in_the_users_text_is_escaped(bot: BotHarness) -> None:
    jeanne = await signed(bot, 817, "resident1@lba.demo", "Jeanne")
    sophie = await signed(bot, 819, "manager@lba.demo", "Sophie")
    odd = "<b>Blorf</b> & <i>zqx</i> </code>"
    replies = await jeanne.send(odd)
    await jeanne.press(ASK_MANAGER, message_id=replies[0].message_id)
    assert odd in sophie.last.text  # shown to the manager exactly as typed, never parsed as markup
    await sophie.press("✍️ Répondre")
    await sophie.send("<u>Réponse</u> & merci")
    assert "<u>Réponse</u> & merci" in jeanne.last.text and odd in jeanne.last.text
    await jeanne.send("c'est quand le <b>loto</b> ?")
    replies = await jeanne.send("x" * 1200)
    assert "un peu long" in replies[0].text and "1200" in replies[0].text
    assert bot.refused() == []  # the emulator refuses any message Telegram would not parse


async def test_someone_not_signed_in_is_told_how_to_sign_in(bot: BotHarness) -> None:
    stranger = bot.user(818, "Paul")
    replies = await stranger.send("Je veux réserver la laverie demain à 10h")
    assert len(replies) == 1 and "/connexion" in replies[0].text
    assert count(bot, ChatMessage) == 0
