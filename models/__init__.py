"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`."""

from models.announcement import Announcement, AnnouncementAck, AnnouncementStatus
from models.assistant import AssistantQuestion, ChatMessage, FaqEntry, QuestionStatus
from models.base import Base, utcnow
from models.booking import Reservation, ReservationSlot, ReservationStatus
from models.botstate import BotState
from models.document import Document, StoredFile
from models.event import Event, EventStatus, Participation, ParticipationStatus
from models.incident import (
    OPEN_STATUSES,
    HistoryKind,
    Incident,
    IncidentCategory,
    IncidentFollower,
    IncidentHistory,
    IncidentPhoto,
    IncidentStatus,
    Urgency,
)
from models.marketplace import Listing, ListingKind, ListingStatus, MarketMessage, MarketThread, ThreadStatus
from models.outbox import OutboxMessage, OutboxStatus
from models.points import PointsEntry
from models.residence import GroupChat, GroupKind, Residence, Space, SpaceKind
from models.user import Invitation, LoginThrottle, Role, User

__all__ = [
    "Announcement",
    "AssistantQuestion",
    "FaqEntry",
    "QuestionStatus",
    "AnnouncementAck",
    "AnnouncementStatus",
    "OPEN_STATUSES",
    "Base",
    "BotState",
    "ChatMessage",
    "Document",
    "Event",
    "EventStatus",
    "GroupChat",
    "GroupKind",
    "HistoryKind",
    "Incident",
    "IncidentCategory",
    "IncidentFollower",
    "IncidentHistory",
    "IncidentPhoto",
    "IncidentStatus",
    "Invitation",
    "Listing",
    "ListingKind",
    "ListingStatus",
    "LoginThrottle",
    "OutboxMessage",
    "OutboxStatus",
    "Participation",
    "ParticipationStatus",
    "PointsEntry",
    "Reservation",
    "ReservationSlot",
    "MarketThread",
    "MarketMessage",
    "ThreadStatus",
    "ReservationStatus",
    "Residence",
    "Role",
    "Space",
    "SpaceKind",
    "StoredFile",
    "Urgency",
    "User",
    "utcnow",
]
