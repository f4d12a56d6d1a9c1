from privacy.registry import personal_data

personal_data.exempt(
    "cookie_consent.CookieGroup",
    "cookie_consent.Cookie",
    reason="The catalogue of cookies (names of cookies and groups), not people.",
)
