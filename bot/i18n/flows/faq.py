"""Texts of /faq: the residence's knowledge base (reading it; managers adding, editing and deleting entries)."""

FR: dict[str, str] = {
    # --- thèmes (services.knowledge.TOPICS)
    "faq.topic.horaires": "🕒 Horaires",
    "faq.topic.regles": "📏 Règles",
    "faq.topic.contacts": "☎️ Contacts",
    "faq.topic.services": "🛎 Services",
    "faq.topic.dechets": "♻️ Déchets",
    "faq.topic.visiteurs": "👪 Visiteurs",
    "faq.topic.loyer": "💶 Loyer",
    "faq.topic.securite": "🚨 Sécurité",
    "faq.topic.general": "📌 Général",
    # --- lecture
    "faq.network": "Tout le réseau",
    "faq.pick": "📚 <b>Questions fréquentes</b>\nQuelle base de connaissances ?",
    "faq.home": "📚 <b>Questions fréquentes — {residence}</b>\n{total} réponse(s). Choisissez un thème :",
    "faq.home.empty": "📚 <b>Questions fréquentes — {residence}</b>\nAucune réponse pour l'instant.",
    "faq.home.hint": "<i>Vous pouvez aussi m'écrire votre question directement.</i>",
    "faq.home.staff_hint": "<i>« ➕ Ajouter » crée une réponse ; ouvrez-en une pour la modifier.</i>",
    "faq.topic_count": "{topic} ({count})",
    "faq.page": "📚 <b>{topic}</b> — {residence}\nPage {page}/{pages}",
    "faq.page.empty": "Aucune réponse dans ce thème.",
    "faq.line": "{number}. {question}",
    "faq.page.hint": "Touchez une question pour lire sa réponse.",
    "faq.entry": "❓ <b>{question}</b>\n\n{answer}\n\n<i>{topic} · {source}</i>",
    "faq.entry.staff": ("\n\n<i>Version anglaise : {english} · mots-clés : {keywords}\nMise à jour : {updated}</i>"),
    "faq.yes": "oui",
    "faq.no": "non",
    "faq.none": "—",
    # --- boutons
    "faq.btn.add": "➕ Ajouter",
    "faq.btn.delete": "🗑 Supprimer",
    "faq.btn.other": "🏘 Autre résidence",
    "faq.btn.network": "🌐 Tout le réseau",
    "faq.btn.save": "💾 Enregistrer",
    "faq.btn.confirm_delete": "🗑 Oui, supprimer",
    "faq.btn.keep": "Non, garder",
    "faq.btn.clear": "🧹 Effacer",
    "faq.btn.topics": "📚 Thèmes",
    # --- champs
    "faq.field.tp": "Thème",
    "faq.field.qfr": "Question (français)",
    "faq.field.afr": "Réponse (français)",
    "faq.field.qen": "Question (anglais)",
    "faq.field.aen": "Réponse (anglais)",
    "faq.field.kw": "Mots-clés",
    # --- ajout
    "faq.add.residence": "➕ <b>Nouvelle réponse</b>\nPour quelle résidence ?",
    "faq.add.topic": "➕ <b>Nouvelle réponse</b> — {residence}\nDans quel thème ?",
    "faq.add.topic_chosen": "➕ <b>Nouvelle réponse</b> — {residence}\nThème : {topic}",
    "faq.add.question_fr": (
        "Quelle est la question, en français ? ({min} à {max} caractères)\n"
        "Par exemple : <i>À quelle heure ouvre la piscine ?</i>\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "faq.add.answer_fr": "Et la réponse, en français ? ({min} à {max} caractères)",
    "faq.add.question_en": (
        "La même question en anglais ? Sinon, touchez « Passer » : la version française sera montrée."
    ),
    "faq.add.answer_en": "La réponse en anglais ? Sinon, « Passer » : la réponse française sera montrée.",
    "faq.add.keywords": (
        "Des mots-clés pour que l'assistant la retrouve, séparés par des espaces ? "
        "Par exemple : <i>piscine baignade bassin</i>. Sinon, « Passer »."
    ),
    "faq.add.summary": (
        "➕ <b>Nouvelle réponse — vérifiez avant d'enregistrer</b>\n\n"
        "<b>Où :</b> {residence}\n"
        "<b>Thème :</b> {topic}\n"
        "<b>Question :</b> {question_fr}\n"
        "<b>Réponse :</b> {answer_fr}\n"
        "<b>Question (anglais) :</b> {question_en}\n"
        "<b>Réponse (anglais) :</b> {answer_en}\n"
        "<b>Mots-clés :</b> {keywords}"
    ),
    "faq.add.saved": "✅ Réponse enregistrée.",
    "faq.add.invalid": "Une des valeurs n'est plus acceptée. Recommencez avec « ➕ Ajouter ».",
    "faq.expected_text": "J'attends un texte écrit. Réessayez, ou /annuler.",
    "faq.expected_text_or_skip": "J'attends un texte écrit, ou « Passer ». Réessayez, ou /annuler.",
    # --- modification
    "faq.edit.choose": "✏️ <b>Modifier</b> — {question}\nQue voulez-vous changer ?",
    "faq.edit.ask": (
        "✏️ <b>{field}</b>\nActuellement :\n<blockquote>{current}</blockquote>\n"
        "Écrivez la nouvelle valeur ({min} à {max} caractères) :\n<i>/annuler pour arrêter.</i>"
    ),
    "faq.edit.ask_optional": (
        "✏️ <b>{field}</b>\nActuellement :\n<blockquote>{current}</blockquote>\n"
        "Écrivez la nouvelle valeur ({min} à {max} caractères), ou « Effacer » pour la retirer :\n"
        "<i>/annuler pour arrêter.</i>"
    ),
    "faq.edit.topic": "✏️ <b>Thème</b> — actuellement {topic}.\nQuel nouveau thème ?",
    "faq.edit.saved": "✅ Modification enregistrée.",
    # --- suppression
    "faq.delete.confirm": (
        "🗑 <b>Supprimer cette réponse ?</b>\n{question}\n\nElle ne sera plus proposée aux résidents ni par l'assistant."
    ),
    "faq.deleted": "🗑 Réponse supprimée : {question}",
    # --- refus
    "faq.not_allowed": "🔒 Seuls les gestionnaires de la résidence peuvent modifier sa base de connaissances.",
    "faq.forbidden": "🔒 Cette base de connaissances n'est pas celle de votre résidence.",
    "faq.gone": "Cette réponse n'existe plus. Voici les thèmes à jour :",
    "faq.no_residence": (
        "Votre compte n'est rattaché à aucune résidence : la base de connaissances n'est pas disponible. "
        "Contactez votre gestionnaire."
    ),
}

EN: dict[str, str] = {
    # --- topics
    "faq.topic.horaires": "🕒 Opening hours",
    "faq.topic.regles": "📏 Rules",
    "faq.topic.contacts": "☎️ Contacts",
    "faq.topic.services": "🛎 Services",
    "faq.topic.dechets": "♻️ Waste",
    "faq.topic.visiteurs": "👪 Visitors",
    "faq.topic.loyer": "💶 Rent",
    "faq.topic.securite": "🚨 Safety",
    "faq.topic.general": "📌 General",
    # --- reading
    "faq.network": "The whole network",
    "faq.pick": "📚 <b>Frequent questions</b>\nWhich knowledge base?",
    "faq.home": "📚 <b>Frequent questions — {residence}</b>\n{total} answer(s). Choose a topic:",
    "faq.home.empty": "📚 <b>Frequent questions — {residence}</b>\nNo answers yet.",
    "faq.home.hint": "<i>You can also just write your question to me.</i>",
    "faq.home.staff_hint": "<i>“➕ Add” creates an answer; open one to edit it.</i>",
    "faq.topic_count": "{topic} ({count})",
    "faq.page": "📚 <b>{topic}</b> — {residence}\nPage {page}/{pages}",
    "faq.page.empty": "No answers in this topic.",
    "faq.line": "{number}. {question}",
    "faq.page.hint": "Tap a question to read its answer.",
    "faq.entry": "❓ <b>{question}</b>\n\n{answer}\n\n<i>{topic} · {source}</i>",
    "faq.entry.staff": "\n\n<i>English version: {english} · keywords: {keywords}\nUpdated: {updated}</i>",
    "faq.yes": "yes",
    "faq.no": "no",
    "faq.none": "—",
    # --- buttons
    "faq.btn.add": "➕ Add",
    "faq.btn.delete": "🗑 Delete",
    "faq.btn.other": "🏘 Another residence",
    "faq.btn.network": "🌐 The whole network",
    "faq.btn.save": "💾 Save",
    "faq.btn.confirm_delete": "🗑 Yes, delete",
    "faq.btn.keep": "No, keep it",
    "faq.btn.clear": "🧹 Clear",
    "faq.btn.topics": "📚 Topics",
    # --- fields
    "faq.field.tp": "Topic",
    "faq.field.qfr": "Question (French)",
    "faq.field.afr": "Answer (French)",
    "faq.field.qen": "Question (English)",
    "faq.field.aen": "Answer (English)",
    "faq.field.kw": "Keywords",
    # --- adding
    "faq.add.residence": "➕ <b>New answer</b>\nFor which residence?",
    "faq.add.topic": "➕ <b>New answer</b> — {residence}\nIn which topic?",
    "faq.add.topic_chosen": "➕ <b>New answer</b> — {residence}\nTopic: {topic}",
    "faq.add.question_fr": (
        "What is the question, in French? ({min} to {max} characters)\n"
        "For example: <i>À quelle heure ouvre la piscine ?</i>\n"
        "<i>/cancel to stop.</i>"
    ),
    "faq.add.answer_fr": "And the answer, in French? ({min} to {max} characters)",
    "faq.add.question_en": "The same question in English? Otherwise tap “Skip”: the French version will be shown.",
    "faq.add.answer_en": "The answer in English? Otherwise “Skip”: the French answer will be shown.",
    "faq.add.keywords": (
        "Keywords that help the assistant find it, separated by spaces? "
        "For example: <i>pool swimming piscine</i>. Otherwise “Skip”."
    ),
    "faq.add.summary": (
        "➕ <b>New answer — check before saving</b>\n\n"
        "<b>Where:</b> {residence}\n"
        "<b>Topic:</b> {topic}\n"
        "<b>Question:</b> {question_fr}\n"
        "<b>Answer:</b> {answer_fr}\n"
        "<b>Question (English):</b> {question_en}\n"
        "<b>Answer (English):</b> {answer_en}\n"
        "<b>Keywords:</b> {keywords}"
    ),
    "faq.add.saved": "✅ Answer saved.",
    "faq.add.invalid": "One of the values is no longer accepted. Start again with “➕ Add”.",
    "faq.expected_text": "I am waiting for a written text. Try again, or /cancel.",
    "faq.expected_text_or_skip": "I am waiting for a written text, or “Skip”. Try again, or /cancel.",
    # --- editing
    "faq.edit.choose": "✏️ <b>Edit</b> — {question}\nWhat do you want to change?",
    "faq.edit.ask": (
        "✏️ <b>{field}</b>\nNow:\n<blockquote>{current}</blockquote>\n"
        "Write the new value ({min} to {max} characters):\n<i>/cancel to stop.</i>"
    ),
    "faq.edit.ask_optional": (
        "✏️ <b>{field}</b>\nNow:\n<blockquote>{current}</blockquote>\n"
        "Write the new value ({min} to {max} characters), or “Clear” to remove it:\n<i>/cancel to stop.</i>"
    ),
    "faq.edit.topic": "✏️ <b>Topic</b> — now {topic}.\nWhich new topic?",
    "faq.edit.saved": "✅ Change saved.",
    # --- deleting
    "faq.delete.confirm": (
        "🗑 <b>Delete this answer?</b>\n{question}\n\nResidents and the assistant will no longer offer it."
    ),
    "faq.deleted": "🗑 Answer deleted: {question}",
    # --- refusals
    "faq.not_allowed": "🔒 Only the residence's managers can change its knowledge base.",
    "faq.forbidden": "🔒 This knowledge base is not your residence's.",
    "faq.gone": "This answer no longer exists. Here are the topics as they are now:",
    "faq.no_residence": (
        "Your account belongs to no residence: the knowledge base is not available. Contact your manager."
    ),
}
