"""Every string our code marks for translation is in the Danish catalogue
(what ``makemessages -l da`` would extract), so none can reach a Danish page
in English (issue 16 item 13). Django's own extraction needs GNU gettext; this
reads the same calls and tags directly."""

import ast
import re
from pathlib import Path

from django.conf import settings

from tests.test_i18n import PO_FILE, _po_entries

ROOT = Path(settings.BASE_DIR)
PY_DIRS = ("privacy", "profiles", "worksome")
# consent/ and its templates are checked by their own owner's tests.
TEMPLATE_DIRS = (
    "templates/privacy",
    "templates/profiles",
    "templates/admin",
    "templates/allauth",
    "templates/security",
)
TOP_TEMPLATES = ("base.html", "home.html", "429.html", "_form.html", "_pagination.html")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*(?:endblocktrans(?:late)?|plural)\s*%}",
    re.S,
)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _catalogue() -> set[str]:
    ids = set()
    for entry in _po_entries(PO_FILE):
        ids.add(_norm(entry["msgid"]))
        if "msgid_plural" in entry:
            ids.add(_norm(entry["msgid_plural"]))
    return ids


def _python_strings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in GETTEXT_NAMES
        ):
            for arg in node.args[:2]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append(arg.value)
    return found


def _template_strings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [m.group(2) for m in TRANSLATE_TAG.finditer(text)]
    for options, body in BLOCK_TAG.findall(text):
        if "context" in options:
            continue
        # As makemessages does: a literal % doubles, a variable is %(name)s.
        body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.replace("%", "%%"))
        found.append(body)
    return found


def test_every_marked_string_of_ours_is_in_the_danish_catalogue():
    catalogue = _catalogue()
    missing = []
    for folder in PY_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            missing += [
                f"{path.relative_to(ROOT)}: {s!r}"
                for s in _python_strings(path)
                if s and _norm(s) not in catalogue
            ]
    templates = [ROOT / "templates" / name for name in TOP_TEMPLATES]
    for folder in TEMPLATE_DIRS:
        templates += sorted((ROOT / folder).rglob("*.html"))
        templates += sorted((ROOT / folder).rglob("*.txt"))
    for path in templates:
        if path.exists():
            missing += [
                f"{path.relative_to(ROOT)}: {s!r}"
                for s in _template_strings(path)
                if _norm(s) and _norm(s) not in catalogue
            ]
    assert missing == []
