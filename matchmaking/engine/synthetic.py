"""Seeded synthetic needs and solutions, bilingual, at any size.

For benchmarks and the demo seed: texts are assembled from phrase pools per
industry and capability in Chinese, English or both, with the long tail of
real submissions (equipment models, district and product names) so that the
vocabulary grows with the catalog as a real one does. Same seed, same data.
"""

from __future__ import annotations

import random

from matchmaking.engine.config import (
    CAPABILITIES,
    DATA_READINESS,
    DEPLOYMENTS,
    INDUSTRIES,
    MATURITIES,
)
from matchmaking.engine.records import NeedRecord, SolutionRecord

# industry -> (Chinese scenes, English scenes)
SCENES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "manufacturing": (
        (
            "冲压件产线",
            "注塑车间",
            "数控机床",
            "装配线",
            "钢铁冷轧线",
            "纺织面料",
            "电子元器件",
            "锂电池极片",
        ),
        (
            "stamping line",
            "injection molding shop",
            "cnc machining",
            "assembly line",
            "battery electrode",
            "steel strip mill",
        ),
    ),
    "healthcare": (
        ("三甲医院", "社区卫生服务中心", "影像科", "护理部", "体检中心", "互联网医院", "病案室"),
        (
            "tertiary hospital",
            "radiology department",
            "nursing team",
            "health check center",
            "outpatient clinic",
        ),
    ),
    "biopharma": (
        ("新药研发", "临床试验", "药物警戒", "注册申报", "生物制剂工厂", "CRO项目"),
        (
            "drug discovery",
            "clinical trial",
            "pharmacovigilance",
            "regulatory affairs",
            "biologics plant",
        ),
    ),
    "energy": (
        ("地市供电公司", "变电站", "输电线路", "光伏电站", "风电场", "储能电站", "调度中心"),
        (
            "power grid",
            "substation",
            "transmission line",
            "solar farm",
            "wind farm",
            "energy storage",
        ),
    ),
    "finance": (
        ("股份制银行", "城商行", "保险公司", "证券公司", "信用卡中心", "消费金融"),
        (
            "retail bank",
            "insurance company",
            "securities firm",
            "credit card center",
            "wealth management",
        ),
    ),
    "transportation": (
        ("城配物流", "冷链车队", "港口集装箱", "快递网点", "地铁运营", "干线运输"),
        (
            "last-mile delivery",
            "cold chain fleet",
            "container port",
            "metro operation",
            "freight network",
        ),
    ),
    "automotive": (
        ("整车厂", "汽车零部件", "智能座舱", "4S店售后", "自动驾驶测试", "动力电池"),
        (
            "car maker",
            "auto parts supplier",
            "smart cockpit",
            "dealer aftersales",
            "autonomous driving",
        ),
    ),
    "semiconductors": (
        ("晶圆厂", "封装测试", "芯片设计", "光刻工艺", "良率分析"),
        ("wafer fab", "packaging and test", "chip design", "lithography", "yield analysis"),
    ),
    "education": (
        ("中小学", "职业院校", "高校实验室", "在线教育平台", "教研室"),
        ("k-12 school", "vocational college", "university lab", "online learning platform"),
    ),
    "government": (
        ("12345热线", "街道城运中心", "行政服务中心", "住建委", "应急管理局"),
        (
            "citizen hotline",
            "urban operations center",
            "government service center",
            "emergency management",
        ),
    ),
    "retail": (
        ("连锁门店", "电商直播间", "购物中心", "生鲜超市", "品牌旗舰店"),
        ("retail chain", "live commerce studio", "shopping mall", "fresh grocery", "brand store"),
    ),
    "media": (
        ("融媒体中心", "出版社", "短视频团队", "广告公司", "文旅景区"),
        ("newsroom", "publisher", "short video studio", "advertising agency", "museum"),
    ),
    "construction": (
        ("施工现场", "地产集团", "设计院", "物业公司", "基建项目"),
        ("construction site", "property developer", "design institute", "facility management"),
    ),
    "agriculture": (
        ("种植基地", "水产养殖场", "智慧农场", "畜牧养殖", "农产品溯源"),
        ("farm", "aquaculture pond", "greenhouse", "livestock farm", "produce traceability"),
    ),
}

