"""Textes des statistiques (/stats) pour les gestionnaires : choix, résumé, graphiques, export CSV.

The `st.chart.*`, `st.cat.*`, `st.status.*` and `st.csv.*` texts are drawn on images or written into
the CSV file: plain text only, no HTML, no emoji (the charts' font has none).
"""

FR: dict[str, str] = {
    "st.not_staff": (
        "📊 Les statistiques sont réservées aux gestionnaires de résidence. "
        "Pour toute question, adressez-vous à votre gestionnaire."
    ),
    "st.not_yours": "⛔ Vous ne pouvez consulter que les statistiques de votre résidence.",
    "st.expired": "⌛ Ce menu a expiré. Voici les statistiques à jour :",
    "st.expired.alert": "⌛ Ce menu a expiré",
    # --- choix
    "st.scope.ask": "📊 <b>Statistiques</b>\nPour quelle résidence ?",
    "st.scope.all": "🌐 Tout le réseau",
    "st.network": "tout le réseau",
    "st.period.ask": (
        "📊 <b>Statistiques — {scope}</b>\nSur quelle période ? Jusqu'à aujourd'hui inclus, à l'heure de la résidence."
    ),
    "st.period.7d": "7 jours",
    "st.period.30d": "30 jours",
    "st.period.90d": "90 jours",
    "st.period.12m": "12 mois",
    "st.period.custom": "📆 Autre période",
    "st.btn.scopes": "⬅️ Résidences",
    # --- période saisie
    "st.custom.ask": (
        "📆 <b>Autre période — {scope}</b>\n"
        "Écrivez les dates de début et de fin, par exemple <code>01/10/2026 - 31/10/2026</code> "
        "ou <code>du 1/10 au 15/10</code> ; un seul jour : <code>12/10/2026</code> ; "
        "un mois : <code>10/2026</code>.\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "st.custom.format": (
        "Je n'ai pas compris cette période. Exemples : <code>01/10/2026 - 31/10/2026</code>, "
        "<code>du 1/10 au 15/10</code>, <code>10/2026</code>. Réessayez :"
    ),
    "st.custom.order": "La date de début est après la date de fin. Réessayez :",
    "st.custom.future": "La période ne peut pas dépasser aujourd'hui ({today}). Réessayez :",
    "st.custom.too_long": "C'est trop long : {max} jours au plus. Réessayez :",
    "st.custom.expected_text": "J'attends la période, écrite en texte. Réessayez, ou /annuler.",
    # --- résumé
    "st.summary.title": "📊 <b>Statistiques — {scope}</b>",
    "st.summary.range": "Du {first} au {last} ({days} jours)",
    "st.summary.range_one": "Le {first}",
    "st.summary.empty": (
        "😴 Rien à signaler sur cette période : aucun incident, aucune réservation, aucun événement, "
        "aucun résident actif. Pas de graphique ni d'export."
    ),
    "st.summary.incidents": "🛠 <b>Incidents signalés :</b> {count}",
    "st.summary.by_status": "Par statut : {items}",
    "st.summary.by_category": "Par catégorie : {items}",
    "st.summary.item": "{label} {count}",
    "st.summary.take": "⏱ Prise en charge (médiane) : <b>{hours} h</b> sur {count} incident(s)",
    "st.summary.take_none": "⏱ Prise en charge : aucun incident pris en charge sur la période",
    "st.summary.resolve": "✅ Résolution (médiane) : <b>{hours} h</b> sur {count} incident(s)",
    "st.summary.resolve_none": "✅ Résolution : aucun incident résolu sur la période",
    "st.summary.urgent": "🚨 Urgents ouverts en ce moment : <b>{count}</b>",
    "st.summary.ratings": "⭐ Satisfaction : <b>{average}/5</b> sur {count} avis ({items})",
    "st.summary.ratings_none": "⭐ Satisfaction : aucun avis sur la période",
    "st.summary.spaces": "📅 <b>Occupation des espaces</b>",
    "st.summary.space": "{space} : <b>{rate}</b> ({booked} h sur {bookable} h)",
    "st.summary.spaces_more": "… et {count} autre(s) espace(s) dans l'export CSV",
    "st.summary.no_spaces": "Aucun espace réservable.",
    "st.summary.events": (
        "🎉 <b>Événements :</b> {held} tenu(s) · {registered} inscrit(s) · {attended} présent(s) · remplissage {fill}"
    ),
    "st.summary.events_none": "🎉 <b>Événements :</b> aucun sur la période",
    "st.summary.active": "👥 <b>Résidents actifs :</b> {active} sur {total}",
    "st.summary.none": "—",
    "st.photo.caption": "📈 {scope} · {range}",
    "st.csv.caption": "📎 Export CSV — {scope} · {range}\nUne autre période ?",
    "st.date": "{day} {month} {year}",
    # --- graphiques et export (texte brut)
    "st.chart.categories": "Incidents par catégorie",
    "st.chart.statuses": "Incidents par statut",
    "st.chart.occupancy": "Occupation des espaces",
    "st.chart.ratings": "Notes de satisfaction",
    "st.chart.events": "Événements",
    "st.chart.hours": "{booked} h / {bookable} h",
    "st.cat.plumbing": "Plomberie",
    "st.cat.electricity": "Électricité",
    "st.cat.heating": "Chauffage",
    "st.cat.elevator": "Ascenseur",
    "st.cat.locksmith": "Serrurerie",
    "st.cat.common_areas": "Parties communes",
    "st.cat.noise": "Nuisances",
    "st.cat.other": "Autre",
    "st.status.new": "Nouveau",
    "st.status.taken": "Pris en charge",
    "st.status.in_progress": "En cours",
    "st.status.resolved": "Résolu",
    "st.status.rejected": "Refusé",
    "st.status.withdrawn": "Retiré",
    "st.file.network": "reseau",
    "st.csv.section": "Rubrique",
    "st.csv.label": "Libellé",
    "st.csv.value": "Valeur",
    "st.csv.s.period": "Période",
    "st.csv.scope": "Périmètre",
    "st.csv.first": "Premier jour",
    "st.csv.last": "Dernier jour",
    "st.csv.days": "Jours",
    "st.csv.s.incidents": "Incidents",
    "st.csv.reported": "Signalés sur la période",
    "st.csv.open_urgent": "Urgents ouverts (maintenant)",
    "st.csv.s.status": "Incidents par statut",
    "st.csv.s.category": "Incidents par catégorie",
    "st.csv.s.delays": "Délais (heures)",
    "st.csv.take_median": "Prise en charge, médiane",
    "st.csv.taken": "Incidents pris en charge",
    "st.csv.resolve_median": "Résolution, médiane",
    "st.csv.resolved": "Incidents résolus",
    "st.csv.s.ratings": "Satisfaction",
    "st.csv.ratings": "Avis",
    "st.csv.average": "Note moyenne",
    "st.csv.score": "Note {score}",
    "st.csv.s.occupancy": "Occupation des espaces (%)",
    "st.csv.s.booked": "Heures réservées",
    "st.csv.s.bookable": "Heures réservables",
    "st.csv.s.events": "Événements",
    "st.csv.held": "Tenus",
    "st.csv.registered": "Inscrits",
    "st.csv.attended": "Présents",
    "st.csv.capacity": "Places offertes",
    "st.csv.fill": "Taux de remplissage (%)",
    "st.csv.s.residents": "Résidents",
    "st.csv.active": "Actifs sur la période",
    "st.csv.total": "Comptes résidents",
}

