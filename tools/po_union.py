"""Merge two versions of a gettext catalog entry by entry (for resolving merge conflicts).

    python tools/po_union.py OURS.po THEIRS.po OUT.po

Every entry of either file is kept once; where both translate the same msgid differently,
THEIRS wins. Afterwards run `make messages` so the catalog matches the sources again.
"""

import sys

import polib


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def main(ours_path: str, theirs_path: str, out_path: str) -> None:
    ours = polib.pofile(ours_path)
    theirs = polib.pofile(theirs_path)
    index = {_key(entry): entry for entry in ours}
    for entry in theirs:
        mine = index.get(_key(entry))
        if mine is None:
            ours.append(entry)
            index[_key(entry)] = entry
        elif entry.translated() and not entry.obsolete:
            mine.msgstr = entry.msgstr
            mine.msgstr_plural = entry.msgstr_plural
            mine.flags = [flag for flag in mine.flags if flag != "fuzzy"]
    ours.save(out_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
