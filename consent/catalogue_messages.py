# ruff: noqa: E501 (generated: one msgid per line, as the JSON has it)
"""The cookie catalogue's English texts as msgids, so ``makemessages`` keeps
their Danish in the catalogue (the texts live in
``consent/data/cookie_catalogue.json``, which gettext cannot read).

Generated from the JSON (``python -m consent.catalogue_messages``, output
formatted by ruff, replaces this file)
after editing it; ``tests/consent/test_catalogue_messages.py`` fails when this
file and the JSON differ. Nothing imports it at run time.
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Necessary"),
    gettext_noop(
        "Keep the site working and secure: your login, protection against forged forms, your language and your cookie choices. They cannot be switched off."
    ),
    gettext_noop("A random session key."),
    gettext_noop("Keeps you logged in from page to page."),
    gettext_noop("Worksome (this website)"),
    gettext_noop("Denmark"),
    gettext_noop("A random security token."),
    gettext_noop("Protects forms against cross-site request forgery."),
    gettext_noop("A language code."),
    gettext_noop("Remembers the language you chose."),
    gettext_noop("Short notices such as 'You are logged in'."),
    gettext_noop("Shows a notice once on the next page."),
    gettext_noop("Which cookie groups you accepted or rejected."),
    gettext_noop("Remembers your cookie choices."),
    gettext_noop(
        "A random id for this browser; no IP address or other data about you. Set only when you accept a group, never when you reject."
    ),
    gettext_noop(
        "Proves your cookie consent and links it to your account when you log in."
    ),
    gettext_noop("Analytics"),
    gettext_noop(
        "Google Analytics 4 tells us how the site is used (pages visited, time spent, device type), so we can improve it. Google receives your IP address and browser details. Google is used for analytics only: its advertising signals (ad_storage, ad_user_data, ad_personalization) are never granted."
    ),
    gettext_noop("A random identifier of your browser."),
    gettext_noop("Counts visitors and tells visits apart (Google Analytics)."),
    gettext_noop("Google Ireland Ltd.; Google LLC (USA)"),
    gettext_noop("United States"),
    gettext_noop("The state of your current visit."),
    gettext_noop("Keeps the statistics of one visit together."),
    gettext_noop("Tells visits apart within one day (older Google Analytics code)."),
    gettext_noop("A flag with no data about you."),
    gettext_noop("Limits how often Google Analytics is called."),
    gettext_noop(
        "Google's ad conversion linker. Set by Google's script only when ad_storage is granted, which Worksome never does; removed when you withdraw if it is there."
    ),
    gettext_noop("Ad click identifiers."),
    gettext_noop("Marketing"),
    gettext_noop(
        "The Meta (Facebook and Instagram) pixel and the X (Twitter) pixel tell Meta and X that you visited us, so we can measure our ads and show them to people like you. Meta and X may combine this with what they know about you."
    ),
    gettext_noop("Measures and targets ads on Facebook and Instagram."),
    gettext_noop("Meta Platforms Ireland Ltd.; Meta Platforms, Inc. (USA)"),
    gettext_noop("The ad click identifier when you come from a Meta ad."),
    gettext_noop("Measures which ads on Facebook and Instagram lead to visits."),
    gettext_noop("Meta's advertising identifier (set by Meta)."),
    gettext_noop("Delivers, measures and targets ads on Facebook and Instagram."),
    gettext_noop("The ad click identifier when you come from an X ad."),
    gettext_noop("Measures which ads on X lead to sign-ups."),
    gettext_noop("X Corp. (USA)"),
    gettext_noop("X's advertising identifier (set by X)."),
    gettext_noop("Measures and personalises ads on X."),
    gettext_noop(
        "Identifiers of a browser not logged in to X (guest_id, guest_id_ads, guest_id_marketing; set by X)."
    ),
    gettext_noop(
        "The same identifiers in the browser's storage instead of a cookie; removed when you withdraw."
    ),
]


def catalogue_texts() -> list[str]:
    """Every translatable text of the JSON catalogue, in order, once."""
    from consent import catalogue

    texts: list[str] = []
    for group in catalogue.GROUPS:
        for cookie in [group, *group["cookies"]]:
            for key in ("name", "description", "purpose", "vendor", "vendor_country"):
                if key == "name" and cookie is not group:
                    continue
                text = cookie.get(key, "")
                if text and text not in texts:
                    texts.append(text)
    if catalogue.STORAGE_PURPOSE not in texts:
        texts.append(catalogue.STORAGE_PURPOSE)
    return texts


if __name__ == "__main__":  # regenerate this file from the JSON
    import json
    import pathlib

    import django

    django.setup()
    source = pathlib.Path(__file__).read_text()
    head = source[: source.index("MESSAGES = [")]
    tail = source[source.index("]\n\n\ndef catalogue_texts") :]
    body = "".join(
        f"    gettext_noop({json.dumps(text, ensure_ascii=False)}),\n"
        for text in catalogue_texts()
    )
    print(head + "MESSAGES = [\n" + body + tail, end="")
