"""Review speed: listing and filtering 10,000 records, opening a record with a 60-minute transcript.

Synthetic data, in a temporary SQLite store: 10,000 ended consultations with index rows (staff,
counter, category, schemes, urgent kinds, masked search text drawn at random from small pools), and
one consultation whose transcript is 60 minutes of development-set turns (one every ~4 s) drafted by
the real drafter (not timed). Targets: a filtered page of the list < 300 ms, opening the record < 1 s.
Prints medians.

    .venv/bin/python benchmarks/review.py [--records 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import assistant.offline  # noqa: E402,F401
from assistant.app import protect  # noqa: E402
from assistant.app.config import load_config  # noqa: E402
from assistant.app.review import Actor, ReviewService  # noqa: E402
from assistant.app.review_store import ReviewFilter, ReviewIndex  # noqa: E402
from assistant.app.store import Consultation, Store  # noqa: E402
from assistant.asr.transcript import Segment, Transcript  # noqa: E402
from assistant.ui import review_html as H  # noqa: E402

BOSS = Actor("課長", "supervisor", "bench")
CATEGORIES = ("生活困窮", "住まい", "子育て", "介護", "障害", "健康", "就労", "家族関係")
SCHEMES = ("housing-security-benefit", "self-reliance-support", "child-rearing-allowance", "livelihood-protection",
           "long-term-care-insurance", "employment-support", "food-bank")
WORDS = ("家賃", "滞納", "退去", "失業", "介護", "子ども", "医療費", "借金", "光熱費", "体調", "就職", "離婚")


def _keyring() -> None:
    try:
        protect.keyring()
    except protect.KeyFileError:
        protect.set_keyring(protect.Keyring.generate())


def fill(store: Store, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    start = dt.datetime(2025, 4, 1)
    with store.session() as s:
        for i in range(n):
            created = start + dt.timedelta(minutes=47 * i)
            c = Consultation(created_at=created, ended_at=created + dt.timedelta(minutes=30), status="ended",
                             staff=f"職員{rnd.randrange(12)}", counter=f"窓口{rnd.randrange(4)}",
                             review_status=rnd.choice(("draft", "pending", "approved", "approved", "returned")),
                             meta={})
            s.add(c)
            s.flush()
            s.add(ReviewIndex(consultation_id=c.id, date=created.date(), staff=c.staff, counter=c.counter,
                              category=rnd.choice(CATEGORIES),
                              schemes=" " + " ".join(rnd.sample(SCHEMES, 2)) + " ", pinned="",
                              urgent=" suicidal " if rnd.random() < 0.03 else "",
                              search_text="。".join(rnd.sample(WORDS, 4)) * 20, returned_count=0, comment=""))


def long_consultation(store: Store, minutes: int = 60) -> int:
    from assistant.learn.dataset import load_dev_set
    from assistant.record.draft import draft_record

    files = sorted(glob.glob(str(ROOT / "eval" / "parts" / "*.jsonl"))) or [str(ROOT / "eval" / "consultations.jsonl")]
    turns = [t for it in load_dev_set(files) for t in it["turns"]]
    step, segs = 4.0, []
    for i in range(int(minutes * 60 / step)):
        t = turns[i % len(turns)]
        segs.append(Segment(id=i + 1, start=i * step, end=i * step + 3.5, text=t["text"], speaker=t["speaker"]))
    c = store.create_consultation(staff="職員1", counter="窓口1")
    store.add_segments(c.id, segs)
    record = draft_record(Transcript(segments=segs), meta={"consultation_id": c.id})
    store.add_draft(c.id, "auto", record.to_dict(masked=False))
    store.update_consultation(c.id, status="ended", ended_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    return c.id


def _page(review: ReviewService, cid: int) -> str:
    view = review.open_record(cid, BOSS)
    return H.page("bench", H.transcript(view, cid, True) + H.draft(view) + H.edit_forms(cid, view) + H.history(view))


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ASSISTANT_DATA_DIR"] = tmp
        cfg = load_config(env={"ASSISTANT_DATA_DIR": tmp})
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}", cfg=cfg)
        _keyring()
        review = ReviewService(store, audit_sink=lambda *a: None)
        t0 = time.perf_counter()
        fill(store, args.records)
        print(f"generated {args.records} records in {time.perf_counter() - t0:.1f} s (synthetic)")
        filters = {
            "all, newest page": ReviewFilter(),
            "status=approved": ReviewFilter(status="approved"),
            "staff + category + date": ReviewFilter(staff="職員3", category="住まい", since=dt.date(2025, 6, 1)),
            "scheme": ReviewFilter(scheme="food-bank"),
            "urgent=any": ReviewFilter(urgent="any"),
            "text search 2 words": ReviewFilter(query="家賃 介護"),
        }
        for name, f in filters.items():
            ms = timed(lambda f=f: (review.ensure_index(), review.list_records(BOSS, f)), args.repeat)
            total = review.list_records(BOSS, f)[0]
            print(f"list {name:<26} {ms:7.1f} ms median  ({total} matching; target < 300 ms)")
        t0 = time.perf_counter()
        cid = long_consultation(store)
        print(f"60-minute consultation drafted in {time.perf_counter() - t0:.1f} s (setup, not timed)")
        view = review.open_record(cid, BOSS)
        ms = timed(lambda: review.open_record(cid, BOSS), args.repeat)
        print(f"open record ({len(view['segments'])} segments, {len(view['history'])} versions) "
              f"{ms:7.1f} ms median  (target < 1000 ms)")
        ms = timed(lambda: _page(review, cid), args.repeat)
        print(f"open record page (service + HTML)           {ms:7.1f} ms median  (target < 1000 ms)")
        store.close()


if __name__ == "__main__":
    main()
