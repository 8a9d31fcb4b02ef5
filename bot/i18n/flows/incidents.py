"""Texts of the incidents flow (/signaler, /incidents) and of the managers' incident alerts."""

FR: dict[str, str] = {
    # --- catégories, urgences, statuts, lieux
    "inc.cat.plumbing": "🚰 Plomberie",
    "inc.cat.electricity": "💡 Électricité",
    "inc.cat.heating": "🔥 Chauffage",
    "inc.cat.elevator": "🛗 Ascenseur",
    "inc.cat.locksmith": "🔑 Serrurerie",
    "inc.cat.common_areas": "🏢 Parties communes",
    "inc.cat.noise": "🔊 Nuisances",
    "inc.cat.other": "❓ Autre",
    "inc.urg.low": "🟢 Faible",
    "inc.urg.normal": "🟡 Normale",
    "inc.urg.urgent": "🚨 Urgente",
    "inc.status.new": "🆕 Nouveau",
    "inc.status.taken": "🧰 Pris en charge",
    "inc.status.in_progress": "🔧 En cours",
    "inc.status.resolved": "✅ Résolu",
    "inc.status.rejected": "❌ Refusé",
    "inc.status.withdrawn": "↩️ Retiré",
    "inc.place.home": "🏠 Mon appartement ({apartment})",
    "inc.place.apartment": "Appartement {apartment}",
    "inc.place.hall": "Hall d'entrée",
    "inc.place.corridors": "Couloirs",
    "inc.place.elevator": "Ascenseur",
    "inc.place.stairs": "Escaliers",
    "inc.place.parking": "Parking",
    "inc.place.garden": "Jardin",
    "inc.place.laundry": "Laverie",
    "inc.place.common_room": "Salle commune",
    # --- signaler : les étapes
    "inc.ask.category": "🛠 <b>Signaler un incident</b>\n\nDe quel type de problème s'agit-il ?",
    "inc.ask.place": (
        "📍 <b>Où se situe le problème ?</b>\nChoisissez un lieu ci-dessous, ou écrivez-le ({min} à {max} caractères)."
    ),
    "inc.place.expected": "J'attends le lieu : choisissez un bouton ou écrivez-le. Réessayez, ou /annuler.",
    "inc.ask.description": (
        "📝 <b>Décrivez le problème</b> en quelques phrases ({min} à {max} caractères) : "
        "ce que vous constatez, depuis quand."
    ),
    "inc.ask.urgency": (
        "⏱ <b>Quelle est l'urgence ?</b>\n"
        "<i>Urgente : fuite importante, panne de chauffage en hiver, personne bloquée…\n"
        "En cas de danger immédiat, appelez aussi les secours (112).</i>"
    ),
    "inc.ask.photos": (
        "📷 <b>Photos</b> (facultatif)\nEnvoyez jusqu'à {max} photos, une par une, ou appuyez sur « Passer »."
    ),
    "inc.photo.received": "📷 Photo {count}/{max} reçue. Envoyez-en une autre, ou appuyez sur « Terminé ».",
    "inc.photo.max_reached": "📷 {max} photos reçues : c'est le maximum.",
    "inc.photo.wrong_type": (
        "J'attends une photo (ou une image envoyée en fichier) ; ce type de message n'est pas accepté. "
        "Envoyez une photo, ou appuyez sur « Passer » / « Terminé »."
    ),
    "inc.photo.wrong_type_add": (
        "J'attends une photo (ou une image envoyée en fichier) ; ce type de message n'est pas accepté. "
        "Envoyez une photo, ou /annuler."
    ),
    "inc.photo.too_big": "Cette image est trop lourde : {max_mb} Mo au plus. Envoyez une image plus légère :",
    "inc.photo.not_image": (
        "Ce fichier n'est pas une image. Envoyez une photo, ou une image (JPEG, PNG…) en fichier :"
    ),
    "inc.summary": (
        "📋 <b>Récapitulatif de votre signalement</b>\n\n"
        "<b>Catégorie :</b> {category}\n"
        "<b>Lieu :</b> {place}\n"
        "<b>Urgence :</b> {urgency}\n"
        "<b>Photos :</b> {photos}\n"
        "<b>Description :</b>\n{description}\n\n"
        "Tout est correct ?"
    ),
    "inc.ask.edit": "✏️ Que voulez-vous modifier ?",
    "inc.edit.category": "Catégorie",
    "inc.edit.place": "Lieu",
    "inc.edit.description": "Description",
    "inc.edit.urgency": "Urgence",
    "inc.edit.photos": "Photos",
    "inc.stale_step": (
        "⌛ Ce bouton ne correspond plus à l'étape en cours. Répondez à la dernière question, ou /annuler."
    ),
    "inc.already_reporting": "Un signalement est déjà en cours : répondez à la dernière question, ou /annuler.",
    "inc.no_residence": "Votre compte n'est rattaché à aucune résidence : vous ne pouvez pas signaler d'incident.",
    # --- incidents semblables
    "inc.similar": (
        "🔎 <b>Ce problème est peut-être déjà signalé</b>\n\n"
        "{items}\n"
        "S'il s'agit du même problème, rejoignez ce signalement : vous serez informé(e) de son avancement, "
        "sans créer de doublon."
    ),
    "inc.similar.item": "<b>#{number}</b> · {place} · {status} · {date}\n<i>{description}</i>\n",
    "inc.similar.item_mine": "<b>#{number}</b> · {place} · {status} · {date} · <b>votre signalement</b>\n"
    "<i>{description}</i>\n",
    "inc.btn.same": "✅ C'est le même problème (#{number})",
    "inc.btn.mine_already": "✅ Je l'ai déjà signalé (#{number})",
    "inc.not_filed_twice": "D'accord, je ne crée pas de doublon : suivez l'incident #{number} avec /incidents.",
    "inc.btn.different": "➕ Non, c'est un autre problème",
    "inc.joined": (
        "👍 C'est noté : vous suivez l'incident <b>#{number}</b> et serez informé(e) de son avancement. "
        "Retrouvez-le avec /incidents."
    ),
    "inc.join.own": "C'est votre propre signalement (#{number}) : inutile de le rejoindre.",
    "inc.join.already": "Vous suivez déjà l'incident #{number}.",
    "inc.join.closed": "L'incident #{number} vient d'être clos : signalez plutôt le vôtre.",
    "inc.created": (
        "✅ <b>Incident #{number} enregistré.</b>\n"
        "Merci ! Le gestionnaire de la résidence est prévenu. Suivez son avancement avec /incidents."
    ),
    "inc.points_earned": "\n⭐ +{points} points fidélité.",
    # --- alertes pour les gestionnaires
    "inc.alert.new": (
        "🛠 <b>Nouvel incident #{number}</b>\n"
        "<b>Catégorie :</b> {category}\n"
        "<b>Lieu :</b> {place}\n"
        "<b>Urgence :</b> {urgency}\n"
        "<b>Signalé par :</b> {who}\n"
        "<b>Photos :</b> {photos}\n\n"
        "{description}"
    ),
    "inc.alert.urgent": (
        "🚨🚨 <b>INCIDENT URGENT #{number}</b> 🚨🚨\n"
        "<b>Catégorie :</b> {category}\n"
        "<b>Lieu :</b> {place}\n"
        "<b>Urgence :</b> {urgency}\n"
        "<b>Signalé par :</b> {who}\n"
        "<b>Photos :</b> {photos}\n\n"
        "{description}"
    ),
    "inc.alert.comment": "💬 <b>Incident #{number}</b> ({category}) : nouveau commentaire de {who}\n\n{text}",
    "inc.alert.photo": "📷 <b>Incident #{number}</b> ({category}) : nouvelle photo ajoutée par {who}.",
    "inc.alert.withdrawn": "↩️ <b>Incident #{number}</b> ({category}) retiré par {who}.",
    "inc.followed.withdrawn": (
        "↩️ L'incident <b>#{number}</b> ({category}) que vous suiviez a été retiré par la personne qui l'avait "
        "signalé. Si le problème persiste chez vous, signalez-le : /signaler"
    ),
    # --- mes incidents
    "inc.list.title": "📋 <b>Mes incidents</b> ({total})\n",
    "inc.list.line": "<b>#{number}</b> · {category} · {status}\n      {date}{following}",
    "inc.list.following": " · 👥 suivi",
    "inc.list.empty": "📋 Vous n'avez signalé ni suivi aucun incident.",
    "inc.list.prompt": "\nChoisissez un incident pour le détail :",
    "inc.btn.open": "#{number} · {category}",
    "inc.btn.report": "🛠 Signaler un incident",
    "inc.btn.list": "⬅️ Mes incidents",
    # --- détail
    "inc.detail": (
        "🛠 <b>Incident #{number}</b> · {category}\n"
        "<b>Statut :</b> {status}\n"
        "<b>Lieu :</b> {place}\n"
        "<b>Urgence :</b> {urgency}\n"
        "<b>Signalé le :</b> {date}\n"
        "<b>Photos :</b> {photos}\n\n"
        "{description}"
    ),
    "inc.detail.following": "\n\n👥 Vous suivez cet incident, signalé par un autre résident.",
    "inc.detail.rejected": "\n\n<b>Motif du refus :</b> {reason}",
    "inc.detail.rating": "\n\n⭐ Votre note : {rating}/5",
    "inc.detail.rate_prompt": (
        "\n\n✅ <b>Le problème est résolu.</b> Notez l'intervention, de 1 (mauvais) à 5 (parfait) :"
    ),
    "inc.detail.history": "\n\n<b>Historique</b>",
    "inc.detail.older": "\n<i>… et {count} événement(s) plus ancien(s).</i>",
    "inc.btn.comment": "💬 Commenter",
    "inc.btn.photo": "📷 Ajouter une photo",
    "inc.btn.withdraw": "↩️ Retirer mon signalement",
    "inc.btn.leave": "🚪 Ne plus suivre",
    "inc.btn.history": "📜 Historique complet",
    "inc.btn.photos": "🖼 Voir les photos ({count})",
    "inc.btn.stars": "{rating} ⭐",
    "inc.btn.back_incident": "⬅️ Incident #{number}",
    "inc.h.created": "• {date} — 🆕 Incident signalé",
    "inc.h.status": "• {date} — Statut : {from_status} → {to_status}",
    "inc.h.reason": "\n   <i>{text}</i>",
    "inc.h.comment": "• {date} — 💬 {who} :\n   {text}",
    "inc.h.photo": "• {date} — 📷 Photo ajoutée par {who}",
    "inc.h.joined": "• {date} — 👥 Un autre résident signale le même problème",
    "inc.h.joined_mine": "• {date} — 👥 Vous avez rejoint ce signalement",
    "inc.h.assigned": "• {date} — 🧰 Confié à l'équipe de la résidence",
    "inc.h.rated": "• {date} — ⭐ Résolution notée {text}/5",
    "inc.h.you": "vous",
    "inc.h.staff": "{name} (gestionnaire)",
    "inc.h.someone": "un résident",
    "inc.history.title": "📜 <b>Historique de l'incident #{number}</b>\n",
    "inc.history.empty": "Aucun événement pour l'instant.",
    "inc.photo.caption": "📷 Incident #{number} — photo {index}/{count}",
    # --- actions
    "inc.withdraw.confirm": (
        "Voulez-vous vraiment retirer votre signalement <b>#{number}</b> ({category}) ? "
        "Le gestionnaire en sera informé."
    ),
    "inc.btn.withdraw_yes": "Oui, le retirer",
    "inc.btn.withdraw_no": "Non, le garder",
    "inc.withdrawn": "↩️ Votre signalement <b>#{number}</b> est retiré. Merci de nous avoir tenus informés.",
    "inc.left": "🚪 Vous ne suivez plus l'incident <b>#{number}</b>.",
    "inc.rated": "⭐ Merci pour votre note ({rating}/5) sur l'incident <b>#{number}</b> !",
    "inc.ask.comment": "💬 Écrivez votre commentaire sur l'incident <b>#{number}</b> ({min} à {max} caractères) :",
    "inc.comment.done": "✅ Commentaire ajouté à l'incident <b>#{number}</b>. Le gestionnaire est prévenu.",
    "inc.ask.photo": "📷 Envoyez la photo à ajouter à l'incident <b>#{number}</b> (une image de 10 Mo au plus) :",
    "inc.photo.added": "✅ Photo ajoutée à l'incident <b>#{number}</b>. Le gestionnaire est prévenu.",
    "inc.note.busy": "Vous êtes déjà en train de compléter un incident : répondez à la dernière question, ou /annuler.",
    # --- refus
    "inc.err.not_found": "🔎 Cet incident n'existe pas ou ne vous est pas accessible.",
    "inc.err.closed": "Cet incident est clos ({status}) : cette action n'est plus possible.",
    "inc.err.not_resolved": "Cet incident n'est pas résolu ({status}) : il ne peut pas encore être noté.",
    "inc.err.already_rated": "Vous avez déjà noté cet incident. Merci !",
    "inc.err.not_following": "Vous ne suivez pas cet incident.",
    "inc.err.too_many_photos": "Cet incident a déjà {max} photos : c'est le maximum.",
    "inc.err.no_apartment": "Aucun appartement n'est enregistré sur votre compte : choisissez ou écrivez un lieu.",
    "inc.err.generic": "Cette action n'est pas possible.",
}

