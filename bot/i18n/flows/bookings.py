"""Booking shared spaces: /reserver (/book) and /reservations (/bookings)."""

FR: dict[str, str] = {
    # --- choosing
    "bk.no_spaces": "Aucun espace n'est réservable dans votre résidence pour le moment.",
    "bk.ask_space": "📅 <b>Réserver un espace</b>\nQuel espace souhaitez-vous réserver ?\n\n{spaces}",
    "bk.space_line": "• <b>{name}</b> — {description}",
    "bk.space_line_short": "• <b>{name}</b>",
    "bk.hint_cancel": "\n\n<i>/annuler pour arrêter.</i>",
    "bk.ask_day": (
        "📅 <b>{space}</b>\n{rules}\n\nChoisissez un jour, ou écrivez une date "
        "(« demain », « lundi », « 25/11 », « 25/11/2026 »)."
    ),
    "bk.rules.hours": "🕘 De {opens} à {closes}, créneaux de {slot}",
    "bk.rules.nights": "🌙 À la nuitée, {max} au plus",
    "bk.rules.longest": "⏱ {max} au plus",
    "bk.rules.units": "👥 {capacity} places par créneau",
    "bk.rules.window": "📆 Jusqu'à {days} jours à l'avance, au moins {notice} avant",
    "bk.rules.quota": "🔁 {quota} réservation(s) par semaine",
    "bk.rules.cancel": "↩️ Annulation jusqu'à {deadline} avant le début",
    "bk.day.btn": "{weekday} {day}/{month}",
    "bk.day.btn_full": "{weekday} {day}/{month} ✖",
    "bk.day.full": "Plus aucun créneau possible pour vous le {day}. Choisissez un autre jour :",
    "bk.day.format": (
        "Je n'ai pas compris cette date. Écrivez par exemple « demain », « lundi », « 25/11 » ou « 25/11/2026 », "
        "ou choisissez un jour avec les boutons."
    ),
    "bk.day.past": "Le {day} est déjà passé. Choisissez aujourd'hui ou un jour à venir :",
    "bk.day.too_far": (
        "Le {day} est trop loin : cet espace se réserve au plus {days} jours à l'avance, jusqu'au {last}. "
        "Choisissez un autre jour :"
    ),
    "bk.day.expected": (
        "Choisissez un jour avec les boutons, ou écrivez une date (« demain », « 25/11 »…), ou /annuler."
    ),
    "bk.ask_slot": "📅 <b>{space}</b> — {day}\nChoisissez un créneau :",
    "bk.ask_slot_units": "📅 <b>{space}</b> — {day}\nChoisissez un créneau (places libres entre parenthèses) :",
    "bk.slot.btn_units": "{time} ({free})",
    "bk.ask_duration": "📅 <b>{space}</b> — {when}\nPour combien de temps ?",
    "bk.ask_nights": "📅 <b>{space}</b> — arrivée le {day}\nPour combien de nuits ?",
    "bk.summary": (
        "📋 <b>Récapitulatif</b>\nEspace : <b>{space}</b>\nDébut : {when}\nFin : {end}\nDurée : {duration}\n\n"
        "Annulation possible jusqu'au {cancel_until}.\nJe confirme la réservation ?"
    ),
    "bk.summary_nights": (
        "📋 <b>Récapitulatif</b>\nEspace : <b>{space}</b>\nArrivée : {day}\nDépart : {end_day}\nDurée : {duration}\n\n"
        "Annulation possible jusqu'au {cancel_until}.\nJe confirme la réservation ?"
    ),
    "bk.btn.confirm": "✅ Confirmer",
    "bk.btn.other_day": "📆 Autre jour",
    "bk.btn.other_space": "⬅️ Autre espace",
    "bk.btn.other_time": "⬅️ Autre créneau",
    "bk.btn.my": "🗓 Mes réservations",
    "bk.btn.book": "📅 Réserver",
    # --- outcome
    "bk.booked": (
        "✅ <b>C'est réservé !</b>\n{space} — {when}, {duration}.\n"
        "Annulation possible jusqu'au {cancel_until}, avec /reservations."
    ),
    "bk.booked_nights": (
        "✅ <b>C'est réservé !</b>\n{space} — du {day} au {end_day}, {duration}.\n"
        "Annulation possible jusqu'au {cancel_until}, avec /reservations."
    ),
    "bk.booked.reminder": "\n⏰ Je vous enverrai un rappel avant le début.",
    "bk.ics.caption": "📎 Le fichier pour ajouter cette réservation à votre agenda.",
    "bk.refused": "⛔ <b>Réservation impossible.</b>\n{reason}",
    "bk.taken": "😕 <b>Trop tard :</b> quelqu'un vient de prendre la dernière place de ce créneau.",
    "bk.alternatives": "\n\nCes créneaux sont possibles :",
    "bk.no_alternative": "\n\nAucun autre créneau proche n'est possible : choisissez un autre jour.",
    "bk.alt.btn": "{weekday} {day}/{month} {time} · {duration}",
    "bk.alt.btn_nights": "{weekday} {day}/{month} · {duration}",
    # --- the rules, one message each
    "bk.rule.past": "Ce créneau est déjà passé.",
    "bk.rule.slot_grid": "Les réservations suivent la grille des créneaux : {slot}, à partir de {opens}.",
    "bk.rule.opening_hours": "L'espace est ouvert de {opens} à {closes} : la réservation doit tenir dans ces horaires.",
    "bk.rule.min_notice": "Il faut réserver au moins {notice} à l'avance.",
    "bk.rule.max_advance": "On ne peut pas réserver plus de {days} jours à l'avance (au plus tard le {last}).",
    "bk.rule.max_duration": "La durée maximale est de {max}.",
    "bk.rule.overlap": "Vous avez déjà une réservation de cet espace à ce moment-là.",
    "bk.rule.weekly_quota": "Vous avez atteint la limite de {quota} réservation(s) par semaine pour cet espace.",
    "bk.rule.capacity": "Ce créneau est complet.",
    "bk.rule.cancel_deadline": (
        "Trop tard pour annuler : l'annulation est possible jusqu'à {deadline} avant le début, soit jusqu'au {until}."
    ),
    # --- my bookings
    "bk.my.title": "🗓 <b>Mes réservations à venir</b> ({total})",
    "bk.my.line": "{n}. <b>{space}</b> — {when}, {duration}",
    "bk.my.line_nights": "{n}. <b>{space}</b> — du {day} au {end_day}, {duration}",
    "bk.my.empty": "🗓 Vous n'avez aucune réservation à venir.",
    "bk.my.btn_cancel": "✖️ Annuler n°{n}",
    "bk.cancel.ask": "Annuler votre réservation <b>{space}</b> du {when} ?",
    "bk.cancel.yes": "Oui, annuler",
    "bk.cancel.no": "Non, la garder",
    "bk.cancel.done": "✅ Réservation annulée : <b>{space}</b>, {when}. La place est libérée.",
    "bk.cancel.kept": "Très bien, votre réservation est conservée.",
    "bk.cancel.already": "Cette réservation est déjà annulée.",
    "bk.cancel.refused": "⛔ <b>Annulation impossible.</b>\n{reason}",
    # --- refusals of the request itself
    "bk.gone": "Cet espace ou cette réservation n'existe plus.",
    "bk.not_allowed": "Vous ne pouvez pas faire cela : cet espace ou cette réservation ne vous concerne pas.",
    "bk.stale": "⌛ Ce bouton n'est plus valable.",
    # --- notifications
    "bk.notify.guest_booked": (
        "🛏 {name} (appartement {apartment}) a réservé la <b>{space}</b> du {start} au {end} ({nights} nuit(s))."
    ),
    "bk.notify.guest_cancelled": (
        "🛏 {name} (appartement {apartment}) a annulé sa réservation de la <b>{space}</b> du {start} au {end}."
    ),
    # --- durations and dates
    "bk.dur.min": "{n} min",
    "bk.dur.h": "{h} h",
    "bk.dur.hm": "{h} h {m}",
    "bk.dur.night": "1 nuit",
    "bk.dur.nights": "{n} nuits",
    "bk.date": "{weekday} {day} {month}",
    "bk.wd.0": "lun.",
    "bk.wd.1": "mar.",
    "bk.wd.2": "mer.",
    "bk.wd.3": "jeu.",
    "bk.wd.4": "ven.",
    "bk.wd.5": "sam.",
    "bk.wd.6": "dim.",
}

