"""Sending email through SMTP (IDEAHUB_SMTP_*). Without a server configured, mail is logged."""

from __future__ import annotations

import logging

from flask import current_app
from flask_mail import Message

from .extensions import mail

logger = logging.getLogger(__name__)


def send_mail(to: list[str], subject: str, body: str, cc: list[str] | None = None) -> bool:
    """Send one plain-text message; False (and a log line) when it could not be sent."""
    if not current_app.config.get("MAIL_SERVER"):
        logger.info("mail (no SMTP server configured) to=%s subject=%s\n%s", to, subject, body)
        return True
    message = Message(subject=subject, recipients=to, cc=cc or [], body=body)
    try:
        mail.send(message)
    except (OSError, Exception) as exc:  # smtplib raises many types; the caller decides
        logger.error("mail to %s failed: %s", to, exc)
        return False
    return True
