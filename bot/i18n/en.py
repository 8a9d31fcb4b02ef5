"""English catalog."""

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DATETIME_FORMAT = "{weekday} {day} {month} at {time}"

MESSAGES: dict[str, str] = {
    "welcome": (
        "👋 Hello {name}, and welcome to <b>LBA Bot</b>, the assistant of the "
        "<i>Les Belles Années</i> residences.\n\n"
        "To begin, link your account:\n"
        "• with the <b>invitation link</b> your manager gave you;\n"
        "• or with your <b>e-mail and password</b>: /login\n\n"
        "Need help? /help · Langue : /language"
    ),
    "btn.login": "🔑 Sign in",
    "btn.language": "🌐 Langue / Language",
    "btn.change_email": "✏️ Use another e-mail",
    "btn.menu": "🏠 Menu",
    "login.ask_email": "🔑 <b>Sign in</b>\nWhat is your e-mail address?\n\n<i>/cancel to stop.</i>",
    "login.bad_email": "That e-mail address does not look valid (for example: jane.doe@example.com). Try again:",
    "login.email_too_long": "That address is too long ({max} characters at most). Try again:",
    "login.need_text_email": "I need your e-mail address as text. Try again, or /cancel.",
    "login.ask_password": (
        "Thank you. Now type your <b>password</b>.\n<i>I will delete your message as soon as I have read it.</i>"
    ),
    "login.need_text_password": "I need your password as text. Try again, or /cancel.",
    "login.password_deleted": "🔒 The message holding your password was deleted.",
    "login.wrong": (
        "❌ Wrong e-mail or password. <b>{remaining}</b> attempt(s) left before a 15-minute lock.\n"
        "Type your password again, or use another e-mail:"
    ),
    "login.locked": (
        "⛔ Too many failed attempts. Signing in is locked for 15 minutes, until <b>{until}</b>. "
        "Try again then with /login."
    ),
    "login.inactive": "This account is deactivated. Please contact your residence manager.",
    "login.account_linked_elsewhere": (
        "This account is already linked to another Telegram account. Sign out there first (/logout), "
        "or contact your manager."
    ),
    "login.already_signed_in": "You are already signed in as <b>{name}</b>. To switch accounts: /logout",
    "login.success": "✅ Welcome {name}, you are signed in!",
    "invite.invalid": "This invitation link is not valid. Check it, or ask your manager for a new one.",
    "invite.used": "This invitation link was already used. Sign in with /login or ask for a new one.",
    "invite.expired": "This invitation link has expired (7 days). Ask your manager for a new one.",
    "invite.account_linked": (
        "The account of this invitation is already linked to another Telegram account. Contact your manager."
    ),
    "invite.welcome": "🎉 Welcome {name}! Your account is linked to the <b>{residence}</b> residence.",
    "logout.confirm": "Do you really want to sign out of <b>{name}</b>?",
    "logout.yes": "Yes, sign me out",
    "logout.no": "No, stay signed in",
    "logout.done": "👋 You are signed out. See you soon! To come back: /login",
    "logout.kept": "All right, you stay signed in.",
    "logout.not_signed_in": "You are not signed in. To sign in: /login",
    "need_login": (
        "To use this, link your account first:\n"
        "• the <b>invitation link</b> from your manager;\n"
        "• or /login with your e-mail and password."
    ),
    "need_login.short": "Sign in first: /login",
    "menu.hello": "🏠 <b>Hello {name}!</b>",
    "menu.residence": "🏢 {residence}",
    "menu.network": "🏢 Les Belles Années network",
    "menu.apartment": " · apartment {apartment}",
    "menu.points": "⭐ {points} loyalty points",
    "menu.open_incidents": "🛠 My open incidents: {count}",
    "menu.next_booking": "📅 Next booking: {space}, {when}",
    "menu.no_booking": "📅 No upcoming booking",
    "menu.next_event": "🎉 My next event: {title}, {when}",
    "menu.residence_event": "🎉 Next event: {title}, {when}",
    "menu.no_event": "🎉 No upcoming event",
    "menu.staff_title": "\n<b>Residence management</b>",
    "menu.staff_network_title": "\n<b>Network management</b>",
    "menu.staff_open": "🧰 Open incidents: {count}",
    "menu.staff_urgent": "🚨 Urgent among them: {count}",
    "menu.staff_bookings": "📋 Bookings today: {count}",
    "menu.prompt": "\nWhat would you like to do?",
    "menu.btn.report": "🛠 Report",
    "menu.btn.incidents": "📋 My incidents",
    "menu.btn.book": "📅 Book",
    "menu.btn.bookings": "🗓 My bookings",
    "menu.btn.events": "🎉 Events",
    "menu.btn.market": "🛍 Market",
    "menu.btn.account": "👤 My account",
    "menu.btn.assistant": "💬 Assistant",
    "menu.btn.help": "❓ Help",
    "menu.btn.desk": "🧰 Residence incidents",
    "menu.btn.announce": "📣 Announce",
    "menu.btn.stats": "📊 Statistics",
    "menu.btn.invite": "✉️ Invite",
    "menu.btn.refresh": "🔄 Refresh",
    "soon": "🚧 This feature is coming soon to LBA Bot.",
    "soon.alert": "🚧 Coming soon",
    "help.unlinked": (
        "<b>Help — LBA Bot</b>\n\n"
        "LBA Bot is the assistant of the Les Belles Années residences: incidents, bookings, events, "
        "small ads and more.\n\n"
        "To begin, link your account:\n"
        "/login — e-mail and password\n"
        "or open the invitation link from your manager.\n\n"
        "/language — Français / English\n/help — this help"
    ),
    "help.resident": (
        "<b>Help — LBA Bot</b>\n\n"
        "/menu — my dashboard\n"
        "/report — report an incident\n"
        "/incidents — my incidents\n"
        "/book — book a space\n"
        "/bookings — my bookings\n"
        "/events — events\n"
        "/market — the residents' market\n"
        "/account — my profile, points and documents\n"
        "/assistant — ask a question (or simply type your message)\n"
        "/faq — frequent questions\n"
        "/language — Français / English\n"
        "/cancel — leave the current step\n"
        "/logout — sign out"
    ),
    "help.staff": (
        "\n\n<b>Managers</b>\n"
        "/incidents — the residence's incident desk\n"
        "/announce — publish an announcement\n"
        "/stats — statistics\n"
        "/invite — invite a resident\n"
        "/residents — residents: list, search, deactivation\n"
        "/link_group — link a Telegram group\n"
        "/faq — knowledge base (add, edit)\n"
        "/assistant — questions passed on by residents"
    ),
    "lang.choose": "🌐 Choisissez votre langue / Choose your language:",
    "lang.set": "✅ Language: English.",
    "flow.busy": "You have something in progress. Finish it, or type /cancel to drop it.",
    "flow.in_progress": "You are in the middle of something: answer the question above, or /cancel.",
    "flow.expected_text": "I need a written answer. Try again, or /cancel.",
    "flow.use_buttons": "Choose with the buttons above, or /cancel.",
    "flow.too_short": "That is a bit short: at least {min} characters. Try again:",
    "flow.too_long": "That is too long: {max} characters at most (you wrote {length}). Try again:",
    "btn.cancel": "✖️ Cancel",
    "btn.back": "⬅️ Back",
    "btn.prev": "◀️ Previous",
    "btn.next": "Next ▶️",
    "btn.confirm": "✅ Confirm",
    "btn.edit": "✏️ Edit",
    "btn.skip": "⏭ Skip",
    "btn.yes": "Yes",
    "btn.no": "No",
    "btn.done": "✅ Done",
    "cancel.done": "All right, cancelled.",
    "cancel.nothing": "There is nothing to cancel. /menu to go back to the menu.",
    "expired": "⌛ This menu has expired. Here is a fresh one:",
    "expired.alert": "⌛ This menu has expired",
    "error.generic": "😕 Sorry, something went wrong on my side. Please try again in a moment; if it keeps "
    "happening, tell your manager.",
    "free_text": "I did not understand that message. Use the menu below, or /help.",
    "unsupported_message": "I can't handle this kind of message yet. Use the menu, or /help.",
    "group.ignored": "For now I only answer in private messages.",
    "role.resident": "Resident",
    "role.manager": "Manager",
    "role.admin": "Network administrator",
    "cmd.start": "Start",
    "cmd.menu": "My dashboard",
    "cmd.login": "Sign in",
    "cmd.logout": "Sign out",
    "cmd.report": "Report an incident",
    "cmd.incidents": "My incidents",
    "cmd.book": "Book a space",
    "cmd.bookings": "My bookings",
    "cmd.events": "Events",
    "cmd.market": "Residents' market",
    "cmd.account": "My account",
    "cmd.assistant": "Ask a question",
    "cmd.help": "Help",
    "cmd.cancel": "Cancel the current step",
    "cmd.language": "Langue / Language",
    "cmd.announce": "Publish an announcement",
    "cmd.stats": "Statistics",
    "cmd.invite": "Invite a resident",
    "cmd.residents": "Residents of the residence",
    "cmd.link_group": "Link this group",
    "cmd.faq": "Knowledge base",
}
