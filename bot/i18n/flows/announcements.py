"""Texts of the announcements (/annonce, /announce): writing, sending, read receipts, follow-up."""

FR: dict[str, str] = {
    # --- ce que reçoivent les résidents (et le groupe des résidents)
    "ann.message": "📣 <b>Annonce</b>\n\n{text}",
    "ann.reminder": "🔔 <b>Rappel</b> — merci de confirmer que vous avez lu cette annonce :\n\n{text}",
    "ann.btn.ack": "✅ J'ai lu",
    "ann.btn.acked": "✅ Lu — merci !",
    "ann.ack.thanks": "Merci, c'est noté ✅",
    "ann.ack.already": "C'est déjà noté, merci ✅",
    "ann.ack.not_allowed": "⛔ Cette annonce ne vous était pas adressée.",
    # --- rédaction
    "ann.staff_only": "🔒 Les annonces sont réservées aux gestionnaires de résidence.",
    "ann.compose.ask": (
        "📣 <b>Nouvelle annonce</b>\n"
        "Envoyez le texte de l'annonce ({max} caractères au plus),\n"
        "ou une photo avec sa légende ({caption_max} caractères au plus).\n\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "ann.compose.again": "✏️ Envoyez le nouveau texte ({max} caractères au plus), ou une photo avec sa légende.",
    "ann.compose.again_photo": (
        "✏️ Envoyez le nouveau texte ({caption_max} caractères au plus, car il accompagne la photo), ou une autre photo."
    ),
    "ann.compose.expected": "J'attends le texte de l'annonce, ou une photo. Réessayez, ou /annuler.",
    "ann.caption.ask": "🖼 Photo reçue. Envoyez maintenant le texte qui l'accompagnera ({max} caractères au plus) :",
    "ann.caption.expected": "J'attends le texte qui accompagnera la photo. Réessayez, ou /annuler.",
    "ann.caption.too_long": (
        "Avec une photo, le texte est limité à {max} caractères (vous en avez écrit {length}). "
        "Envoyez un texte plus court :"
    ),
    "ann.photo.too_big": "Cette photo est trop lourde ({max_mb} Mo au plus). Envoyez-en une autre :",
    # --- destinataires (administrateurs)
    "ann.audience.ask": (
        "👥 <b>À qui envoyer l'annonce ?</b>\n"
        "Touchez les résidences pour les cocher ou les décocher ({count} sur {total} cochée(s)), puis Continuer."
    ),
    "ann.audience.empty": "Cochez au moins une résidence.",
    "ann.on": "✅",
    "ann.off": "⬜",
    "ann.btn.all": "🌍 Toutes les résidences",
    "ann.btn.none": "✖️ Aucune résidence",
    "ann.btn.continue": "Continuer ➡️",
    # --- options
    "ann.options.ask": "⚙️ <b>Options</b>\nTouchez une option pour l'activer ou la désactiver, puis Continuer.",
    "ann.opt.pin": "Épingler dans le groupe",
    "ann.opt.ack": "Demander un « J'ai lu »",
    # --- aperçu
    "ann.preview.intro": "👀 <b>Aperçu</b> — voici exactement ce que recevront les résidents :",
    "ann.preview.summary": (
        "📋 <b>Récapitulatif</b>\n"
        "🏢 Résidence(s) : {residences}\n"
        "👤 Résidents joignables en privé : {residents}\n"
        "🚫 Résidents qui ont bloqué le bot : {unreachable}\n"
        "💬 Groupes des résidents : {groups}\n"
        "📌 Épinglée dans le groupe : {pin}\n"
        "✅ « J'ai lu » demandé : {ack}\n\n"
        "Envoyer l'annonce ?"
    ),
    "ann.preview.ack_alert": "Les résidents confirmeront leur lecture avec ce bouton ; vous verrez qui l'a lue.",
    "ann.residences.many": "{count} résidences",
    "ann.btn.send": "📤 Envoyer",
    "ann.edit.choose": "Que voulez-vous modifier ?",
    "ann.field.text": "✏️ Texte ou photo",
    "ann.field.nophoto": "🗑 Retirer la photo",
    "ann.field.audience": "👥 Destinataires",
    "ann.field.options": "⚙️ Options",
    "ann.btn.back_preview": "⬅️ Retour à l'aperçu",
    "ann.send.invalid": "Cette annonce ne peut pas partir telle quelle (texte ou destinataires). Modifiez-la :",
    "ann.sent": (
        "📤 <b>Annonce en route</b> vers {residents} résident(s) et {groups} groupe(s).\n"
        "Vous recevrez le rapport de distribution dès la fin de l'envoi."
    ),
    "ann.sent.nobody": (
        "📭 Annonce enregistrée, mais personne n'est joignable pour l'instant : "
        "aucun résident relié au bot et aucun groupe lié."
    ),
    # --- rapport de distribution (à l'auteur)
    "ann.report": (
        "📊 <b>Rapport de distribution</b>\n"
        "Annonce du {date} : « {excerpt} »\n\n"
        "👥 Destinataires : {recipients}\n"
        "✅ Reçue : {sent}\n"
        "🚫 Injoignables : {unreachable}\n"
        "⚠️ Échecs : {failed}\n"
        "💬 Groupes : {groups_sent}/{groups}"
    ),
    "ann.btn.readers": "👀 Voir le suivi",
    # --- mes annonces
    "ann.btn.mine": "📋 Mes annonces",
    "ann.btn.new": "➕ Nouvelle annonce",
    "ann.btn.refresh": "🔄 Actualiser",
    "ann.list.title": "📋 <b>Mes annonces</b> — page {page}/{pages}",
    "ann.list.item": "{n}. {date} — « {excerpt} » · {author}\n     📬 reçue par {delivered}/{recipients}",
    "ann.list.item_ack": "{n}. {date} — « {excerpt} » · {author}\n     👀 lue par {read}/{recipients}",
    "ann.list.empty": "Aucune annonce pour l'instant.",
    "ann.detail.title": "📣 <b>Annonce du {date}</b> · {author}",
    "ann.detail.excerpt": "« {excerpt} »",
    "ann.detail.to": "🏢 {residences}",
    "ann.detail.sending": "⏳ Envoi en cours ({pending} message(s) à partir).",
    "ann.detail.counts": (
        "👥 Destinataires : {recipients}\n"
        "📬 Reçue : {delivered}\n"
        "🚫 Injoignables : {unreachable} · ⚠️ Échecs : {failed}\n"
        "💬 Groupes : {groups_delivered}/{groups}"
    ),
    "ann.detail.read": "👀 Lue par {read} sur {recipients}",
    "ann.detail.non_readers": "<b>Pas encore lue par</b> (page {page}/{pages}) :",
    "ann.detail.reader": "• {name} — appartement {apartment}",
    "ann.detail.reader_no_apartment": "• {name}",
    "ann.detail.not_delivered": " <i>(non reçue)</i>",
    "ann.detail.all_read": "🎉 Tout le monde l'a lue.",
    "ann.detail.no_ack": "ℹ️ Aucun « J'ai lu » n'a été demandé pour cette annonce.",
    "ann.btn.remind": "🔔 Relancer ({count})",
    "ann.remind.sent": "🔔 Rappel envoyé à {count} résident(s).",
    "ann.remind.already": "Ce rappel est déjà parti.",
    "ann.remind.nobody": "Personne à relancer pour l'instant.",
    # --- refus et menus périmés
    "ann.gone": "Cette annonce n'existe plus.",
    "ann.not_allowed": "⛔ Cette annonce n'est pas de votre ressort.",
    "ann.stale": "⌛ Ce bouton a expiré. Tapez /annonce pour repartir, ou revenez au menu.",
}

EN: dict[str, str] = {
    # --- what residents (and the residents' group) receive
    "ann.message": "📣 <b>Announcement</b>\n\n{text}",
    "ann.reminder": "🔔 <b>Reminder</b> — please confirm that you have read this announcement:\n\n{text}",
    "ann.btn.ack": "✅ I have read it",
    "ann.btn.acked": "✅ Read — thank you!",
    "ann.ack.thanks": "Thank you, noted ✅",
    "ann.ack.already": "Already noted, thank you ✅",
    "ann.ack.not_allowed": "⛔ This announcement was not sent to you.",
    # --- writing
    "ann.staff_only": "🔒 Announcements are for residence managers.",
    "ann.compose.ask": (
        "📣 <b>New announcement</b>\n"
        "Send the text of the announcement (at most {max} characters),\n"
        "or a photo with its caption (at most {caption_max} characters).\n\n"
        "<i>/cancel to stop.</i>"
    ),
    "ann.compose.again": "✏️ Send the new text (at most {max} characters), or a photo with its caption.",
    "ann.compose.again_photo": (
        "✏️ Send the new text (at most {caption_max} characters, as it goes with the photo), or another photo."
    ),
    "ann.compose.expected": "I am waiting for the text of the announcement, or a photo. Try again, or /cancel.",
    "ann.caption.ask": "🖼 Photo received. Now send the text that goes with it (at most {max} characters):",
    "ann.caption.expected": "I am waiting for the text that goes with the photo. Try again, or /cancel.",
    "ann.caption.too_long": (
        "With a photo, the text is limited to {max} characters (you wrote {length}). Send a shorter text:"
    ),
    "ann.photo.too_big": "This photo is too large (at most {max_mb} MB). Send another one:",
    # --- audience (admins)
    "ann.audience.ask": (
        "👥 <b>Who should get the announcement?</b>\n"
        "Tap the residences to tick or untick them ({count} of {total} ticked), then Continue."
    ),
    "ann.audience.empty": "Tick at least one residence.",
    "ann.on": "✅",
    "ann.off": "⬜",
    "ann.btn.all": "🌍 All residences",
    "ann.btn.none": "✖️ No residence",
    "ann.btn.continue": "Continue ➡️",
    # --- options
    "ann.options.ask": "⚙️ <b>Options</b>\nTap an option to turn it on or off, then Continue.",
    "ann.opt.pin": "Pin in the group",
    "ann.opt.ack": "Ask for an “I have read it”",
    # --- preview
    "ann.preview.intro": "👀 <b>Preview</b> — this is exactly what residents will receive:",
    "ann.preview.summary": (
        "📋 <b>Summary</b>\n"
        "🏢 Residence(s): {residences}\n"
        "👤 Residents reachable privately: {residents}\n"
        "🚫 Residents who blocked the bot: {unreachable}\n"
        "💬 Residents' groups: {groups}\n"
        "📌 Pinned in the group: {pin}\n"
        "✅ “I have read it” asked: {ack}\n\n"
        "Send the announcement?"
    ),
    "ann.preview.ack_alert": "Residents will confirm they read it with this button; you will see who did.",
    "ann.residences.many": "{count} residences",
    "ann.btn.send": "📤 Send",
    "ann.edit.choose": "What would you like to change?",
    "ann.field.text": "✏️ Text or photo",
    "ann.field.nophoto": "🗑 Remove the photo",
    "ann.field.audience": "👥 Recipients",
    "ann.field.options": "⚙️ Options",
    "ann.btn.back_preview": "⬅️ Back to the preview",
    "ann.send.invalid": "This announcement cannot go out as it is (text or recipients). Change it:",
    "ann.sent": (
        "📤 <b>Announcement on its way</b> to {residents} resident(s) and {groups} group(s).\n"
        "You will get the delivery report as soon as sending is complete."
    ),
    "ann.sent.nobody": (
        "📭 Announcement saved, but nobody can be reached yet: no resident linked to the bot and no group linked."
    ),
    # --- delivery report (to the author)
    "ann.report": (
        "📊 <b>Delivery report</b>\n"
        "Announcement of {date}: “{excerpt}”\n\n"
        "👥 Recipients: {recipients}\n"
        "✅ Delivered: {sent}\n"
        "🚫 Unreachable: {unreachable}\n"
        "⚠️ Failed: {failed}\n"
        "💬 Groups: {groups_sent}/{groups}"
    ),
    "ann.btn.readers": "👀 See the follow-up",
    # --- my announcements
    "ann.btn.mine": "📋 My announcements",
    "ann.btn.new": "➕ New announcement",
    "ann.btn.refresh": "🔄 Refresh",
    "ann.list.title": "📋 <b>My announcements</b> — page {page}/{pages}",
    "ann.list.item": "{n}. {date} — “{excerpt}” · {author}\n     📬 delivered to {delivered}/{recipients}",
    "ann.list.item_ack": "{n}. {date} — “{excerpt}” · {author}\n     👀 read by {read}/{recipients}",
    "ann.list.empty": "No announcement yet.",
    "ann.detail.title": "📣 <b>Announcement of {date}</b> · {author}",
    "ann.detail.excerpt": "“{excerpt}”",
    "ann.detail.to": "🏢 {residences}",
    "ann.detail.sending": "⏳ Sending ({pending} message(s) to go).",
    "ann.detail.counts": (
        "👥 Recipients: {recipients}\n"
        "📬 Delivered: {delivered}\n"
        "🚫 Unreachable: {unreachable} · ⚠️ Failed: {failed}\n"
        "💬 Groups: {groups_delivered}/{groups}"
    ),
    "ann.detail.read": "👀 Read by {read} of {recipients}",
    "ann.detail.non_readers": "<b>Not read yet by</b> (page {page}/{pages}):",
    "ann.detail.reader": "• {name} — apartment {apartment}",
    "ann.detail.reader_no_apartment": "• {name}",
    "ann.detail.not_delivered": " <i>(not delivered)</i>",
    "ann.detail.all_read": "🎉 Everyone has read it.",
    "ann.detail.no_ack": "ℹ️ No “I have read it” was asked for this announcement.",
    "ann.btn.remind": "🔔 Remind ({count})",
    "ann.remind.sent": "🔔 Reminder sent to {count} resident(s).",
    "ann.remind.already": "This reminder has already gone out.",
    "ann.remind.nobody": "Nobody to remind for now.",
    # --- refusals and stale menus
    "ann.gone": "This announcement no longer exists.",
    "ann.not_allowed": "⛔ This announcement is not yours to manage.",
    "ann.stale": "⌛ This button has expired. Type /announce to start again, or go back to the menu.",
}
