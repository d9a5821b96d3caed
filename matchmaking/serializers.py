"""REST representations of scenario needs, solutions, matches and introductions.

Field names and codes are those of the catalog exchange format (catalog-format.md):
industries and capabilities by code, `deployment_modes` as a list, `contact` as an
object. Which fields a caller receives depends on the caller and the record, as
matchmaking/rules.py decides for the pages too; the schema marks those fields
optional. Saving goes through matchmaking.services.catalog, so the API accepts and
refuses exactly what the forms do.
"""

from __future__ import annotations

from typing import Any, ClassVar

import rules
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import INDUSTRY_HELP, CallerDependentSerializer, CodeField
from core.enums import Side
from core.models import Capability, Industry, Organization
from core.selectors import is_member
from core.validators import normalize_phone
from matchmaking.models import (
    Deployment,
    FilingStatus,
    Interest,
    Match,
    Need,
    Solution,
    Status,
    StatusChange,
)
from matchmaking.rules import may_post_as
from matchmaking.services import catalog as services
from matchmaking.validators import check_amount_range

INDUSTRIES_HELP = _("Industry codes from the catalog format, e.g. manufacturing.")
CAPABILITIES_HELP = _(
    "AI capability codes from the catalog format, e.g. computer_vision. A solution "
    "needs at least one to be submitted for review; a need may leave them empty "
    "(capabilities_unsure: not sure), and matching infers them from its text."
)


# Model fields that the API shows under another name (core.api.errors.api_errors).
API_FIELD_PATHS = {
    "contact_name": ("contact", "name"),
    "contact_phone": ("contact", "phone"),
    "contact_email": ("contact", "email"),
    **dict.fromkeys(Solution.DEPLOYMENT_FIELDS.values(), ("deployment_modes",)),
}


# --- needs and solutions -------------------------------------------------------------


class ContactSerializer(serializers.Serializer):
    """The contact person. Private: only the record's own side, staff and introduced parties see it."""

    name = serializers.CharField(
        source="contact_name", max_length=60, allow_blank=True, required=False
    )
    phone = serializers.CharField(
        source="contact_phone",
        max_length=32,
        allow_blank=True,
        required=False,
        help_text=_(
            "A mainland mobile number (13800138000) or a landline with its area code (021-64871234)."
        ),
    )
    email = serializers.EmailField(
        source="contact_email", max_length=254, allow_blank=True, required=False
    )

    def validate_phone(self, value: str) -> str:
        return normalize_phone(value) if value else ""


class StatusChangeSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Status.choices, source="to_status", read_only=True)
    by = serializers.CharField(
        source="by.full_name", read_only=True, allow_null=True, help_text=_("Who changed it.")
    )

    class Meta:
        model = StatusChange
        fields = ["status", "at", "by", "note"]
        read_only_fields = fields


