"""Seed the processor register, the record of processing activities and the
first privacy policy version. Editable in the admin afterwards; running the
seed again updates the seeded rows and adds missing ones.
"""

import datetime as dt

from django.db import migrations

PROCESSORS = [
    {
        "key": "hosting",
        "vendor": "Hetzner Online GmbH",
        "service": "hosting",
        "data_categories": "Everything stored on the platform: accounts, "
        "profiles, uploads, consent records, privacy requests, logs.",
        "country": "Germany",
        "transfer_basis": "eea",
        "dpa_signed_on": dt.date(2025, 1, 15),
        "link": "https://www.hetzner.com/legal/privacy-policy/",
    },
    {
        "key": "email",
        "vendor": "Brevo SAS",
        "service": "email",
        "data_categories": "E-mail address, name, the content of the e-mails we "
        "send you (confirmations, notifications, replies to requests).",
        "country": "France",
        "transfer_basis": "eea",
        "dpa_signed_on": dt.date(2025, 1, 20),
        "link": "https://www.brevo.com/legal/privacypolicy/",
    },
    {
        "key": "sms",
        "vendor": "OnlineCity.IO ApS (GatewayAPI)",
        "service": "sms",
        "data_categories": "Phone number and the text of log-in and "
        "notification messages.",
        "country": "Denmark",
        "transfer_basis": "eea",
        "dpa_signed_on": dt.date(2025, 2, 3),
        "link": "https://gatewayapi.com/privacy-policy/",
    },
    {
        "key": "bank",
        "vendor": "Danske Bank A/S",
        "service": "bank",
        "data_categories": "Name, CVR number, bank account and the amounts and "
        "references of payments and invoices.",
        "country": "Denmark",
        "transfer_basis": "eea",
        "dpa_signed_on": None,
        "link": "https://danskebank.dk/privat/privatlivspolitik",
    },
    {
        "key": "google",
        # As on the cookie list (consent's seed), so cookies match the row.
        "vendor": "Google Ireland Ltd.; Google LLC (USA)",
        "service": "analytics",
        "data_categories": "IP address, browser and device details, pages "
        "visited, a random browser identifier (only after consent).",
        "country": "United States",
        "transfer_basis": "dpf",
        "dpa_signed_on": dt.date(2025, 1, 10),
        "link": "https://business.safety.google/privacy/",
    },
    {
        "key": "meta",
        "vendor": "Meta Platforms Ireland Ltd.; Meta Platforms, Inc. (USA)",
        "service": "advertising",
        "data_categories": "IP address, browser details, pages visited, ad "
        "click and browser identifiers (only after consent).",
        "country": "United States",
        "transfer_basis": "dpf",
        "dpa_signed_on": dt.date(2025, 1, 10),
        "link": "https://www.facebook.com/privacy/policy/",
    },
    {
        "key": "x",
        "vendor": "X Corp. (USA)",
        "service": "advertising",
        "data_categories": "IP address, browser details, pages visited, ad "
        "click identifiers (only after consent).",
        "country": "United States",
        "transfer_basis": "scc",
        "transfer_assessment_date": dt.date(2025, 3, 1),
        "dpa_signed_on": dt.date(2025, 3, 1),
        "link": "https://x.com/en/privacy",
    },
]

