"""Signal receivers: thin calls into services and selectors."""

from consent import selectors, services, web


def link_visitor_on_login(sender, request=None, user=None, **kwargs) -> None:
    """At login the browser's cookie choices are linked to the user."""
    if request is None or user is None:
        return
    visitor_id = web.visitor_id_from_request(request)
    if visitor_id:
        services.consent_visitor_link(user=user, visitor_id=visitor_id)


def cookie_catalogue_changed(sender, **kwargs) -> None:
    """A cookie, group or its details changed: its cookie-list version may have."""
    selectors.cookie_lists_clear_cache()