EN: dict[str, str] = {
    "st.not_staff": ("📊 Statistics are for residence managers only. If you have a question, please ask your manager."),
    "st.not_yours": "⛔ You can only see the statistics of your own residence.",
    "st.expired": "⌛ This menu has expired. Here are the statistics again:",
    "st.expired.alert": "⌛ This menu has expired",
    # --- choices
    "st.scope.ask": "📊 <b>Statistics</b>\nWhich residence?",
    "st.scope.all": "🌐 Whole network",
    "st.network": "the whole network",
    "st.period.ask": (
        "📊 <b>Statistics — {scope}</b>\nOver which period? Up to and including today, in the residence's time."
    ),
    "st.period.7d": "7 days",
    "st.period.30d": "30 days",
    "st.period.90d": "90 days",
    "st.period.12m": "12 months",
    "st.period.custom": "📆 Other period",
    "st.btn.scopes": "⬅️ Residences",
    # --- typed period
    "st.custom.ask": (
        "📆 <b>Other period — {scope}</b>\n"
        "Type the first and last days, for example <code>01/10/2026 - 31/10/2026</code> "
        "or <code>from 1/10 to 15/10</code> (day/month); a single day: <code>12/10/2026</code>; "
        "a month: <code>10/2026</code>.\n"
        "<i>/cancel to stop.</i>"
    ),
    "st.custom.format": (
        "I could not read this period. Examples: <code>01/10/2026 - 31/10/2026</code>, "
        "<code>from 1/10 to 15/10</code>, <code>10/2026</code>. Please try again:"
    ),
    "st.custom.order": "The first day is after the last one. Please try again:",
    "st.custom.future": "The period cannot go beyond today ({today}). Please try again:",
    "st.custom.too_long": "That is too long: {max} days at most. Please try again:",
    "st.custom.expected_text": "I am waiting for the period, typed as text. Try again, or /cancel.",
    # --- summary
    "st.summary.title": "📊 <b>Statistics — {scope}</b>",
    "st.summary.range": "From {first} to {last} ({days} days)",
    "st.summary.range_one": "On {first}",
    "st.summary.empty": (
        "😴 Nothing to report for this period: no incident, no booking, no event, no active resident. "
        "No chart or export."
    ),
    "st.summary.incidents": "🛠 <b>Incidents reported:</b> {count}",
    "st.summary.by_status": "By status: {items}",
    "st.summary.by_category": "By category: {items}",
    "st.summary.item": "{label} {count}",
    "st.summary.take": "⏱ Taking charge (median): <b>{hours} h</b> over {count} incident(s)",
    "st.summary.take_none": "⏱ Taking charge: no incident taken on in the period",
    "st.summary.resolve": "✅ Resolution (median): <b>{hours} h</b> over {count} incident(s)",
    "st.summary.resolve_none": "✅ Resolution: no incident resolved in the period",
    "st.summary.urgent": "🚨 Urgent incidents open right now: <b>{count}</b>",
    "st.summary.ratings": "⭐ Satisfaction: <b>{average}/5</b> from {count} rating(s) ({items})",
    "st.summary.ratings_none": "⭐ Satisfaction: no rating in the period",
    "st.summary.spaces": "📅 <b>Space occupancy</b>",
    "st.summary.space": "{space}: <b>{rate}</b> ({booked} h of {bookable} h)",
    "st.summary.spaces_more": "… and {count} more space(s) in the CSV export",
    "st.summary.no_spaces": "No bookable space.",
    "st.summary.events": (
        "🎉 <b>Events:</b> {held} held · {registered} registered · {attended} attended · {fill} filled"
    ),
    "st.summary.events_none": "🎉 <b>Events:</b> none in the period",
    "st.summary.active": "👥 <b>Active residents:</b> {active} of {total}",
    "st.summary.none": "—",
    "st.photo.caption": "📈 {scope} · {range}",
    "st.csv.caption": "📎 CSV export — {scope} · {range}\nAnother period?",
    "st.date": "{day} {month} {year}",
    # --- charts and export (plain text)
    "st.chart.categories": "Incidents by category",
    "st.chart.statuses": "Incidents by status",
    "st.chart.occupancy": "Space occupancy",
    "st.chart.ratings": "Satisfaction ratings",
    "st.chart.events": "Events",
    "st.chart.hours": "{booked} h / {bookable} h",
    "st.cat.plumbing": "Plumbing",
    "st.cat.electricity": "Electricity",
    "st.cat.heating": "Heating",
    "st.cat.elevator": "Lift",
    "st.cat.locksmith": "Locks",
    "st.cat.common_areas": "Common areas",
    "st.cat.noise": "Noise",
    "st.cat.other": "Other",
    "st.status.new": "New",
    "st.status.taken": "Taken on",
    "st.status.in_progress": "In progress",
    "st.status.resolved": "Resolved",
    "st.status.rejected": "Rejected",
    "st.status.withdrawn": "Withdrawn",
    "st.file.network": "network",
    "st.csv.section": "Section",
    "st.csv.label": "Label",
    "st.csv.value": "Value",
    "st.csv.s.period": "Period",
    "st.csv.scope": "Scope",
    "st.csv.first": "First day",
    "st.csv.last": "Last day",
    "st.csv.days": "Days",
    "st.csv.s.incidents": "Incidents",
    "st.csv.reported": "Reported in the period",
    "st.csv.open_urgent": "Urgent and open (now)",
    "st.csv.s.status": "Incidents by status",
    "st.csv.s.category": "Incidents by category",
    "st.csv.s.delays": "Delays (hours)",
    "st.csv.take_median": "Taking charge, median",
    "st.csv.taken": "Incidents taken on",
    "st.csv.resolve_median": "Resolution, median",
    "st.csv.resolved": "Incidents resolved",
    "st.csv.s.ratings": "Satisfaction",
    "st.csv.ratings": "Ratings",
    "st.csv.average": "Average rating",
    "st.csv.score": "Rating {score}",
    "st.csv.s.occupancy": "Space occupancy (%)",
    "st.csv.s.booked": "Booked hours",
    "st.csv.s.bookable": "Bookable hours",
    "st.csv.s.events": "Events",
    "st.csv.held": "Held",
    "st.csv.registered": "Registered",
    "st.csv.attended": "Attended",
    "st.csv.capacity": "Seats offered",
    "st.csv.fill": "Fill rate (%)",
    "st.csv.s.residents": "Residents",
    "st.csv.active": "Active in the period",
    "st.csv.total": "Resident accounts",
}
