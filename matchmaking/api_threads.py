"""REST API of conversation threads (/api/v1/threads/): read them, write in them.

The list holds only the threads of the caller's organizations (staff: all), so any
other thread is a 404. Writing goes through matchmaking.services.threads, which
checks the caller belongs to one of the two organizations and the attachment's real
type; its refusals become 400/403 (core.api.errors).
"""

from __future__ import annotations

import rules
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.acting import acting_organization
from core.api.errors import ServiceErrorsMixin
from matchmaking import selectors
from matchmaking.models import Thread, ThreadMessage
from matchmaking.services import threads as services


class ThreadMessageSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.display_name", read_only=True)
    file = serializers.SerializerMethodField(
        help_text=_("The attachment's download address and name, or null.")
    )

    class Meta:
        model = ThreadMessage
        fields = ["id", "organization", "body", "file", "created_at"]

    def get_file(self, message: ThreadMessage) -> dict | None:
        if not message.file:
            return None
        return {
            "name": message.original_name,
            "size": message.size,
            "url": reverse("thread-message-file", args=[message.pk]),
        }


class ThreadSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    enterprise = serializers.CharField(source="enterprise.display_name", read_only=True)
    provider = serializers.CharField(source="provider.display_name", read_only=True)
    unread = serializers.IntegerField(read_only=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "title",
            "interest",
            "enterprise",
            "provider",
            "unread",
            "created_at",
            "last_message_at",
        ]


class ThreadOpenSerializer(serializers.Serializer):
    interest = serializers.IntegerField(help_text=_("The introduction whose thread to open."))


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_BODY)
    file = serializers.FileField(required=False)

    def validate(self, attrs):
        if not (attrs.get("body") or "").strip() and not attrs.get("file"):
            raise serializers.ValidationError(_("Write a message or attach a file."))
        return attrs


class ThreadViewSet(
    ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Conversations (对话): one per introduction and per meeting request."""

    serializer_class = ThreadSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Thread]:
        if getattr(self, "swagger_fake_view", False):
            return Thread.objects.none()
        return selectors.visible_threads(self.request.user)

    @extend_schema(
        request=ThreadOpenSerializer,
        responses={
            200: ThreadSerializer,
            404: OpenApiResponse(description="No introduction of your organization has this id."),
        },
        description="Open (or find) the thread of an introduction of your organization; "
        "any other introduction answers 404.",
    )
    def create(self, request, *args, **kwargs) -> Response:
        serializer = ThreadOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = acting_organization(request)
        interest = get_object_or_404(
            selectors.interests_of([organization.pk] if organization else []),
            pk=serializer.validated_data["interest"],
        )
        thread = services.thread_for_interest(interest=interest, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=thread.pk)).data)

    @extend_schema(
        methods=["get"],
        responses={200: ThreadMessageSerializer(many=True)},
        description="The thread's messages, oldest first; reading them marks the thread read.",
    )
    @extend_schema(
        methods=["post"],
        request=MessageCreateSerializer,
        responses={201: ThreadMessageSerializer},
        description="Write a message (multipart for an attachment: PDF, DOCX, XLSX, PNG, JPEG). "
        "403 for staff and anyone outside the two organizations; 400 for an empty message, a "
        "refused file or a closed introduction.",
    )
    # The whole conversation, unpaginated (as served and documented).
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None) -> Response:
        thread = self.get_object()
        if request.method == "GET":
            services.mark_read(user=request.user, thread=thread)
            data = ThreadMessageSerializer(selectors.thread_messages(thread), many=True).data
            return Response(data)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not rules.has_perm("matchmaking.write_in_thread", request.user, thread):
            self.permission_denied(request, message=_("Only the two organizations write here."))
        try:
            message = services.post_message(
                by=request.user,
                thread=thread,
                body=serializer.validated_data.get("body", ""),
                upload=serializer.validated_data.get("file"),
            )
        except DjangoValidationError as error:  # only the attachment is validated so
            raise serializers.ValidationError({"file": error.messages}) from None
        fresh = selectors.thread_messages(thread).get(pk=message.pk)
        return Response(ThreadMessageSerializer(fresh).data, status=201)
