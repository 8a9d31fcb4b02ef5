"""Texts of the assistant: its answers (local engine), /assistant, forwarded questions and their answers."""

FR: dict[str, str] = {
    # --- answers of the local engine
    "ai.empty": "Écrivez-moi votre question ou ce dont vous avez besoin.",
    "ai.too_long": (
        "Votre message est un peu long ({length} caractères, {max} au plus). Pouvez-vous le dire plus brièvement ?"
    ),
    "ai.incident": (
        "🛠 Je peux préparer un signalement <b>{category}</b>. Touchez le bouton pour le vérifier : "
        "rien n'est envoyé avant votre confirmation."
    ),
    "ai.incident.ask": (
        "🛠 Vous voulez signaler un problème ? Touchez le bouton, je vous guide : "
        "rien n'est envoyé avant votre confirmation."
    ),
    "ai.book.no_spaces": "Votre résidence n'a pas d'espace à réserver pour le moment.",
    "ai.book.which": "📅 Quel espace voulez-vous réserver ? Votre résidence propose : {spaces}.",
    "ai.book.no_such_space": (
        "📅 Votre résidence n'a pas cet espace. Vous pouvez réserver : {spaces}. Touchez « Réserver » pour choisir."
    ),
    "ai.book.space": "📅 <b>{space}</b> : choisissez le jour.",
    "ai.book.past": "📅 Le {day} est déjà passé. Choisissez un autre jour :",
    "ai.book.too_far": (
        "📅 <b>{space}</b> se réserve au plus {days} jours à l'avance (jusqu'au {last}) : le {day} est trop loin. "
        "Choisissez un autre jour :"
    ),
    "ai.book.full": "📅 <b>{space}</b> est complet le {day}. Choisissez un autre jour :",
    "ai.book.free": (
        "📅 <b>{space}</b>, {day} à <b>{time}</b> : c'est libre. Touchez le créneau pour réserver "
        "(vous confirmerez ensuite)."
    ),
    "ai.book.nearest": (
        "📅 <b>{space}</b>, {day} : {time} n'est pas libre. Les créneaux libres les plus proches "
        "(vous confirmerez ensuite) :"
    ),
    "ai.book.options": "📅 <b>{space}</b>, {day} : les créneaux libres (vous confirmerez ensuite) :",
    "ai.events.none": "🎉 Aucun événement n'est prévu dans votre résidence pour le moment.",
    "ai.events.next": "🎉 Les prochains événements de votre résidence :",
    "ai.events.found": "🎉 Voici ce que j'ai trouvé pour « {query} » :",
    "ai.events.none_matching": "🎉 Je ne trouve pas d'événement « {query} » à venir. Les prochains :",
    "ai.events.line": "• <b>{title}</b> — {when}",
    "ai.open.market": "🛍 Le marché entre voisins : annonces à vendre, à donner, à prêter. C'est par ici :",
    "ai.open.account": "👤 Votre compte : profil, téléphone, langue, points et documents. C'est par ici :",
    "ai.open.my_bookings": "🗓 Vos réservations à venir, à consulter ou annuler :",
    "ai.open.my_incidents": "📋 Vos signalements et leur suivi :",
    "ai.open.help": "❓ Voici l'aide de LBA Bot :",
    "ai.greeting": "👋 Bonjour {name} ! Je suis l'assistant de votre résidence.",
    "ai.thanks": "😊 Avec plaisir, {name} !",
    "ai.examples": (
        "\n\nÉcrivez-moi comme vous parleriez, par exemple :\n"
        "• « Il y a une fuite sous mon évier »\n"
        "• « Je veux réserver la laverie demain à 10h »\n"
        "• « C'est quand le prochain loto ? »\n"
        "• « À quelle heure ouvre la salle de sport ? »"
    ),
    "ai.kb": "{answer}",
    "ai.source": "\n\n📚 Source : <i>{question}</i>",
    "ai.see_also": "\n\n🔎 Voir aussi :",
    "ai.see_also.line": "\n• {question}",
    "ai.question": (
        "🤔 Je ne trouve pas la réponse dans les informations de la résidence. "
        "Je peux transmettre votre question aux gestionnaires : ils vous répondront ici."
    ),
    "ai.unknown": (
        "🤔 Je n'ai pas compris. Je peux transmettre votre message aux gestionnaires, ou vous pouvez utiliser le menu."
    ),
    "ai.fallback.timeout": "\n\n<i>(Réponse de l'assistant hors ligne : le service d'IA n'a pas répondu à temps.)</i>",
    "ai.fallback.error": "\n\n<i>(Réponse de l'assistant hors ligne : le service d'IA est indisponible.)</i>",
    "ai.fallback.budget": "\n\n<i>(Réponse de l'assistant hors ligne : votre crédit d'IA du jour est épuisé.)</i>",
    # --- buttons
    "ai.btn.incident": "🛠 Signaler : {category}",
    "ai.btn.incident_plain": "🛠 Signaler un problème",
    "ai.btn.event": "🎉 {title}",
    "ai.btn.day": "📅 Tous les créneaux du {day}",
    "ai.btn.space": "📅 Réserver : {space}",
    "ai.btn.ask_manager": "📨 Poser la question au gestionnaire",
    "ai.btn.forget": "🗑 Oublier mes échanges",
    "ai.btn.reply": "✍️ Répondre",
    "ai.btn.to_faq": "➕ Ajouter à la FAQ",
    # --- /assistant
    "ai.intro": (
        "💬 <b>L'assistant de la résidence</b>\n"
        "Écrivez-moi ici, à tout moment en dehors d'une démarche : je réponds avec les informations de votre "
        "résidence (horaires, règles, contacts…), je prépare un signalement ou une réservation, je retrouve "
        "un événement. Je n'enregistre rien sans que vous ayez confirmé."
    ),
    "ai.intro.openai": "\n\n🧠 Moteur : IA en ligne (avec repli hors ligne si elle ne répond pas).",
    "ai.intro.local": "\n\n🧠 Moteur : hors ligne (rien ne quitte le serveur de la résidence).",
    "ai.intro.forget": "\n\n/assistant oublier efface l'historique de nos échanges.",
    "ai.forgot": "🗑 C'est fait : {count} message(s) de nos échanges effacé(s).",
    "ai.staff.title": "\n\n📨 <b>Questions transmises en attente</b> ({count}) :",
    "ai.staff.line": "\n{n}. {name} ({apartment}), {when} :\n<i>{question}</i>",
    "ai.staff.none": "\n\n📨 Aucune question transmise en attente.",
    "ai.staff.btn": "✍️ Répondre à la question {n}",
    # --- forwarding and answering
    "ai.forward.done": "📨 C'est transmis aux gestionnaires de la résidence. Leur réponse arrivera ici.",
    "ai.forward.already": "📨 Cette question a déjà été transmise : la réponse arrivera ici.",
    "ai.forward.no_residence": "Votre compte n'est rattaché à aucune résidence : je ne peux rien transmettre.",
    "ai.gone": "⌛ Ce message n'est plus disponible (l'historique a peut-être été effacé).",
    "ai.not_allowed": "⛔ Seuls les gestionnaires de cette résidence peuvent faire cela.",
    "ai.q.new": "📨 <b>Question d'un résident</b>\n{name} ({apartment}) demande :\n<i>{question}</i>",
    "ai.q.answered": (
        "📨 <b>Réponse des gestionnaires</b>\nVotre question : <i>{question}</i>\n\n{answer}\n\n— {name}"
    ),
    "ai.reply.ask": ("✍️ Votre réponse à {name} ({min} à {max} caractères), ou /annuler :\n<i>{question}</i>"),
    "ai.reply.sent": "✅ Réponse envoyée à {name}. L'ajouter à la FAQ de la résidence ?",
    "ai.reply.already": "Cette question a déjà reçu une réponse.",
    "ai.faq.added": "➕ Ajouté à la FAQ de la résidence : l'assistant saura répondre la prochaine fois.",
    "ai.faq.already": "Cette question est déjà dans la FAQ.",
    "ai.faq.failed": "Impossible de l'ajouter à la FAQ ({reason}).",
}