EN: dict[str, str] = {
    # --- categories, urgencies, statuses, places
    "inc.cat.plumbing": "🚰 Plumbing",
    "inc.cat.electricity": "💡 Electricity",
    "inc.cat.heating": "🔥 Heating",
    "inc.cat.elevator": "🛗 Lift",
    "inc.cat.locksmith": "🔑 Locks",
    "inc.cat.common_areas": "🏢 Common areas",
    "inc.cat.noise": "🔊 Noise",
    "inc.cat.other": "❓ Other",
    "inc.urg.low": "🟢 Low",
    "inc.urg.normal": "🟡 Normal",
    "inc.urg.urgent": "🚨 Urgent",
    "inc.status.new": "🆕 New",
    "inc.status.taken": "🧰 Taken on",
    "inc.status.in_progress": "🔧 In progress",
    "inc.status.resolved": "✅ Resolved",
    "inc.status.rejected": "❌ Rejected",
    "inc.status.withdrawn": "↩️ Withdrawn",
    "inc.place.home": "🏠 My apartment ({apartment})",
    "inc.place.apartment": "Apartment {apartment}",
    "inc.place.hall": "Entrance hall",
    "inc.place.corridors": "Corridors",
    "inc.place.elevator": "Lift",
    "inc.place.stairs": "Stairs",
    "inc.place.parking": "Car park",
    "inc.place.garden": "Garden",
    "inc.place.laundry": "Laundry room",
    "inc.place.common_room": "Common room",
    # --- report: the steps
    "inc.ask.category": "🛠 <b>Report an incident</b>\n\nWhat kind of problem is it?",
    "inc.ask.place": ("📍 <b>Where is the problem?</b>\nChoose a place below, or type it ({min} to {max} characters)."),
    "inc.place.expected": "I need the place: choose a button or type it. Try again, or /cancel.",
    "inc.ask.description": (
        "📝 <b>Describe the problem</b> in a few sentences ({min} to {max} characters): what you see, and since when."
    ),
    "inc.ask.urgency": (
        "⏱ <b>How urgent is it?</b>\n"
        "<i>Urgent: a major leak, no heating in winter, someone stuck…\n"
        "In immediate danger, also call the emergency services (112).</i>"
    ),
    "inc.ask.photos": "📷 <b>Photos</b> (optional)\nSend up to {max} photos, one at a time, or press “Skip”.",
    "inc.photo.received": "📷 Photo {count}/{max} received. Send another one, or press “Done”.",
    "inc.photo.max_reached": "📷 {max} photos received: that is the maximum.",
    "inc.photo.wrong_type": (
        "I need a photo (or an image sent as a file); this kind of message is not accepted. "
        "Send a photo, or press “Skip” / “Done”."
    ),
    "inc.photo.wrong_type_add": (
        "I need a photo (or an image sent as a file); this kind of message is not accepted. Send a photo, or /cancel."
    ),
    "inc.photo.too_big": "This image is too large: {max_mb} MB at most. Send a smaller image:",
    "inc.photo.not_image": "This file is not an image. Send a photo, or an image (JPEG, PNG…) as a file:",
    "inc.summary": (
        "📋 <b>Your report, in short</b>\n\n"
        "<b>Category:</b> {category}\n"
        "<b>Place:</b> {place}\n"
        "<b>Urgency:</b> {urgency}\n"
        "<b>Photos:</b> {photos}\n"
        "<b>Description:</b>\n{description}\n\n"
        "Is everything right?"
    ),
    "inc.ask.edit": "✏️ What would you like to change?",
    "inc.edit.category": "Category",
    "inc.edit.place": "Place",
    "inc.edit.description": "Description",
    "inc.edit.urgency": "Urgency",
    "inc.edit.photos": "Photos",
    "inc.stale_step": "⌛ This button is not part of the current step. Answer the last question, or /cancel.",
    "inc.already_reporting": "A report is already in progress: answer the last question, or /cancel.",
    "inc.no_residence": "Your account is not attached to a residence: you cannot report an incident.",
    # --- similar incidents
    "inc.similar": (
        "🔎 <b>This problem may already have been reported</b>\n\n"
        "{items}\n"
        "If it is the same problem, join that report: you will be told how it progresses, without a duplicate."
    ),
    "inc.similar.item": "<b>#{number}</b> · {place} · {status} · {date}\n<i>{description}</i>\n",
    "inc.similar.item_mine": "<b>#{number}</b> · {place} · {status} · {date} · <b>your report</b>\n"
    "<i>{description}</i>\n",
    "inc.btn.same": "✅ It's the same problem (#{number})",
    "inc.btn.mine_already": "✅ I already reported it (#{number})",
    "inc.not_filed_twice": "All right, no duplicate: follow incident #{number} with /incidents.",
    "inc.btn.different": "➕ No, it's another problem",
    "inc.joined": (
        "👍 Noted: you now follow incident <b>#{number}</b> and will be told how it progresses. "
        "Find it with /incidents."
    ),
    "inc.join.own": "This is your own report (#{number}): no need to join it.",
    "inc.join.already": "You already follow incident #{number}.",
    "inc.join.closed": "Incident #{number} has just been closed: report yours instead.",
    "inc.created": (
        "✅ <b>Incident #{number} recorded.</b>\n"
        "Thank you! The residence manager has been told. Follow its progress with /incidents."
    ),
    "inc.points_earned": "\n⭐ +{points} loyalty points.",
    # --- managers' alerts
    "inc.alert.new": (
        "🛠 <b>New incident #{number}</b>\n"
        "<b>Category:</b> {category}\n"
        "<b>Place:</b> {place}\n"
        "<b>Urgency:</b> {urgency}\n"
        "<b>Reported by:</b> {who}\n"
        "<b>Photos:</b> {photos}\n\n"
        "{description}"
    ),
    "inc.alert.urgent": (
        "🚨🚨 <b>URGENT INCIDENT #{number}</b> 🚨🚨\n"
        "<b>Category:</b> {category}\n"
        "<b>Place:</b> {place}\n"
        "<b>Urgency:</b> {urgency}\n"
        "<b>Reported by:</b> {who}\n"
        "<b>Photos:</b> {photos}\n\n"
        "{description}"
    ),
    "inc.alert.comment": "💬 <b>Incident #{number}</b> ({category}): new comment from {who}\n\n{text}",
    "inc.alert.photo": "📷 <b>Incident #{number}</b> ({category}): new photo added by {who}.",
    "inc.alert.withdrawn": "↩️ <b>Incident #{number}</b> ({category}) withdrawn by {who}.",
    "inc.followed.withdrawn": (
        "↩️ Incident <b>#{number}</b> ({category}), which you followed, was withdrawn by the person who "
        "reported it. If the problem goes on for you, report it: /report"
    ),
    # --- my incidents
    "inc.list.title": "📋 <b>My incidents</b> ({total})\n",
    "inc.list.line": "<b>#{number}</b> · {category} · {status}\n      {date}{following}",
    "inc.list.following": " · 👥 following",
    "inc.list.empty": "📋 You have not reported or followed any incident.",
    "inc.list.prompt": "\nChoose an incident for the details:",
    "inc.btn.open": "#{number} · {category}",
    "inc.btn.report": "🛠 Report an incident",
    "inc.btn.list": "⬅️ My incidents",
    # --- details
    "inc.detail": (
        "🛠 <b>Incident #{number}</b> · {category}\n"
        "<b>Status:</b> {status}\n"
        "<b>Place:</b> {place}\n"
        "<b>Urgency:</b> {urgency}\n"
        "<b>Reported:</b> {date}\n"
        "<b>Photos:</b> {photos}\n\n"
        "{description}"
    ),
    "inc.detail.following": "\n\n👥 You follow this incident, reported by another resident.",
    "inc.detail.rejected": "\n\n<b>Reason for rejection:</b> {reason}",
    "inc.detail.rating": "\n\n⭐ Your rating: {rating}/5",
    "inc.detail.rate_prompt": "\n\n✅ <b>The problem is resolved.</b> Rate the work, from 1 (poor) to 5 (perfect):",
    "inc.detail.history": "\n\n<b>History</b>",
    "inc.detail.older": "\n<i>… and {count} older event(s).</i>",
    "inc.btn.comment": "💬 Comment",
    "inc.btn.photo": "📷 Add a photo",
    "inc.btn.withdraw": "↩️ Withdraw my report",
    "inc.btn.leave": "🚪 Stop following",
    "inc.btn.history": "📜 Full history",
    "inc.btn.photos": "🖼 See the photos ({count})",
    "inc.btn.stars": "{rating} ⭐",
    "inc.btn.back_incident": "⬅️ Incident #{number}",
    "inc.h.created": "• {date} — 🆕 Incident reported",
    "inc.h.status": "• {date} — Status: {from_status} → {to_status}",
    "inc.h.reason": "\n   <i>{text}</i>",
    "inc.h.comment": "• {date} — 💬 {who}:\n   {text}",
    "inc.h.photo": "• {date} — 📷 Photo added by {who}",
    "inc.h.joined": "• {date} — 👥 Another resident reports the same problem",
    "inc.h.joined_mine": "• {date} — 👥 You joined this report",
    "inc.h.assigned": "• {date} — 🧰 Handed to the residence team",
    "inc.h.rated": "• {date} — ⭐ Resolution rated {text}/5",
    "inc.h.you": "you",
    "inc.h.staff": "{name} (manager)",
    "inc.h.someone": "a resident",
    "inc.history.title": "📜 <b>History of incident #{number}</b>\n",
    "inc.history.empty": "Nothing yet.",
    "inc.photo.caption": "📷 Incident #{number} — photo {index}/{count}",
    # --- actions
    "inc.withdraw.confirm": (
        "Do you really want to withdraw your report <b>#{number}</b> ({category})? The manager will be told."
    ),
    "inc.btn.withdraw_yes": "Yes, withdraw it",
    "inc.btn.withdraw_no": "No, keep it",
    "inc.withdrawn": "↩️ Your report <b>#{number}</b> is withdrawn. Thank you for letting us know.",
    "inc.left": "🚪 You no longer follow incident <b>#{number}</b>.",
    "inc.rated": "⭐ Thank you for your rating ({rating}/5) of incident <b>#{number}</b>!",
    "inc.ask.comment": "💬 Write your comment on incident <b>#{number}</b> ({min} to {max} characters):",
    "inc.comment.done": "✅ Comment added to incident <b>#{number}</b>. The manager has been told.",
    "inc.ask.photo": "📷 Send the photo to add to incident <b>#{number}</b> (an image of 10 MB at most):",
    "inc.photo.added": "✅ Photo added to incident <b>#{number}</b>. The manager has been told.",
    "inc.note.busy": "You are already adding to an incident: answer the last question, or /cancel.",
    # --- refusals
    "inc.err.not_found": "🔎 This incident does not exist or is not available to you.",
    "inc.err.closed": "This incident is closed ({status}): this is no longer possible.",
    "inc.err.not_resolved": "This incident is not resolved ({status}): it cannot be rated yet.",
    "inc.err.already_rated": "You have already rated this incident. Thank you!",
    "inc.err.not_following": "You do not follow this incident.",
    "inc.err.too_many_photos": "This incident already has {max} photos: that is the maximum.",
    "inc.err.no_apartment": "No apartment is recorded on your account: choose or type a place.",
    "inc.err.generic": "This is not possible.",
}
