"""Texts of the events flow (/evenements): browsing, signing up, proposals, attendance."""

FR: dict[str, str] = {
    # --- list
    "ev.list.title": "🎉 <b>Événements à venir</b> — {residence}",
    "ev.list.recent_title": "🕘 <b>Événements récents</b> — {residence}",
    "ev.list.pending_title": "⏳ <b>Propositions à valider</b>",
    "ev.list.page": "<i>Page {page}</i>",
    "ev.list.empty": "Aucun événement à venir pour le moment. Et si vous en proposiez un ?",
    "ev.list.recent_empty": "Aucun événement ces {days} derniers jours.",
    "ev.list.pending_empty": "Aucune proposition en attente.",
    "ev.list.no_residence": "Les événements se consultent depuis une résidence : votre compte n'en a pas.",
    "ev.list.item": "{n}. <b>{title}</b>{mark}\n    📅 {when}\n    📍 {place} · {seats}",
    "ev.list.prompt": "Touchez un événement pour le détail et l'inscription.",
    "ev.mark.registered": " ✅",
    "ev.mark.waitlisted": " ⏳",
    "ev.mark.attended": " 🏅",
    "ev.seats.left": "🪑 {count} place(s) libre(s)",
    "ev.seats.full": "🈵 complet",
    # --- details
    "ev.detail": (
        "🎉 <b>{title}</b>\n"
        "📅 {when}\n"
        "📍 {place}\n"
        "🪑 {seats_left} place(s) libre(s) sur {capacity}\n"
        "👤 Organisé par {organizer}"
    ),
    "ev.detail.no_organizer": "l'équipe de la résidence",
    "ev.detail.description": "\n\n{description}",
    "ev.detail.pending": "\n\n⏳ <i>Proposition en attente de validation par un gestionnaire.</i>",
    "ev.detail.cancelled": "\n\n❌ <b>Cet événement est annulé.</b>",
    "ev.detail.started": "\n\n🕘 <i>Cet événement a commencé.</i>",
    "ev.status.registered": "\n\nVotre statut : ✅ <b>inscrit(e)</b>",
    "ev.status.attended": "\n\nVotre statut : 🏅 <b>présent(e)</b>",
    "ev.status.waitlisted": "\n\nVotre statut : ⏳ <b>liste d'attente, position {position}</b>",
    "ev.status.none": "\n\nVotre statut : pas inscrit(e)",
    # --- buttons
    "ev.btn.register": "✅ M'inscrire",
    "ev.btn.waitlist": "⏳ Liste d'attente",
    "ev.btn.leave": "🚪 Me désinscrire",
    "ev.btn.leave_waitlist": "🚪 Quitter la liste d'attente",
    "ev.btn.attendance": "📋 Présences",
    "ev.btn.cancel_event": "❌ Annuler l'événement",
    "ev.btn.approve": "✅ Approuver",
    "ev.btn.reject": "❌ Refuser",
    "ev.btn.view": "🎉 Voir l'événement",
    "ev.btn.list": "📋 Tous les événements",
    "ev.btn.propose": "➕ Proposer",
    "ev.btn.recent": "🕘 Récents",
    "ev.btn.upcoming": "🎉 À venir",
    "ev.btn.pending": "⏳ À valider ({count})",
    "ev.btn.leave_yes": "Oui, me désinscrire",
    "ev.btn.cancel_yes": "Oui, annuler l'événement",
    "ev.btn.keep": "Non, revenir",
    # --- answers to buttons
    "ev.registered": "✅ Vous êtes inscrit(e) ! Place n°{seat}.",
    "ev.already_registered": "Vous êtes déjà inscrit(e).",
    "ev.waitlisted": "⏳ Vous êtes sur la liste d'attente, position {position}.",
    "ev.full": "🈵 C'est complet. Vous pouvez rejoindre la liste d'attente.",
    "ev.left": "Votre inscription est annulée.",
    "ev.left_waitlist": "Vous avez quitté la liste d'attente.",
    "ev.leave.confirm": "Annuler votre inscription à <b>{title}</b> ({when}) ?",
    "ev.leave_waitlist.confirm": "Quitter la liste d'attente de <b>{title}</b> ?",
    "ev.cancel.confirm": (
        "Annuler l'événement <b>{title}</b> ({when}) ?\n"
        "Toutes les personnes inscrites ou en liste d'attente seront prévenues."
    ),
    "ev.cancel.done": "❌ L'événement <b>{title}</b> est annulé. {count} personne(s) prévenue(s).",
    "ev.stale": "⌛ Cet événement n'est plus disponible.",
    "ev.not_allowed": "⛔ Vous ne pouvez pas faire cela.",
    "ev.error.cancelled": "❌ Cet événement est annulé.",
    "ev.error.started": "🕘 Cet événement a déjà commencé.",
    "ev.error.not_published": "⏳ Cet événement n'est pas encore publié.",
    "ev.error.not_started": "🕘 Les présences se notent une fois l'événement commencé.",
    "ev.error.not_registered": "Vous n'êtes pas inscrit(e) à cet événement.",
    "ev.busy": "Vous êtes déjà en train de proposer un événement : répondez à la question ci-dessus, ou /annuler.",
    # --- attendance
    "ev.att.title": (
        "📋 <b>Présences — {title}</b>\n📅 {when}\n\n"
        "{attended} présent(e)(s) sur {registered} inscrit(e)(s).\n"
        "Touchez le nom de chaque personne venue : elle reçoit {points} points (une seule fois)."
    ),
    "ev.att.empty": "📋 <b>Présences — {title}</b>\n\nPersonne n'était inscrit.",
    "ev.att.ticked": "✅ {name} : présence notée, +{points} points.",
    "ev.att.already": "{name} est déjà noté(e) présent(e).",
    "ev.att.present": "✅ {name}",
    "ev.att.absent": "⬜ {name}",
    # --- managers' decision
    "ev.decided.approved": "✅ Proposition approuvée et publiée : <b>{title}</b>.",
    "ev.decided.rejected": "❌ Proposition refusée : <b>{title}</b>.",
    "ev.decided.already_published": "Cette proposition a déjà été approuvée : <b>{title}</b>.",
    "ev.decided.already_cancelled": "Cette proposition a déjà été refusée ou annulée : <b>{title}</b>.",
    # --- notifications
    "ev.notify.seat": (
        "🎉 Une place s'est libérée : vous êtes maintenant <b>inscrit(e)</b> à <b>{title}</b>, {when} ({place})."
    ),
    "ev.notify.cancelled": "❌ L'événement <b>{title}</b> prévu {when} ({place}) est <b>annulé</b>.",
    "ev.notify.proposed": (
        "📨 <b>Nouvelle proposition d'événement</b>\n"
        "De : {name} (appartement {apartment})\n\n"
        "🎉 <b>{title}</b>\n📅 {when}\n📍 {place}\n🪑 {capacity} places\n\n{description}\n\n"
        "La publier ?"
    ),
    "ev.notify.approved": "✅ Votre proposition <b>{title}</b> ({when}) est publiée. Merci !",
    "ev.notify.rejected": "Votre proposition <b>{title}</b> ({when}) n'a pas été retenue par la résidence.",
    # --- proposal flow
    "ev.p.ask_title": (
        "➕ <b>Proposer un événement</b> (1/5)\n"
        "Quel est son <b>titre</b> ? (3 à 80 caractères)\n\n<i>/annuler pour arrêter.</i>"
    ),
    "ev.p.ask_when": (
        "📅 (2/5) <b>Quand</b> ? Indiquez le jour et l'heure, par exemple :\n"
        "<code>25/12 15h</code> · <code>25/12/2026 15:00</code> · <code>demain 15h</code> · "
        "<code>samedi 14h30</code>"
    ),
    "ev.p.ask_place": "📍 (3/5) <b>Où</b> ? (par exemple : Salle commune)",
    "ev.p.ask_capacity": "🪑 (4/5) <b>Combien de places</b> ? (un nombre de 1 à 500, vous compris)",
    "ev.p.ask_description": ("📝 (5/5) Une <b>description</b> ? (1000 caractères au plus)\nOu touchez « Passer »."),
    "ev.p.summary": (
        "<b>Votre proposition</b>\n\n"
        "🎉 <b>{title}</b>\n📅 {when}\n📍 {place}\n🪑 {capacity} places\n📝 {description}\n\n"
        "{outcome}"
    ),
    "ev.p.no_description": "<i>(pas de description)</i>",
    "ev.p.outcome_direct": "Elle sera publiée tout de suite, et vous serez inscrit(e) d'office.",
    "ev.p.outcome_approval": (
        "Elle sera soumise aux gestionnaires ; vous serez prévenu(e) de leur décision. Vous serez inscrit(e) d'office."
    ),
    "ev.p.which": "Que voulez-vous modifier ?",
    "ev.p.field.title": "Titre",
    "ev.p.field.when": "Date et heure",
    "ev.p.field.place": "Lieu",
    "ev.p.field.capacity": "Places",
    "ev.p.field.description": "Description",
    "ev.p.published": "✅ <b>{title}</b> est publié ! Vous êtes inscrit(e) (place n°1).",
    "ev.p.pending": (
        "📨 Merci ! <b>{title}</b> est transmis aux gestionnaires de la résidence. "
        "Vous serez prévenu(e) dès qu'ils auront décidé."
    ),
    "ev.p.cancelled": "D'accord, la proposition est abandonnée.",
    "ev.p.bad_when": (
        "Je n'ai pas compris cette date. Indiquez le jour et l'heure, par exemple "
        "<code>25/12 15h</code>, <code>demain 15h</code> ou <code>samedi 14h30</code> :"
    ),
    "ev.p.bad_date": "Cette date n'existe pas. Réessayez (par exemple <code>25/12 15h</code>) :",
    "ev.p.past": "Cette date est déjà passée. Indiquez une date à venir :",
    "ev.p.too_far": "C'est dans plus d'un an : choisissez une date plus proche.",
    "ev.p.bad_capacity": "Indiquez un nombre de places entre {min} et {max} :",
    "ev.p.need_text": "J'attends une réponse écrite. Réessayez, ou /annuler.",
}

