"""Scheme names in transcripts: what the vocabulary prompt and the name correction each do.

    .venv/bin/python benchmarks/vocab.py

Audio: the synthesised scheme dialogues (tests/fixtures/schemes, each names 2–5 schemes in
context), the same nine played one after another as one long session (so a per-conversation
prompt has a conversation to follow), and the demo consultation. For each way of decoding —
no prompt, one fixed prompt listing every scheme, the per-conversation prompt chosen window by
window (``[asr] vocabulary_prompt``) — the table shows the share of scheme names written right
and the CER, before and after the name correction (``[asr] correct_scheme_names``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIX = ROOT / "tests" / "fixtures"

import assistant.offline  # noqa: E402,F401
from assistant.asr.audio import decode  # noqa: E402
from assistant.asr.transcribe import Transcriber  # noqa: E402
from assistant.schemes.knowledge import get_knowledge_base  # noqa: E402
from assistant.schemes.vocab import SchemeNameCorrector, names_right, vocabulary_prompter  # noqa: E402
from assistant.text.metrics import char_errors  # noqa: E402

DEMO_NAMES = ["住居確保給付金", "児童扶養手当", "就学援助", "生活困窮者自立相談支援"]


def items() -> list[tuple[str, np.ndarray, str, list[str]]]:
    """(label, samples, reference, scheme names said)."""
    out = []
    for p in sorted((FIX / "schemes").glob("*.flac")):
        meta = json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
        out.append((p.stem, decode(p).samples, "".join(t["text"] for t in meta["turns"]), meta["scheme_names"]))
    return out


def main() -> None:
    dialogues = items()
    session = ("session (9 in a row)", np.concatenate([d[1] for d in dialogues]), "".join(d[2] for d in dialogues),
               [n for d in dialogues for n in d[3]])
    demo_meta = json.loads((ROOT / "assistant" / "demo" / "demo_dialogue.json").read_text(encoding="utf-8"))
    demo = ("demo consultation", decode(ROOT / "assistant" / "demo" / "demo_dialogue.wav").samples,
            "".join(t["text"] for t in demo_meta["turns"]), DEMO_NAMES)

    plain = Transcriber(vocabulary_prompt=False, correct_scheme_names=False)
    kb = get_knowledge_base()
    corrector = SchemeNameCorrector(kb)
    every_name = "、".join(s.short_name for s in kb) + "。"
    windowed = Transcriber(vocabulary_prompt=True, correct_scheme_names=False)
    windowed.vocabulary = vocabulary_prompter(kb, int(windowed.asr.get("prompt_max_tokens") or 120))

    def decode_with(how: str, samples: np.ndarray) -> list[str]:
        if how == "no prompt":
            raw = plain.decode_segments(samples)
        elif how == "fixed prompt (all names)":
            raw = plain.decode_segments(samples, initial_prompt=every_name)
        else:
            raw = windowed.decode_conversation(samples)
        return [r["text"] for r in plain._clean(raw, True)]

    print(f"{'audio':24s} {'decoding':28s} {'names right':>14s} {'→ corrected':>12s} {'CER':>7s} {'→ corrected':>12s} "
          f"{'s':>5s}")
    totals: dict[str, list[int]] = {}
    for how in ("no prompt", "fixed prompt (all names)", "per-conversation prompt"):
        for group, rows in (("9 scheme dialogues", dialogues), (session[0], [session]), (demo[0], [demo])):
            r0 = r1 = said = e0 = e1 = n = 0
            t0 = time.perf_counter()
            for _label, samples, ref, names in rows:
                texts = decode_with(how, samples)
                before = "".join(texts)
                after = "".join(corrector(t) for t in texts)
                a, k = names_right(ref, before, names, kb)
                b, _ = names_right(ref, after, names, kb)
                x, m = char_errors(ref, before)
                y, _ = char_errors(ref, after)
                r0, r1, said, e0, e1, n = r0 + a, r1 + b, said + k, e0 + x, e1 + y, n + m
            secs = time.perf_counter() - t0
            totals[f"{how}|{group}"] = [r0, r1, said, e0, e1, n]
            print(f"{group:24s} {how:28s} {r0:>4d}/{said:<3d}{r0 / said:5.0%} {r1 / said:11.0%} {e0 / n:7.1%} "
                  f"{e1 / n:11.1%} {secs:5.0f}")
    print("\nnames right: occurrences of scheme names in the reference written right (or as a KB spelling with the "
          "same reading);\nCER: NFKC, punctuation and spaces removed.")


if __name__ == "__main__":
    main()
