import unicodedata


def pad_display(text: str, width: int) -> str:
    """Left-align in a terminal, where Chinese characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)