class CatalogRecordSerializer(CallerDependentSerializer):
    """What needs and solutions share; `Meta.kind` and `m2m` say the rest."""

    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        help_text=_(
            "The posting organization. Without it, the organization you act for "
            "(the X-Organization header, else your oldest membership); staff name it."
        ),
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    capabilities = CodeField(
        many=True, queryset=Capability.objects.all(), required=False, help_text=CAPABILITIES_HELP
    )
    contact = ContactSerializer(
        source="*",
        required=False,
        help_text=_(
            "Present for the record's organization, staff, and parties introduced to it; "
            "absent for everyone else."
        ),
    )
    history = StatusChangeSerializer(
        source="status_changes",
        many=True,
        read_only=True,
        help_text=_(
            "Status changes, oldest first. Present for the record's organization and staff."
        ),
    )

    caller_dependent_fields = ("description", "contact", "review_note", "history")
    description_fields: ClassVar[tuple[str, ...]] = ("description",)
    m2m: ClassVar[tuple[str, ...]] = ("capabilities",)

    COMMON_FIELDS: ClassVar[list[str]] = [
        "id",
        "organization",
        "organization_name",
        "status",
        "title",
        "summary",
        "description",
    ]
    TRAILING_FIELDS: ClassVar[list[str]] = [
        "share_attachments",
        "contact",
        "review_note",
        "history",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
    ]
    READ_ONLY_FIELDS: ClassVar[list[str]] = [
        "status",
        "review_note",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
    ]
    EXTRA_KWARGS: ClassVar[dict[str, dict[str, Any]]] = {
        "description": {
            "help_text": _(
                "The full description. Present when the caller may read it: the record's "
                "organization and staff always; others once the record is published "
                "(for needs: to signed-in users, if the need shares its full text)."
            )
        },
        "review_note": {
            "help_text": _(
                "The reviewer's reason when a submission is returned. "
                "Present for the record's organization and staff."
            )
        },
    }

    def hidden_fields(self, instance) -> set[str]:
        user = self.caller
        hidden: set[str] = set()
        if not rules.has_perm("matchmaking.see_record_description", user, instance):
            hidden.update(self.description_fields)
        if not rules.has_perm("matchmaking.see_record_contact", user, instance):
            hidden.add("contact")
        if not rules.has_perm("matchmaking.see_record_private", user, instance):
            hidden.update({"review_note", "history"})
        return hidden

    def validate_organization(self, organization: Organization) -> Organization:
        if self.instance is not None:
            if organization.pk != self.instance.organization_id:
                raise serializers.ValidationError(
                    _("A record cannot move to another organization.")
                )
            return organization
        user = self.caller
        if not rules.has_perm("core.act_for_organization", user, organization):
            raise serializers.ValidationError(_("You can only post for your own organization."))
        if not may_post_as(organization, self.Meta.kind):
            raise serializers.ValidationError(
                _("Scenario needs are posted by enterprises.")
                if self.Meta.kind == "need"
                else _("Solutions are posted by AI solution providers.")
            )
        return organization

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low_name, high_name = self.Meta.model.money_fields
        check_amount_range(
            low_name=low_name,
            low=attrs.get(low_name, getattr(self.instance, low_name, None)),
            high_name=high_name,
            high=attrs.get(high_name, getattr(self.instance, high_name, None)),
        )
        return attrs

    def _service_arguments(self, validated_data: dict[str, Any]) -> tuple[dict, dict]:
        fields = {k: v for k, v in validated_data.items() if k not in (*self.m2m, "organization")}
        m2m = {name: validated_data[name] for name in self.m2m if name in validated_data}
        return fields, m2m

    def create(self, validated_data: dict[str, Any]):
        fields, m2m = self._service_arguments(validated_data)
        record = self.Meta.model(organization=validated_data["organization"])
        return services.save_record(by=self.caller, record=record, fields=fields, m2m=m2m)

    def update(self, instance, validated_data: dict[str, Any]):
        fields, m2m = self._service_arguments(validated_data)
        return services.save_record(by=self.caller, record=instance, fields=fields, m2m=m2m)


class NeedSerializer(CatalogRecordSerializer):
    """A scenario need (场景需求)."""

    industry = CodeField(
        queryset=Industry.objects.all(), allow_null=True, required=False, help_text=INDUSTRY_HELP
    )

    suggested_capabilities = serializers.JSONField(
        read_only=True,
        help_text=_(
            "Capabilities suggested from the text when the need was last saved, best "
            "first: code, confidence in [0, 1] and the words that pointed to it."
        ),
    )

    # The suggestions name words of the description, so they go with it; "not sure"
    # is the author's hint to the programme office, private like the review note.
    caller_dependent_fields = (
        *CatalogRecordSerializer.caller_dependent_fields,
        "suggested_capabilities",
        "capabilities_unsure",
    )
    description_fields = ("description", "suggested_capabilities")

    def hidden_fields(self, instance) -> set[str]:
        hidden = super().hidden_fields(instance)
        if "history" in hidden:  # not a private reader of the record
            hidden.add("capabilities_unsure")
        return hidden

    class Meta:
        kind = "need"
        model = Need
        fields = [
            *CatalogRecordSerializer.COMMON_FIELDS,
            "industry",
            "capabilities",
            "capabilities_unsure",
            "suggested_capabilities",
            "deployment",
            "data_readiness",
            "budget_min",
            "budget_max",
            "deadline",
            "requires_filing",
            "region",
            "confidentiality",
            *CatalogRecordSerializer.TRAILING_FIELDS,
        ]
        read_only_fields = CatalogRecordSerializer.READ_ONLY_FIELDS
        extra_kwargs = {
            **CatalogRecordSerializer.EXTRA_KWARGS,
            "budget_min": {"help_text": _("In 万元 (10,000 CNY).")},
            "budget_max": {"help_text": _("In 万元 (10,000 CNY); not below budget_min.")},
        }


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(Deployment.values)},
    }
)
class DeploymentModesField(serializers.ListField):
    """The deployment modes a solution offers, as codes (stored as four flags)."""

    child = serializers.ChoiceField(choices=Deployment.choices)


