"""Texts of the Telegram groups: the bot added to a group, /lier_groupe (/link_group)."""

FR: dict[str, str] = {
    "grp.hello": (
        "👋 Bonjour ! Je suis LBA Bot, l'assistant des résidences Les Belles Années.\n"
        "Pour que je serve dans ce groupe, un(e) gestionnaire de la résidence doit taper /lier_groupe ici. "
        "D'ici là, je reste silencieux."
    ),
    "grp.not_allowed": (
        "🔒 Seul(e) un(e) gestionnaire de la résidence, connecté(e) au bot en message privé, peut lier ce groupe."
    ),
    "grp.admin_intro": "🔗 <b>Lier ce groupe</b> — choisissez d'abord la résidence.",
    "grp.choose_residence": "🏢 À quelle résidence lier le groupe « {title} » ?",
    "grp.choose_kind": "🔗 Lier le groupe « {title} » à <b>{residence}</b> comme :",
    "grp.current": "ℹ️ Ce groupe est actuellement le {kind} de {residence}.",
    "grp.kind.residents": "groupe des résidents",
    "grp.kind.managers": "groupe des gestionnaires",
    "grp.btn.residents": "👥 Groupe des résidents",
    "grp.btn.managers": "🧰 Groupe des gestionnaires",
    "grp.linked": "✅ C'est fait : ce groupe est le {kind} de <b>{residence}</b>.\n{what}",
    "grp.linked.residents": (
        "J'y publierai les annonces de la résidence, et jamais les données personnelles d'un résident."
    ),
    "grp.linked.managers": "J'y transmettrai les alertes d'incidents de la résidence.",
    "grp.cancelled": "Liaison du groupe annulée.",
    "grp.not_yours": "Seule la personne qui a tapé /lier_groupe peut choisir.",
    "grp.refused": "⛔ Vous ne pouvez pas lier ce groupe à cette résidence.",
    "grp.expired": "⌛ Ce choix a expiré : tapez à nouveau /lier_groupe.",
    "grp.staff_only": "🔒 Cette commande est réservée aux gestionnaires de résidence.",
    "grp.private": (
        "🔗 <b>Lier un groupe Telegram</b>\n"
        "Cette commande s'utilise dans le groupe lui-même : ajoutez-moi au groupe, puis tapez /lier_groupe "
        "dans le groupe. Vous choisirez alors s'il s'agit du groupe des résidents ou de celui des gestionnaires."
    ),
    "grp.private.linked": "<b>Groupes liés :</b>",
    "grp.private.item": "• {title} — {kind}, {residence}",
    "grp.private.none": "Aucun groupe n'est lié pour l'instant.",
}

EN: dict[str, str] = {
    "grp.hello": (
        "👋 Hello! I am LBA Bot, the assistant of the Les Belles Années residences.\n"
        "To use me in this group, a manager of the residence should type /link_group here. "
        "Until then, I stay silent."
    ),
    "grp.not_allowed": (
        "🔒 Only a manager of the residence, signed in to the bot in a private chat, can link this group."
    ),
    "grp.admin_intro": "🔗 <b>Link this group</b> — first choose the residence.",
    "grp.choose_residence": "🏢 Which residence should the group “{title}” be linked to?",
    "grp.choose_kind": "🔗 Link the group “{title}” to <b>{residence}</b> as:",
    "grp.current": "ℹ️ This group is currently the {kind} of {residence}.",
    "grp.kind.residents": "residents' group",
    "grp.kind.managers": "managers' group",
    "grp.btn.residents": "👥 Residents' group",
    "grp.btn.managers": "🧰 Managers' group",
    "grp.linked": "✅ Done: this group is the {kind} of <b>{residence}</b>.\n{what}",
    "grp.linked.residents": "I will post the residence's announcements here, and never a resident's personal data.",
    "grp.linked.managers": "I will forward the residence's incident alerts here.",
    "grp.cancelled": "Group linking cancelled.",
    "grp.not_yours": "Only the person who typed /link_group can choose.",
    "grp.refused": "⛔ You cannot link this group to this residence.",
    "grp.expired": "⌛ This choice has expired: type /link_group again.",
    "grp.staff_only": "🔒 This command is for residence managers.",
    "grp.private": (
        "🔗 <b>Link a Telegram group</b>\n"
        "This command is used in the group itself: add me to the group, then type /link_group in the group. "
        "You will then choose whether it is the residents' group or the managers' group."
    ),
    "grp.private.linked": "<b>Linked groups:</b>",
    "grp.private.item": "• {title} — {kind}, {residence}",
    "grp.private.none": "No group is linked yet.",
}
