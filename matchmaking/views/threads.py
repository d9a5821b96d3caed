"""Conversation pages (对话): my threads, one thread with its messages, attachments.

Members of the two organizations read and write; staff read. Opening a thread marks
it read; new messages reach the others by the digest email (services.threads).
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.acting import acting_organization
from core.errors import DomainError
from core.ratelimit import ratelimit
from matchmaking import selectors
from matchmaking.forms.threads import MessageForm
from matchmaking.models import ThreadMessage
from matchmaking.services import threads as services


def _visible_thread(request: HttpRequest, pk: int):
    thread = get_object_or_404(selectors.visible_threads(request.user), pk=pk)
    if not rules.has_perm("matchmaking.see_thread", request.user, thread):
        raise Http404
    return thread


@login_required
def thread_list(request: HttpRequest) -> HttpResponse:
    """对话: the conversations of my organizations, unread first marked."""
    return render(
        request, "threads/list.html", {"threads": selectors.visible_threads(request.user)[:200]}
    )


@login_required
@ratelimit("form")
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _visible_thread(request, pk)
    may_write = rules.has_perm("matchmaking.write_in_thread", request.user, thread)
    form = MessageForm()
    if request.method == "POST":
        if not may_write:
            raise Http404
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.post_message(
                    by=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data.get("file"),
                )
            except ValidationError as error:
                form.add_error("file", error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Message sent."))
                return redirect("thread-detail", pk=thread.pk)
    services.mark_read(user=request.user, thread=thread)
    context = {
        "thread": thread,
        "thread_messages": selectors.thread_messages(thread),
        "form": form,
        "may_write": may_write,
        "closed": bool(thread.interest_id) and thread.interest.status in services.CLOSED_INTERESTS,
    }
    return render(request, "threads/detail.html", context)


@login_required
@require_POST
def interest_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Open (or go to) the conversation of an introduction of the acting organization."""
    organization = acting_organization(request)
    interest = get_object_or_404(
        selectors.interests_of([organization.pk] if organization else []), pk=pk
    )
    thread = services.thread_for_interest(interest=interest, by=request.user)
    return redirect("thread-detail", pk=thread.pk)


@login_required
def message_file(request: HttpRequest, pk: int) -> FileResponse:
    message = get_object_or_404(ThreadMessage.objects.select_related("thread"), pk=pk)
    if not message.file or not rules.has_perm(
        "matchmaking.see_thread", request.user, message.thread
    ):
        raise Http404
    return FileResponse(
        message.file.open("rb"),
        as_attachment=True,
        filename=message.original_name,
        content_type=message.content_type,
    )
