"""All models, importable from one place."""

from .audit import AuditEntry
from .campaign import CAMPAIGN_STATES, Campaign
from .discussion import Attachment, Comment, Vote
from .governance import (
    COE_ROLES,
    Acknowledgment,
    CoeMembership,
    Guideline,
    GuidelineVersion,
    Mentorship,
    ReminderSent,
    guideline_departments,
)
from .idea import (
    IDEA_STATUSES,
    Idea,
    IdeaRevision,
    IdeaStatusChange,
    Tag,
    idea_coauthors,
    idea_tags,
)
from .judging import (
    OUTCOMES,
    RECUSAL_KINDS,
    Assignment,
    Criterion,
    Decision,
    Panel,
    PanelMember,
    Recusal,
    Score,
    Scorecard,
    ShortlistEntry,
)
from .notice import Notice
from .search import SearchChange
from .training import Attempt, Choice, Question, TrainingAttachment, TrainingModule
from .types import utcnow
from .user import GRANTABLE_ROLES, ROLES, Department, User, UserRole

__all__ = [
    "COE_ROLES",
    "Acknowledgment",
    "CoeMembership",
    "Guideline",
    "GuidelineVersion",
    "Mentorship",
    "Attempt",
    "Choice",
    "Question",
    "TrainingAttachment",
    "TrainingModule",
    "ReminderSent",
    "guideline_departments",
    "CAMPAIGN_STATES",
    "OUTCOMES",
    "RECUSAL_KINDS",
    "Assignment",
    "Criterion",
    "Decision",
    "Notice",
    "Panel",
    "PanelMember",
    "Recusal",
    "SearchChange",
    "Score",
    "Scorecard",
    "ShortlistEntry",
    "idea_coauthors",
    "GRANTABLE_ROLES",
    "IDEA_STATUSES",
    "ROLES",
    "Attachment",
    "AuditEntry",
    "Campaign",
    "Comment",
    "Department",
    "Idea",
    "IdeaRevision",
    "IdeaStatusChange",
    "Tag",
    "User",
    "UserRole",
    "Vote",
    "idea_tags",
    "utcnow",
]
