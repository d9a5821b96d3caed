"""Load the catalog's industries and capabilities (catalog-format.md) and related industries.

The data is frozen here on purpose: a migration must give the same result whenever it
runs. Staff edit names and relations in admin afterwards.
"""

from django.db import migrations

INDUSTRIES = [
    ("manufacturing", "工业制造", "Manufacturing"),
    ("healthcare", "医疗健康", "Healthcare"),
    ("biopharma", "生物医药", "Biopharma"),
    ("energy", "能源电力", "Energy & power"),
    ("finance", "金融", "Finance"),
    ("transportation", "交通物流", "Transport & logistics"),
    ("automotive", "汽车与智能终端", "Automotive & smart devices"),
    ("semiconductors", "集成电路", "Integrated circuits"),
    ("education", "教育", "Education"),
    ("government", "城市治理与政务", "City governance & public services"),
    ("retail", "商贸零售", "Commerce & retail"),
    ("media", "文化传媒", "Culture & media"),
    ("construction", "建筑与地产", "Construction & real estate"),
    ("agriculture", "农业", "Agriculture"),
]

CAPABILITIES = [
    ("text_generation", "文本生成", "Text generation"),
    ("knowledge_qa", "知识问答", "Knowledge Q&A / RAG"),
    ("document_understanding", "文档理解", "Document understanding"),
    ("computer_vision", "视觉检测与识别", "Computer vision"),
    ("multimodal", "多模态", "Multimodal"),
    ("speech", "语音", "Speech"),
    ("agent", "智能体", "Agents"),
    ("code_generation", "代码生成", "Code generation"),
    ("data_analytics", "数据分析与预测", "Data analytics & forecasting"),
    ("embodied", "具身智能与机器人", "Embodied AI & robotics"),
    ("digital_human", "数字人", "Digital humans"),
    ("translation", "翻译", "Translation"),
]

RELATED = [
    ("healthcare", "biopharma"),
    ("automotive", "manufacturing"),
    ("semiconductors", "manufacturing"),
    ("energy", "manufacturing"),
    ("transportation", "automotive"),
    ("government", "construction"),
    ("government", "transportation"),
    ("retail", "media"),
    ("education", "media"),
    ("finance", "retail"),
    ("agriculture", "retail"),
]


def load(apps, schema_editor, app_label="matchmaking"):
    # The models moved to core later (matchmaking 0012); the tests' reference data
    # loads the same lists into today's models with app_label="core".
    Industry = apps.get_model(app_label, "Industry")
    Capability = apps.get_model(app_label, "Capability")
    for order, (code, zh, en) in enumerate(INDUSTRIES):
        Industry.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order}
        )
    for order, (code, zh, en) in enumerate(CAPABILITIES):
        Capability.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order}
        )
    by_code = {i.code: i for i in Industry.objects.all()}
    for a, b in RELATED:
        by_code[a].related.add(by_code[b])
        by_code[b].related.add(by_code[a])


class Migration(migrations.Migration):
    dependencies = [("matchmaking", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
