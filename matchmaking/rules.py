"""Who may see and do what with needs, solutions and attachments: named predicates.

The rules the pages, the API and the exports share (see core/rules.py for how they
are read):

- members of the owning organization and staff see everything of a record, and
  only they change it;
- others see published records only, and only their public fields;
- a need's full description is shown to signed-in members when the need allows it
  (and to those introduced to it); a solution's to everyone once it is published;
- contact details are shown to the other side only after both sides agreed to be
  introduced (matchmaking.Interest, double opt-in);
- attachments, to insiders, and to signed-in members if the record shares them;
- an organization's page in the directory is public when the organization is listed
  (verified, with a published record: selectors.directory_organizations); its members
  and staff see it anyway. It shows only public details and published records;
- enterprises post needs, providers post solutions (organizations of kind "both",
  either), and staff post for anyone.
"""

from __future__ import annotations

import rules

from core.models import Membership
from core.rules import is_member_of, is_staff
from core.selectors import is_member
from matchmaking import selectors
from matchmaking.models import Confidentiality, Need, Solution, Status

NEED = "need"
SOLUTION = "solution"


@rules.predicate
def is_record_insider(user, record) -> bool:
    """A member of the record's organization (staff: see `is_staff`)."""
    return is_member(user, record.organization_id)


@rules.predicate
def is_published(user, record) -> bool:
    return record.status == Status.APPROVED


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated)


@rules.predicate
def is_introduced(user, record) -> bool:
    """The user's organization and the record's side agreed to be introduced."""
    return selectors.introduced(user, record)


@rules.predicate
def is_solution(user, record) -> bool:
    return isinstance(record, Solution)


@rules.predicate
def shares_full_text(user, record) -> bool:
    return isinstance(record, Need) and record.confidentiality == Confidentiality.MEMBERS


@rules.predicate
def shares_attachments(user, record) -> bool:
    return record.share_attachments


def may_post_as(organization, kind: str) -> bool:
    """Enterprises post needs, providers post solutions (kind "both", either)."""
    return organization.is_enterprise if kind == NEED else organization.is_provider


def posting_organizations(user, kind: str) -> list:
    """The organizations the user may post a record of `kind` for, oldest membership first."""
    if not user.is_authenticated:
        return []
    memberships = (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("organization")
        .order_by("created_at", "pk")
    )
    return [m.organization for m in memberships if may_post_as(m.organization, kind)]


insider = is_staff | is_record_insider
rules.add_perm("matchmaking.see_record_private", insider)
rules.add_perm("matchmaking.edit_record", insider)
rules.add_perm(
    "matchmaking.see_record_description",
    insider
    | (is_solution & is_published)
    | (is_signed_in & is_published & (shares_full_text | is_introduced)),
)
rules.add_perm("matchmaking.see_record_contact", insider | is_introduced)
rules.add_perm(
    "matchmaking.see_record_attachments",
    insider | (is_published & shares_attachments & is_signed_in),
)


@rules.predicate
def may_post_needs(user) -> bool:
    return bool(posting_organizations(user, NEED))


@rules.predicate
def may_post_solutions(user) -> bool:
    return bool(posting_organizations(user, SOLUTION))


# Posting at all (the organization is chosen or defaulted afterwards).
rules.add_perm("matchmaking.post_need", is_staff | may_post_needs)
rules.add_perm("matchmaking.post_solution", is_staff | may_post_solutions)


@rules.predicate
def is_listed(user, organization) -> bool:
    """The organization is in the public directory."""
    return selectors.is_in_directory(organization)


rules.add_perm("matchmaking.see_organization_page", is_staff | is_member_of | is_listed)


# --- conversation threads (matchmaking.Thread) ---------------------------------------


@rules.predicate
def is_thread_party(user, thread) -> bool:
    """A member of the enterprise or the provider the thread is between."""
    return is_member(user, thread.enterprise_id) or is_member(user, thread.provider_id)


# Staff read every thread (they run the programme); only the two organizations write.
rules.add_perm("matchmaking.see_thread", is_staff | is_thread_party)
rules.add_perm("matchmaking.write_in_thread", is_thread_party)
