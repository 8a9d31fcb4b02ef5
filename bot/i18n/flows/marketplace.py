"""Texts of the marketplace (/marche, /market): browsing, posting, managing, relayed conversations."""

FR: dict[str, str] = {
    # --- accueil et navigation
    "mk.home": (
        "🛍 <b>Marché — {residence}</b>\n"
        "Les petites annonces entre voisins : vendre, chercher, prêter, donner.\n\n"
        "{active} annonce(s) en ligne · {mine} à vous.\n\n"
        "Quelles annonces voulez-vous voir ?"
    ),
    "mk.no_residence": "🛍 Le marché est celui d'une résidence : votre compte n'est rattaché à aucune résidence.",
    "mk.kind.sell": "Vendre",
    "mk.kind.buy": "Acheter",
    "mk.kind.lend": "Prêter",
    "mk.kind.give": "Donner",
    "mk.kind.all": "Tout",
    "mk.label.sell": "🏷 À vendre",
    "mk.label.buy": "🔎 Recherché",
    "mk.label.lend": "🤝 À prêter",
    "mk.label.give": "🎁 À donner",
    "mk.label.all": "📋 Toutes les annonces",
    "mk.list.title": "<b>{kind}</b> — page {page}/{pages}",
    "mk.list.item": "{n}. <b>{title}</b> — {price} · {name}",
    "mk.list.item_no_price": "{n}. <b>{title}</b> · {name}",
    "mk.list.empty": "Aucune annonce en ligne ici pour l'instant. Pourquoi pas la vôtre ?",
    "mk.list.hint": "Touchez une annonce pour la voir en détail.",
    "mk.price": "{amount} €",
    "mk.free": "gratuit",
    # --- détail d'une annonce
    "mk.detail.title": "<b>{title}</b>",
    "mk.detail.price": "💶 Prix : {price}",
    "mk.detail.by": "👤 {name} · 📅 {date}",
    "mk.detail.mine": "ℹ️ Votre annonce — {status}.",
    "mk.detail.until": "⌛ Visible jusqu'au {date}.",
    "mk.status.active": "🟢 en ligne",
    "mk.status.reserved": "🟡 réservée",
    "mk.status.closed": "✅ conclue",
    "mk.status.expired": "⌛ expirée",
    "mk.status.deleted": "🗑 supprimée",
    # --- mes annonces
    "mk.mine.title": "📋 <b>Mes annonces</b> — page {page}/{pages}",
    "mk.mine.item": "{n}. <b>{title}</b> — {status}",
    "mk.mine.empty": "Vous n'avez aucune annonce pour l'instant.",
    "mk.changed.reserve": "Annonce marquée réservée.",
    "mk.changed.close": "Annonce marquée conclue. Bravo !",
    "mk.changed.reopen": "Annonce remise en ligne pour 30 jours au plus.",
    "mk.not_possible": "Cette action n'est plus possible : l'annonce a changé entre-temps.",
    "mk.delete.confirm": (
        "🗑 Supprimer définitivement l'annonce « <b>{title}</b> » ?\n"
        "Les conversations en cours à son sujet seront closes."
    ),
    "mk.delete.done": "🗑 L'annonce « {title} » est supprimée.",
    # --- refus et menus périmés
    "mk.gone": "Cette annonce n'est plus disponible (retirée, conclue ou expirée).",
    "mk.not_allowed": "⛔ Cette action ne vous est pas permise.",
    "mk.busy": "Vous avez une démarche du marché en cours : terminez-la, ou tapez /annuler pour l'abandonner.",
    # --- boutons
    "mk.btn.new": "➕ Publier une annonce",
    "mk.btn.mine": "📋 Mes annonces",
    "mk.btn.market": "🛍 Marché",
    "mk.btn.contact": "💬 Contacter",
    "mk.btn.manage": "⚙️ Gérer mon annonce",
    "mk.btn.reserve": "🟡 Marquer réservée",
    "mk.btn.close": "✅ Marquer conclue",
    "mk.btn.reopen": "🟢 Remettre en ligne",
    "mk.btn.delete": "🗑 Supprimer",
    "mk.btn.delete_yes": "🗑 Oui, supprimer",
    "mk.btn.publish": "✅ Publier",
    "mk.btn.remove_photo": "🗑 Retirer la photo",
    "mk.btn.reply": "↩️ Répondre",
    "mk.btn.end": "🔚 Terminer",
    "mk.field.kind": "Type d'annonce",
    "mk.field.title": "Titre",
    "mk.field.description": "Description",
    "mk.field.price": "Prix",
    "mk.field.photo": "Photo",
    # --- publier une annonce
    "mk.new.kind": "➕ <b>Nouvelle annonce</b>\nQue souhaitez-vous faire ?\n\n<i>/annuler pour arrêter.</i>",
    "mk.new.kind_chosen": "➕ Nouvelle annonce : <b>{kind}</b>",
    "mk.new.title": (
        "Quel est le <b>titre</b> de votre annonce ? (3 à 80 caractères)\n<i>Exemple : Fauteuil releveur</i>"
    ),
    "mk.new.description": "Décrivez-la en quelques mots (5 à 1000 caractères) : état, disponibilité, où la voir…",
    "mk.new.price": (
        "Quel est votre <b>prix</b> ? Par exemple <i>12</i>, <i>12,50</i>, <i>12.5 €</i> ou <i>gratuit</i>."
    ),
    "mk.new.photo": "Envoyez une <b>photo</b> (10 Mo au plus), ou appuyez sur « Passer ».",
    "mk.new.photo_edit": "Envoyez une nouvelle <b>photo</b> (10 Mo au plus), « Passer » pour garder l'actuelle, "
    "ou retirez-la.",
    "mk.price.format": (
        "Je n'ai pas compris ce prix. Écrivez un montant comme <i>12</i>, <i>12,50</i> ou <i>12.5 €</i>, "
        "ou bien <i>gratuit</i> :"
    ),
    "mk.price.too_high": "Ce prix dépasse {max} €. Réessayez :",
    "mk.photo.expected": "J'attends une photo (ou une image), ou le bouton « Passer ». Ou /annuler.",
    "mk.photo.not_image": "Ce fichier n'est pas une image. Envoyez une photo (JPEG, PNG, WebP ou GIF), ou « Passer ».",
    "mk.photo.too_big": "Cette image dépasse {max_mb} Mo. Envoyez-en une plus légère, ou « Passer ».",
    "mk.preview": "👀 <b>Aperçu de votre annonce</b>\n\n{body}\n\nTout est correct ?",
    "mk.edit.choose": "✏️ Que voulez-vous modifier ?",
    "mk.publish.invalid": "Une réponse n'est plus valable ; corrigez-la avant de publier :",
    "mk.published": "✅ Votre annonce « {title} » est en ligne jusqu'au {date}.",
    "mk.published.points": "⭐ +{points} points fidélité. Merci de faire vivre la résidence !",
    # --- conversations relayées
    "mk.contact.ask": (
        "💬 Votre message pour <b>{name}</b> au sujet de « {title} » :\n"
        "<i>Je le lui transmets avec votre prénom seulement, sans votre nom d'utilisateur ni votre numéro. "
        "1000 caractères au plus. /annuler pour renoncer.</i>"
    ),
    "mk.contact.own": "C'est votre propre annonce : vous ne pouvez pas vous contacter vous-même.",
    "mk.reply.ask": "↩️ Votre réponse à <b>{name}</b> au sujet de « {title} » :\n<i>/annuler pour renoncer.</i>",
    "mk.write.expected_text": "J'attends votre message, écrit en texte. Réessayez, ou /annuler.",
    "mk.relay.sent": "✅ Message transmis à {name}. Sa réponse vous parviendra ici.",
    "mk.relay.unreachable": (
        "😕 Votre voisin(e) ne peut plus être joint(e) par le bot (compte fermé ou messages bloqués). "
        "Votre message n'a pas été transmis."
    ),
    "mk.relay.closed": "🔚 Cette conversation est terminée : les messages ne sont plus transmis.",
    "mk.relay.message": "💬 <b>{name}</b> vous écrit au sujet de « {title} » :\n\n{text}",
    "mk.relay.ended": "🔚 Conversation au sujet de « {title} » terminée. {name} en est informé(e).",
    "mk.relay.ended_by_other": "🔚 {name} a terminé la conversation au sujet de « {title} ».",
}