class SolutionSerializer(CatalogRecordSerializer):
    """A solution (解决方案) offered by an AI provider."""

    industries = CodeField(
        many=True, queryset=Industry.objects.all(), required=False, help_text=INDUSTRIES_HELP
    )
    deployment_modes = DeploymentModesField(required=False)
    # Declared: DRF drops allow_blank from a non-editable model field, and "" is served.
    filing_status = serializers.ChoiceField(
        choices=FilingStatus.choices,
        allow_blank=True,
        read_only=True,
        help_text=_(
            "The filing number checked against the published lists: verified, "
            "org_differs (filed by another organization), not_found, or empty "
            "(no number, or no list imported yet). Set by the platform."
        ),
    )

    caller_dependent_fields = (*CatalogRecordSerializer.caller_dependent_fields, "cases")
    description_fields = ("description", "cases")
    m2m = ("capabilities", "industries")

    class Meta:
        kind = "solution"
        model = Solution
        fields = [
            *CatalogRecordSerializer.COMMON_FIELDS,
            "industries",
            "capabilities",
            "deployment_modes",
            "base_model",
            "filing_number",
            "filing_status",
            "filing_verified_on",
            "filed_service_name",
            "filed_organization",
            "maturity",
            "price_min",
            "price_max",
            "cases",
            *CatalogRecordSerializer.TRAILING_FIELDS,
        ]
        read_only_fields = CatalogRecordSerializer.READ_ONLY_FIELDS
        extra_kwargs = {
            **CatalogRecordSerializer.EXTRA_KWARGS,
            "cases": {"help_text": _("Reference cases. Present whenever description is.")},
            "price_min": {"help_text": _("In 万元 (10,000 CNY).")},
            "price_max": {"help_text": _("In 万元 (10,000 CNY); not below price_min.")},
        }

    def validate_filing_number(self, value: str) -> str:
        return " ".join(value.split())


# --- matches and introductions -------------------------------------------------------


def _inline_enum(choices) -> dict[str, Any]:
    """An enum documented in place rather than as a named component.

    Other serializers have `status` fields with other choice sets, and drf-spectacular
    cannot name the components of one field name's several choice sets without help
    from the settings; wrapped in `allOf`, the enum stays with its field.
    """
    return {"allOf": [{"type": "string", "enum": [value for value, _label in choices]}]}


@extend_schema_field(_inline_enum(Interest.Status.choices))
class InterestStatusField(serializers.ChoiceField):
    """Where an introduction stands: pending, accepted, declined, withdrawn."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=Interest.Status.choices, **kwargs)


@extend_schema_field(_inline_enum(Side.choices))
class SideField(serializers.ChoiceField):
    """A side of a match: the enterprise (the need) or the provider (the solution)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=Side.choices, **kwargs)


