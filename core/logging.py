"""Log formatting and masking.

Never in a log line: a CPR number, an e-mail address, a password or a secret
token. ``MaskingFilter`` is attached to every handler: it formats the message
(arguments included) and the traceback, masks what looks like one of those,
and hands the handler a record with no arguments left to format, so nothing
unmasked reaches the output. Code logs user ids, never addresses, and never
passes passwords; the filter is the net under that rule.

``JsonFormatter`` is python-json-logger's, limited to the fields the filter
masks (see its docstring).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

# DDMMYY-SSSS or DDMMYYSSSS, not inside a longer run of digits.
CPR_RE = re.compile(
    r"(?<![\d])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?!\d)"
)
EMAIL_RE = re.compile(r"[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# key=value / key: value pairs whose value is a secret, whatever its shape.
SECRET_PAIR_RE = re.compile(
    r"(?i)\b(password\d?|passwd|secret|token|api[_-]?key|authorization|sessionid|"
    r"csrftoken|csrfmiddlewaretoken|key|code)(\"?\s*[=:]\s*\"?)(?:(?:Token|Bearer)\s+)?"
    r"[^\s\"'&,;]+"
)
# Bare tokens: 40-hex API tokens, signed values and long random strings that
# mix letters and digits (session keys, reset keys, Fernet keys, JWTs).
TOKEN_RE = re.compile(
    r"(?<![\w.-])(?=[\w:.=-]*\d)(?=[\w:.=-]*[A-Za-z])[A-Za-z0-9_\-:.=]{24,}(?![\w-])"
)
# The secret part of links that carry one (password reset, e-mail confirmation,
# request verification, invitations, export downloads), whatever its length.
URL_TOKEN_RE = re.compile(
    r"(/(?:key|confirm-email|verify|invitations|exports|unsubscribe|email/open)/)"
    r"[^/\s?#\"']+"
)

MASK_CPR = "[cpr]"
MASK_EMAIL = "[email]"
MASK_TOKEN = "[token]"  # noqa: S105 - a placeholder, not a secret


def mask(text: str) -> str:
    text = SECRET_PAIR_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK_TOKEN}", text)
    text = URL_TOKEN_RE.sub(lambda m: f"{m.group(1)}{MASK_TOKEN}", text)
    text = EMAIL_RE.sub(MASK_EMAIL, text)
    text = CPR_RE.sub(MASK_CPR, text)
    return TOKEN_RE.sub(MASK_TOKEN, text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the event
            message = f"{record.msg!r} {record.args!r}"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
            # Formatters print exc_text; exc_info would be formatted again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        event = getattr(record, "event", None)
        if isinstance(event, dict):
            record.event = {
                k: mask(v) if isinstance(v, str) else v for k, v in event.items()
            }
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object per line: time, level, logger, message, the fields of
    ``event``, and ``exception`` or ``stack`` when the record has one.

    python-json-logger writes every ``extra`` attribute of a record; this keeps
    only ``event``. The others never pass through ``MaskingFilter``: Django's
    ``request`` extra, for one, is written as the full path and query string,
    reset keys and e-mail addresses included.
    """

    FIELDS = ("time", "level", "logger", "message", "exception", "stack")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "rename_fields",
            {
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
                "stack_info": "stack",
            },
        )
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*(args or (["levelname", "name", "message"],)), **kwargs)

    def add_fields(
        self,
        log_data: dict[str, Any],
        record: logging.LogRecord,
        message_dict: dict[str, Any],
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        kept = {key: log_data[key] for key in self.FIELDS if key in log_data}
        log_data.clear()
        log_data.update(kept)
        event = getattr(record, "event", None)
        if isinstance(event, dict):
            log_data.update(event)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with every access-log field passed through ``mask``.

    The access log prints the request line, path, query, referer and any
    header the format names: a verification or export link, an e-mail in a
    query string, a token in a header. Masking the atoms (not the finished
    line) keeps gunicorn's quoting and the configured format intact.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }

    def setup(self, cfg):
        super().setup(cfg)
        # The error log carries tracebacks and messages that may quote a URL.
        self.error_log.addFilter(MaskingFilter())