# capability -> (Chinese tasks, English tasks)
TASKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "text_generation": (
        ("自动生成报告初稿", "营销文案生成", "公文写作辅助", "会议纪要生成"),
        ("draft reports automatically", "generate marketing copy", "write meeting minutes"),
    ),
    "knowledge_qa": (
        ("搭建知识库问答", "制度规范智能问答", "产品手册检索问答", "政策咨询问答"),
        ("build a knowledge base chatbot", "answer policy questions", "search product manuals"),
    ),
    "document_understanding": (
        ("合同条款审查", "票据信息抽取", "图纸智能审查", "申报材料核对"),
        ("review contract clauses", "extract invoice fields", "check submission documents"),
    ),
    "computer_vision": (
        ("外观缺陷检测", "视频事件识别", "安全帽佩戴识别", "表计读数识别", "影像辅助诊断"),
        ("detect surface defects", "recognize safety events in video", "read meters from images"),
    ),
    "multimodal": (
        ("图文多模态理解", "视频内容理解", "图纸与文本联合分析"),
        ("understand images and text together", "analyse video content"),
    ),
    "speech": (
        ("通话录音转写质检", "语音导航", "语音交互助手"),
        ("transcribe call recordings", "voice assistant", "speech analytics"),
    ),
    "agent": (
        ("业务办理智能体", "工单自动分派", "流程自动化助手"),
        ("ai agent for service requests", "route tickets automatically", "automate workflows"),
    ),
    "code_generation": (
        ("代码补全与单元测试生成", "遗留代码迁移", "脚本自动生成"),
        ("code completion and unit tests", "migrate legacy code", "generate scripts"),
    ),
    "data_analytics": (
        ("负荷预测", "销量预测与补货", "设备故障预警", "风险评分", "路径规划优化"),
        (
            "forecast demand",
            "predict equipment failures",
            "score credit risk",
            "optimize delivery routes",
        ),
    ),
    "embodied": (
        ("巡检机器人", "仓储拣选机器人", "协作机械臂"),
        ("inspection robot", "warehouse picking robots", "collaborative robot arm"),
    ),
    "digital_human": (
        ("数字人主播", "数字人导览", "虚拟客服形象"),
        ("digital human host", "virtual guide avatar"),
    ),
    "translation": (
        ("技术文档翻译", "多语种客服翻译", "申报资料中英互译"),
        ("translate technical manuals", "multilingual support translation"),
    ),
}

_PAINS_ZH = (
    "人工效率低、漏检率高",
    "数据分散在多个系统",
    "响应慢、客户投诉多",
    "依赖老师傅经验",
    "成本持续上升",
    "合规要求越来越严",
)
_PAINS_EN = (
    "manual work is slow and error-prone",
    "data is scattered across systems",
    "customers wait too long",
    "we rely on a few experts",
    "costs keep rising",
)
_DISTRICTS = ("徐汇区", "浦东新区", "闵行区", "嘉定区", "临港新片区", "杨浦区", "松江区", "静安区")
_DEPLOY_ZH = {
    "on_premise": "私有化部署",
    "cloud": "公有云",
    "hybrid": "混合云",
    "edge": "边缘端部署",
}
_DEPLOY_EN = {
    "on_premise": "on-premise",
    "cloud": "public cloud",
    "hybrid": "hybrid cloud",
    "edge": "edge devices",
}


def _code(rng: random.Random) -> str:
    # Equipment and product model numbers: the long tail of a real vocabulary.
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
    return f"{letters}-{rng.randint(100, 9999)}"


def _language(rng: random.Random) -> str:
    roll = rng.random()
    return "zh" if roll < 0.6 else "en" if roll < 0.85 else "mixed"


def _need_text(
    rng: random.Random, industry: str, caps: tuple[str, ...], deployment: str | None
) -> tuple[str, str, str]:
    language = _language(rng)
    scene_zh, scene_en = rng.choice(SCENES[industry][0]), rng.choice(SCENES[industry][1])
    task_zh = [rng.choice(TASKS[c][0]) for c in caps]
    task_en = [rng.choice(TASKS[c][1]) for c in caps]
    code = _code(rng)
    if language == "en":
        title = f"{task_en[0].capitalize()} for our {scene_en}"
        summary = f"We want to {' and '.join(task_en)} at our {scene_en}; {rng.choice(_PAINS_EN)}."
        description = (
            f"Our {scene_en} runs {rng.randint(2, 40)} lines with {code} equipment. "
            f"{rng.choice(_PAINS_EN).capitalize()}. "
            + (f"Deployment must be {_DEPLOY_EN[deployment]}." if deployment else "")
        )
    else:
        title = f"{scene_zh}{task_zh[0]}"
        summary = f"{rng.choice(_DISTRICTS)}某{scene_zh}希望{'、'.join(task_zh)}，目前{rng.choice(_PAINS_ZH)}。"
        description = f"现有{code}型设备{rng.randint(2, 200)}台，{rng.choice(_PAINS_ZH)}。" + (
            f"要求{_DEPLOY_ZH[deployment]}。" if deployment else ""
        )
        if language == "mixed":
            description += f" We also need to {rng.choice(task_en)} (see {code} spec)."
    return title, summary, description