ACTIVITIES = [
    {
        "purpose": "Show competences to clients",
        "description": "Publishing freelancer profiles (headline, skills, city, "
        "photo and CV as you choose) so companies can find and contact you.",
        "legal_basis": "b",
        "legal_basis_note": "Our agreement with you when you publish a profile; "
        "the photo only with your consent (Art. 6(1)(a)).",
        "data_subjects": "Freelancers",
        "data_categories": "Name, headline, skills, city, photo, CV, contact "
        "details you choose to show.",
        "recipients": ["hosting"],
        "retention_key": "profiles.freelancer.closed",
        "ordering": 10,
    },
    {
        "purpose": "Contracts and invoices",
        "description": "Entering into and keeping agreements with freelancers "
        "and companies, invoicing and payments.",
        "legal_basis": "b",
        "legal_basis_note": "The contract; the Danish Bookkeeping Act "
        "(bogføringsloven) obliges us to keep accounting records (Art. 6(1)(c)).",
        "data_subjects": "Freelancers, company contacts",
        "data_categories": "Name, company, CVR number, address, e-mail, bank "
        "details, amounts.",
        "recipients": ["hosting", "bank", "email"],
        "retention_key": "profiles.company.closed",
        "ordering": 20,
    },
    {
        "purpose": "Customer service",
        "description": "Answering your questions and handling your privacy requests.",
        "legal_basis": "c",
        "legal_basis_note": "GDPR Art. 12-22 oblige us to answer privacy "
        "requests; other questions under our agreement with you (Art. 6(1)(b)).",
        "data_subjects": "Members, visitors who contact us",
        "data_categories": "E-mail address, what you ask, how and when we answered.",
        "recipients": ["hosting", "email"],
        "retention_key": "privacy.dsr.closed",
        "ordering": 30,
    },
    {
        "purpose": "Customer relationship management",
        "description": "Keeping your account, your company memberships and "
        "our history with you.",
        "legal_basis": "f",
        "legal_basis_note": "Our legitimate interest in knowing who our "
        "members and company contacts are and in running the platform well.",
        "data_subjects": "Members, company contacts",
        "data_categories": "Name, e-mail address, company, role, when you "
        "joined and logged in.",
        "recipients": ["hosting"],
        "retention_key": "profiles.user.closed",
        "ordering": 40,
    },
    {
        "purpose": "Notification e-mails",
        "description": "E-mails and text messages about your account: "
        "confirmations, log-in codes, invitations, changes of this policy.",
        "legal_basis": "b",
        "legal_basis_note": "Our agreement with you (the service cannot work "
        "without them).",
        "data_subjects": "Members",
        "data_categories": "E-mail address, phone number, the content of the message.",
        "recipients": ["hosting", "email", "sms"],
        "retention_key": "profiles.emailaddress.closed",
        "ordering": 50,
    },
    {
        "purpose": "Website statistics",
        "description": "Counting visits and pages with Google Analytics to "
        "improve the site, only if you accept analytics cookies.",
        "legal_basis": "a",
        "legal_basis_note": "Your consent, which you can withdraw at any time "
        "from the cookie settings.",
        "data_subjects": "Visitors and members who accept analytics cookies",
        "data_categories": "IP address, browser and device details, pages "
        "visited, a random browser identifier.",
        "recipients": ["google"],
        "retention_key": "consent.record.superseded",
        "ordering": 60,
    },
    {
        "purpose": "Advertising measurement",
        "description": "Measuring our ads on Facebook, Instagram and X, only if "
        "you accept marketing cookies.",
        "legal_basis": "a",
        "legal_basis_note": "Your consent, which you can withdraw at any time "
        "from the cookie settings.",
        "data_subjects": "Visitors and members who accept marketing cookies",
        "data_categories": "IP address, browser details, pages visited, ad "
        "click and browser identifiers.",
        "recipients": ["meta", "x"],
        "retention_key": "consent.record.superseded",
        "ordering": 70,
    },
]

FIRST_VERSION = {
    "version": "1",
    "effective_date": dt.date(2026, 1, 1),
    "summary": "The first version of this privacy policy.",
    "significant": False,
    "intro": (
        "This policy explains which personal data Worksome processes about "
        "freelancers, company contacts and visitors, why, on which legal basis, "
        "who receives it, how long it is kept and which rights you have.\n"
        "The sections below the introduction are generated from the same records "
        "our software uses to export, delete and anonymise data, so the policy "
        "describes what the software really does."
    ),
    "security": (
        "All traffic is encrypted (HTTPS). CPR numbers are encrypted in the "
        "database and never shown publicly; staff who may see them must use "
        "two-factor authentication, and every look is logged.\n"
        "Access to personal data is limited to staff who need it, and our "
        "processors are bound by data processing agreements."
    ),
    "contact": (
        "Write to us about privacy at the e-mail address in the controller "
        "section, or use your rights directly from the link below."
    ),
}


def seed(apps, schema_editor):
    Processor = apps.get_model("privacy", "Processor")
    ProcessingActivity = apps.get_model("privacy", "ProcessingActivity")
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    processors = {}
    for spec in PROCESSORS:
        spec = dict(spec)
        key = spec.pop("key")
        processors[key], _ = Processor.objects.update_or_create(key=key, defaults=spec)
    for spec in ACTIVITIES:
        spec = dict(spec)
        recipients = spec.pop("recipients")
        activity, _ = ProcessingActivity.objects.update_or_create(
            purpose=spec.pop("purpose"), defaults=spec
        )
        activity.recipients.set(processors[key] for key in recipients)
    published = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    PolicyVersion.objects.get_or_create(
        version=FIRST_VERSION["version"],
        defaults={**FIRST_VERSION, "created_at": published, "published_at": published},
    )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "PolicyVersion").objects.filter(
        version=FIRST_VERSION["version"]
    ).delete()
    apps.get_model("privacy", "ProcessingActivity").objects.filter(
        purpose__in=[a["purpose"] for a in ACTIVITIES]
    ).delete()
    apps.get_model("privacy", "Processor").objects.filter(
        key__in=[p["key"] for p in PROCESSORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0007_policy_product")]

    operations = [migrations.RunPython(seed, unseed)]
