from matchmaking.models.catalog import (
    Attachment,
    Confidentiality,
    DataReadiness,
    Deployment,
    Maturity,
    Need,
    Solution,
    Status,
    StatusChange,
)
from matchmaking.models.catalog_import import CatalogImport
from matchmaking.models.filings import FilingEntry, FilingList, FilingStatus
from matchmaking.models.matching import (
    FittedVocabulary,
    Interest,
    Match,
    MatchFeedback,
    MatchingState,
    MatchRun,
    MatchRunChunk,
    PendingMatch,
)
from matchmaking.models.review import ReturnReason
from matchmaking.models.search import SavedSearch, SearchAlert, SearchSynonym
from matchmaking.models.threads import Thread, ThreadDigest, ThreadMessage, ThreadRead
from matchmaking.models.weights import WeightSet

__all__ = [
    "Attachment",
    "CatalogImport",
    "Confidentiality",
    "DataReadiness",
    "Deployment",
    "FilingEntry",
    "FilingList",
    "FilingStatus",
    "FittedVocabulary",
    "Interest",
    "Match",
    "MatchFeedback",
    "MatchRun",
    "MatchRunChunk",
    "MatchingState",
    "Maturity",
    "Need",
    "PendingMatch",
    "ReturnReason",
    "SavedSearch",
    "SearchAlert",
    "SearchSynonym",
    "Solution",
    "Status",
    "StatusChange",
    "Thread",
    "ThreadDigest",
    "ThreadMessage",
    "ThreadRead",
    "WeightSet",
]
