"""Catalog pages: the public lists and details, and each organization's own records.

Needs and solutions behave alike, so one set of views serves both, configured by a
`Kind`. Views check access, call a service or a selector, and render.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.forms import posted_pk
from core.acting import acting_organization
from core.errors import DomainError
from core.models import Organization
from core.ratelimit import ratelimit
from matchmaking import selectors
from matchmaking.filters import NeedFilter, OrganizationDirectoryFilter, SolutionFilter
from matchmaking.forms.catalog import NeedForm, SolutionForm, bound_form
from matchmaking.models import Attachment, Need, Solution
from matchmaking.rules import may_post_as
from matchmaking.search.directory import directory_context, search_directory
from matchmaking.search.queries import search_context, suggestions
from matchmaking.services import catalog as services
from matchmaking.services import pending_uploads

PAGE_SIZE = 20


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Need] | type[Solution]
    form: type
    filterset: type
    m2m: tuple[str, ...]

    def published(self):
        return (
            selectors.published_needs() if self.name == "need" else selectors.published_solutions()
        )

    def of(self, organization_id: int):
        if self.name == "need":
            return selectors.needs_of(organization_id)
        return selectors.solutions_of(organization_id)

    def may_post(self, organization: Organization | None) -> bool:
        return organization is not None and may_post_as(organization, self.name)


NEED = Kind("need", Need, NeedForm, NeedFilter, ("capabilities",))
SOLUTION = Kind("solution", Solution, SolutionForm, SolutionFilter, ("capabilities", "industries"))
KINDS = {"need": NEED, "solution": SOLUTION}


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- public catalog ------------------------------------------------------------------


CATALOG_CACHE_SECONDS = 300
# Pages past this one, and free-text searches, are rendered for the visitor but not
# kept: each distinct query would otherwise take a cache entry (anyone can make many).
CATALOG_CACHE_MAX_PAGE = 10
# Distinct filter combinations kept per catalog state and language; past it, the
# page is rendered each time. Bounds what anonymous visitors can store.
CATALOG_CACHE_MAX_VARIANTS = 200


def _catalog_query(filterset, page_number: int) -> QueryDict:
    """The query the page is for: the filters it knows, cleaned and in a fixed order,
    and the page — nothing else the visitor sent."""
    query = QueryDict(mutable=True)
    if filterset.is_bound and filterset.is_valid():
        for name in sorted(filterset.filters):
            if name not in filterset.form.data:
                continue
            values = filterset.form.data.getlist(name)
            if any(value.strip() for value in values):
                query.setlist(name, sorted({value.strip() for value in values if value.strip()}))
    if page_number > 1:
        query["page"] = str(page_number)
    return query


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 6 else 1


def _catalog_cache_key(kind: str, request: HttpRequest, spec, query: QueryDict):
    """The cache key of a catalog page, or None when this page is not to be kept
    (searches are not: the catalog's state is not even read for them)."""
    if "q" in query or int(query.get("page", "1")) > CATALOG_CACHE_MAX_PAGE:
        return None
    state = spec.model.objects.published().aggregate(
        changed=Max("updated_at"), published=Count("pk")
    )
    version = "{}:{}:{}:{}".format(
        kind,
        request.LANGUAGE_CODE,
        state["published"],
        state["changed"].timestamp() if state["changed"] else 0,
    )
    key = f"catalog:{version}:" + hashlib.sha256(query.urlencode().encode()).hexdigest()[:32]
    if cache.get(key) is not None:
        return key
    variants = f"catalog-variants:{version}"
    cache.add(variants, 0, CATALOG_CACHE_SECONDS)
    try:
        count = cache.incr(variants)
    except ValueError:  # expired in between
        return None
    return key if count <= CATALOG_CACHE_MAX_VARIANTS else None


def _filters_but_search(kind: str, request: HttpRequest, query: QueryDict) -> str | None:
    """For a search without other filters: the filter form's fields after the search
    box, rendered once per kind and language and kept (the same for every such search;
    rendering the checkbox lists costs more than the search itself). None otherwise:
    the page renders the whole form."""
    if any(name not in ("q", "page") for name in query):
        return None
    key = f"catalog-filters-but-search:{kind}:{request.LANGUAGE_CODE}"
    rendered = cache.get(key)
    if rendered is None:
        spec = KINDS[kind]
        form = spec.filterset(QueryDict("q=-"), queryset=spec.published(), request=request).form
        del form.fields["q"]
        rendered = str(form)
        cache.set(key, rendered, CATALOG_CACHE_SECONDS)
    return mark_safe(rendered)  # noqa: S308 -- Django's rendering of our own form, kept as is


def catalog_list(request: HttpRequest, kind: str) -> HttpResponse:
    """The public catalog. Its body (filters and results) is the same for every visitor,
    so it is rendered once per catalog state, language and query, then served from
    the cache: the busiest page of the site costs one small query.

    The cache key is made from the known filters only (cleaned, sorted) and the page
    number; unknown parameters change nothing, and searches, deep pages and filter
    combinations past CATALOG_CACHE_MAX_VARIANTS are not kept (see above)."""
    spec = KINDS[kind]
    queryset = spec.published()
    filterset = spec.filterset(request.GET or None, queryset=queryset, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    # An invalid filter is shown back with its error, and never kept.
    query = _catalog_query(filterset, _page_number(request)) if valid else request.GET
    key = _catalog_cache_key(kind, request, spec, query) if valid else None
    context = {"kind": kind}
    body = cache.get(key) if key else None
    if body is None:
        # The page's own query, unless it is what was sent (a plain search usually is).
        if valid and dict(query.lists()) != dict(request.GET.lists()):
            filterset = spec.filterset(query or None, queryset=queryset, request=request)
        records = filterset.qs if filterset.is_bound and valid else queryset
        searched = valid and bool(query.get("q"))
        if not valid or not (query.get("ordering") or searched):
            records = records.order_by("-published_at", "-pk")
        without_page = query.copy()
        without_page.pop("page", None)
        context.update(
            filter=filterset,
            page=Paginator(records, PAGE_SIZE).get_page(query.get("page")),
            query=without_page.urlencode(),
        )
        if searched:
            context.update(search_context(kind, query["q"], request.user, context["page"]))
            context["filters_but_search"] = _filters_but_search(kind, request, query)
        body = render_to_string("catalog/list_body.html", context, request=request)
        if key:
            cache.set(key, body, CATALOG_CACHE_SECONDS)
    context["body"] = body
    return render(request, "catalog/list.html", context)


def catalog_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    record = get_object_or_404(selectors.visible_records(spec.model, request.user), pk=pk)
    return render(request, f"catalog/{kind}_detail.html", _detail_context(request, record, kind))


def _detail_context(request: HttpRequest, record, kind: str) -> dict:
    # What the visitor may see of the record is asked by the template (matchmaking/rules.py).
    return {
        "kind": kind,
        "record": record,
        "organization_listed": selectors.is_in_directory(record.organization),
    }


# --- the organizations directory -------------------------------------------------------


def organization_list(request: HttpRequest) -> HttpResponse:
    """The directory of participating organizations (selectors.directory_organizations),
    filtered by role, industry and capability; `q` ranks them by relevance."""
    listed = selectors.directory_organizations()
    filterset = OrganizationDirectoryFilter(request.GET or None, queryset=listed, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    organizations = filterset.qs if filterset.is_bound and valid else listed
    search = (filterset.form.cleaned_data.get("q") or "").strip() if filterset.is_bound else ""
    query = _catalog_query(filterset, 1) if valid else QueryDict()
    context = {"filter": filterset, "query": query.urlencode(), "search_query": search}
    if valid and search:
        results = search_directory(organizations, search, request.user)
        page = Paginator(results.ids, PAGE_SIZE).get_page(request.GET.get("page"))
        found = selectors.with_published_counts(listed).in_bulk(list(page.object_list))
        page.object_list = [found[pk] for pk in page.object_list if pk in found]
        directory_context(search, request.user, page.object_list, results)
        if not page.object_list:
            context["suggestions"] = suggestions("organization", search, request.user)
    else:
        ordered = selectors.with_published_counts(organizations).order_by("name", "pk")
        page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    capabilities = selectors.published_capabilities_of([o.pk for o in page.object_list])
    for organization in page.object_list:
        organization.published_capabilities = capabilities[organization.pk]
    context["page"] = page
    return render(request, "catalog/organization_list.html", context)


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organization's public page: its public details and its published records only,
    whoever looks (its own drafts are on its members' pages; contacts on the records,
    after an introduction)."""
    organization = get_object_or_404(
        selectors.with_published_counts(Organization.objects.all()), pk=pk
    )
    if not rules.has_perm("matchmaking.see_organization_page", request.user, organization):
        raise Http404
    published = {
        kind: spec.published().filter(organization=organization).order_by("-published_at", "-pk")
        for kind, spec in KINDS.items()
    }
    context = {
        "organization": organization,
        "listed": selectors.is_in_directory(organization),
        "needs": published["need"],
        "solutions": published["solution"],
    }
    return render(request, "catalog/organization_detail.html", context)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.visible_attachment(request.user, pk)
    if attachment is None or not rules.has_perm(
        "matchmaking.see_record_attachments", request.user, attachment.record
    ):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- my organization's records -------------------------------------------------------


def _my_organization(request: HttpRequest, spec: Kind) -> Organization:
    organization = acting_organization(request, fit=spec.may_post)
    if organization is None:
        raise Http404
    return organization


def _my_record(request: HttpRequest, spec: Kind, pk: int):
    organization = _my_organization(request, spec)
    return get_object_or_404(selectors.with_attachments(spec.of(organization.pk)), pk=pk)


@login_required
def my_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    organization = _my_organization(request, spec)
    context = {"kind": kind, "page": _page(request, spec.of(organization.pk)), "query": ""}
    return render(request, "my/list.html", context)


@login_required
def my_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    record = _my_record(request, spec, pk)
    context = _detail_context(request, record, kind)
    context["history"] = selectors.history_of(record)
    if kind == "need":
        context["ranked"] = selectors.ranked_solutions_for_need(record)
    return render(request, "my/detail.html", context)


@login_required
@ratelimit("form")
def my_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Post a new record or edit one: save as a draft, or submit it for review."""
    spec = KINDS[kind]
    organization = _my_organization(request, spec)
    if pk is None:
        record = spec.model(organization=organization)
    else:
        record = _my_record(request, spec, pk)
        if not record.is_editable:
            messages.error(request, _("This record can no longer be edited."))
            return redirect(f"my-{kind}-detail", pk=pk)
    form = bound_form(spec.form, request, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            record = _save(request, spec, form)
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            _confirm(request, record, form.submitting)
            return redirect(f"my-{kind}-detail", pk=record.pk)
    if request.method == "POST":
        form.keep_uploads()  # the chosen files stay chosen while the user corrects the rest
    return render(request, "my/form.html", {"kind": kind, "form": form, "record": record})


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _save(request: HttpRequest, spec: Kind, form):
    fields = {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in spec.m2m and name not in ("new_attachments", "deployment_modes")
    }
    m2m = {name: form.cleaned_data[name] for name in spec.m2m}
    if "deployment_modes" in form.cleaned_data:
        fields["deployment_modes"] = form.cleaned_data["deployment_modes"]
    with transaction.atomic():
        record = services.save_record(
            by=request.user, record=form.instance, fields=fields, m2m=m2m, submit=form.submitting
        )
        for upload in form.cleaned_data.get("new_attachments") or []:
            services.add_attachment(by=request.user, record=record, upload=upload)
        for kept in form.kept_uploads:
            with kept.open() as upload:
                services.add_attachment(by=request.user, record=record, upload=upload)
        pending_uploads.discard_after_commit(form.kept_uploads)
    return record


def _confirm(request: HttpRequest, record, submitted: bool) -> None:
    if record.status == "submitted":
        messages.success(
            request,
            _("Submitted for review. The programme office will check it and tell you by email."),
        )
    elif not submitted:
        messages.success(request, _("Saved as a draft. Submit it for review when it is complete."))


@login_required
@require_POST
def my_action(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = KINDS[kind]
    record = _my_record(request, spec, pk)
    action = request.POST.get("action")
    try:
        if action == "submit":
            services.submit_for_review(by=request.user, record=record)
            messages.success(request, _("Submitted for review."))
        elif action == "withdraw":
            services.withdraw_record(by=request.user, record=record)
            messages.success(
                request, _("Withdrawn. The record is kept for the programme's statistics.")
            )
        elif action == "close":
            services.close_record(by=request.user, record=record)
            messages.success(request, _("Closed."))
        elif action == "remove_attachment":
            attachment = get_object_or_404(
                Attachment, pk=posted_pk(request.POST.get("attachment")), **{kind: record}
            )
            services.remove_attachment(by=request.user, attachment=attachment)
            messages.success(request, _("The attachment was removed."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(
            request,
            _("Complete the record before submitting: %(fields)s")
            % {"fields": "; ".join(m for ms in error.message_dict.values() for m in ms)},
        )
        return redirect(f"my-{kind}-edit", pk=pk)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"my-{kind}-detail", pk=pk)
