from allauth.account.models import EmailAddress, EmailConfirmation

from privacy.registry import Action, Anonymise, PersonalData, Retention, personal_data

from .models import User


@personal_data.register(User)
class UserData(PersonalData):
    description = (
        "Your account: e-mail address (your login), when you joined, when you "
        "last logged in, and your password (stored only as a hash)."
    )
    subject = ""
    fields = {
        "email": Anonymise.unique_email(),
        # "!" marks an unusable password: nobody can log in as the anonymised user.
        "password": Anonymise.text("!"),
        "last_login": Anonymise.null(),
        "date_joined": Anonymise.keep(),
        "closed_at": Anonymise.keep(),
        "is_active": Anonymise.fixed(False),
    }
    export_exclude = ("password",)
    retention = Retention(
        key="profiles.user.closed",
        purpose_ended="closed_at",
        action=Action.ANONYMISE,
        description="Closed accounts are anonymised 12 months after closing.",
    )


@personal_data.register(EmailAddress)
class EmailAddressData(PersonalData):
    description = "Your e-mail addresses and whether you have verified them."
    subject = "user"
    fields = {
        "email": Anonymise.unique_email(),
        "verified": Anonymise.keep(),
        "primary": Anonymise.keep(),
    }
    retention = Retention(
        key="profiles.emailaddress.closed",
        purpose_ended="user__closed_at",
        action=Action.DELETE,
        description="Deleted 12 months after the account is closed.",
    )


@personal_data.register(EmailConfirmation)
class EmailConfirmationData(PersonalData):
    description = "Pending e-mail verification links (only when they are stored)."
    subject = "email_address__user"
    fields = {"created": Anonymise.keep(), "sent": Anonymise.keep()}
    retention = Retention(
        key="profiles.emailconfirmation.sent",
        purpose_ended="created",
        action=Action.DELETE,
        description="Verification links expire after 3 days; the rows go within "
        "12 months.",
    )
