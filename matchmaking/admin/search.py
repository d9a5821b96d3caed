"""Admin of the search synonym list (the groups staff add to synonyms.txt's)."""

from __future__ import annotations

from django.contrib import admin

from matchmaking.models import SearchSynonym


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["chinese", "english", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["chinese", "english", "note"]
    readonly_fields = ["created_at", "updated_at"]