EN: dict[str, str] = {
    # --- choosing
    "bk.no_spaces": "No space can be booked in your residence at the moment.",
    "bk.ask_space": "📅 <b>Book a space</b>\nWhich space would you like to book?\n\n{spaces}",
    "bk.space_line": "• <b>{name}</b> — {description}",
    "bk.space_line_short": "• <b>{name}</b>",
    "bk.hint_cancel": "\n\n<i>/cancel to stop.</i>",
    "bk.ask_day": (
        "📅 <b>{space}</b>\n{rules}\n\nChoose a day, or type a date (“tomorrow”, “monday”, “25/11”, “2026-11-25”)."
    ),
    "bk.rules.hours": "🕘 From {opens} to {closes}, {slot} slots",
    "bk.rules.nights": "🌙 By the night, {max} at most",
    "bk.rules.longest": "⏱ {max} at most",
    "bk.rules.units": "👥 {capacity} places per slot",
    "bk.rules.window": "📆 Up to {days} days ahead, at least {notice} before",
    "bk.rules.quota": "🔁 {quota} booking(s) per week",
    "bk.rules.cancel": "↩️ Cancel up to {deadline} before the start",
    "bk.day.btn": "{weekday} {day}/{month}",
    "bk.day.btn_full": "{weekday} {day}/{month} ✖",
    "bk.day.full": "No slot left that you could book on {day}. Choose another day:",
    "bk.day.format": (
        "I did not understand that date. Type for example “tomorrow”, “monday”, “25/11” or “25/11/2026”, "
        "or choose a day with the buttons."
    ),
    "bk.day.past": "{day} is already over. Choose today or a day to come:",
    "bk.day.too_far": (
        "{day} is too far ahead: this space can be booked at most {days} days ahead, until {last}. Choose another day:"
    ),
    "bk.day.expected": "Choose a day with the buttons, or type a date (“tomorrow”, “25/11”…), or /cancel.",
    "bk.ask_slot": "📅 <b>{space}</b> — {day}\nChoose a slot:",
    "bk.ask_slot_units": "📅 <b>{space}</b> — {day}\nChoose a slot (free places in brackets):",
    "bk.slot.btn_units": "{time} ({free})",
    "bk.ask_duration": "📅 <b>{space}</b> — {when}\nFor how long?",
    "bk.ask_nights": "📅 <b>{space}</b> — arriving on {day}\nFor how many nights?",
    "bk.summary": (
        "📋 <b>Summary</b>\nSpace: <b>{space}</b>\nStart: {when}\nEnd: {end}\nDuration: {duration}\n\n"
        "You can cancel until {cancel_until}.\nShall I book it?"
    ),
    "bk.summary_nights": (
        "📋 <b>Summary</b>\nSpace: <b>{space}</b>\nArrival: {day}\nDeparture: {end_day}\nDuration: {duration}\n\n"
        "You can cancel until {cancel_until}.\nShall I book it?"
    ),
    "bk.btn.confirm": "✅ Confirm",
    "bk.btn.other_day": "📆 Another day",
    "bk.btn.other_space": "⬅️ Another space",
    "bk.btn.other_time": "⬅️ Another slot",
    "bk.btn.my": "🗓 My bookings",
    "bk.btn.book": "📅 Book",
    # --- outcome
    "bk.booked": (
        "✅ <b>Booked!</b>\n{space} — {when}, {duration}.\nYou can cancel until {cancel_until}, with /bookings."
    ),
    "bk.booked_nights": (
        "✅ <b>Booked!</b>\n{space} — from {day} to {end_day}, {duration}.\n"
        "You can cancel until {cancel_until}, with /bookings."
    ),
    "bk.booked.reminder": "\n⏰ I will send you a reminder before it starts.",
    "bk.ics.caption": "📎 The file to add this booking to your calendar.",
    "bk.refused": "⛔ <b>This booking is not possible.</b>\n{reason}",
    "bk.taken": "😕 <b>Too late:</b> someone has just taken the last place of this slot.",
    "bk.alternatives": "\n\nThese slots are possible:",
    "bk.no_alternative": "\n\nNo other slot nearby is possible: choose another day.",
    "bk.alt.btn": "{weekday} {day}/{month} {time} · {duration}",
    "bk.alt.btn_nights": "{weekday} {day}/{month} · {duration}",
    # --- the rules, one message each
    "bk.rule.past": "This slot is already over.",
    "bk.rule.slot_grid": "Bookings follow the slot grid: {slot}, starting at {opens}.",
    "bk.rule.opening_hours": "The space is open from {opens} to {closes}: the booking must fit in these hours.",
    "bk.rule.min_notice": "Bookings must be made at least {notice} ahead.",
    "bk.rule.max_advance": "You cannot book more than {days} days ahead (at the latest on {last}).",
    "bk.rule.max_duration": "The longest booking is {max}.",
    "bk.rule.overlap": "You already have a booking of this space at that time.",
    "bk.rule.weekly_quota": "You have reached the limit of {quota} booking(s) per week for this space.",
    "bk.rule.capacity": "This slot is full.",
    "bk.rule.cancel_deadline": (
        "Too late to cancel: bookings can be cancelled up to {deadline} before the start, that is until {until}."
    ),
    # --- my bookings
    "bk.my.title": "🗓 <b>My upcoming bookings</b> ({total})",
    "bk.my.line": "{n}. <b>{space}</b> — {when}, {duration}",
    "bk.my.line_nights": "{n}. <b>{space}</b> — from {day} to {end_day}, {duration}",
    "bk.my.empty": "🗓 You have no upcoming booking.",
    "bk.my.btn_cancel": "✖️ Cancel no. {n}",
    "bk.cancel.ask": "Cancel your booking of <b>{space}</b> on {when}?",
    "bk.cancel.yes": "Yes, cancel it",
    "bk.cancel.no": "No, keep it",
    "bk.cancel.done": "✅ Booking cancelled: <b>{space}</b>, {when}. The place is free again.",
    "bk.cancel.kept": "All right, your booking is kept.",
    "bk.cancel.already": "This booking is already cancelled.",
    "bk.cancel.refused": "⛔ <b>It cannot be cancelled.</b>\n{reason}",
    # --- refusals of the request itself
    "bk.gone": "This space or this booking no longer exists.",
    "bk.not_allowed": "You cannot do that: this space or this booking is not yours.",
    "bk.stale": "⌛ This button is no longer valid.",
    # --- notifications
    "bk.notify.guest_booked": (
        "🛏 {name} (apartment {apartment}) booked the <b>{space}</b> from {start} to {end} ({nights} night(s))."
    ),
    "bk.notify.guest_cancelled": (
        "🛏 {name} (apartment {apartment}) cancelled their booking of the <b>{space}</b> from {start} to {end}."
    ),
    # --- durations and dates
    "bk.dur.min": "{n} min",
    "bk.dur.h": "{h} h",
    "bk.dur.hm": "{h} h {m}",
    "bk.dur.night": "1 night",
    "bk.dur.nights": "{n} nights",
    "bk.date": "{weekday} {day} {month}",
    "bk.wd.0": "Mon",
    "bk.wd.1": "Tue",
    "bk.wd.2": "Wed",
    "bk.wd.3": "Thu",
    "bk.wd.4": "Fri",
    "bk.wd.5": "Sat",
    "bk.wd.6": "Sun",
}
