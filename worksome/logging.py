"""Log formatting and masking.

Never in a log line: a CPR number, an e-mail address, a password or a secret
token. ``MaskingFilter`` is attached to every handler: it formats the message
(arguments included) and the traceback, masks what looks like one of those,
and hands the handler a record with no arguments left to format, so nothing
unmasked reaches the output. Code logs user ids, never addresses, and never
passes passwords; the filter is the net under that rule.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

from gunicorn import glogging

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


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and ``event``."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        event = getattr(record, "event", None)
        if isinstance(event, dict):
            data.update(event)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, default=str, ensure_ascii=False)


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
