"""Engine configuration: codes, fit tables, weights.

Everything that changes a score lives here (or in the glossary data file), so
that a fitted model can carry its configuration as JSON and a worker on another
machine scores exactly as the one that fitted it. Changing a default here
changes scores: bump `ALGORITHM_VERSION` in `matchmaking/engine/__init__.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# Codes of the catalog format (catalog-format.md). The engine validates records
# against them: an unknown code is a bug upstream, not something to guess about.
INDUSTRIES: tuple[str, ...] = (
    "manufacturing",
    "healthcare",
    "biopharma",
    "energy",
    "finance",
    "transportation",
    "automotive",
    "semiconductors",
    "education",
    "government",
    "retail",
    "media",
    "construction",
    "agriculture",
)
CAPABILITIES: tuple[str, ...] = (
    "text_generation",
    "knowledge_qa",
    "document_understanding",
    "computer_vision",
    "multimodal",
    "speech",
    "agent",
    "code_generation",
    "data_analytics",
    "embodied",
    "digital_human",
    "translation",
)
DEPLOYMENTS: tuple[str, ...] = ("on_premise", "cloud", "hybrid", "edge")
DATA_READINESS: tuple[str, ...] = ("ready", "partial", "none")
MATURITIES: tuple[str, ...] = ("poc", "pilot", "product")

# Industries whose needs a provider in the other industry can plausibly serve
# (shared processes, regulation or customers). Symmetric; the Django taxonomy
# loads the same pairs so that the admin can see and edit them.
DEFAULT_RELATED_INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("healthcare", "biopharma"),  # hospitals and pharma share clinical data and regulation
    ("automotive", "manufacturing"),  # parts plants are factories
    ("semiconductors", "manufacturing"),  # fabs and packaging lines are factories
    ("semiconductors", "automotive"),  # automotive chips, in-car electronics
    ("energy", "manufacturing"),  # plants, turbines, PV module lines: industrial equipment
    ("energy", "construction"),  # grid and plant construction, building energy
    ("transportation", "automotive"),  # fleets, vehicles, mobility
    ("transportation", "retail"),  # e-commerce logistics and warehousing
    ("government", "construction"),  # urban management, permits, drawing review
    ("government", "transportation"),  # traffic management, public transport
    ("government", "education"),  # public services
    ("retail", "media"),  # marketing content, live commerce
    ("education", "media"),  # educational content
    ("agriculture", "retail"),  # fresh-produce supply chains
    ("finance", "retail"),  # consumer credit, payments
)

# Deployment compatibility: the need's requirement (row) against one mode the
# solution offers (column, in DEPLOYMENTS order). A solution offering several
# modes gets its best one.
DEFAULT_DEPLOYMENT_FIT: dict[str, tuple[float, float, float, float]] = {
    #              on_premise cloud hybrid edge
    "on_premise": (1.0, 0.0, 0.3, 0.8),  # edge runs on site; cloud never does
    "cloud": (0.5, 1.0, 0.8, 0.4),
    "hybrid": (0.7, 0.6, 1.0, 0.5),
    "edge": (0.6, 0.1, 0.3, 1.0),
}

# Hard incompatibility: a need requiring the key is never matched with a
# solution that states its modes and offers none of the values.
DEFAULT_HARD_DEPLOYMENT: dict[str, tuple[str, ...]] = {
    "on_premise": ("on_premise", "edge"),
}

# Solution maturity against the need's data readiness: a proof of concept needs
# the customer's data to prove anything; a product brings its own model.
DEFAULT_MATURITY_FIT: dict[str, tuple[float, float, float]] = {
    #          poc  pilot product
    "ready": (0.8, 0.9, 1.0),
    "partial": (0.5, 0.8, 1.0),
    "none": (0.2, 0.5, 0.9),
}

COMPONENTS: tuple[str, ...] = (
    "text",
    "industry",
    "capabilities",
    "deployment",
    "budget",
    "maturity",
)

# The buyer cares about deployability and maturity; the provider about its
# target industries and whether the budget is worth the project.
DEFAULT_NEED_WEIGHTS: dict[str, float] = {
    "text": 0.40,
    "capabilities": 0.20,
    "industry": 0.10,
    "deployment": 0.15,
    "budget": 0.05,
    "maturity": 0.10,
}
DEFAULT_SOLUTION_WEIGHTS: dict[str, float] = {
    "text": 0.40,
    "capabilities": 0.20,
    "industry": 0.15,
    "deployment": 0.05,
    "budget": 0.15,
    "maturity": 0.05,
}


@dataclass(frozen=True)
class EngineConfig:
    """Knobs of the engine. JSON-serialisable; stored inside a fitted model."""

    k: int = 20
    need_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_NEED_WEIGHTS))
    solution_weights: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_SOLUTION_WEIGHTS)
    )
    # Cosines of short texts rarely pass 0.5 even for the same problem, so the
    # text component saturates there instead of being dwarfed by the
    # structured components that reach 1.0 easily.
    text_saturation: float = 0.5
    # Value of a component whose input is unknown on either side: it should
    # neither reward nor punish missing information.
    neutral: float = 0.5
    related_industries: tuple[tuple[str, str], ...] = DEFAULT_RELATED_INDUSTRIES
    related_industry_score: float = 0.5
    deployment_fit: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: dict(DEFAULT_DEPLOYMENT_FIT)
    )
    hard_deployment: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_HARD_DEPLOYMENT)
    )
    maturity_fit: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: dict(DEFAULT_MATURITY_FIT)
    )
    # Text features.
    title_weight: int = 2
    use_glossary: bool = True
    # Terms in more than this share of documents are dropped: near-zero idf,
    # yet they dominate the cost of the sparse product. Only applied to a
    # corpus of at least `max_df_min_docs` documents, where document frequency
    # is a reliable stop-word signal.
    max_df: float = 0.5
    max_df_min_docs: int = 200
    # Pairs scoring below this are never kept (0 keeps every compatible pair).
    min_score: float = 0.0
    # An organization that is both enterprise and provider is not matched
    # with itself.
    exclude_same_organization: bool = True
    # Cells (need rows x solutions) of one dense block: bounds memory.
    block_cells: int = 2_000_000
    explain_terms: int = 6
    # Score with capabilities inferred from the text when a need declares
    # none or the text contradicts the declared ones (see `suggest`).
    infer_capabilities: bool = True
    # Weights learned from outcomes for the needs of one industry (engine.learning):
    # {industry code: {"need": weights, "solution": weights}}. Needs of other
    # industries, or of none, use need_weights / solution_weights.
    domain_weights: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checked = [(name, getattr(self, name)) for name in ("need_weights", "solution_weights")]
        for domain, sides in self.domain_weights.items():
            if domain not in INDUSTRIES or set(sides) != {"need", "solution"}:
                raise ValueError(f"domain_weights[{domain!r}] must be an industry with both sides")
            checked += [(f"domain_weights[{domain!r}][{s!r}]", w) for s, w in sides.items()]
        for name, weights in checked:
            if set(weights) != set(COMPONENTS):
                raise ValueError(f"{name} must weigh exactly {COMPONENTS}, got {sorted(weights)}")
            if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
                raise ValueError(f"{name} must be non-negative and not all zero")
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.text_saturation <= 0:
            raise ValueError("text_saturation must be positive")

    def normalized_weights(self, side: str, industry: str | None = None) -> dict[str, float]:
        """Weights of one direction scaled to sum to 1, so a blend stays in [0, 1].

        With the need's industry: that domain's learned weights, if it has any.
        """
        learned = self.domain_weights.get(industry or "")
        if learned is not None:
            weights = learned[side]
        else:
            weights = self.need_weights if side == "need" else self.solution_weights
        total = sum(weights.values())
        return {name: weights[name] / total for name in COMPONENTS}

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> EngineConfig:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EngineConfig:
        data = dict(data)
        # JSON has no tuples; restore the shapes the dataclass declares.
        data["related_industries"] = tuple(tuple(pair) for pair in data["related_industries"])
        for name in ("deployment_fit", "hard_deployment", "maturity_fit"):
            data[name] = {key: tuple(value) for key, value in data[name].items()}
        return cls(**data)
