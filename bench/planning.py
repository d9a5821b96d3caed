"""Generated planning instances and the season-planner benchmark (no Django imports).

The instances imitate what the platform holds after a solicitation round: needs spread
over the 14 catalog industries with a heavy skew (manufacturing and healthcare dwarf
agriculture), enterprises posting a few needs each, providers with one to three
solutions that specialise in a few industries and capabilities, and for each need the
providers the matching engine would rank highest. The affinity model behind that ranking
— industry fit (exact or related), capability coverage, a provider's general strength
and noise — is deliberately the same shape as the engine's score, so the planner is
benchmarked on the structure it will meet. The ``bench_scheduling`` command and the
planner's tests import this module; the Django side feeds real engine output through the
same dataclasses.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import scipy.sparse as sp

from events.calendar_cn import WorkCalendar, load_default_calendar
from events.planning import (
    Introduction,
    PlanNeed,
    PlanningInput,
    ProviderMatch,
    Venue,
    collapse_matches,
    plan_season,
    related_from_pairs,
)
from matchmaking.engine.config import DEFAULT_RELATED_INDUSTRIES

# Catalog codes (catalog-format.md) with a share of needs for the skewed instance.
INDUSTRIES: dict[str, tuple[str, str, float]] = {
    "manufacturing": ("工业制造", "Manufacturing", 0.22),
    "healthcare": ("医疗健康", "Healthcare", 0.14),
    "finance": ("金融", "Finance", 0.12),
    "government": ("城市治理与政务", "City governance & public services", 0.10),
    "energy": ("能源电力", "Energy & power", 0.08),
    "transportation": ("交通物流", "Transport & logistics", 0.07),
    "automotive": ("汽车与智能终端", "Automotive & smart devices", 0.06),
    "retail": ("商贸零售", "Commerce & retail", 0.05),
    "biopharma": ("生物医药", "Biopharma", 0.045),
    "education": ("教育", "Education", 0.035),
    "semiconductors": ("集成电路", "Integrated circuits", 0.025),
    "media": ("文化传媒", "Culture & media", 0.02),
    "construction": ("建筑与地产", "Construction & real estate", 0.015),
    "agriculture": ("农业", "Agriculture", 0.01),
}
CAPABILITIES: dict[str, tuple[str, str]] = {
    "text_generation": ("文本生成", "Text generation"),
    "knowledge_qa": ("知识问答", "Knowledge Q&A / RAG"),
    "document_understanding": ("文档理解", "Document understanding"),
    "computer_vision": ("视觉检测与识别", "Computer vision"),
    "multimodal": ("多模态", "Multimodal"),
    "speech": ("语音", "Speech"),
    "agent": ("智能体", "Agents"),
    "code_generation": ("代码生成", "Code generation"),
    "data_analytics": ("数据分析与预测", "Data analytics & forecasting"),
    "embodied": ("具身智能与机器人", "Embodied AI & robotics"),
    "digital_human": ("数字人", "Digital humans"),
    "translation": ("翻译", "Translation"),
}
# The matching engine's notion of related industries, so planner and engine agree.
RELATED_INDUSTRIES: dict[str, tuple[str, ...]] = {
    code: tuple(sorted(partners))
    for code, partners in related_from_pairs(DEFAULT_RELATED_INDUSTRIES).items()
}
# Which capabilities an industry's needs ask for (weights), for plausible themes.
_INDUSTRY_CAPABILITIES: dict[str, dict[str, float]] = {
    "manufacturing": {
        "computer_vision": 5,
        "data_analytics": 4,
        "embodied": 3,
        "knowledge_qa": 2,
        "agent": 1,
        "document_understanding": 1,
    },
    "healthcare": {
        "document_understanding": 4,
        "knowledge_qa": 4,
        "computer_vision": 3,
        "speech": 2,
        "multimodal": 2,
        "digital_human": 1,
    },
    "finance": {
        "knowledge_qa": 5,
        "document_understanding": 4,
        "data_analytics": 4,
        "agent": 3,
        "text_generation": 2,
        "digital_human": 1,
    },
    "government": {
        "knowledge_qa": 5,
        "document_understanding": 4,
        "agent": 3,
        "computer_vision": 2,
        "speech": 2,
        "digital_human": 1,
    },
    "energy": {
        "data_analytics": 5,
        "computer_vision": 4,
        "embodied": 2,
        "knowledge_qa": 2,
        "agent": 1,
    },
    "transportation": {
        "data_analytics": 5,
        "computer_vision": 3,
        "agent": 3,
        "speech": 1,
        "knowledge_qa": 1,
    },
    "automotive": {
        "multimodal": 4,
        "speech": 3,
        "computer_vision": 3,
        "code_generation": 2,
        "agent": 2,
        "embodied": 1,
    },
    "retail": {
        "text_generation": 4,
        "digital_human": 3,
        "agent": 3,
        "data_analytics": 3,
        "multimodal": 2,
        "translation": 1,
    },
    "biopharma": {
        "document_understanding": 4,
        "knowledge_qa": 3,
        "data_analytics": 3,
        "text_generation": 2,
        "translation": 1,
    },
    "education": {
        "knowledge_qa": 4,
        "text_generation": 3,
        "speech": 3,
        "digital_human": 2,
        "translation": 2,
    },
    "semiconductors": {
        "computer_vision": 4,
        "code_generation": 3,
        "data_analytics": 3,
        "knowledge_qa": 2,
    },
    "media": {
        "text_generation": 5,
        "multimodal": 4,
        "digital_human": 3,
        "translation": 2,
        "speech": 2,
    },
    "construction": {
        "computer_vision": 4,
        "document_understanding": 3,
        "data_analytics": 3,
        "embodied": 2,
    },
    "agriculture": {"computer_vision": 4, "data_analytics": 4, "embodied": 2, "knowledge_qa": 1},
}
# A few words of need texts per industry and capability, for synthetic TF-IDF rows.
_INDUSTRY_TERMS: dict[str, tuple[str, ...]] = {
    "manufacturing": ("产线", "工厂", "设备", "工艺"),
    "healthcare": ("医院", "病历", "临床", "影像科"),
    "finance": ("银行", "信贷", "风控", "理财"),
    "government": ("政务", "热线", "城市", "审批"),
    "energy": ("电网", "电站", "巡检", "负荷"),
    "transportation": ("物流", "调度", "港口", "车队"),
    "automotive": ("座舱", "车载", "整车", "终端"),
    "retail": ("门店", "电商", "客服", "会员"),
    "biopharma": ("药物", "临床试验", "申报", "研发"),
    "education": ("课堂", "教学", "学生", "课程"),
    "semiconductors": ("晶圆", "芯片", "良率", "光刻"),
    "media": ("内容", "视频", "出版", "广告"),
    "construction": ("工地", "图纸", "施工", "楼宇"),
    "agriculture": ("农田", "作物", "养殖", "病虫害"),
}
_CAPABILITY_TERMS: dict[str, tuple[str, ...]] = {
    "text_generation": ("文案", "生成", "写作", "摘要"),
    "knowledge_qa": ("问答", "知识库", "检索", "客服问答"),
    "document_understanding": ("文档", "合同", "表格", "抽取"),
    "computer_vision": ("视觉", "缺陷", "质检", "识别", "图像"),
    "multimodal": ("多模态", "图文", "视频理解"),
    "speech": ("语音", "转写", "语音识别"),
    "agent": ("智能体", "流程", "自动化", "工具调用"),
    "code_generation": ("代码", "编程", "测试用例"),
    "data_analytics": ("预测", "分析", "报表", "时序"),
    "embodied": ("机器人", "机械臂", "搬运"),
    "digital_human": ("数字人", "虚拟主播", "直播"),
    "translation": ("翻译", "多语种", "本地化"),
}
_GENERIC_TERMS = (
    "大模型",
    "平台",
    "效率",
    "数据",
    "系统",
    "智能",
    "私有化",
    "降本",
    "场景",
    "试点",
)


def make_planning_instance(
    needs: int = 10_000,
    providers: int = 2_000,
    *,
    seed: int = 0,
    target_events: int = 50,
    start: date = date(2025, 1, 1),
    end: date = date(2026, 12, 31),
    weekly_cap: int = 2,
    venues: list[Venue] | None = None,
    max_providers_per_event: int = 60,
    intro_share: float = 0.05,
    calendar: WorkCalendar | None = None,
) -> PlanningInput:
    """A realistic planning instance; the same ``seed`` gives the same instance."""
    rng = np.random.default_rng(seed)
    codes = list(INDUSTRIES)
    caps = list(CAPABILITIES)
    share = np.array([INDUSTRIES[c][2] for c in codes])
    related = np.eye(len(codes))
    for a, partners in RELATED_INDUSTRIES.items():
        for b in partners:
            related[codes.index(a), codes.index(b)] = related[codes.index(b), codes.index(a)] = 0.5
    np.fill_diagonal(related, 1.0)

    # Needs: industry by skewed share, 1–3 capabilities by the industry's profile.
    need_industry = rng.choice(len(codes), size=needs, p=share / share.sum())
    need_caps = np.zeros((needs, len(caps)))
    for i, ind in enumerate(need_industry):
        profile = _INDUSTRY_CAPABILITIES[codes[ind]]
        weights = np.array([profile.get(c, 0.15) for c in caps])
        picked = rng.choice(
            len(caps),
            size=int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])),
            replace=False,
            p=weights / weights.sum(),
        )
        need_caps[i, picked] = 1.0
    # Enterprises post 1–6 needs each, all in their own industry.
    need_org = np.empty(needs, dtype=int)
    next_org = 0
    for ind in range(len(codes)):
        members = np.flatnonzero(need_industry == ind)
        orgs = np.repeat(np.arange(len(members)), rng.geometric(0.45, size=len(members)))[
            : len(members)
        ]
        need_org[members] = next_org + orgs
        next_org += len(members)

    # Providers: 1–3 industries (skewed like demand, plus related ones), 1–3 solutions each
    # covering 1–3 capabilities; a general strength shifts all their scores a little.
    n_sol = providers * 3
    sol_provider = np.repeat(np.arange(providers), 3)[:n_sol]
    keep = rng.random(n_sol) < np.tile([1.0, 0.5, 0.25], providers)[:n_sol]
    sol_provider = sol_provider[keep]
    prov_industry = np.zeros((providers, len(codes)))
    for p in range(providers):
        first = rng.choice(len(codes), p=share / share.sum())
        prov_industry[p, first] = 1.0
        if rng.random() < 0.6:
            partners = RELATED_INDUSTRIES[codes[first]]
            prov_industry[p, codes.index(partners[rng.integers(len(partners))])] = 1.0
    sol_caps = np.zeros((len(sol_provider), len(caps)))
    for s, p in enumerate(sol_provider):
        ind = int(np.argmax(prov_industry[p]))
        profile = _INDUSTRY_CAPABILITIES[codes[ind]]
        weights = np.array([profile.get(c, 0.3) for c in caps])
        sol_caps[
            s,
            rng.choice(
                len(caps), size=int(rng.integers(1, 4)), replace=False, p=weights / weights.sum()
            ),
        ] = 1.0
    strength = rng.normal(0.0, 0.03, size=providers)

    # Top matches: the engine-shaped score per (need, solution), best solution per provider.
    matches = []
    fit = related @ prov_industry.T  # industry → provider fit in {0, 0.5, 1}
    fit = np.minimum(fit, 1.0)
    cap_norm = need_caps.sum(axis=1, keepdims=True)
    order = np.argsort(sol_provider, kind="stable")
    sol_provider, sol_caps = sol_provider[order], sol_caps[order]
    starts = np.flatnonzero(np.r_[True, np.diff(sol_provider) > 0])
    for lo in range(0, needs, 1_000):
        hi = min(lo + 1_000, needs)
        coverage = (need_caps[lo:hi] @ sol_caps.T) / cap_norm[lo:hi]
        score = 0.45 * fit[need_industry[lo:hi]][:, sol_provider] + 0.4 * coverage
        score += strength[sol_provider] + rng.normal(0.0, 0.1, size=score.shape)
        per_provider = np.maximum.reduceat(score, starts, axis=1)
        provider_of_column = sol_provider[starts]
        keep = min(12, per_provider.shape[1])
        top = np.argpartition(-per_provider, keep - 1, axis=1)[:, :keep]
        top_scores = np.clip(np.take_along_axis(per_provider, top, axis=1), 0.0, 1.0)
        for ids, scores in zip(provider_of_column[top].tolist(), top_scores.tolist(), strict=True):
            matches.append(collapse_matches(list(zip(ids, scores, strict=True))))

    vectors, names = _need_vectors(rng, need_industry, need_caps, codes, caps)
    plan_needs = [
        PlanNeed(
            id=i,
            organization_id=f"ent-{need_org[i]}",
            industry=codes[need_industry[i]],
            capabilities=tuple(caps[j] for j in np.flatnonzero(need_caps[i])),
            matches=tuple(
                ProviderMatch(f"prov-{m.provider_id}", round(m.score, 4)) for m in matches[i]
            ),
            vector_row=i,
        )
        for i in range(needs)
    ]
    intros = []
    for i in rng.choice(needs, size=round(needs * intro_share), replace=False):
        need = plan_needs[int(i)]
        rank = min(int(rng.geometric(0.35)) - 1, len(need.matches) - 1)
        provider = need.matches[rank].provider_id
        about_need = rng.random() < 0.8
        intros.append(Introduction(need.organization_id, provider, need.id if about_need else None))
    if venues is None:
        venues = [
            Venue("v-westbund", "西岸国际会展中心 多功能厅", 280),
            Venue("v-caohejing", "漕河泾会议中心", 240),
            Venue("v-aiplaza", "模速空间 路演厅", 200),
        ]
    return PlanningInput(
        needs=plan_needs,
        start=start,
        end=end,
        venues=venues,
        calendar=calendar or load_default_calendar(),
        introductions=intros,
        target_events=target_events,
        weekly_cap=weekly_cap,
        blackout_dates=frozenset(_days(date(2025, 7, 24), date(2025, 7, 29))),  # WAIC week
        max_providers_per_event=max_providers_per_event,
        need_vectors=vectors,
        feature_names=names,
        industry_names={c: (zh, en) for c, (zh, en, _) in INDUSTRIES.items()},
        capability_names=dict(CAPABILITIES),
        related_industries=RELATED_INDUSTRIES,
        seed=seed,
    )


def make_demo_instance(seed: int = 0) -> PlanningInput:
    """Demo size: ≈40 needs, ≈20 providers with ≈30 solutions, a target of 6 events."""
    return make_planning_instance(
        needs=40,
        providers=20,
        seed=seed,
        target_events=6,
        start=date(2025, 3, 3),
        end=date(2025, 6, 27),
        venues=[Venue("v-hall", "园区会议中心", 24), Venue("v-room", "路演室", 12)],
        max_providers_per_event=12,
        intro_share=0.1,
    )


def run_planning_benchmark(needs: int = 10_000, seed: int = 0) -> dict:
    """Generate an instance, plan it and report the quality figures and runtimes."""
    t0 = time.perf_counter()
    inp = make_planning_instance(needs=needs, providers=max(20, needs // 5), seed=seed)
    t1 = time.perf_counter()
    plan = plan_season(inp)
    t2 = time.perf_counter()
    q = plan.quality
    return {
        "needs": needs,
        "providers": len({m.provider_id for n in inp.needs for m in n.matches}),
        "introductions": len(inp.introductions),
        "max_providers_per_event": inp.max_providers_per_event,
        "events_target": inp.target_events,
        "events": q.events_planned,
        "plan_coverage": round(q.coverage, 4),
        "plan_balance": round(q.balance, 3),
        "plan_intro_cohesion": round(q.intro_cohesion, 4),
        "largest_event": q.largest_event,
        "smallest_event": q.smallest_event,
        "unplaced_needs": len(plan.unplaced),
        "providers_invited": q.providers_invited,
        "invitations": q.invitations,
        "meets_targets": q.meets_targets,
        "runtime_seconds": round(t2 - t1, 2),
        "generate_seconds": round(t1 - t0, 2),
        "notes": plan.notes,
    }


def _need_vectors(
    rng: np.random.Generator,
    industry: np.ndarray,
    caps: np.ndarray,
    codes: list[str],
    cap_codes: list[str],
) -> tuple[sp.csr_matrix, list[str]]:
    """TF-IDF rows of synthetic need texts: industry words, capability words, filler."""
    names = list(
        dict.fromkeys(
            [t for ts in _INDUSTRY_TERMS.values() for t in ts]
            + [t for ts in _CAPABILITY_TERMS.values() for t in ts]
            + list(_GENERIC_TERMS)
        )
    )
    column = {t: j for j, t in enumerate(names)}
    rows, cols = [], []
    for i in range(len(industry)):
        words = list(rng.choice(_INDUSTRY_TERMS[codes[industry[i]]], size=2))
        for j in np.flatnonzero(caps[i]):
            words += list(rng.choice(_CAPABILITY_TERMS[cap_codes[j]], size=2))
        words += list(rng.choice(_GENERIC_TERMS, size=3))
        rows += [i] * len(words)
        cols += [column[w] for w in words]
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(industry), len(names)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(names))
    idf = np.log((1 + len(industry)) / (1 + df)) + 1.0
    tfidf = counts @ sp.diags(idf)
    norms = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ tfidf), names


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]