class RecordBriefSerializer(serializers.Serializer):
    """A need or solution as a match or introduction names it: public fields only."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)


class MatchInterestSerializer(serializers.Serializer):
    """The introduction of a matched pair, if either side asked for one."""

    id = serializers.IntegerField(read_only=True)
    status = InterestStatusField(read_only=True)
    initiated_by_side = SideField(
        read_only=True, help_text=_("Which side said “interested” first.")
    )


class PointsField(serializers.FloatField):
    """A score on the site's one scale, 0–100 with one decimal (stored as the engine's 0–1):
    the pages show 74, the API 74.5, the `min_score` filter takes 74."""

    def to_representation(self, value):
        return round(float(value) * 100, 1)


class MatchSerializer(serializers.ModelSerializer):
    """A scored (need, solution) pair of the active generation, with the reasons for its score."""

    need = RecordBriefSerializer(read_only=True)
    solution = RecordBriefSerializer(read_only=True)
    score = PointsField(
        read_only=True, help_text=_("From 0 to 100 (as on the pages); higher is a better match.")
    )
    components = serializers.DictField(
        child=PointsField(),
        read_only=True,
        help_text=_(
            "The score's components, each from 0 to 100: text, industry, capabilities (how much "
            "of what the need asks for the solution covers), capabilities_offer (how much of "
            "the offer the need uses), deployment, budget, maturity; need_side and "
            "solution_side are the blends from each side's point of view, and the score "
            "is their harmonic mean."
        ),
    )
    terms = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The shared terms that drove the text similarity."),
    )
    interest = serializers.SerializerMethodField(
        help_text=_("The introduction of this pair (null if neither side asked for one).")
    )

    class Meta:
        model = Match
        fields = [
            "id",
            "need",
            "solution",
            "score",
            "components",
            "terms",
            "rank_for_need",
            "rank_for_solution",
            "algorithm_version",
            "computed_at",
            "interest",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "rank_for_need": {
                "help_text": _(
                    "The solution's place in the need's list (1 = best); "
                    "null if it is only in the solution's list."
                )
            },
            "rank_for_solution": {
                "help_text": _(
                    "The need's place in the solution's list (1 = best); "
                    "null if it is only in the need's list."
                )
            },
        }

    @extend_schema_field(MatchInterestSerializer(allow_null=True))
    def get_interest(self, match: Match) -> dict[str, Any] | None:
        # Annotated by the queryset (selectors), so a page costs no query per match.
        if match.interest_id is None:
            return None
        return {
            "id": match.interest_id,
            "status": match.interest_status,
            "initiated_by_side": match.interest_side,
        }


class InterestSerializer(CallerDependentSerializer):
    """An introduction (意向) between a need and a solution: double opt-in."""

    need = RecordBriefSerializer(read_only=True)
    solution = RecordBriefSerializer(read_only=True)
    status = InterestStatusField(
        read_only=True,
        help_text=_(
            "pending: waiting for the other side's answer; accepted: both sides agreed "
            "and see each other's contact details; declined; withdrawn."
        ),
    )
    initiated_by_side = SideField(
        read_only=True, help_text=_("Which side said “interested” first.")
    )
    score = PointsField(
        read_only=True,
        allow_null=True,
        help_text=_("The pair's match score (0 to 100) when the introduction was asked for."),
    )
    my_side = serializers.SerializerMethodField(
        help_text=_(
            "The side you act for in this introduction (enterprise first if both); "
            "null for staff who belong to neither."
        )
    )
    contact = serializers.SerializerMethodField(
        help_text=_(
            "The other side's contact person. Present only once the introduction is accepted."
        )
    )

    caller_dependent_fields = ("contact",)

    class Meta:
        model = Interest
        fields = [
            "id",
            "need",
            "solution",
            "status",
            "initiated_by_side",
            "my_side",
            "message",
            "score",
            "contact",
            "created_at",
            "responded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SideField(allow_null=True))
    def get_my_side(self, interest: Interest) -> str | None:
        if is_member(self.caller, interest.need.organization_id):
            return Side.ENTERPRISE
        if is_member(self.caller, interest.solution.organization_id):
            return Side.PROVIDER
        return None

    def _other_record(self, interest: Interest) -> Need | Solution | None:
        side = self.get_my_side(interest)
        if side is None:
            return None
        return interest.solution if side == Side.ENTERPRISE else interest.need

    def hidden_fields(self, instance: Interest) -> set[str]:
        other = self._other_record(instance)
        visible = (
            instance.status == Interest.Status.ACCEPTED
            and other is not None
            and rules.has_perm("matchmaking.see_record_contact", self.caller, other)
        )
        return set() if visible else {"contact"}

    @extend_schema_field(ContactSerializer)
    def get_contact(self, interest: Interest) -> dict[str, Any]:
        return ContactSerializer(self._other_record(interest)).data


class InterestCreateSerializer(serializers.Serializer):
    """Say “interested” in a (need, solution) pair, as the side you belong to."""

    need = serializers.PrimaryKeyRelatedField(
        queryset=Need.objects.published(), help_text=_("A published need.")
    )
    solution = serializers.PrimaryKeyRelatedField(
        queryset=Solution.objects.published(), help_text=_("A published solution.")
    )
    message = serializers.CharField(
        max_length=1000,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("A short note to the other side."),
    )
