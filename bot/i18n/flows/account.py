"""Textes du parcours « Mon compte » (/compte) : profil, préférences, points, documents, attestation.

The `acc.pdf.*` texts and `acc.date` go into the residence certificate (a PDF written with a
latin-1 core font): plain text only, no HTML, no emoji.
"""

FR: dict[str, str] = {
    # --- profil
    "acc.profile": (
        "👤 <b>Mon compte</b>\n\n"
        "<b>Nom :</b> {name}\n"
        "<b>E-mail :</b> {email}\n"
        "<b>Résidence :</b> {residence}\n"
        "<b>Appartement :</b> {apartment}\n"
        "<b>Téléphone :</b> {phone}\n"
        "<b>Langue :</b> {language}\n"
        "<b>Points fidélité :</b> ⭐ {points}\n\n"
        "🔔 <b>Notifications</b>\n"
        "<b>Heures calmes :</b> {quiet}\n"
        "<b>Rappels de réservation :</b> {reminders}"
    ),
    "acc.none": "—",
    "acc.not_set": "non renseigné",
    "acc.network": "Réseau Les Belles Années",
    "acc.lang.fr": "Français",
    "acc.lang.en": "English",
    "acc.quiet.range": "de {start} à {end}",
    "acc.quiet.off": "aucune",
    "acc.reminders.on": "activés",
    "acc.reminders.off": "désactivés",
    "acc.btn.phone": "📞 Téléphone",
    "acc.btn.language": "🌐 Langue",
    "acc.btn.quiet": "🌙 Heures calmes",
    "acc.btn.reminders_off": "🔕 Couper les rappels",
    "acc.btn.reminders_on": "🔔 Activer les rappels",
    "acc.btn.points": "⭐ Mes points",
    "acc.btn.documents": "📂 Mes documents",
    "acc.btn.certificate": "📄 Attestation de résidence",
    "acc.btn.download": "📥 Télécharger",
    # --- téléphone
    "acc.phone.ask": (
        "📞 <b>Téléphone</b>\n"
        "Actuel : {phone}\n\n"
        "Écrivez votre numéro, par exemple <code>06 12 34 56 78</code> ou <code>+33 6 12 34 56 78</code>.\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "acc.phone.btn_clear": "🗑 Supprimer le numéro",
    "acc.phone.invalid": (
        "Ce numéro ne semble pas valide. Exemples : <code>06 12 34 56 78</code>, "
        "<code>+33 6 12 34 56 78</code>, ou un numéro international commençant par +. Réessayez :"
    ),
    "acc.phone.expected_text": "J'attends votre numéro de téléphone, écrit en texte. Réessayez, ou /annuler.",
    "acc.phone.saved": "✅ Téléphone enregistré : {phone}",
    "acc.phone.cleared": "✅ Numéro de téléphone supprimé.",
    # --- heures calmes
    "acc.quiet.ask_start": (
        "🌙 <b>Heures calmes</b>\n"
        "Pendant ces heures, je ne vous envoie pas de notification non urgente.\n\n"
        "À partir de quelle heure ?"
    ),
    "acc.quiet.ask_end": "🌙 <b>Heures calmes</b> à partir de {start}.\nJusqu'à quelle heure ?",
    "acc.quiet.btn_none": "Aucune",
    "acc.quiet.saved": "✅ Heures calmes : {quiet}.",
    "acc.quiet.cleared": "✅ Heures calmes supprimées.",
    "acc.reminders.saved_on": "✅ Rappels de réservation activés.",
    "acc.reminders.saved_off": "✅ Rappels de réservation désactivés.",
    # --- points
    "acc.points.title": "⭐ <b>Mes points fidélité</b>\nSolde : <b>{balance}</b> points",
    "acc.points.line": "{delta} · {rule} · {date}",
    "acc.points.empty": (
        "Pas encore de points. Vous en gagnez en signalant un incident, en participant à un événement "
        "ou en publiant une annonce."
    ),
    "acc.rule.incident_reported": "Incident signalé",
    "acc.rule.incident_rated": "Intervention évaluée",
    "acc.rule.event_attended": "Participation à un événement",
    "acc.rule.event_organized": "Événement organisé",
    "acc.rule.listing_published": "Annonce publiée",
    "acc.rule.welcome": "Bienvenue",
    "acc.rule.other": "Autre ({rule})",
    # --- documents
    "acc.docs.title": "📂 <b>Mes documents</b>",
    "acc.docs.line": "{number}. {title} · {date}",
    "acc.docs.empty": (
        "Aucun document pour l'instant. Votre gestionnaire peut vous en déposer, et vous pouvez "
        "générer une attestation de résidence depuis « Mon compte »."
    ),
    "acc.docs.hint": "Touchez un document pour le recevoir.",
    "acc.doc.caption": "📄 {title}",
    "acc.doc.unavailable": "Ce document n'est pas disponible.",
    "acc.doc.certificate_title": "Attestation de résidence du {date}",
    # --- attestation
    "acc.cert.caption": "📄 Votre attestation de résidence. Elle est aussi rangée dans « Mes documents ».",
    "acc.cert.no_residence": (
        "Une attestation de résidence n'est possible que pour un compte rattaché à une résidence."
    ),
    "acc.pdf.title": "Attestation de résidence",
    "acc.pdf.body": (
        "Je soussigné(e), gestionnaire de la résidence {residence}, atteste que {name} réside à "
        "{address}{apartment}, depuis le {since}."
    ),
    "acc.pdf.apartment": ", appartement {apartment}",
    "acc.pdf.purpose": "Attestation délivrée pour servir et valoir ce que de droit.",
    "acc.pdf.issued": "Fait à {city}, le {date}",
    "acc.pdf.signature": "Le/la gestionnaire de la résidence",
    "acc.date": "{day} {month} {year}",
    # --- notifications et divers
    "acc.notify.document": "📄 Un nouveau document vous attend dans « Mon compte » : <b>{title}</b>",
    "acc.expired": "⌛ Ce bouton a expiré. Voici votre compte à jour :",
    "acc.expired.alert": "⌛ Ce bouton a expiré",
}

EN: dict[str, str] = {
    # --- profile
    "acc.profile": (
        "👤 <b>My account</b>\n\n"
        "<b>Name:</b> {name}\n"
        "<b>E-mail:</b> {email}\n"
        "<b>Residence:</b> {residence}\n"
        "<b>Apartment:</b> {apartment}\n"
        "<b>Phone:</b> {phone}\n"
        "<b>Language:</b> {language}\n"
        "<b>Loyalty points:</b> ⭐ {points}\n\n"
        "🔔 <b>Notifications</b>\n"
        "<b>Quiet hours:</b> {quiet}\n"
        "<b>Booking reminders:</b> {reminders}"
    ),
    "acc.none": "—",
    "acc.not_set": "not set",
    "acc.network": "Les Belles Années network",
    "acc.lang.fr": "Français",
    "acc.lang.en": "English",
    "acc.quiet.range": "from {start} to {end}",
    "acc.quiet.off": "none",
    "acc.reminders.on": "on",
    "acc.reminders.off": "off",
    "acc.btn.phone": "📞 Phone",
    "acc.btn.language": "🌐 Language",
    "acc.btn.quiet": "🌙 Quiet hours",
    "acc.btn.reminders_off": "🔕 Turn reminders off",
    "acc.btn.reminders_on": "🔔 Turn reminders on",
    "acc.btn.points": "⭐ My points",
    "acc.btn.documents": "📂 My documents",
    "acc.btn.certificate": "📄 Residence certificate",
    "acc.btn.download": "📥 Download",
    # --- phone
    "acc.phone.ask": (
        "📞 <b>Phone</b>\n"
        "Current: {phone}\n\n"
        "Type your number, for example <code>06 12 34 56 78</code> or <code>+33 6 12 34 56 78</code>.\n"
        "<i>/cancel to stop.</i>"
    ),
    "acc.phone.btn_clear": "🗑 Remove the number",
    "acc.phone.invalid": (
        "This number does not look valid. Examples: <code>06 12 34 56 78</code>, "
        "<code>+33 6 12 34 56 78</code>, or an international number starting with +. Try again:"
    ),
    "acc.phone.expected_text": "I am waiting for your phone number, as text. Try again, or /cancel.",
    "acc.phone.saved": "✅ Phone saved: {phone}",
    "acc.phone.cleared": "✅ Phone number removed.",
    # --- quiet hours
    "acc.quiet.ask_start": (
        "🌙 <b>Quiet hours</b>\nDuring these hours I send you no notification that is not urgent.\n\nFrom what time?"
    ),
    "acc.quiet.ask_end": "🌙 <b>Quiet hours</b> from {start}.\nUntil what time?",
    "acc.quiet.btn_none": "None",
    "acc.quiet.saved": "✅ Quiet hours: {quiet}.",
    "acc.quiet.cleared": "✅ Quiet hours removed.",
    "acc.reminders.saved_on": "✅ Booking reminders turned on.",
    "acc.reminders.saved_off": "✅ Booking reminders turned off.",
    # --- points
    "acc.points.title": "⭐ <b>My loyalty points</b>\nBalance: <b>{balance}</b> points",
    "acc.points.line": "{delta} · {rule} · {date}",
    "acc.points.empty": (
        "No points yet. You earn some by reporting an incident, attending an event or publishing a listing."
    ),
    "acc.rule.incident_reported": "Incident reported",
    "acc.rule.incident_rated": "Repair rated",
    "acc.rule.event_attended": "Event attended",
    "acc.rule.event_organized": "Event organised",
    "acc.rule.listing_published": "Listing published",
    "acc.rule.welcome": "Welcome",
    "acc.rule.other": "Other ({rule})",
    # --- documents
    "acc.docs.title": "📂 <b>My documents</b>",
    "acc.docs.line": "{number}. {title} · {date}",
    "acc.docs.empty": (
        "No documents yet. Your manager can file some for you, and you can generate a residence "
        "certificate from “My account”."
    ),
    "acc.docs.hint": "Tap a document to receive it.",
    "acc.doc.caption": "📄 {title}",
    "acc.doc.unavailable": "This document is not available.",
    "acc.doc.certificate_title": "Residence certificate of {date}",
    # --- certificate
    "acc.cert.caption": "📄 Your residence certificate. It is also kept in “My documents”.",
    "acc.cert.no_residence": "A residence certificate is only possible for an account attached to a residence.",
    "acc.pdf.title": "Residence certificate",
    "acc.pdf.body": (
        "I, the undersigned, manager of the residence {residence}, certify that {name} lives at "
        "{address}{apartment}, since {since}."
    ),
    "acc.pdf.apartment": ", apartment {apartment}",
    "acc.pdf.purpose": "This certificate is issued for whatever purpose it may lawfully serve.",
    "acc.pdf.issued": "Issued in {city} on {date}",
    "acc.pdf.signature": "The residence manager",
    "acc.date": "{day} {month} {year}",
    # --- notifications and misc
    "acc.notify.document": "📄 A new document is waiting for you in “My account”: <b>{title}</b>",
    "acc.expired": "⌛ This button has expired. Here is your account, up to date:",
    "acc.expired.alert": "⌛ This button has expired",
}
