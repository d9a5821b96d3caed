"""Every user-visible string is translated into Chinese, and the catalogs are not stale."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
ZH_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")
SOURCES = (
    "config",
    "core",
    "matchmaking",
    "events",
    "bench",
    "templates",
    "static",
    "manage.py",
    "pyproject.toml",
)


def _key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def test_chinese_catalog_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(ZH_PO))
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == []


def test_chinese_catalog_keeps_placeholders():
    import re  # noqa: PLC0415

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    po = polib.pofile(str(ZH_PO))
    wrong = [
        entry.msgid
        for entry in po.translated_entries()
        for text in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr])
        if sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(text))
    ]
    assert wrong == []


def test_compiled_catalog_matches_the_po_file():
    po = polib.pofile(str(ZH_PO))
    mo = polib.mofile(str(ZH_MO))
    assert {_key(e): (e.msgstr, e.msgstr_plural) for e in po.translated_entries()} == {
        _key(e): (e.msgstr, e.msgstr_plural) for e in mo if e.msgid
    }


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalog_is_not_stale(tmp_path):
    """Re-extracting the strings from the sources gives the committed msgids."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "zh_Hans",
            "--no-obsolete",
            "--ignore",
            "tests/*",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": "/usr/bin:/bin",
            "DJANGO_DEBUG": "1",
        },
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(ZH_PO))
    assert sorted(map(_key, fresh), key=str) == sorted(map(_key, committed), key=str), (
        "Run `make messages` and translate the new strings"
    )


def test_chinese_translations_use_full_width_punctuation():
    """，：；（）！？ beside Chinese characters, not the ASCII ones."""
    import re  # noqa: PLC0415

    cjk = "\u4e00-\u9fff"
    half_width = re.compile(rf"[{cjk}][,:;!?()]|[,:;!?()][{cjk}]")
    po = polib.pofile(str(ZH_PO))
    wrong = [
        text
        for entry in po.translated_entries()
        for text in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr])
        if half_width.search(text)
    ]
    assert wrong == []


def _our_models():
    from django.apps import apps  # noqa: PLC0415

    return [m for m in apps.get_models() if m._meta.app_label in ("core", "matchmaking", "events")]


def test_every_model_and_field_name_is_translatable_and_chinese():
    """The Chinese admin shows each model's and field's name: none may stay English
    (“user”, “submitted by”, “checked in by” did), nor a help text."""
    from django.utils import translation  # noqa: PLC0415
    from django.utils.functional import Promise  # noqa: PLC0415

    cjk = __import__("re").compile(r"[\u4e00-\u9fff]")
    english = []
    with translation.override("zh-hans"):
        for model in _our_models():
            opts = model._meta
            names = [(opts.label, opts.verbose_name), (opts.label, opts.verbose_name_plural)]
            for field in opts.local_fields + list(opts.local_many_to_many):
                if field.primary_key and field.auto_created:
                    continue
                names.append((f"{opts.label}.{field.name}", field.verbose_name))
                if field.help_text:
                    names.append((f"{opts.label}.{field.name} (help)", field.help_text))
            english += [
                (where, str(name))
                for where, name in names
                if not isinstance(name, Promise) or not cjk.search(str(name))
            ]
    assert english == []


def test_periodic_jobs_are_named_in_the_readers_language():
    from django.utils import translation  # noqa: PLC0415

    from config.periodic import PERIODIC_TASKS, display_name  # noqa: PLC0415

    cjk = __import__("re").compile(r"[\u4e00-\u9fff]")
    with translation.override("zh-hans"):
        assert [job.name for job in PERIODIC_TASKS if not cjk.search(display_name(job.name))] == []
        assert display_name("A job staff added") == "A job staff added"
    with translation.override("en"):
        assert display_name(PERIODIC_TASKS[0].name) == PERIODIC_TASKS[0].name
