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
