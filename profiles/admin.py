from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import PrivateFileAdminMixin, ProtectedLookupsMixin, ViewOnlyAdmin
from privacy.admin_mixins import AuditedAdminMixin
from privacy.models import AuditEvent
from profiles import services
from profiles.forms import AdminUserChangeForm, AdminUserCreationForm
from profiles.models import (
    Company,
    CompanyInvitation,
    CompanyMembership,
    CvDownload,
    FreelancerProfile,
    Skill,
    User,
)

#: newest audit events shown on a member's page.
AUDIT_TRAIL_ROWS = 200


@admin.register(User)
class UserAdmin(AuditedAdminMixin, ProtectedLookupsMixin, DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ("email",)
    list_display = ("email", "is_active", "is_staff", "date_joined", "closed_at")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email",)
    readonly_fields = ("date_joined", "last_login", "closed_at", "audit_trail")
    fieldsets = (
        (None, {"fields": ("email", "password", "name", "role")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "closed_at")}),
        (_("Audit trail"), {"fields": ("audit_trail",)}),
    )

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        """What was done to or seen of this member's data, newest first."""
        if obj is None or obj.pk is None:
            return "-"
        events = (
            AuditEvent.objects.filter(subject=obj)
            .select_related("actor")
            .order_by("-at", "-pk")[:AUDIT_TRAIL_ROWS]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}",
                    e.action,
                    f"{e.target_type} {e.target_id}".strip() or "-",
                    e.actor or "-",
                )
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("when"),
            _("what"),
            _("record"),
            _("who"),
            rows,
        )

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "password1", "password2"),
            },
        ),
    )


class CvDownloadInline(admin.TabularInline):
    model = CvDownload
    fields = ("company_name", "downloaded_by", "downloaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FreelancerProfile)
class FreelancerProfileAdmin(
    AuditedAdminMixin, PrivateFileAdminMixin, ProtectedLookupsMixin, admin.ModelAdmin
):
    """The CPR number is masked here; revealing it needs a permission and is audited.

    The CV links to the site's download view, which checks the permission and
    records the download. Edits go through ``freelancer_admin_update``
    (audited). ``restricted_at`` is read-only: an Art. 18 restriction is applied
    and lifted only by the restriction actions on the data-subject request,
    which tell the member.
    """

    def admin_save(self, request, obj, *, fields, created):
        return services.freelancer_admin_update(
            profile=obj, actor=request.user, fields=fields, created=created
        )

    list_display = ("full_name", "user", "city", "published_at", "restricted_at")
    # cpr_review_at: the same CPR number on two profiles (never said to members).
    list_filter = ("published_at", "restricted_at", "cpr_review_at", "country")
    search_fields = ("full_name", "user__email", "city", "company_name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    filter_horizontal = ("skills",)
    exclude = ("cpr", "cpr_hash")
    readonly_fields = (
        "cpr_display",
        "cpr_review_at",
        "photo",
        "photo_thumbnail",
        "cv",
        "slug",
        "restricted_at",
    )
    inlines = [CvDownloadInline]

    def private_file_url(self, obj, name: str) -> str | None:
        if name == "cv" and obj.slug:
            return reverse("profiles:freelancer_cv", kwargs={"slug": obj.slug})
        return None

    @admin.display(description=_("CPR number"))
    def cpr_display(self, obj):
        if not obj or not obj.cpr:
            return "—"
        url = reverse("admin:profiles_freelancerprofile_reveal_cpr", args=[obj.pk])
        return format_html(
            '{} <a href="{}">{}</a>', obj.cpr_masked, url, _("Reveal (audited)")
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/reveal-cpr/",
                self.admin_site.admin_view(self.reveal_cpr_view),
                name="profiles_freelancerprofile_reveal_cpr",
            ),
            *super().get_urls(),
        ]

    def reveal_cpr_view(self, request, pk: int):
        if not request.user.has_perm("profiles.reveal_cpr"):
            raise PermissionDenied
        profile = get_object_or_404(FreelancerProfile, pk=pk)
        if request.method != "POST":
            return TemplateResponse(
                request,
                "admin/profiles/reveal_cpr_confirm.html",
                {**self.admin_site.each_context(request), "profile": profile},
            )
        cpr = services.freelancer_cpr_reveal(profile=profile, actor=request.user)
        return TemplateResponse(
            request,
            "admin/profiles/reveal_cpr.html",
            {**self.admin_site.each_context(request), "profile": profile, "cpr": cpr},
            headers={"Cache-Control": "no-store"},
        )


class MembershipInline(admin.TabularInline):
    model = CompanyMembership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "cvr", "city", "verified_at", "closed_at")
    list_filter = ("verified_at", "closed_at")
    search_fields = ("name", "cvr", "contact_email")
    readonly_fields = ("slug", "verified_at", "logo", "logo_thumbnail")
    inlines = [MembershipInline]
    actions = ["verify"]

    @admin.action(description=_("Mark as verified (members may download CVs)"))
    def verify(self, request, queryset):
        for company in queryset:
            services.company_verify(company=company, actor=request.user)
        self.message_user(request, _("Verified."), messages.SUCCESS)


@admin.register(CompanyInvitation)
class CompanyInvitationAdmin(
    AuditedAdminMixin, ProtectedLookupsMixin, admin.ModelAdmin
):
    list_display = ("company", "email", "role", "created_at", "accepted_at")
    readonly_fields = ("token_hash",)
    search_fields = ("email", "company__name")


@admin.register(CvDownload)
class CvDownloadAdmin(ViewOnlyAdmin):
    list_display = ("company_name", "profile", "downloaded_at")
    date_hierarchy = "downloaded_at"


admin.site.register(
    Skill, search_fields=("name",), prepopulated_fields={"slug": ("name",)}
)