EN: dict[str, str] = {
    # --- home and navigation
    "mk.home": (
        "🛍 <b>Market — {residence}</b>\n"
        "Small ads between neighbours: sell, look for, lend, give.\n\n"
        "{active} listing(s) online · {mine} yours.\n\n"
        "Which listings would you like to see?"
    ),
    "mk.no_residence": "🛍 The market belongs to a residence: your account is not attached to any residence.",
    "mk.kind.sell": "Sell",
    "mk.kind.buy": "Buy",
    "mk.kind.lend": "Lend",
    "mk.kind.give": "Give",
    "mk.kind.all": "All",
    "mk.label.sell": "🏷 For sale",
    "mk.label.buy": "🔎 Wanted",
    "mk.label.lend": "🤝 To lend",
    "mk.label.give": "🎁 To give away",
    "mk.label.all": "📋 All listings",
    "mk.list.title": "<b>{kind}</b> — page {page}/{pages}",
    "mk.list.item": "{n}. <b>{title}</b> — {price} · {name}",
    "mk.list.item_no_price": "{n}. <b>{title}</b> · {name}",
    "mk.list.empty": "No listing online here yet. Why not yours?",
    "mk.list.hint": "Tap a listing to see it in full.",
    "mk.price": "€{amount}",
    "mk.free": "free",
    # --- a listing in full
    "mk.detail.title": "<b>{title}</b>",
    "mk.detail.price": "💶 Price: {price}",
    "mk.detail.by": "👤 {name} · 📅 {date}",
    "mk.detail.mine": "ℹ️ Your listing — {status}.",
    "mk.detail.until": "⌛ Visible until {date}.",
    "mk.status.active": "🟢 online",
    "mk.status.reserved": "🟡 reserved",
    "mk.status.closed": "✅ done",
    "mk.status.expired": "⌛ expired",
    "mk.status.deleted": "🗑 deleted",
    # --- my listings
    "mk.mine.title": "📋 <b>My listings</b> — page {page}/{pages}",
    "mk.mine.item": "{n}. <b>{title}</b> — {status}",
    "mk.mine.empty": "You have no listing yet.",
    "mk.changed.reserve": "Listing marked as reserved.",
    "mk.changed.close": "Listing marked as done. Well done!",
    "mk.changed.reopen": "Listing back online, for 30 days at most.",
    "mk.not_possible": "This action is no longer possible: the listing has changed meanwhile.",
    "mk.delete.confirm": (
        "🗑 Delete the listing “<b>{title}</b>” for good?\nOngoing conversations about it will be closed."
    ),
    "mk.delete.done": "🗑 The listing “{title}” is deleted.",
    # --- refusals and stale menus
    "mk.gone": "This listing is no longer available (withdrawn, done or expired).",
    "mk.not_allowed": "⛔ You are not allowed to do this.",
    "mk.busy": "You are in the middle of a market step: finish it, or type /cancel to drop it.",
    # --- buttons
    "mk.btn.new": "➕ Post a listing",
    "mk.btn.mine": "📋 My listings",
    "mk.btn.market": "🛍 Market",
    "mk.btn.contact": "💬 Contact",
    "mk.btn.manage": "⚙️ Manage my listing",
    "mk.btn.reserve": "🟡 Mark reserved",
    "mk.btn.close": "✅ Mark done",
    "mk.btn.reopen": "🟢 Put back online",
    "mk.btn.delete": "🗑 Delete",
    "mk.btn.delete_yes": "🗑 Yes, delete",
    "mk.btn.publish": "✅ Publish",
    "mk.btn.remove_photo": "🗑 Remove the photo",
    "mk.btn.reply": "↩️ Reply",
    "mk.btn.end": "🔚 End",
    "mk.field.kind": "Listing type",
    "mk.field.title": "Title",
    "mk.field.description": "Description",
    "mk.field.price": "Price",
    "mk.field.photo": "Photo",
    # --- posting a listing
    "mk.new.kind": "➕ <b>New listing</b>\nWhat would you like to do?\n\n<i>/cancel to stop.</i>",
    "mk.new.kind_chosen": "➕ New listing: <b>{kind}</b>",
    "mk.new.title": "What is the <b>title</b> of your listing? (3 to 80 characters)\n<i>Example: Riser armchair</i>",
    "mk.new.description": (
        "Describe it in a few words (5 to 1000 characters): condition, availability, where to see it…"
    ),
    "mk.new.price": "What is your <b>price</b>? For example <i>12</i>, <i>12.50</i>, <i>12.5 €</i> or <i>free</i>.",
    "mk.new.photo": "Send a <b>photo</b> (10 MB at most), or press “Skip”.",
    "mk.new.photo_edit": "Send a new <b>photo</b> (10 MB at most), “Skip” to keep the current one, or remove it.",
    "mk.price.format": (
        "I did not understand this price. Write an amount such as <i>12</i>, <i>12.50</i> or <i>12.5 €</i>, "
        "or <i>free</i>:"
    ),
    "mk.price.too_high": "This price is over €{max}. Try again:",
    "mk.photo.expected": "I am waiting for a photo (or an image), or the “Skip” button. Or /cancel.",
    "mk.photo.not_image": "This file is not an image. Send a photo (JPEG, PNG, WebP or GIF), or “Skip”.",
    "mk.photo.too_big": "This image is over {max_mb} MB. Send a lighter one, or “Skip”.",
    "mk.preview": "👀 <b>Preview of your listing</b>\n\n{body}\n\nIs everything right?",
    "mk.edit.choose": "✏️ What would you like to change?",
    "mk.publish.invalid": "One answer is no longer valid; correct it before publishing:",
    "mk.published": "✅ Your listing “{title}” is online until {date}.",
    "mk.published.points": "⭐ +{points} loyalty points. Thank you for keeping the residence lively!",
    # --- relayed conversations
    "mk.contact.ask": (
        "💬 Your message to <b>{name}</b> about “{title}”:\n"
        "<i>I pass it on with your first name only, without your username or your phone number. "
        "1000 characters at most. /cancel to give up.</i>"
    ),
    "mk.contact.own": "This is your own listing: you cannot contact yourself.",
    "mk.reply.ask": "↩️ Your reply to <b>{name}</b> about “{title}”:\n<i>/cancel to give up.</i>",
    "mk.write.expected_text": "I am waiting for your message, written as text. Try again, or /cancel.",
    "mk.relay.sent": "✅ Message passed on to {name}. Their reply will reach you here.",
    "mk.relay.unreachable": (
        "😕 Your neighbour can no longer be reached by the bot (account closed or messages blocked). "
        "Your message was not passed on."
    ),
    "mk.relay.closed": "🔚 This conversation has ended: messages are no longer passed on.",
    "mk.relay.message": "💬 <b>{name}</b> writes to you about “{title}”:\n\n{text}",
    "mk.relay.ended": "🔚 Conversation about “{title}” ended. {name} has been told.",
    "mk.relay.ended_by_other": "🔚 {name} ended the conversation about “{title}”.",
}
