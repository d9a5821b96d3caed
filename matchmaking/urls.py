from django.urls import path

from matchmaking.views import catalog, matching, searches, suggest, threads

urlpatterns = [
    path("attachments/<int:pk>/", catalog.attachment_download, name="attachment-download"),
    path("matches/needs/", matching.matched_needs, name="matched-needs"),
    path("matches/action/", matching.match_action, name="match-action"),
    path("interests/", matching.inbox, name="interests"),
    path("interests/<int:pk>/", matching.interest_action, name="interest-action"),
    path("interests/<int:pk>/thread/", threads.interest_thread, name="interest-thread"),
    path("threads/", threads.thread_list, name="threads"),
    path("threads/<int:pk>/", threads.thread_detail, name="thread-detail"),
    path("threads/files/<int:pk>/", threads.message_file, name="thread-message-file"),
    path("searches/save/", searches.save_search, name="saved-search-save"),
    path("searches/<int:pk>/", searches.saved_search_action, name="saved-search-action"),
    path(
        "searches/unsubscribe/<str:token>/", searches.unsubscribe, name="saved-search-unsubscribe"
    ),
    path("organizations/", catalog.organization_list, name="organization-list"),
    path("organizations/<int:pk>/", catalog.organization_detail, name="organization-detail"),
    path("my/needs/suggestions/", suggest.need_suggestions, name="need-suggestions"),
]

for kind, plural in (("need", "needs"), ("solution", "solutions")):
    urlpatterns += [
        path(f"{plural}/", catalog.catalog_list, {"kind": kind}, name=f"{kind}-list"),
        path(f"{plural}/<int:pk>/", catalog.catalog_detail, {"kind": kind}, name=f"{kind}-detail"),
        path(f"my/{plural}/", catalog.my_list, {"kind": kind}, name=f"my-{kind}-list"),
        path(f"my/{plural}/new/", catalog.my_edit, {"kind": kind}, name=f"my-{kind}-new"),
        path(f"my/{plural}/<int:pk>/", catalog.my_detail, {"kind": kind}, name=f"my-{kind}-detail"),
        path(
            f"my/{plural}/<int:pk>/edit/", catalog.my_edit, {"kind": kind}, name=f"my-{kind}-edit"
        ),
        path(
            f"my/{plural}/<int:pk>/action/",
            catalog.my_action,
            {"kind": kind},
            name=f"my-{kind}-action",
        ),
    ]
