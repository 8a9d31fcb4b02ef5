"""Catalogue français (langue par défaut des résidences)."""

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DATETIME_FORMAT = "{weekday} {day} {month} à {time}"

MESSAGES: dict[str, str] = {
    # --- accueil et connexion
    "welcome": (
        "👋 Bonjour {name} et bienvenue sur <b>LBA Bot</b>, l'assistant des résidences "
        "<i>Les Belles Années</i>.\n\n"
        "Pour commencer, reliez votre compte :\n"
        "• avec le <b>lien d'invitation</b> remis par votre gestionnaire ;\n"
        "• ou avec votre <b>e-mail et mot de passe</b> : /connexion\n\n"
        "Besoin d'aide ? /aide · Language: /langue"
    ),
    "btn.login": "🔑 Se connecter",
    "btn.language": "🌐 Langue / Language",
    "btn.change_email": "✏️ Changer d'adresse e-mail",
    "btn.menu": "🏠 Menu",
    "login.ask_email": "🔑 <b>Connexion</b>\nQuelle est votre adresse e-mail ?\n\n<i>/annuler pour arrêter.</i>",
    "login.bad_email": "Cette adresse e-mail ne semble pas valide (exemple : prenom.nom@exemple.fr). Réessayez :",
    "login.email_too_long": "Cette adresse est trop longue ({max} caractères au plus). Réessayez :",
    "login.need_text_email": "J'attends votre adresse e-mail, écrite en texte. Réessayez, ou /annuler.",
    "login.ask_password": (
        "Merci. Saisissez maintenant votre <b>mot de passe</b>.\n"
        "<i>Je supprimerai votre message dès que je l'aurai lu.</i>"
    ),
    "login.need_text_password": "J'attends votre mot de passe, écrit en texte. Réessayez, ou /annuler.",
    "login.password_deleted": "🔒 Message contenant le mot de passe supprimé.",
    "login.wrong": (
        "❌ E-mail ou mot de passe incorrect. Il vous reste <b>{remaining}</b> essai(s) avant un blocage "
        "de 15 minutes.\nSaisissez à nouveau votre mot de passe, ou changez d'adresse e-mail :"
    ),
    "login.locked": (
        "⛔ Trop d'essais infructueux. La connexion est bloquée pendant 15 minutes, "
        "jusqu'à <b>{until}</b>. Réessayez ensuite avec /connexion."
    ),
    "login.inactive": "Ce compte est désactivé. Rapprochez-vous de votre gestionnaire de résidence.",
    "login.account_linked_elsewhere": (
        "Ce compte est déjà relié à un autre compte Telegram. Déconnectez-le d'abord depuis cet autre "
        "Telegram (/deconnexion), ou contactez votre gestionnaire."
    ),
    "login.already_signed_in": (
        "Vous êtes déjà connecté(e) en tant que <b>{name}</b>. Pour changer de compte : /deconnexion"
    ),
    "login.success": "✅ Bienvenue {name}, vous êtes connecté(e) !",
    # --- invitations
    "invite.invalid": (
        "Ce lien d'invitation n'est pas valide. Vérifiez-le ou demandez-en un nouveau à votre gestionnaire."
    ),
    "invite.used": "Ce lien d'invitation a déjà servi. Connectez-vous avec /connexion ou demandez-en un nouveau.",
    "invite.expired": "Ce lien d'invitation a expiré (7 jours). Demandez-en un nouveau à votre gestionnaire.",
    "invite.account_linked": (
        "Le compte de cette invitation est déjà relié à un autre compte Telegram. Contactez votre gestionnaire."
    ),
    "invite.welcome": "🎉 Bienvenue {name} ! Votre compte est relié à la résidence <b>{residence}</b>.",
    # --- déconnexion
    "logout.confirm": "Voulez-vous vraiment vous déconnecter de <b>{name}</b> ?",
    "logout.yes": "Oui, me déconnecter",
    "logout.no": "Non, rester connecté(e)",
    "logout.done": "👋 Vous êtes déconnecté(e). À bientôt ! Pour revenir : /connexion",
    "logout.kept": "Très bien, vous restez connecté(e).",
    "logout.not_signed_in": "Vous n'êtes pas connecté(e). Pour vous connecter : /connexion",
    # --- accès
    "need_login": (
        "Pour utiliser cette fonction, reliez d'abord votre compte :\n"
        "• le <b>lien d'invitation</b> de votre gestionnaire ;\n"
        "• ou /connexion avec votre e-mail et mot de passe."
    ),
    "need_login.short": "Connectez-vous d'abord : /connexion",
    # --- menu
    "menu.hello": "🏠 <b>Bonjour {name} !</b>",
    "menu.residence": "🏢 {residence}",
    "menu.network": "🏢 Réseau Les Belles Années",
    "menu.apartment": " · appartement {apartment}",
    "menu.points": "⭐ {points} points fidélité",
    "menu.open_incidents": "🛠 Mes incidents en cours : {count}",
    "menu.next_booking": "📅 Prochaine réservation : {space}, {when}",
    "menu.no_booking": "📅 Aucune réservation à venir",
    "menu.next_event": "🎉 Mon prochain événement : {title}, {when}",
    "menu.residence_event": "🎉 Prochain événement : {title}, {when}",
    "menu.no_event": "🎉 Aucun événement à venir",
    "menu.staff_title": "\n<b>Gestion de la résidence</b>",
    "menu.staff_network_title": "\n<b>Gestion du réseau</b>",
    "menu.staff_open": "🧰 Incidents ouverts : {count}",
    "menu.staff_urgent": "🚨 Dont urgents : {count}",
    "menu.staff_bookings": "📋 Réservations aujourd'hui : {count}",
    "menu.prompt": "\nQue souhaitez-vous faire ?",
    "menu.btn.report": "🛠 Signaler",
    "menu.btn.incidents": "📋 Mes incidents",
    "menu.btn.book": "📅 Réserver",
    "menu.btn.bookings": "🗓 Mes réservations",
    "menu.btn.events": "🎉 Événements",
    "menu.btn.market": "🛍 Marché",
    "menu.btn.account": "👤 Mon compte",
    "menu.btn.assistant": "💬 Assistant",
    "menu.btn.help": "❓ Aide",
    "menu.btn.desk": "🧰 Incidents résidence",
    "menu.btn.announce": "📣 Annonce",
    "menu.btn.stats": "📊 Statistiques",
    "menu.btn.invite": "✉️ Inviter",
    "menu.btn.refresh": "🔄 Actualiser",
    "soon": "🚧 Cette fonction arrive bientôt dans LBA Bot.",
    "soon.alert": "🚧 Bientôt disponible",
    # --- aide
    "help.unlinked": (
        "<b>Aide — LBA Bot</b>\n\n"
        "LBA Bot est l'assistant des résidences Les Belles Années : incidents, réservations, "
        "événements, petites annonces et plus.\n\n"
        "Pour commencer, reliez votre compte :\n"
        "/connexion — e-mail et mot de passe\n"
        "ou ouvrez le lien d'invitation de votre gestionnaire.\n\n"
        "/langue — Français / English\n/aide — cette aide"
    ),
    "help.resident": (
        "<b>Aide — LBA Bot</b>\n\n"
        "/menu — mon tableau de bord\n"
        "/signaler — signaler un incident\n"
        "/incidents — mes incidents\n"
        "/reserver — réserver un espace\n"
        "/reservations — mes réservations\n"
        "/evenements — les événements\n"
        "/marche — le marché entre résidents\n"
        "/compte — mon profil, mes points, mes documents\n"
        "/assistant — poser une question (ou écrivez simplement votre message)\n"
        "/faq — questions fréquentes\n"
        "/langue — Français / English\n"
        "/annuler — quitter l'étape en cours\n"
        "/deconnexion — me déconnecter"
    ),
    "help.staff": (
        "\n\n<b>Gestionnaires</b>\n"
        "/incidents — le bureau des incidents de la résidence\n"
        "/annonce — publier une annonce\n"
        "/stats — statistiques\n"
        "/inviter — inviter un résident\n"
        "/residents — les résidents : liste, recherche, désactivation\n"
        "/lier_groupe — relier un groupe Telegram\n"
        "/faq — base de connaissances (ajouter, modifier)\n"
        "/assistant — questions transmises par les résidents"
    ),
    # --- langue
    "lang.choose": "🌐 Choisissez votre langue / Choose your language :",
    "lang.set": "✅ Langue : français.",
    # --- parcours (communs à tous les flux)
    "flow.busy": "Vous avez une démarche en cours. Terminez-la, ou tapez /annuler pour l'abandonner.",
    "flow.in_progress": "Vous êtes au milieu d'une démarche : répondez à la question ci-dessus, ou /annuler.",
    "flow.expected_text": "J'attends une réponse écrite. Réessayez, ou /annuler.",
    "flow.use_buttons": "Choisissez avec les boutons ci-dessus, ou /annuler.",
    "flow.too_short": "C'est un peu court : au moins {min} caractères. Réessayez :",
    "flow.too_long": "C'est trop long : {max} caractères au plus (vous en avez écrit {length}). Réessayez :",
    "btn.cancel": "✖️ Annuler",
    "btn.back": "⬅️ Retour",
    "btn.prev": "◀️ Précédent",
    "btn.next": "Suivant ▶️",
    "btn.confirm": "✅ Confirmer",
    "btn.edit": "✏️ Modifier",
    "btn.skip": "⏭ Passer",
    "btn.yes": "Oui",
    "btn.no": "Non",
    "btn.done": "✅ Terminé",
    # --- divers
    "cancel.done": "D'accord, c'est annulé.",
    "cancel.nothing": "Il n'y a rien à annuler. /menu pour revenir au menu.",
    "expired": "⌛ Ce menu a expiré. Voici un menu à jour :",
    "expired.alert": "⌛ Ce menu a expiré",
    "error.generic": "😕 Désolé, une erreur est survenue de mon côté. Réessayez dans un instant ; si cela persiste, "
    "prévenez votre gestionnaire.",
    "free_text": "Je n'ai pas compris ce message. Utilisez le menu ci-dessous, ou /aide.",
    "unsupported_message": "Je ne sais pas encore traiter ce type de message. Utilisez le menu, ou /aide.",
    "group.ignored": "Je ne réponds qu'en message privé pour l'instant.",
    "role.resident": "Résident(e)",
    "role.manager": "Gestionnaire",
    "role.admin": "Administrateur réseau",
    # --- commandes (menu de Telegram)
    "cmd.start": "Démarrer",
    "cmd.menu": "Mon tableau de bord",
    "cmd.login": "Me connecter",
    "cmd.logout": "Me déconnecter",
    "cmd.report": "Signaler un incident",
    "cmd.incidents": "Mes incidents",
    "cmd.book": "Réserver un espace",
    "cmd.bookings": "Mes réservations",
    "cmd.events": "Événements",
    "cmd.market": "Marché entre résidents",
    "cmd.account": "Mon compte",
    "cmd.assistant": "Poser une question",
    "cmd.help": "Aide",
    "cmd.cancel": "Annuler l'étape en cours",
    "cmd.language": "Langue / Language",
    "cmd.announce": "Publier une annonce",
    "cmd.stats": "Statistiques",
    "cmd.invite": "Inviter un résident",
    "cmd.residents": "Résidents de la résidence",
    "cmd.link_group": "Relier ce groupe",
    "cmd.faq": "Base de connaissances",
}
