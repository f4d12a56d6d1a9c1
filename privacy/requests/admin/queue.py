"""The request queue: the list with its filters (the admin index's counters
link to them and count with the same selectors), and the read-only change
page whose steps are buttons (``actions``). One module at ~420 lines: the
changelist's actions and the change page's steps call the same services and
share the admin's permission checks (``has_<permission>_permission``)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ProtectedLookupsMixin, ViewOnlyAdmin
from core.forms import form_errors_add
from privacy.admin_mixins import AuditedAdminMixin
from privacy.models import AuditEvent, DataSubjectRequest, ExportArchive
from privacy.requests import selectors
from privacy.requests import services as dsr
from privacy.requests.admin.actions import STEPS, STEPS_BY_NAME
from privacy.requests.admin.displays import legal_exceptions_html, recipients_html
from privacy.requests.forms import ExtendForm, ReasonForm


class DueFilter(admin.SimpleListFilter):
    """Open, overdue, due-this-week and flagged, as
    ``privacy.requests.selectors`` says (the admin index counts the same)."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("week", _("Due within 7 days")),
            ("flagged", _("Flagged for staff")),
        ]

    def queryset(self, request, queryset):
        return selectors.dsr_queue_filter(self.value(), now=timezone.now(), qs=queryset)


def _dsr_action(description: str, permission: str):
    """An admin action that calls ``call(obj, request)`` for each selected request."""

    def wrap(call):
        def action(modeladmin, request, queryset):
            done = 0
            for obj in queryset:
                try:
                    call(modeladmin, obj, request)
                except ValidationError as exc:
                    modeladmin.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                modeladmin.message_user(
                    request,
                    ngettext(
                        "%(action)s: %(n)d request.",
                        "%(action)s: %(n)d requests.",
                        done,
                    )
                    % {"action": description, "n": done},
                    messages.SUCCESS,
                )

        action.__name__ = call.__name__
        return admin.action(description=description, permissions=[permission])(action)

    return wrap


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(
    AuditedAdminMixin, ProtectedLookupsMixin, admin.ModelAdmin
):
    """The request queue. Nothing is edited by hand: every change is an action
    that calls the same services as the site, and each is audited."""

    list_display = (
        "pk",
        "kind",
        "status",
        "email",
        "received_at",
        "due",
        "days_left",
        "flag",
    )
    list_filter = (DueFilter, "kind", "status")
    search_fields = ("email",)
    date_hierarchy = "received_at"
    list_select_related = ("subject",)
    ordering = ("-received_at",)
    actions = [
        "verify",
        "start",
        "build_export",
        "execute_erasure",
        "apply_restriction",
        "notify_restriction_lift",
        "lift_restriction",
        "extend",
        "complete",
        "reject",
    ]
    exclude = ("token_hash",)
    readonly_fields = (
        "kind",
        "status",
        "subject",
        "email",
        "details",
        "received_at",
        "due_at",
        "extended_due_at",
        "extension_reason",
        "verification_method",
        "token_expires_at",
        "verified_at",
        "started_at",
        "completed_at",
        "rejected_at",
        "rejection_reason",
        "flagged_reason",
        "legal_exceptions_table",
        "recipients_table",
        "restriction_applied_at",
        "restriction_lift_notified_at",
        "restriction_lifted_at",
        "erased_at",
        "anonymised_at",
        "export_state",
    )
    # Every field is read-only: the form has nothing to save (no Save buttons;
    # the steps are the buttons of ``actions``).
    fields = readonly_fields
    change_form_template = "admin/privacy/datasubjectrequest/change_form.html"

    def get_queryset(self, request):
        return selectors.dsr_due_annotated(super().get_queryset(request))

    @admin.display(description=_("due"), ordering="effective_due")
    def due(self, obj):
        return obj.effective_due_at

    @admin.display(description=_("days left"))
    def days_left(self, obj):
        return obj.days_left if obj.is_open else "-"

    @admin.display(description=_("flagged"))
    def flag(self, obj):
        if not obj.flagged_reason:
            return "-"
        return format_html(
            '<span class="dsr-flag">{}</span>', obj.get_flagged_reason_display()
        )

    @admin.display(description=_("legal exceptions"))
    def legal_exceptions_table(self, obj):
        return legal_exceptions_html(obj.legal_exceptions)

    @admin.display(description=_("recipients notified"))
    def recipients_table(self, obj):
        return recipients_html(obj.recipients_notified)

    @admin.display(description=_("export"))
    def export_state(self, obj):
        archive = getattr(obj, "export", None)
        if archive is None:
            return "-"
        return f"{archive.get_status_display()} ({archive.progress}%)"

    @staticmethod
    def _events(obj):
        return (
            AuditEvent.objects.filter(
                target_type=DataSubjectRequest._meta.label_lower, target_id=str(obj.pk)
            )
            .select_related("actor")
            .order_by("at", "pk")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_process_permission(self, request):
        return request.user.has_perm("privacy.process_datasubjectrequest")

    def has_erase_permission(self, request):
        return request.user.has_perm("privacy.execute_erasure")

    def has_restrict_permission(self, request):
        return request.user.has_perm("privacy.apply_restriction")

    @staticmethod
    def _base_url(request) -> str:
        return request.build_absolute_uri("/")

    # --- The change page: read-only, with the steps as buttons -----------------

    def _step_allowed(self, request, step) -> bool:
        return getattr(self, f"has_{step.permission}_permission")(request)

    def steps_offered(self, request, obj) -> list:
        """The steps possible now for ``obj``, that this staff member may take."""
        return [
            step
            for step in STEPS
            if step.offered(obj) and self._step_allowed(request, step)
        ]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name=f"{opts.app_label}_{opts.model_name}_step",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            **(extra_context or {}),
        }
        if obj is not None:
            context["dsr_steps"] = self.steps_offered(request, obj)
            context["dsr_events"] = list(self._events(obj))
        return super().change_view(request, object_id, form_url, context)

    def step_view(self, request, object_id, step):
        """GET: the confirmation (with the reason's form, if the step needs
        one) beside the audit trail; POST: the step, through its service."""
        obj = self.get_object(request, object_id)
        if obj is None or step not in STEPS_BY_NAME:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        chosen = STEPS_BY_NAME[step]
        if not self._step_allowed(request, chosen):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
        )
        form = chosen.form(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            if not chosen.offered(obj):
                form.add_error(
                    None,
                    _("This step is not possible in the request's current state."),
                )
            elif form.is_valid():
                try:
                    chosen.call(
                        obj, request.user, form.cleaned_data, self._base_url(request)
                    )
                except ValidationError as exc:
                    form_errors_add(form, exc)
                else:
                    self.message_user(
                        request,
                        _("%(step)s: done for %(request)s.")
                        % {"step": chosen.label, "request": obj},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(change_url)
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(step)s: %(request)s")
            % {"step": chosen.label, "request": obj},
            "step": chosen,
            "form": form,
            "original": obj,
            "opts": opts,
            "change_url": change_url,
            "dsr_events": list(self._events(obj)),
            "offered": chosen.offered(obj),
        }
        return TemplateResponse(
            request, "admin/privacy/dsr_step.html", context, status=status
        )

    @_dsr_action(_("Verify the requester"), "process")
    def verify(self, obj, request):
        dsr.dsr_verify(request=obj, actor=request.user)

    @_dsr_action(_("Start"), "process")
    def start(self, obj, request):
        dsr.dsr_start(request=obj, actor=request.user)

    @_dsr_action(_("Build the export (access, portability)"), "process")
    def build_export(self, obj, request):
        dsr.dsr_export_request(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Execute erasure"), "erase")
    def execute_erasure(self, obj, request):
        dsr.dsr_erasure_execute(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Apply restriction"), "restrict")
    def apply_restriction(self, obj, request):
        dsr.dsr_restriction_apply(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    @_dsr_action(_("Tell the member the restriction will be lifted"), "restrict")
    def notify_restriction_lift(self, obj, request):
        dsr.dsr_restriction_lift_notify(request=obj, actor=request.user)

    @_dsr_action(_("Lift restriction (after telling the member)"), "restrict")
    def lift_restriction(self, obj, request):
        dsr.dsr_restriction_lift(request=obj, actor=request.user)

    @_dsr_action(_("Complete"), "process")
    def complete(self, obj, request):
        dsr.dsr_complete(
            request=obj, actor=request.user, base_url=self._base_url(request)
        )

    def _with_reason(self, request, queryset, *, form_class, title, call):
        """An intermediate page asking for the reason; nothing changes without it."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    call(obj, form.cleaned_data)
                except ValidationError as exc:
                    self.message_user(
                        request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "%(action)s: %(n)d request.",
                        "%(action)s: %(n)d requests.",
                        done,
                    )
                    % {"action": title, "n": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action", ""),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request,
            "admin/privacy/dsr_reason.html",
            context,
            status=400 if form.errors else 200,
        )

    @admin.action(
        description=_("Extend the deadline (with a reason)"), permissions=["process"]
    )
    def extend(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            form_class=ExtendForm,
            title=_("Extend the deadline"),
            call=lambda obj, data: dsr.dsr_extend(
                request=obj,
                actor=request.user,
                months=data["months"],
                reason=data["reason"],
                base_url=self._base_url(request),
            ),
        )

    @admin.action(description=_("Reject (with a reason)"), permissions=["process"])
    def reject(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject"),
            call=lambda obj, data: dsr.dsr_reject(
                request=obj, actor=request.user, reason=data["reason"]
            ),
        )


@admin.register(ExportArchive)
class ExportArchiveAdmin(ViewOnlyAdmin):
    """Read-only: archives are built by the export task and deleted on expiry."""

    list_display = ("request", "status", "progress", "size", "expires_at")
    list_filter = ("status",)
    exclude = ("token_hash", "file")
