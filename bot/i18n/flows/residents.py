"""Texts of the managers' residents tools: /inviter (/invite) and /residents (list, card, deactivation)."""

FR: dict[str, str] = {
    # --- accès
    "res.managers_only": "🔒 Cette fonction est réservée aux gestionnaires de résidence.",
    "res.no_residence": "Votre compte de gestionnaire n'est rattaché à aucune résidence. Contactez l'administrateur.",
    "res.none": "—",
    # --- invitation
    "res.inv.pick_residence": "✉️ <b>Inviter un résident</b>\nPour quelle résidence ?",
    "res.inv.ask_email": (
        "✉️ <b>Inviter un résident</b> — {residence}\n\n"
        "Quelle est l'adresse e-mail de la personne à inviter ?\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "res.inv.bad_email": "Cette adresse e-mail ne semble pas valide (exemple : prenom.nom@exemple.fr). Réessayez :",
    "res.inv.email_too_long": "Cette adresse est trop longue ({max} caractères au plus). Réessayez :",
    "res.inv.email_linked": (
        "Cette personne a déjà un compte actif relié à Telegram : pas besoin d'invitation. Indiquez une autre adresse :"
    ),
    "res.inv.email_elsewhere": (
        "Cette adresse est celle d'un(e) résident(e) d'une autre résidence. Indiquez une autre adresse :"
    ),
    "res.inv.email_staff": (
        "Cette adresse est celle d'un compte de gestionnaire ou d'administrateur. Indiquez une autre adresse :"
    ),
    "res.inv.expected_email": "J'attends l'adresse e-mail, écrite en texte. Réessayez, ou /annuler.",
    "res.inv.ask_apartment": (
        "Quel est l'appartement de la personne invitée ({email}) ? Par exemple <code>A12</code>, "
        "20 caractères au plus.\n"
        "Sinon, touchez « Passer »."
    ),
    "res.inv.expected_apartment": (
        "J'attends le numéro d'appartement, écrit en texte, ou « Passer ». Réessayez, ou /annuler."
    ),
    "res.inv.created": (
        "✅ <b>Invitation créée</b>\n\n"
        "<b>E-mail :</b> {email}\n"
        "<b>Résidence :</b> {residence}\n"
        "<b>Appartement :</b> {apartment}\n\n"
        "Transmettez ce lien à la personne. Il sert une seule fois et reste valable jusqu'au <b>{expires}</b> :\n"
        "{link}\n\n"
        "En l'ouvrant dans Telegram, elle est aussitôt reliée à la résidence."
    ),
    "res.inv.not_possible": (
        "Un nouveau lien n'est possible que pour un(e) résident(e) actif(ve) qui n'est pas encore relié(e)."
    ),
    # --- liste
    "res.list.pick_residence": "👥 <b>Résidents</b>\nQuelle résidence ?",
    "res.list.title": "👥 <b>Résidents — {residence}</b>\n{total} personne(s) · page {page}/{pages}",
    "res.list.search": "🔎 Recherche : « {query} »",
    "res.list.empty": "Personne pour l'instant. Invitez le premier résident avec « ✉️ Inviter ».",
    "res.list.no_match": "Personne ne correspond à cette recherche.",
    "res.list.line": "{number}. <b>{name}</b> · {apartment} · {role} · {status}",
    "res.list.hint": "Touchez un nom pour ouvrir sa fiche.",
    "res.status.linked": "✅ relié(e)",
    "res.status.unlinked": "✉️ pas encore relié(e)",
    "res.status.unreachable": "⚠️ injoignable",
    "res.status.inactive": "⛔ désactivé(e)",
    # --- recherche
    "res.search.ask": (
        "🔎 <b>Rechercher</b> — {residence}\n"
        "Tapez un nom, une adresse e-mail ou un appartement :\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "res.search.expected_text": (
        "J'attends un nom, un e-mail ou un appartement, écrit en texte. Réessayez, ou /annuler."
    ),
    # --- fiche
    "res.card": (
        "👤 <b>{name}</b>\n\n"
        "<b>E-mail :</b> {email}\n"
        "<b>Appartement :</b> {apartment}\n"
        "<b>Téléphone :</b> {phone}\n"
        "<b>Rôle :</b> {role}\n"
        "<b>Résidence :</b> {residence}\n"
        "<b>Telegram :</b> {telegram}\n"
        "<b>Compte :</b> {account}"
    ),
    "res.card.active": "actif",
    "res.card.inactive": "⛔ désactivé",
    "res.card.unreachable": (
        "⚠️ <b>Injoignable</b> depuis le {since} : cette personne a bloqué le bot et ne reçoit plus les "
        "notifications. Prévenez-la autrement."
    ),
    "res.unavailable": "Ceci n'est pas accessible depuis votre compte.",
    # --- désactivation
    "res.off.confirm": (
        "⛔ <b>Désactiver {name} ?</b>\n\n"
        "Cette personne sera déconnectée du bot, ne recevra plus aucune notification, et ses liens "
        "d'invitation non utilisés ne fonctionneront plus. Vous pourrez la réactiver plus tard."
    ),
    "res.off.done": "⛔ {name} est désactivé(e) et déconnecté(e).",
    "res.off.already": "{name} était déjà désactivé(e).",
    "res.on.done": (
        "✅ {name} est réactivé(e). Pour revenir : /connexion avec son mot de passe, ou un nouveau lien d'invitation."
    ),
    "res.on.already": "{name} est déjà actif(ve).",
    "res.err.self": "Vous ne pouvez pas désactiver votre propre compte.",
    "res.err.staff": "Seul un administrateur peut désactiver un gestionnaire ; un administrateur ne peut pas l'être.",
    "res.notice.deactivated": (
        "Votre accès à LBA Bot pour la résidence <b>{residence}</b> a été fermé. "
        "Pour toute question, adressez-vous à l'accueil de la résidence."
    ),
    # --- boutons
    "res.btn.list": "👥 Liste des résidents",
    "res.btn.invite": "✉️ Inviter",
    "res.btn.search": "🔎 Rechercher",
    "res.btn.all": "📋 Tout afficher",
    "res.btn.other_residence": "🏢 Autre résidence",
    "res.btn.deactivate": "⛔ Désactiver",
    "res.btn.confirm_deactivate": "⛔ Oui, désactiver",
    "res.btn.keep": "Non, garder",
    "res.btn.reactivate": "✅ Réactiver",
    "res.btn.reinvite": "✉️ Nouveau lien d'invitation",
    "res.btn.back_list": "⬅️ Retour à la liste",
    # --- divers
    "res.expired": "⌛ Ce menu a expiré. /residents pour la liste à jour.",
    "res.expired.alert": "⌛ Ce menu a expiré",
}

EN: dict[str, str] = {
    # --- access
    "res.managers_only": "🔒 This is for residence managers only.",
    "res.no_residence": "Your manager account is not attached to any residence. Please contact the administrator.",
    "res.none": "—",
    # --- invitation
    "res.inv.pick_residence": "✉️ <b>Invite a resident</b>\nWhich residence?",
    "res.inv.ask_email": (
        "✉️ <b>Invite a resident</b> — {residence}\n\n"
        "What is the e-mail address of the person to invite?\n"
        "<i>/cancel to stop.</i>"
    ),
    "res.inv.bad_email": "This e-mail address does not look valid (example: first.last@example.com). Try again:",
    "res.inv.email_too_long": "This address is too long ({max} characters at most). Try again:",
    "res.inv.email_linked": (
        "This person already has an active account linked to Telegram: no invitation needed. Give another address:"
    ),
    "res.inv.email_elsewhere": "This address belongs to a resident of another residence. Give another address:",
    "res.inv.email_staff": "This address belongs to a manager or administrator account. Give another address:",
    "res.inv.expected_email": "I need the e-mail address, as text. Try again, or /cancel.",
    "res.inv.ask_apartment": (
        "Which apartment does the invitee ({email}) live in? For example <code>A12</code>, "
        "20 characters at most.\nOtherwise, tap “Skip”."
    ),
    "res.inv.expected_apartment": "I need the apartment number, as text, or “Skip”. Try again, or /cancel.",
    "res.inv.created": (
        "✅ <b>Invitation created</b>\n\n"
        "<b>E-mail:</b> {email}\n"
        "<b>Residence:</b> {residence}\n"
        "<b>Apartment:</b> {apartment}\n\n"
        "Hand this link over to the person. It works once and is valid until <b>{expires}</b>:\n"
        "{link}\n\n"
        "Opening it in Telegram links them to the residence at once."
    ),
    "res.inv.not_possible": "A new link is only possible for an active resident who is not linked yet.",
    # --- list
    "res.list.pick_residence": "👥 <b>Residents</b>\nWhich residence?",
    "res.list.title": "👥 <b>Residents — {residence}</b>\n{total} people · page {page}/{pages}",
    "res.list.search": "🔎 Search: “{query}”",
    "res.list.empty": "Nobody yet. Invite the first resident with “✉️ Invite”.",
    "res.list.no_match": "Nobody matches this search.",
    "res.list.line": "{number}. <b>{name}</b> · {apartment} · {role} · {status}",
    "res.list.hint": "Tap a name to open their card.",
    "res.status.linked": "✅ linked",
    "res.status.unlinked": "✉️ not linked yet",
    "res.status.unreachable": "⚠️ unreachable",
    "res.status.inactive": "⛔ deactivated",
    # --- search
    "res.search.ask": (
        "🔎 <b>Search</b> — {residence}\nType a name, an e-mail address or an apartment:\n<i>/cancel to stop.</i>"
    ),
    "res.search.expected_text": "I need a name, an e-mail or an apartment, as text. Try again, or /cancel.",
    # --- card
    "res.card": (
        "👤 <b>{name}</b>\n\n"
        "<b>E-mail:</b> {email}\n"
        "<b>Apartment:</b> {apartment}\n"
        "<b>Phone:</b> {phone}\n"
        "<b>Role:</b> {role}\n"
        "<b>Residence:</b> {residence}\n"
        "<b>Telegram:</b> {telegram}\n"
        "<b>Account:</b> {account}"
    ),
    "res.card.active": "active",
    "res.card.inactive": "⛔ deactivated",
    "res.card.unreachable": (
        "⚠️ <b>Unreachable</b> since {since}: this person blocked the bot and no longer receives "
        "notifications. Reach them another way."
    ),
    "res.unavailable": "This is not available from your account.",
    # --- deactivation
    "res.off.confirm": (
        "⛔ <b>Deactivate {name}?</b>\n\n"
        "They will be signed out of the bot, receive no more notifications, and their unused "
        "invitation links will stop working. You can reactivate them later."
    ),
    "res.off.done": "⛔ {name} is deactivated and signed out.",
    "res.off.already": "{name} was already deactivated.",
    "res.on.done": "✅ {name} is reactivated. To come back: /login with their password, or a new invitation link.",
    "res.on.already": "{name} is already active.",
    "res.err.self": "You cannot deactivate your own account.",
    "res.err.staff": "Only an administrator can deactivate a manager; an administrator cannot be deactivated.",
    "res.notice.deactivated": (
        "Your LBA Bot access for the residence <b>{residence}</b> has been closed. "
        "For any question, please ask the residence's front desk."
    ),
    # --- buttons
    "res.btn.list": "👥 Residents list",
    "res.btn.invite": "✉️ Invite",
    "res.btn.search": "🔎 Search",
    "res.btn.all": "📋 Show all",
    "res.btn.other_residence": "🏢 Another residence",
    "res.btn.deactivate": "⛔ Deactivate",
    "res.btn.confirm_deactivate": "⛔ Yes, deactivate",
    "res.btn.keep": "No, keep",
    "res.btn.reactivate": "✅ Reactivate",
    "res.btn.reinvite": "✉️ New invitation link",
    "res.btn.back_list": "⬅️ Back to the list",
    # --- misc
    "res.expired": "⌛ This menu has expired. /residents for the current list.",
    "res.expired.alert": "⌛ This menu has expired",
}