EN: dict[str, str] = {
    # --- answers of the local engine
    "ai.empty": "Write me your question or what you need.",
    "ai.too_long": "Your message is a little long ({length} characters, {max} at most). Could you put it more briefly?",
    "ai.incident": (
        "🛠 I can prepare a <b>{category}</b> report. Tap the button to check it: nothing is sent before you confirm."
    ),
    "ai.incident.ask": (
        "🛠 Do you want to report a problem? Tap the button and I will guide you: nothing is sent before you confirm."
    ),
    "ai.book.no_spaces": "Your residence has no space to book at the moment.",
    "ai.book.which": "📅 Which space would you like to book? Your residence has: {spaces}.",
    "ai.book.no_such_space": "📅 Your residence has no such space. You can book: {spaces}. Tap « Book » to choose.",
    "ai.book.space": "📅 <b>{space}</b>: choose the day.",
    "ai.book.past": "📅 {day} has already gone. Choose another day:",
    "ai.book.too_far": (
        "📅 <b>{space}</b> can be booked at most {days} days ahead (until {last}): {day} is too far. "
        "Choose another day:"
    ),
    "ai.book.full": "📅 <b>{space}</b> is fully booked on {day}. Choose another day:",
    "ai.book.free": "📅 <b>{space}</b>, {day} at <b>{time}</b>: it is free. Tap the slot to book (you confirm next).",
    "ai.book.nearest": "📅 <b>{space}</b>, {day}: {time} is not free. The nearest free slots (you confirm next):",
    "ai.book.options": "📅 <b>{space}</b>, {day}: the free slots (you confirm next):",
    "ai.events.none": "🎉 No event is planned in your residence at the moment.",
    "ai.events.next": "🎉 The next events of your residence:",
    "ai.events.found": "🎉 Here is what I found for « {query} »:",
    "ai.events.none_matching": "🎉 I find no upcoming « {query} » event. The next ones:",
    "ai.events.line": "• <b>{title}</b> — {when}",
    "ai.open.market": "🛍 The neighbours' market: things to sell, give or lend. This way:",
    "ai.open.account": "👤 Your account: profile, phone, language, points and documents. This way:",
    "ai.open.my_bookings": "🗓 Your upcoming bookings, to see or cancel:",
    "ai.open.my_incidents": "📋 Your reports and how they are going:",
    "ai.open.help": "❓ Here is LBA Bot's help:",
    "ai.greeting": "👋 Hello {name}! I am your residence's assistant.",
    "ai.thanks": "😊 You are welcome, {name}!",
    "ai.examples": (
        "\n\nWrite to me as you would speak, for example:\n"
        "• « There is a leak under my sink »\n"
        "• « I want to book the laundry tomorrow at 10am »\n"
        "• « When is the next bingo? »\n"
        "• « What time does the gym open? »"
    ),
    "ai.kb": "{answer}",
    "ai.source": "\n\n📚 Source: <i>{question}</i>",
    "ai.see_also": "\n\n🔎 See also:",
    "ai.see_also.line": "\n• {question}",
    "ai.question": (
        "🤔 I cannot find the answer in the residence's information. "
        "I can pass your question on to the managers: they will answer you here."
    ),
    "ai.unknown": "🤔 I did not understand. I can pass your message on to the managers, or you can use the menu.",
    "ai.fallback.timeout": "\n\n<i>(Answered by the offline assistant: the AI service did not answer in time.)</i>",
    "ai.fallback.error": "\n\n<i>(Answered by the offline assistant: the AI service is unavailable.)</i>",
    "ai.fallback.budget": "\n\n<i>(Answered by the offline assistant: your AI allowance for today is used up.)</i>",
    # --- buttons
    "ai.btn.incident": "🛠 Report: {category}",
    "ai.btn.incident_plain": "🛠 Report a problem",
    "ai.btn.event": "🎉 {title}",
    "ai.btn.day": "📅 All slots on {day}",
    "ai.btn.space": "📅 Book: {space}",
    "ai.btn.ask_manager": "📨 Ask the manager",
    "ai.btn.forget": "🗑 Forget our exchanges",
    "ai.btn.reply": "✍️ Answer",
    "ai.btn.to_faq": "➕ Add to the FAQ",
    # --- /assistant
    "ai.intro": (
        "💬 <b>The residence's assistant</b>\n"
        "Write to me here, any time you are not in the middle of something: I answer with your residence's "
        "information (opening hours, rules, contacts…), prepare a report or a booking, find an event. "
        "I record nothing until you have confirmed."
    ),
    "ai.intro.openai": "\n\n🧠 Engine: online AI (with the offline engine when it does not answer).",
    "ai.intro.local": "\n\n🧠 Engine: offline (nothing leaves the residence's server).",
    "ai.intro.forget": "\n\n/assistant forget clears the history of our exchanges.",
    "ai.forgot": "🗑 Done: {count} message(s) of our exchanges deleted.",
    "ai.staff.title": "\n\n📨 <b>Forwarded questions waiting</b> ({count}):",
    "ai.staff.line": "\n{n}. {name} ({apartment}), {when}:\n<i>{question}</i>",
    "ai.staff.none": "\n\n📨 No forwarded question waiting.",
    "ai.staff.btn": "✍️ Answer question {n}",
    # --- forwarding and answering
    "ai.forward.done": "📨 Passed on to the residence's managers. Their answer will arrive here.",
    "ai.forward.already": "📨 This question was already passed on: the answer will arrive here.",
    "ai.forward.no_residence": "Your account belongs to no residence: I cannot pass anything on.",
    "ai.gone": "⌛ This message is no longer available (the history may have been cleared).",
    "ai.not_allowed": "⛔ Only this residence's managers can do that.",
    "ai.q.new": "📨 <b>A resident's question</b>\n{name} ({apartment}) asks:\n<i>{question}</i>",
    "ai.q.answered": "📨 <b>The managers' answer</b>\nYour question: <i>{question}</i>\n\n{answer}\n\n— {name}",
    "ai.reply.ask": "✍️ Your answer to {name} ({min} to {max} characters), or /cancel:\n<i>{question}</i>",
    "ai.reply.sent": "✅ Answer sent to {name}. Add it to the residence's FAQ?",
    "ai.reply.already": "This question has already been answered.",
    "ai.faq.added": "➕ Added to the residence's FAQ: the assistant will know the answer next time.",
    "ai.faq.already": "This question is already in the FAQ.",
    "ai.faq.failed": "It could not be added to the FAQ ({reason}).",
}
