"""Every URL pattern of the URLconf, resolved to a path with real keys."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None):
    """(name, route) of every pattern outside the admin (crawled by model)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            ns = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from url_patterns(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            full = f"{namespace}:{name}" if namespace and name else name
            yield full, route, pattern


def _params(pattern: URLPattern) -> list[str]:
    regex = pattern.pattern.regex
    return sorted(regex.groupindex)


def site_paths(fills: dict[str, dict[str, str]]) -> tuple[list[str], list[str]]:
    """(paths, unfillable): a path for every pattern, and the patterns no
    entry of ``fills`` (or no parameter at all) can fill."""
    paths, unfillable = [], []
    for name, route, pattern in url_patterns():
        params = _params(pattern)
        if not params:
            if name is None:
                paths.append("/" + route.lstrip("^").rstrip("$"))
            else:
                paths.append(reverse(name))
            continue
        kwargs = fills.get(name or route)
        if kwargs is None or set(kwargs) != set(params):
            unfillable.append(f"{name or route} ({', '.join(params)})")
            continue
        paths.append(reverse(name, kwargs=kwargs))
    return sorted(set(paths)), unfillable


def admin_paths(site) -> tuple[list[str], list[str]]:
    """Index, app indexes, and each registered model's changelist, add page
    and the change page of one existing object; (paths, models without one)."""
    paths, empty = [reverse("admin:index")], []
    for model in site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        app_index = reverse("admin:app_list", kwargs={"app_label": opts.app_label})
        paths += [app_index, reverse(f"{base}_changelist"), reverse(f"{base}_add")]
        paths.append(reverse(f"{base}_changelist") + "?q=a")
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            empty.append(opts.label)
            continue
        paths.append(reverse(f"{base}_change", args=[obj.pk]))
        paths.append(reverse(f"{base}_history", args=[obj.pk]))
    return sorted(set(paths)), empty
