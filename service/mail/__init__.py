"""Mail: what to send (mailer), how it leaves (transports), and the outbox worker between them."""

from service.mail.mailer import Mailer
from service.mail.transports import LogTransport, SmtpTransport, transport_from_settings
from service.mail.worker import MailWorker, run_worker

__all__ = [
    "LogTransport",
    "MailWorker",
    "Mailer",
    "SmtpTransport",
    "run_worker",
    "transport_from_settings",
]
