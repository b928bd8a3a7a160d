"""Patterns shared by the per-turn rules (``mask``) and the conversation-wide pass (``spoken``)."""

from __future__ import annotations

import re

# words that end a building name (コーポ緑が丘, さくらハイツ, 第2寮)
BUILDING_KW = (r"(?:ハイツ|コーポ|メゾン|マンション|アパート|レジデンス|ハウス|ハイム|ヴィラ|パレス|コート|ビル|タワー|"
               r"ヒルズ|プラザ|シャトー|カーサ|フラット|テラス|ガーデン|荘|寮|団地|住宅|館|ドミール|エステート|"
               r"キャッスル|ロイヤル|シティ|ビレッジ|メゾネット|コーポラス|ハイム|ホーム|苑|郷|の里|"
               r"はいつ|こーぽ|めぞん|まんしょん|あぱーと|はいむ)")  # ホーム, 苑, 郷: group and care homes; kana: the recogniser


def katakana_word(word: str) -> str:
    """``word`` (a katakana name) as a pattern that does not match inside a longer katakana word: ラン is not
    in ボランティア. Shared by the masking's last check and the leak count, so both read a name alike."""
    return rf"(?<![ァ-ヶー]){re.escape(word)}(?![ァ-ヶー])"
