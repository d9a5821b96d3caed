"""Signals the core app sends; other apps answer them with their own records.

Each signal says who sends it, when, and with which arguments (in the manner of
pretix's `pretix/base/signals.py`). Receivers live in the receiving app's `signals.py`
and are connected in its `AppConfig.ready()`, so that `grep signal_name` shows every
link between the apps.
"""

from django.dispatch import Signal

personal_data_requested = Signal()
"""Sent by `core.services.privacy.export_personal_data` when a person downloads all the
data the platform holds about them (PIPL art. 45).

Arguments: `sender` is the User class, `user` the person. Each receiver returns a dict
of JSON-ready sections to add to the document, under keys of its own (core's are
`account`, `memberships`, `consents`, `emails_sent_to_you` and `staff_actions`).
"""

erasing_personal_data = Signal()
"""Sent by `core.services.privacy.erase_account` inside its transaction, before the
account is anonymised, when a person deletes their account (PIPL art. 47).

Arguments: `sender` is the User class, `user` the person (still with their name, email
and phone), and `scrub`, a function that replaces the person's identifiers in a text
by a removal mark. Receivers remove the person's personal data from their app's
records and return nothing; an exception rolls the whole erasure back.
"""

credentials_changed = Signal()
"""Sent by `core.models.User.save`, inside the saving transaction, when an existing
account's password was changed or reset (by its owner, a reset link, staff in the admin
or `manage.py changepassword`), or when the account was deactivated.

Arguments: `sender` is the User class, `user` the account, and `reason`, one of
`core.services.credentials.PASSWORD_CHANGED` or `.DEACTIVATED`. Receivers revoke what
was issued under the old trust (core: the API tokens); they return nothing.
"""

organization_changed = Signal()
"""Sent by `core.services.organizations.update_organization`, inside its transaction,
after an organization's details were saved with at least one changed field.

Arguments: `sender` is the Organization class, `organization` the saved row and
`fields`, the sorted names of the fields that changed. Receivers bring what they keep
about the organization up to date (matchmaking: its records' search documents hold the
organization's name); they return nothing.
"""
