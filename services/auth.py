"""Signing in: password check with lockout, invitations, and the Telegram link itself.

Failed attempts are counted twice, per Telegram user and per account, so that neither guessing
many accounts from one Telegram user nor one account from many Telegram users gets far.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import bcrypt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Invitation, LoginThrottle, Residence, Role, User
from services.errors import InvalidInput, NotAllowed, NotFound
from services.people import Me, me_of

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
INVITATION_VALIDITY = timedelta(days=7)
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]{2,}$")
MAX_PASSWORD_BYTES = 72  # bcrypt's limit
SELECTOR_LEN = 10
# Checked against when the e-mail is unknown, so both paths take a bcrypt's time.
_DUMMY_HASH = bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(rounds=4))


def hash_secret(secret: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(secret.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def check_secret(secret: str, hashed: str | None) -> bool:
    data = secret.encode()
    if hashed is None or len(data) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"x", _DUMMY_HASH)
        return False
    return bcrypt.checkpw(data, hashed.encode())


def normalize_email(text: str) -> str:
    email = text.strip().lower()
    if len(email) > 254:
        raise InvalidInput("email", "too_long", max=254)
    if not EMAIL_RE.match(email):
        raise InvalidInput("email", "format")
    return email


class LoginStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    ALREADY_LINKED = "already_linked"  # the account is linked to another Telegram user
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginOutcome:
    status: LoginStatus
    me: Me | None = None
    remaining: int = 0
    locked_until: datetime | None = None


def _throttle(session: Session, telegram_id: int) -> LoginThrottle:
    row = session.get(LoginThrottle, telegram_id, with_for_update=True)
    if row is None:
        row = LoginThrottle(telegram_id=telegram_id, failures=0)
        session.add(row)
    return row


def lock_status(session: Session, telegram_id: int, now: datetime) -> datetime | None:
    """When this Telegram user may try again, or None if they may now."""
    row = session.get(LoginThrottle, telegram_id)
    if row and row.locked_until and row.locked_until > now:
        return row.locked_until
    return None


def login(
    session: Session, *, telegram_id: int, email: str, password: str, now: datetime, language: str | None = None
) -> LoginOutcome:
    """Check the password and link the account; every attempt is recorded before returning."""
    throttle = _throttle(session, telegram_id)
    if throttle.locked_until and throttle.locked_until > now:
        return LoginOutcome(LoginStatus.LOCKED, locked_until=throttle.locked_until)
    if throttle.locked_until:  # an expired lock starts a fresh count
        throttle.locked_until, throttle.failures = None, 0

    user = session.scalar(sa.select(User).where(User.email == email.strip().lower()).with_for_update())
    if user is not None and user.locked_until and user.locked_until > now:
        check_secret(password, None)
        return LoginOutcome(LoginStatus.LOCKED, locked_until=user.locked_until)
    if user is not None and user.locked_until:
        user.locked_until, user.failed_logins = None, 0

    if not check_secret(password, user.password_hash if user else None):
        throttle.failures += 1
        throttle.updated_at = now
        failures = throttle.failures
        if user is not None:
            user.failed_logins += 1
            failures = max(failures, user.failed_logins)
        if failures >= MAX_FAILURES:
            until = now + LOCK_DURATION
            throttle.locked_until = until
            if user is not None:
                user.locked_until = until
            log.warning("sign-in locked after %d failures (telegram user and account)", failures)
            return LoginOutcome(LoginStatus.LOCKED, locked_until=until)
        return LoginOutcome(LoginStatus.WRONG, remaining=MAX_FAILURES - failures)

    assert user is not None
    if not user.active:
        return LoginOutcome(LoginStatus.INACTIVE)
    if user.telegram_id is not None and user.telegram_id != telegram_id:
        return LoginOutcome(LoginStatus.ALREADY_LINKED)
    _unlink_other_accounts(session, telegram_id, keep=user.id)
    throttle.failures, throttle.locked_until = 0, None
    user.failed_logins, user.locked_until = 0, None
    user.telegram_id = telegram_id
    user.last_login_at = now
    user.unreachable_since = None
    if language:
        user.language = language
    session.flush()
    return LoginOutcome(LoginStatus.OK, me=me_of(session, user))


def _unlink_other_accounts(session: Session, telegram_id: int, keep: int) -> None:
    # One Telegram account per user: signing in as someone else signs the previous account out.
    session.execute(sa.update(User).where(User.telegram_id == telegram_id, User.id != keep).values(telegram_id=None))
    session.flush()


def logout(session: Session, telegram_id: int) -> Me | None:
    user = session.scalar(sa.select(User).where(User.telegram_id == telegram_id))
    if user is None:
        return None
    me = me_of(session, user)
    user.telegram_id = None
    return me


# --- invitations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedInvitation:
    id: int
    code: str
    email: str
    residence: str
    role: Role
    expires_at: datetime


def create_invitation(
    session: Session,
    *,
    email: str,
    residence_name: str,
    role: Role,
    now: datetime,
    apartment: str | None = None,
    created_by: Me | None = None,
    rounds: int = 12,
) -> CreatedInvitation:
    """Make a single-use code. `created_by=None` means the operator's command line."""
    email = normalize_email(email)
    residence = session.scalar(sa.select(Residence).where(Residence.name == residence_name))
    if residence is None:
        raise NotFound(f"residence {residence_name!r}")
    if created_by is not None:
        if created_by.role == Role.RESIDENT:
            raise NotAllowed("residents cannot invite")
        if created_by.role == Role.MANAGER and (created_by.residence_id != residence.id or role != Role.RESIDENT):
            raise NotAllowed("a manager invites residents of their own residence")
    if apartment is not None and not 1 <= len(apartment.strip()) <= 20:
        raise InvalidInput("apartment", "length", max=20)
    selector = secrets.token_urlsafe(8)[:SELECTOR_LEN].replace("-", "x").replace("_", "y")
    verifier = secrets.token_urlsafe(24)
    invitation = Invitation(
        selector=selector,
        code_hash=hash_secret(verifier, rounds),
        email=email,
        residence_id=residence.id,
        role=role,
        apartment=apartment.strip() if apartment else None,
        created_by_id=created_by.id if created_by else None,
        expires_at=now + INVITATION_VALIDITY,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    return CreatedInvitation(invitation.id, selector + verifier, email, residence.name, role, invitation.expires_at)


class InvitationStatus(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"
    ACCOUNT_LINKED = "account_linked"


@dataclass(frozen=True)
class RedeemOutcome:
    status: InvitationStatus
    me: Me | None = None


def redeem_invitation(
    session: Session,
    *,
    code: str,
    telegram_id: int,
    first_name: str,
    last_name: str,
    language: str,
    now: datetime,
) -> RedeemOutcome:
    selector, verifier = code[:SELECTOR_LEN], code[SELECTOR_LEN:]
    invitation = session.scalar(sa.select(Invitation).where(Invitation.selector == selector).with_for_update())
    if invitation is None or not verifier or not check_secret(verifier, invitation.code_hash):
        return RedeemOutcome(InvitationStatus.INVALID)
    if invitation.used_at is not None:
        return RedeemOutcome(InvitationStatus.USED)
    if invitation.expires_at <= now:
        return RedeemOutcome(InvitationStatus.EXPIRED)

    user = session.scalar(sa.select(User).where(User.email == invitation.email))
    if user is not None and user.telegram_id not in (None, telegram_id):
        return RedeemOutcome(InvitationStatus.ACCOUNT_LINKED)
    if user is None:
        user = User(
            email=invitation.email,
            first_name=(first_name or "").strip()[:80] or invitation.email.split("@")[0][:80],
            last_name=(last_name or "").strip()[:80],
            role=invitation.role,
            residence_id=invitation.residence_id,
            apartment=invitation.apartment,
            language=language,
            created_at=now,
        )
        session.add(user)
        session.flush()
    elif not user.active:
        user.active = True
    _unlink_other_accounts(session, telegram_id, keep=user.id)
    user.telegram_id = telegram_id
    user.last_login_at = now
    invitation.used_at = now
    invitation.used_by_id = user.id
    session.flush()
    return RedeemOutcome(InvitationStatus.OK, me_of(session, user))
