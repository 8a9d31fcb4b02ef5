"""Texts of the managers' incident desk: the alert's buttons, the queue, an incident's file, the news to residents."""

FR: dict[str, str] = {
    # --- boutons
    "desk.btn.take": "🧰 Prendre en charge",
    "desk.btn.progress": "🔧 En cours",
    "desk.btn.resolve": "✅ Résolu",
    "desk.btn.reject": "❌ Rejeter",
    "desk.btn.comment": "💬 Commenter",
    "desk.btn.details": "📂 Détails",
    "desk.btn.see": "🔎 Voir l'incident",
    "desk.btn.note": "🔒 Note interne",
    "desk.btn.assign": "👤 Assigner",
    "desk.btn.assign_me": "🙋 Moi ({name})",
    "desk.btn.assign_to": "👤 {name}",
    "desk.btn.current": "{label} ✓",
    "desk.btn.photos": "🖼 Photos ({count})",
    "desk.btn.history": "📜 Historique complet",
    "desk.btn.queue": "⬅️ File d'attente",
    "desk.btn.residences": "🏢 Résidences",
    "desk.btn.all_residences": "🌐 Toutes les résidences",
    "desk.btn.residence": "🏢 {name} · {open} ouvert(s)",
    "desk.btn.residence_urgent": "🏢 {name} · {open} ouvert(s) · 🚨 {urgent}",
    "desk.btn.filter_status": "🔎 Statut",
    "desk.btn.filter_urgency": "⏱ Urgence",
    "desk.btn.filter_category": "🗂 Catégorie",
    "desk.btn.back_incident": "⬅️ Incident #{number}",
    "desk.btn.open": "#{number} · {category}",
    "desk.btn.open_urgent": "🚨 #{number} · {category}",
    # --- filtres
    "desk.f.open": "Ouverts",
    "desk.f.all": "Tous les statuts",
    "desk.f.any_urgency": "Toutes urgences",
    "desk.f.any_category": "Toutes catégories",
    "desk.pick.status": "🔎 <b>Quels incidents afficher ?</b>",
    "desk.pick.urgency": "⏱ <b>Quelle urgence ?</b>",
    "desk.pick.category": "🗂 <b>Quelle catégorie ?</b>",
    "desk.pick.residence": "🧰 <b>Incidents des résidences</b>\nChoisissez une résidence, ou voyez-les toutes :",
    "desk.pick.no_residence": "Aucune résidence n'est enregistrée.",
    # --- file d'attente
    "desk.queue.title": "🧰 <b>Incidents — {residence}</b> ({total})",
    "desk.queue.everywhere": "toutes les résidences",
    "desk.queue.filters": "<i>{status} · {urgency} · {category} · les plus anciens d'abord</i>\n",
    "desk.queue.line": "<b>#{number}</b> · {category} · {status}{urgent}\n      {place} · {date}{assignee}{residence}",
    "desk.queue.urgent": " · 🚨 urgent",
    "desk.queue.assignee": " · 👤 {name}",
    "desk.queue.residence": " · 🏢 {name}",
    "desk.queue.empty": "Aucun incident ne correspond à ces filtres.",
    "desk.queue.prompt": "\nChoisissez un incident :",
    # --- carte (l'alerte, mise à jour après chaque action)
    "desk.card.status": "\n\n<b>Statut :</b> {status}",
    "desk.card.assignee": "\n<b>Responsable :</b> {name}",
    "desk.card.reason": "\n<b>Motif du refus :</b> {reason}",
    "desk.card.last": "\n<i>{action}, {date}</i>",
    "desk.did.taken": "Pris en charge par {who}",
    "desk.did.in_progress": "Mis en cours par {who}",
    "desk.did.resolved": "Résolu par {who}",
    "desk.did.rejected": "Rejeté par {who}",
    "desk.did.withdrawn": "Retiré par {who}",
    "desk.did.comment": "Commentaire public de {who}",
    "desk.did.note": "Note interne de {who}",
    "desk.did.assigned": "Confié à {name} par {who}",
    # --- détail
    "desk.detail": (
        "🧰 <b>Incident #{number}</b> · {category}\n"
        "<b>Résidence :</b> {residence}\n"
        "<b>Statut :</b> {status}\n"
        "<b>Lieu :</b> {place}\n"
        "<b>Urgence :</b> {urgency}\n"
        "<b>Signalé par :</b> {who}, {date}\n"
        "<b>Responsable :</b> {assignee}\n"
        "<b>Photos :</b> {photos} · <b>Résidents qui suivent :</b> {followers}\n\n"
        "{description}"
    ),
    "desk.detail.nobody": "personne",
    "desk.detail.rejected": "\n\n<b>Motif du refus :</b> {reason}",
    "desk.detail.rating": "\n\n⭐ Note du résident : {rating}/5",
    "desk.detail.history": "\n\n<b>Historique</b> <i>(🔒 = interne, jamais montré aux résidents)</i>",
    "desk.detail.older": "\n<i>… et {count} événement(s) plus ancien(s).</i>",
    "desk.h.created": "• {date} — 🆕 Signalé par {who}",
    "desk.h.status": "• {date} — {from_status} → {to_status}, par {who}",
    "desk.h.reason": "\n   <i>{text}</i>",
    "desk.h.comment": "• {date} — 💬 {who} :\n   {text}",
    "desk.h.note": "• {date} — 🔒 Note interne de {who} :\n   {text}",
    "desk.h.assigned": "• {date} — 👤 Confié à {text} par {who}",
    "desk.h.photo": "• {date} — 📷 Photo ajoutée par {who}",
    "desk.h.joined": "• {date} — 👥 {who} signale le même problème",
    "desk.h.rated": "• {date} — ⭐ Noté {text}/5 par {who}",
    "desk.h.staff": "{name} (gestionnaire)",
    "desk.h.someone": "quelqu'un",
    "desk.history.title": "📜 <b>Historique de l'incident #{number}</b> <i>(🔒 = interne)</i>\n",
    "desk.history.empty": "Aucun événement pour l'instant.",
    "desk.photo.caption": "📷 Incident #{number} — photo {index}/{count}",
    "desk.photo.none": "Cet incident n'a pas de photo.",
    # --- assigner
    "desk.assign.title": "👤 <b>À qui confier l'incident #{number} ?</b>\nResponsable actuel : {assignee}",
    "desk.done.assigned": "👤 Incident #{number} confié à {name}.",
    # --- texte demandé (motif, commentaire, note)
    "desk.ask.reason": (
        "❌ <b>Rejeter l'incident #{number}</b> ({category})\n"
        "Indiquez le motif, qui sera transmis au résident ({min} à {max} caractères) :"
    ),
    "desk.ask.comment": (
        "💬 <b>Commentaire public sur l'incident #{number}</b> ({category})\n"
        "Le résident et ceux qui suivent l'incident le liront ({min} à {max} caractères) :"
    ),
    "desk.ask.note": (
        "🔒 <b>Note interne sur l'incident #{number}</b> ({category})\n"
        "Seuls les gestionnaires la verront ({min} à {max} caractères) :"
    ),
    "desk.asked_privately": "✉️ Je vous écris en privé pour la suite.",
    "desk.cannot_write": (
        "Je ne peux pas vous écrire en privé : ouvrez d'abord une conversation avec moi, puis réessayez."
    ),
    "desk.text_busy": "Vous êtes déjà en train d'écrire un texte : envoyez-le, ou /annuler.",
    "desk.done.rejected": "❌ Incident <b>#{number}</b> rejeté. Résident(s) prévenu(s) : {told}.",
    "desk.done.comment": "💬 Commentaire publié sur l'incident <b>#{number}</b>. Résident(s) prévenu(s) : {told}.",
    "desk.done.note": "🔒 Note interne ajoutée à l'incident <b>#{number}</b>.",
    "desk.done.status": "{status} — incident #{number}. Résident(s) prévenu(s) : {told}.",
    "desk.sent_privately": "✉️ Je vous l'ai envoyé en privé.",
    "desk.private_only": "Ouvrez le bureau des incidents en privé avec moi : /incidents",
    # --- nouvelles pour les résidents (et le gestionnaire à qui l'on confie un incident)
    "desk.n.status": (
        "🔔 <b>Incident #{number}</b> ({category})\nNouveau statut : <b>{status}</b> — par {who} (gestionnaire)."
    ),
    "desk.n.rejected": (
        "❌ <b>Incident #{number}</b> ({category})\n"
        "Le signalement a été refusé par {who} (gestionnaire).\n<b>Motif :</b> {reason}"
    ),
    "desk.n.resolved": "✅ <b>Incident #{number}</b> ({category}) : le problème est résolu — par {who} (gestionnaire).",
    "desk.n.resolved_rate": (
        "✅ <b>Incident #{number}</b> ({category}) : le problème est résolu — par {who} (gestionnaire).\n\n"
        "Notez l'intervention, de 1 (mauvais) à 5 (parfait) :"
    ),
    "desk.n.comment": "💬 <b>Incident #{number}</b> ({category}) : message de {who} (gestionnaire)\n\n{text}",
    "desk.n.assigned": "👤 {who} vous a confié l'incident <b>#{number}</b> ({category}).\n\n<i>{description}</i>",
    # --- refus
    "desk.err.managers_only": "🔒 Cette fonction est réservée aux gestionnaires de la résidence.",
    "desk.err.not_found": "🔎 Cet incident n'existe pas ou ne vous est pas accessible.",
    "desk.err.closed": "Cet incident est déjà clos ({status}) : son statut ne peut plus changer.",
    "desk.err.already": "C'est déjà fait : l'incident est au statut {status}.",
    "desk.err.changed": "L'incident vient de changer : voici son état à jour.",
    "desk.err.not_manager": "Cette personne n'est pas gestionnaire de la résidence.",
    "desk.err.same_assignee": "L'incident est déjà confié à {name}.",
    "desk.err.stale": "⌛ Ce bouton a expiré.",
    "desk.err.generic": "Cette action n'est pas possible.",
}

