"""Search text for Chinese names: the name itself, its pinyin and its initials.

So 苏州工业园区 is found by 工业园, by "suzhou" and by "szgyyq". Stored lower case in one column and
matched with icontains, which behaves the same on SQLite and PostgreSQL.

The column starts with the pinyin of the name, so ordering by it sorts Chinese names the way people look
them up (拼音顺序: 常州 before 南京 before 苏州), not by Unicode code point; lists sort "by name" on it.
"""

from functools import lru_cache


@lru_cache(maxsize=65536)
def pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a text, lower case; characters without pinyin are left out."""
    # Imported on first use: pypinyin loads its phrase dictionary on import (~0.3 s), which every process would
    # otherwise pay at start (each CLI command, each worker), whether or not it writes a name.
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, errors="ignore")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables), "".join(initials)


def search_text(*parts: str) -> str:
    words = [p for p in parts if p]
    extra = []
    for word in words:
        full, initials = pinyin(word)
        extra += [full, initials]
    return " ".join(extra[:1] + words + extra[1:]).lower()
