from cookie_consent.admin import CookieAdmin as LibraryCookieAdmin
from cookie_consent.models import Cookie
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentRecord, ConsentVersion, CookieDetails
from core.admin import ReadOnlyAdmin


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "subject",
        "purpose",
        "granted",
        "source",
        "short_version",
        "is_current",
    )
    list_filter = (
        "purpose",
        "granted",
        "source",
        ("superseded_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("=visitor_id", "user__email")
    list_select_related = ("user", "version")
    date_hierarchy = "created_at"
    fields = (
        "user",
        "visitor_id",
        "purpose",
        "granted",
        "source",
        "decided_at",
        "created_at",
        "superseded_at",
        "actor",
        "version",
        "shown_text",
        "policy_version",
    )
    readonly_fields = ("shown_text", "policy_version")

    @admin.display(description=_("subject"))
    def subject(self, record: ConsentRecord) -> str:
        return (
            str(record.user) if record.user_id else f"visitor {record.visitor_id[:8]}…"
        )

    @admin.display(description=_("version"))
    def short_version(self, record: ConsentRecord) -> str:
        return record.version_id[:12]

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, record: ConsentRecord) -> bool:
        return record.superseded_at is None

    @admin.display(description=_("text shown"))
    def shown_text(self, record: ConsentRecord) -> str:
        return record.version.text

    @admin.display(description=_("privacy policy version"))
    def policy_version(self, record: ConsentRecord) -> str:
        return record.version.policy_version


@admin.register(ConsentVersion)
class ConsentVersionAdmin(ReadOnlyAdmin):
    list_display = ("digest", "policy_version", "cookie_list_version", "created_at")
    search_fields = ("=digest",)


class CookieDetailsInline(admin.StackedInline):
    model = CookieDetails
    can_delete = False
    min_num = 0
    max_num = 1


# django-cookie-consent's Cookie admin, with vendor, duration and transfer.
admin.site.unregister(Cookie)


@admin.register(Cookie)
class CookieAdmin(LibraryCookieAdmin):
    inlines = [CookieDetailsInline]
    list_display = (*LibraryCookieAdmin.list_display, "vendor", "transfer_basis")
    list_select_related = ("cookiegroup", "details")

    @admin.display(description=_("vendor"), ordering="details__vendor")
    def vendor(self, cookie: Cookie) -> str:
        details = getattr(cookie, "details", None)
        return details.vendor if details else ""

    @admin.display(description=_("transfer basis"))
    def transfer_basis(self, cookie: Cookie) -> str:
        details = getattr(cookie, "details", None)
        return details.get_transfer_basis_display() if details else ""