EN: dict[str, str] = {
    # --- buttons
    "desk.btn.take": "🧰 Take charge",
    "desk.btn.progress": "🔧 In progress",
    "desk.btn.resolve": "✅ Resolved",
    "desk.btn.reject": "❌ Reject",
    "desk.btn.comment": "💬 Comment",
    "desk.btn.details": "📂 Details",
    "desk.btn.see": "🔎 See the incident",
    "desk.btn.note": "🔒 Internal note",
    "desk.btn.assign": "👤 Assign",
    "desk.btn.assign_me": "🙋 Me ({name})",
    "desk.btn.assign_to": "👤 {name}",
    "desk.btn.current": "{label} ✓",
    "desk.btn.photos": "🖼 Photos ({count})",
    "desk.btn.history": "📜 Full history",
    "desk.btn.queue": "⬅️ Queue",
    "desk.btn.residences": "🏢 Residences",
    "desk.btn.all_residences": "🌐 All residences",
    "desk.btn.residence": "🏢 {name} · {open} open",
    "desk.btn.residence_urgent": "🏢 {name} · {open} open · 🚨 {urgent}",
    "desk.btn.filter_status": "🔎 Status",
    "desk.btn.filter_urgency": "⏱ Urgency",
    "desk.btn.filter_category": "🗂 Category",
    "desk.btn.back_incident": "⬅️ Incident #{number}",
    "desk.btn.open": "#{number} · {category}",
    "desk.btn.open_urgent": "🚨 #{number} · {category}",
    # --- filters
    "desk.f.open": "Open",
    "desk.f.all": "All statuses",
    "desk.f.any_urgency": "Any urgency",
    "desk.f.any_category": "All categories",
    "desk.pick.status": "🔎 <b>Which incidents?</b>",
    "desk.pick.urgency": "⏱ <b>Which urgency?</b>",
    "desk.pick.category": "🗂 <b>Which category?</b>",
    "desk.pick.residence": "🧰 <b>Residences' incidents</b>\nChoose a residence, or see them all:",
    "desk.pick.no_residence": "No residence is recorded.",
    # --- queue
    "desk.queue.title": "🧰 <b>Incidents — {residence}</b> ({total})",
    "desk.queue.everywhere": "all residences",
    "desk.queue.filters": "<i>{status} · {urgency} · {category} · oldest first</i>\n",
    "desk.queue.line": "<b>#{number}</b> · {category} · {status}{urgent}\n      {place} · {date}{assignee}{residence}",
    "desk.queue.urgent": " · 🚨 urgent",
    "desk.queue.assignee": " · 👤 {name}",
    "desk.queue.residence": " · 🏢 {name}",
    "desk.queue.empty": "No incident matches these filters.",
    "desk.queue.prompt": "\nChoose an incident:",
    # --- card (the alert, updated after each action)
    "desk.card.status": "\n\n<b>Status:</b> {status}",
    "desk.card.assignee": "\n<b>In charge:</b> {name}",
    "desk.card.reason": "\n<b>Reason for rejection:</b> {reason}",
    "desk.card.last": "\n<i>{action}, {date}</i>",
    "desk.did.taken": "Taken on by {who}",
    "desk.did.in_progress": "Put in progress by {who}",
    "desk.did.resolved": "Resolved by {who}",
    "desk.did.rejected": "Rejected by {who}",
    "desk.did.withdrawn": "Withdrawn by {who}",
    "desk.did.comment": "Public comment by {who}",
    "desk.did.note": "Internal note by {who}",
    "desk.did.assigned": "Assigned to {name} by {who}",
    # --- details
    "desk.detail": (
        "🧰 <b>Incident #{number}</b> · {category}\n"
        "<b>Residence:</b> {residence}\n"
        "<b>Status:</b> {status}\n"
        "<b>Place:</b> {place}\n"
        "<b>Urgency:</b> {urgency}\n"
        "<b>Reported by:</b> {who}, {date}\n"
        "<b>In charge:</b> {assignee}\n"
        "<b>Photos:</b> {photos} · <b>Residents following:</b> {followers}\n\n"
        "{description}"
    ),
    "desk.detail.nobody": "nobody",
    "desk.detail.rejected": "\n\n<b>Reason for rejection:</b> {reason}",
    "desk.detail.rating": "\n\n⭐ Resident's rating: {rating}/5",
    "desk.detail.history": "\n\n<b>History</b> <i>(🔒 = internal, never shown to residents)</i>",
    "desk.detail.older": "\n<i>… and {count} older event(s).</i>",
    "desk.h.created": "• {date} — 🆕 Reported by {who}",
    "desk.h.status": "• {date} — {from_status} → {to_status}, by {who}",
    "desk.h.reason": "\n   <i>{text}</i>",
    "desk.h.comment": "• {date} — 💬 {who}:\n   {text}",
    "desk.h.note": "• {date} — 🔒 Internal note by {who}:\n   {text}",
    "desk.h.assigned": "• {date} — 👤 Assigned to {text} by {who}",
    "desk.h.photo": "• {date} — 📷 Photo added by {who}",
    "desk.h.joined": "• {date} — 👥 {who} reports the same problem",
    "desk.h.rated": "• {date} — ⭐ Rated {text}/5 by {who}",
    "desk.h.staff": "{name} (manager)",
    "desk.h.someone": "someone",
    "desk.history.title": "📜 <b>History of incident #{number}</b> <i>(🔒 = internal)</i>\n",
    "desk.history.empty": "Nothing yet.",
    "desk.photo.caption": "📷 Incident #{number} — photo {index}/{count}",
    "desk.photo.none": "This incident has no photo.",
    # --- assign
    "desk.assign.title": "👤 <b>Who should handle incident #{number}?</b>\nCurrently in charge: {assignee}",
    "desk.done.assigned": "👤 Incident #{number} assigned to {name}.",
    # --- text asked (reason, comment, note)
    "desk.ask.reason": (
        "❌ <b>Reject incident #{number}</b> ({category})\n"
        "Give the reason, which the resident will read ({min} to {max} characters):"
    ),
    "desk.ask.comment": (
        "💬 <b>Public comment on incident #{number}</b> ({category})\n"
        "The resident and those following the incident will read it ({min} to {max} characters):"
    ),
    "desk.ask.note": (
        "🔒 <b>Internal note on incident #{number}</b> ({category})\n"
        "Only managers will see it ({min} to {max} characters):"
    ),
    "desk.asked_privately": "✉️ I am writing to you privately for the next step.",
    "desk.cannot_write": "I cannot write to you privately: open a chat with me first, then try again.",
    "desk.text_busy": "You are already writing a text: send it, or /cancel.",
    "desk.done.rejected": "❌ Incident <b>#{number}</b> rejected. Residents told: {told}.",
    "desk.done.comment": "💬 Comment posted on incident <b>#{number}</b>. Residents told: {told}.",
    "desk.done.note": "🔒 Internal note added to incident <b>#{number}</b>.",
    "desk.done.status": "{status} — incident #{number}. Residents told: {told}.",
    "desk.sent_privately": "✉️ I have sent it to you privately.",
    "desk.private_only": "Open the incident desk in a private chat with me: /incidents",
    # --- news for residents (and for the manager an incident is assigned to)
    "desk.n.status": "🔔 <b>Incident #{number}</b> ({category})\nNew status: <b>{status}</b> — by {who} (manager).",
    "desk.n.rejected": (
        "❌ <b>Incident #{number}</b> ({category})\n"
        "The report was rejected by {who} (manager).\n<b>Reason:</b> {reason}"
    ),
    "desk.n.resolved": "✅ <b>Incident #{number}</b> ({category}): the problem is resolved — by {who} (manager).",
    "desk.n.resolved_rate": (
        "✅ <b>Incident #{number}</b> ({category}): the problem is resolved — by {who} (manager).\n\n"
        "Rate the work, from 1 (poor) to 5 (perfect):"
    ),
    "desk.n.comment": "💬 <b>Incident #{number}</b> ({category}): message from {who} (manager)\n\n{text}",
    "desk.n.assigned": "👤 {who} assigned incident <b>#{number}</b> ({category}) to you.\n\n<i>{description}</i>",
    # --- refusals
    "desk.err.managers_only": "🔒 This is for the residence's managers only.",
    "desk.err.not_found": "🔎 This incident does not exist or is not available to you.",
    "desk.err.closed": "This incident is already closed ({status}): its status cannot change any more.",
    "desk.err.already": "Already done: the incident's status is {status}.",
    "desk.err.changed": "The incident has just changed: here is where it stands.",
    "desk.err.not_manager": "This person is not a manager of the residence.",
    "desk.err.same_assignee": "The incident is already assigned to {name}.",
    "desk.err.stale": "⌛ This button has expired.",
    "desk.err.generic": "This is not possible.",
}
