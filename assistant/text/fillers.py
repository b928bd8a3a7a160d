"""Hesitation fillers (えーと, あの …) as said at a counter: one list for every module that skips them."""

from __future__ import annotations

import re

# Fillers that open an answer (「あの、はい」「えっと、ないです」): stripped before reading はい／いいえ.
LEADING_FILLER = re.compile(r"^(?:あの|あのー|えっと|えーと|えー|えと|あー|うーん|まあ|その|ええと)[ー、,\s]*")


def strip_leading_filler(text: str) -> str:
    """``text`` without one leading filler (「あのー、はい」→「はい」)."""
    return LEADING_FILLER.sub("", text)