def _solution_text(
    rng: random.Random, industries: tuple[str, ...], caps: tuple[str, ...], modes: tuple[str, ...]
) -> tuple[str, str, str]:
    language = _language(rng)
    industry = industries[0] if industries else rng.choice(INDUSTRIES)
    scene_zh, scene_en = rng.choice(SCENES[industry][0]), rng.choice(SCENES[industry][1])
    task_zh = [rng.choice(TASKS[c][0]) for c in caps]
    task_en = [rng.choice(TASKS[c][1]) for c in caps]
    product = f"{rng.choice(('智', '灵', '云', '星', '深', '天'))}{rng.choice(('擎', '眸', '枢', '衡', '策', '图'))}{_code(rng)}"
    if language == "en":
        title = f"{product}: {task_en[0]} platform"
        summary = f"We help {scene_en} teams {' and '.join(task_en)} with large models."
        description = (
            f"Deployed at {rng.randint(3, 80)} customers including a {scene_en}. "
            f"Available as {', '.join(_DEPLOY_EN[m] for m in modes)}."
        )
    else:
        title = f"{product}{task_zh[0]}大模型解决方案"
        summary = (
            f"面向{scene_zh}，提供{'、'.join(task_zh)}能力，已在{rng.randint(3, 80)}家客户落地。"
        )
        description = (
            f"支持{'、'.join(_DEPLOY_ZH[m] for m in modes)}，团队位于{rng.choice(_DISTRICTS)}。"
        )
        if language == "mixed":
            description += f" Our {product} engine can {rng.choice(task_en)} for {scene_en}."
    return title, summary, description


def _budget(rng: random.Random) -> tuple[int | None, int | None]:
    if rng.random() < 0.2:
        return None, None
    low = rng.choice((5, 10, 20, 30, 50, 80, 100, 200))
    return low, low * rng.choice((2, 3, 4))


def generate_needs(
    count: int, seed: int = 0, *, organizations: int | None = None
) -> list[NeedRecord]:
    """`count` needs with ids 1..count (organizations 1..count//3 by default)."""
    rng = random.Random(f"needs-{seed}")  # noqa: S311 -- synthetic data, not security
    organizations = organizations or max(1, count // 3)
    needs = []
    for i in range(1, count + 1):
        industry = rng.choice(INDUSTRIES)
        caps = tuple(rng.sample(CAPABILITIES, rng.choice((1, 1, 2, 2, 3))))
        deployment = rng.choice((*DEPLOYMENTS, "on_premise", None))
        title, summary, description = _need_text(rng, industry, caps, deployment)
        budget_min, budget_max = _budget(rng)
        needs.append(
            NeedRecord(
                id=i,
                organization_id=rng.randint(1, organizations),
                title=title,
                summary=summary,
                description=description,
                industry=industry if rng.random() > 0.05 else None,
                capabilities=caps,
                deployment=deployment,
                data_readiness=rng.choice((*DATA_READINESS, None)),
                budget_min=budget_min,
                budget_max=budget_max,
                # From the id, not the generator: the other fields stay as they were.
                requires_filing=i % 7 == 0,
            )
        )
    return needs


def generate_solutions(
    count: int,
    seed: int = 0,
    *,
    organizations: int | None = None,
    first_organization: int | None = None,
) -> list[SolutionRecord]:
    """`count` solutions with ids 1..count.

    Provider organizations are numbered from `first_organization` (default:
    past the needs' organizations of the same size, with a small overlap for
    organizations that are both enterprise and provider).
    """
    rng = random.Random(f"solutions-{seed}")  # noqa: S311 -- synthetic data, not security
    organizations = organizations or max(1, count // 2)
    first = first_organization if first_organization is not None else max(1, count // 2)
    solutions = []
    for i in range(1, count + 1):
        industries = tuple(rng.sample(INDUSTRIES, rng.choice((0, 1, 1, 2, 3))))
        caps = tuple(rng.sample(CAPABILITIES, rng.choice((1, 2, 2, 3, 4))))
        modes = tuple(sorted(rng.sample(DEPLOYMENTS, rng.choice((1, 1, 2, 3)))))
        title, summary, description = _solution_text(rng, industries, caps, modes)
        price_min, price_max = _budget(rng)
        solutions.append(
            SolutionRecord(
                id=i,
                organization_id=first + rng.randint(0, organizations - 1),
                title=title,
                summary=summary,
                description=description,
                industries=industries,
                capabilities=caps,
                deployment_modes=modes,
                maturity=rng.choice((*MATURITIES, None)),
                price_min=price_min,
                price_max=price_max,
                filing_verified=i % 3 != 0,
            )
        )
    return solutions
