"""Texts of the scheduler's routines: escalations, the managers' digest, listing notices, rating requests."""

from __future__ import annotations

FR: dict[str, str] = {
    "rout.escalation": (
        "🚨⏰ <b>Relance — incident urgent #{number} non pris en charge</b>\n"
        "Signalé le {since} (il y a {hours} h) par {who} — {residence}.\n\n"
        "{category} — {place}\n"
        "<i>{description}</i>\n\n"
        "Personne ne l'a encore pris en charge : merci d'intervenir."
    ),
    "rout.digest": (
        "☀️ <b>Résumé du jour — {residence}</b>\n\n"
        "🛠 <b>Incidents</b> : {open} ouverts, dont {urgent} urgents · {new} nouveaux en 24 h\n"
        "<i>🚨 urgent · 🆕 pas encore pris en charge</i>\n"
        "{incidents}\n\n"
        "⏳ <b>Ouverts depuis trop longtemps</b> (jours)\n"
        "{stale}\n\n"
        "📅 <b>Réservations aujourd'hui</b> : {bookings_total}\n"
        "{bookings}\n\n"
        "🎉 <b>Événements aujourd'hui</b> : {events_total}\n"
        "{events}\n\n"
        "📣 <b>Annonces peu lues</b> (lus / reçus, 7 derniers jours)\n"
        "{announcements}"
    ),
    "rout.digest.none": "• rien à signaler",
    "rout.listing_notice": (
        "⌛ Votre annonce « <b>{title}</b> » expire le {expires}.\n"
        "Remettez-la en ligne pour 30 jours si elle est toujours d'actualité."
    ),
    "rout.rating": (
        "⭐ <b>Incident #{number}</b> ({category} — {place}) a été résolu le {resolved}.\n"
        "Êtes-vous satisfait(e) de l'intervention ? Notez-la de 1 (insuffisant) à 5 (parfait) :"
    ),
    "rout.btn.desk": "🗂 Bureau des incidents",
    "rout.btn.renew": "🟢 Remettre en ligne 30 jours",
    "rout.btn.my_listings": "📋 Mes annonces",
    "rout.btn.see": "🔎 Voir l'incident",
}

EN: dict[str, str] = {
    "rout.escalation": (
        "🚨⏰ <b>Reminder — urgent incident #{number} not taken in charge</b>\n"
        "Reported on {since} ({hours} h ago) by {who} — {residence}.\n\n"
        "{category} — {place}\n"
        "<i>{description}</i>\n\n"
        "Nobody has taken it in charge yet: please step in."
    ),
    "rout.digest": (
        "☀️ <b>Today's digest — {residence}</b>\n\n"
        "🛠 <b>Incidents</b>: {open} open, {urgent} of them urgent · {new} new in 24 h\n"
        "<i>🚨 urgent · 🆕 not taken in charge yet</i>\n"
        "{incidents}\n\n"
        "⏳ <b>Open for too long</b> (days)\n"
        "{stale}\n\n"
        "📅 <b>Bookings today</b>: {bookings_total}\n"
        "{bookings}\n\n"
        "🎉 <b>Events today</b>: {events_total}\n"
        "{events}\n\n"
        "📣 <b>Announcements little read</b> (read / received, last 7 days)\n"
        "{announcements}"
    ),
    "rout.digest.none": "• nothing to report",
    "rout.listing_notice": (
        "⌛ Your listing “<b>{title}</b>” expires on {expires}.\n"
        "Put it back online for 30 days if it is still relevant."
    ),
    "rout.rating": (
        "⭐ <b>Incident #{number}</b> ({category} — {place}) was resolved on {resolved}.\n"
        "Are you satisfied with the work? Rate it from 1 (poor) to 5 (perfect):"
    ),
    "rout.btn.desk": "🗂 Incident desk",
    "rout.btn.renew": "🟢 Put back online for 30 days",
    "rout.btn.my_listings": "📋 My listings",
    "rout.btn.see": "🔎 See the incident",
}
