"""The request's JSON columns as tables for staff (not raw JSON)."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _


def legal_exceptions_html(items: list) -> str:
    """What an erasure kept, and why (``legal_exceptions``)."""
    if not items:
        return "-"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                item.get("name") or item.get("model", ""),
                item.get("rows", ""),
                item.get("reason", ""),
                item.get("until") or "-",
            )
            for item in items
        ),
    )
    return format_html(
        '<div class="table-scroll"><table><thead><tr><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table></div>",
        _("record"),
        _("rows"),
        _("reason"),
        _("kept until"),
        rows,
    )


def recipients_html(items: list) -> str:
    """Who was told of the change (Art. 19; ``recipients_notified``)."""
    if not items:
        return "-"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                item.get("name", ""),
                item.get("since") or "-",
                _("yes") if item.get("notified") else _("no contact address"),
            )
            for item in items
        ),
    )
    return format_html(
        '<div class="table-scroll"><table><thead><tr><th>{}</th><th>{}</th>'
        "<th>{}</th></tr></thead><tbody>{}</tbody></table></div>",
        _("recipient"),
        _("received data since"),
        _("notified"),
        rows,
    )