EN: dict[str, str] = {
    # --- list
    "ev.list.title": "🎉 <b>Upcoming events</b> — {residence}",
    "ev.list.recent_title": "🕘 <b>Recent events</b> — {residence}",
    "ev.list.pending_title": "⏳ <b>Proposals to review</b>",
    "ev.list.page": "<i>Page {page}</i>",
    "ev.list.empty": "No upcoming events for now. Why not propose one?",
    "ev.list.recent_empty": "No events in the last {days} days.",
    "ev.list.pending_empty": "No proposals waiting.",
    "ev.list.no_residence": "Events belong to a residence, and your account has none.",
    "ev.list.item": "{n}. <b>{title}</b>{mark}\n    📅 {when}\n    📍 {place} · {seats}",
    "ev.list.prompt": "Tap an event for its details and to sign up.",
    "ev.mark.registered": " ✅",
    "ev.mark.waitlisted": " ⏳",
    "ev.mark.attended": " 🏅",
    "ev.seats.left": "🪑 {count} seat(s) left",
    "ev.seats.full": "🈵 full",
    # --- details
    "ev.detail": (
        "🎉 <b>{title}</b>\n"
        "📅 {when}\n"
        "📍 {place}\n"
        "🪑 {seats_left} seat(s) left out of {capacity}\n"
        "👤 Organised by {organizer}"
    ),
    "ev.detail.no_organizer": "the residence team",
    "ev.detail.description": "\n\n{description}",
    "ev.detail.pending": "\n\n⏳ <i>Proposal waiting for a manager's approval.</i>",
    "ev.detail.cancelled": "\n\n❌ <b>This event is cancelled.</b>",
    "ev.detail.started": "\n\n🕘 <i>This event has started.</i>",
    "ev.status.registered": "\n\nYour status: ✅ <b>registered</b>",
    "ev.status.attended": "\n\nYour status: 🏅 <b>attended</b>",
    "ev.status.waitlisted": "\n\nYour status: ⏳ <b>waiting list, position {position}</b>",
    "ev.status.none": "\n\nYour status: not registered",
    # --- buttons
    "ev.btn.register": "✅ Sign me up",
    "ev.btn.waitlist": "⏳ Waiting list",
    "ev.btn.leave": "🚪 Cancel my place",
    "ev.btn.leave_waitlist": "🚪 Leave the waiting list",
    "ev.btn.attendance": "📋 Attendance",
    "ev.btn.cancel_event": "❌ Cancel the event",
    "ev.btn.approve": "✅ Approve",
    "ev.btn.reject": "❌ Reject",
    "ev.btn.view": "🎉 See the event",
    "ev.btn.list": "📋 All events",
    "ev.btn.propose": "➕ Propose",
    "ev.btn.recent": "🕘 Recent",
    "ev.btn.upcoming": "🎉 Upcoming",
    "ev.btn.pending": "⏳ To review ({count})",
    "ev.btn.leave_yes": "Yes, cancel my place",
    "ev.btn.cancel_yes": "Yes, cancel the event",
    "ev.btn.keep": "No, go back",
    # --- answers to buttons
    "ev.registered": "✅ You're signed up! Seat no. {seat}.",
    "ev.already_registered": "You are already signed up.",
    "ev.waitlisted": "⏳ You are on the waiting list, position {position}.",
    "ev.full": "🈵 It's full. You can join the waiting list.",
    "ev.left": "Your place is cancelled.",
    "ev.left_waitlist": "You left the waiting list.",
    "ev.leave.confirm": "Cancel your place at <b>{title}</b> ({when})?",
    "ev.leave_waitlist.confirm": "Leave the waiting list of <b>{title}</b>?",
    "ev.cancel.confirm": (
        "Cancel the event <b>{title}</b> ({when})?\nEveryone registered or on the waiting list will be told."
    ),
    "ev.cancel.done": "❌ The event <b>{title}</b> is cancelled. {count} person(s) notified.",
    "ev.stale": "⌛ This event is no longer available.",
    "ev.not_allowed": "⛔ You cannot do that.",
    "ev.error.cancelled": "❌ This event is cancelled.",
    "ev.error.started": "🕘 This event has already started.",
    "ev.error.not_published": "⏳ This event is not published yet.",
    "ev.error.not_started": "🕘 Attendance is taken once the event has started.",
    "ev.error.not_registered": "You are not signed up for this event.",
    "ev.busy": "You are already proposing an event: answer the question above, or /cancel.",
    # --- attendance
    "ev.att.title": (
        "📋 <b>Attendance — {title}</b>\n📅 {when}\n\n"
        "{attended} present out of {registered} registered.\n"
        "Tap the name of each person who came: they get {points} points (once)."
    ),
    "ev.att.empty": "📋 <b>Attendance — {title}</b>\n\nNobody was registered.",
    "ev.att.ticked": "✅ {name}: attendance recorded, +{points} points.",
    "ev.att.already": "{name} is already marked present.",
    "ev.att.present": "✅ {name}",
    "ev.att.absent": "⬜ {name}",
    # --- managers' decision
    "ev.decided.approved": "✅ Proposal approved and published: <b>{title}</b>.",
    "ev.decided.rejected": "❌ Proposal rejected: <b>{title}</b>.",
    "ev.decided.already_published": "This proposal was already approved: <b>{title}</b>.",
    "ev.decided.already_cancelled": "This proposal was already rejected or cancelled: <b>{title}</b>.",
    # --- notifications
    "ev.notify.seat": "🎉 A seat has freed up: you are now <b>registered</b> for <b>{title}</b>, {when} ({place}).",
    "ev.notify.cancelled": "❌ The event <b>{title}</b> planned for {when} ({place}) is <b>cancelled</b>.",
    "ev.notify.proposed": (
        "📨 <b>New event proposal</b>\n"
        "From: {name} (apartment {apartment})\n\n"
        "🎉 <b>{title}</b>\n📅 {when}\n📍 {place}\n🪑 {capacity} seats\n\n{description}\n\n"
        "Publish it?"
    ),
    "ev.notify.approved": "✅ Your proposal <b>{title}</b> ({when}) is published. Thank you!",
    "ev.notify.rejected": "Your proposal <b>{title}</b> ({when}) was not accepted by the residence.",
    # --- proposal flow
    "ev.p.ask_title": (
        "➕ <b>Propose an event</b> (1/5)\nWhat is its <b>title</b>? (3 to 80 characters)\n\n<i>/cancel to stop.</i>"
    ),
    "ev.p.ask_when": (
        "📅 (2/5) <b>When</b>? Give the day and time, for example:\n"
        "<code>25/12 15h</code> · <code>25/12/2026 15:00</code> · <code>tomorrow 3pm</code> · "
        "<code>saturday 2:30pm</code>"
    ),
    "ev.p.ask_place": "📍 (3/5) <b>Where</b>? (for example: Common room)",
    "ev.p.ask_capacity": "🪑 (4/5) <b>How many seats</b>? (a number from 1 to 500, you included)",
    "ev.p.ask_description": "📝 (5/5) A <b>description</b>? (1000 characters at most)\nOr tap “Skip”.",
    "ev.p.summary": (
        "<b>Your proposal</b>\n\n"
        "🎉 <b>{title}</b>\n📅 {when}\n📍 {place}\n🪑 {capacity} seats\n📝 {description}\n\n"
        "{outcome}"
    ),
    "ev.p.no_description": "<i>(no description)</i>",
    "ev.p.outcome_direct": "It will be published right away, and you will be signed up.",
    "ev.p.outcome_approval": ("It will go to the managers; you will be told of their decision. You will be signed up."),
    "ev.p.which": "What would you like to change?",
    "ev.p.field.title": "Title",
    "ev.p.field.when": "Date and time",
    "ev.p.field.place": "Place",
    "ev.p.field.capacity": "Seats",
    "ev.p.field.description": "Description",
    "ev.p.published": "✅ <b>{title}</b> is published! You are signed up (seat no. 1).",
    "ev.p.pending": (
        "📨 Thank you! <b>{title}</b> has gone to the residence's managers. You will be told as soon as they decide."
    ),
    "ev.p.cancelled": "All right, the proposal is dropped.",
    "ev.p.bad_when": (
        "I did not understand this date. Give the day and time, for example "
        "<code>25/12 15h</code>, <code>tomorrow 3pm</code> or <code>saturday 2:30pm</code>:"
    ),
    "ev.p.bad_date": "This date does not exist. Try again (for example <code>25/12 15h</code>):",
    "ev.p.past": "This date has already passed. Give a date to come:",
    "ev.p.too_far": "That is more than a year away: choose a closer date.",
    "ev.p.bad_capacity": "Give a number of seats between {min} and {max}:",
    "ev.p.need_text": "I'm waiting for a written answer. Try again, or /cancel.",
}
