"""Texts of the scheduled reminders (services/reminders.py), French first, English second."""

from __future__ import annotations

FR: dict[str, str] = {
    "rem.booking": "⏰ <b>Rappel</b> : votre réservation <b>{space}</b> commence {when}.",
    "rem.event": "📅 <b>Rappel</b> : <b>{title}</b> commence {when}.\n📍 {place}",
    "rem.btn.cancel_booking": "✖️ Annuler la réservation",
    "rem.btn.open_event": "🎉 Voir l'événement",
}

EN: dict[str, str] = {
    "rem.booking": "⏰ <b>Reminder</b>: your booking of <b>{space}</b> starts {when}.",
    "rem.event": "📅 <b>Reminder</b>: <b>{title}</b> starts {when}.\n📍 {place}",
    "rem.btn.cancel_booking": "✖️ Cancel the booking",
    "rem.btn.open_event": "🎉 See the event",
}
