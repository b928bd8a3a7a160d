"""Live-path benchmark: replay a recording in real time through the counter's streaming path.

The audio goes in exactly as the browser sends it (0.5 s chunks of 48 kHz int16) through
``Services.feed_audio`` — the same function the counter view calls — with the real store, Whisper,
suggestion engine and record drafter. Per utterance we report:

- end of speech → final text on screen (committed to the store), split into the wait for the
  pause to be confirmed (VAD), the wait for the decoder and the decode itself, and
- final text → updated suggestions, and final text → updated draft,

as p50 / p95, plus the CPU used by the process (in cores; the machine has ``os.cpu_count()``) and the
load average (the machine may be shared: compare runs at similar load; ``--repeat`` gives medians).
Two situations: at the start of a consultation (minute 1) and after 30 minutes of history
(pre-filled into the store, then the same replay).

``--compare`` measures what login and encryption at rest cost on this path. It replays the same
audio, alternating, through two stores: *secured* (the product as shipped: every text column and
the audio sealed with AES-256-GCM, and every chunk preceded by the session check the login
middleware makes for each request) and *baseline* (a pass-through key and no session check: the
path as it was before accounts and encryption). The baseline exists only in this benchmark; the
product has no switch to turn encryption off.

    .venv/bin/python benchmarks/live.py [--audio FILE] [--seconds 90] [--history-minutes 30] [--repeat 3]
    .venv/bin/python benchmarks/live.py --compare --seconds 60 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

import assistant.offline  # noqa: E402,F401
from assistant.app import accounts, protect  # noqa: E402
from assistant.app.config import load_config  # noqa: E402
from assistant.app.services import Services  # noqa: E402
from assistant.app.store import Store  # noqa: E402
from assistant.asr.audio import SAMPLE_RATE, decode, resample  # noqa: E402
from assistant.asr.transcript import Segment, load_any  # noqa: E402

DEMO = ROOT / "assistant" / "demo" / "demo_dialogue.wav"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def prefill(svc: Services, cid: int, minutes: float) -> int:
    """Write ``minutes`` of realistic history (the demo dialogue's lines, repeated) to the store."""
    ref = DEMO.with_suffix(".txt")
    lines = [s.text for s in load_any(ref).segments] if ref.exists() else ["家賃が払えません。"]
    segs, t, i = [], 0.0, 0
    while t < minutes * 60:
        text = lines[i % len(lines)]
        dur = max(1.5, len(text) * 0.15)
        segs.append(Segment(id=i + 1, start=t, end=t + dur, text=text, speaker=("staff", "citizen")[i % 2]))
        t += dur + 0.8
        i += 1
    svc.store.add_segments(cid, segs, source="live")
    return len(segs)


class PassThroughKeyring(protect.Keyring):
    """Baseline only: the same framing as the real keyring, without AES (text stays plain)."""

    def seal(self, data: bytes, aad: bytes = b"") -> bytes:
        return self.active.encode().ljust(8)[:8] + bytes(protect.NONCE) + data + bytes(16)

    def open(self, blob: bytes, aad: bytes = b"") -> bytes:
        return blob[8 + protect.NONCE:-16]

    def encrypt_text(self, text: str, aad: str = "") -> str:
        return text

    def decrypt_text(self, value: str, aad: str = "") -> str:
        return value


def replay(svc: Services, cid: int, pcm48: np.ndarray, token: str | None = None) -> dict:
    """Feed the audio in real time; with ``token``, each chunk first passes the login check."""
    proc = psutil.Process()
    cpu0, wall0 = proc.cpu_times(), time.monotonic()
    chunk = 24_000  # 0.5 s at 48 kHz, as the browser sends it
    start = time.monotonic()
    for k, i in enumerate(range(0, len(pcm48), chunk)):
        due = start + (k + 1) * 0.5  # a chunk is available when its last sample has been spoken
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if token is not None:  # what the login middleware does for every request of the stream
            accounts.resolve_session(svc.store, token)
        svc.feed_audio(cid, 48_000, pcm48[i:i + chunk])
    svc.stop_recording(cid)
    s = svc.session(cid)
    deadline = time.monotonic() + 30
    while any(m["drafted_at"] is None for m in s.metrics) and time.monotonic() < deadline:
        time.sleep(0.05)
    cpu1, wall1 = proc.cpu_times(), time.monotonic()
    busy = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    ms = s.metrics
    return {"utterances": len(ms), "final": [m["final_at"] - m["speech_end"] for m in ms],
            "shown": [m["committed_at"] - m["speech_end"] for m in ms],
            "vad": [m["closed_at"] - m["speech_end"] for m in ms],
            "queue": [max(0.0, m["decode_started"] - m["closed_at"]) for m in ms if not m["early"]],
            "decode": [m["decode_seconds"] for m in ms], "early": sum(bool(m["early"]) for m in ms),
            "suggest": [m["suggested_at"] - m["committed_at"] for m in ms if m["suggested_at"] is not None],
            "analysis": [m["drafted_at"] - m["committed_at"] for m in ms if m["drafted_at"] is not None],
            "cpu_cores": busy / (wall1 - wall0), "wall": wall1 - wall0, "load": os.getloadavg()[0],
            "rss_mb": proc.memory_info().rss / 2**20, "segments": len(s.segments), "errors": list(s.errors)}


def report(label: str, r: dict) -> None:
    print(f"\n## {label}: {r['utterances']} utterances, {r['segments']} segments in the consultation")
    print(f"  end of speech → final text (decoded)     p50 {pct(r['final'], 50):.2f} s   p95 {pct(r['final'], 95):.2f} s"
          f"   max {max(r['final'], default=float('nan')):.2f} s")
    print(f"  end of speech → final text (committed)   p50 {pct(r['shown'], 50):.2f} s   p95 {pct(r['shown'], 95):.2f} s")
    print(f"    of which: pause confirmed (VAD)        p50 {pct(r['vad'], 50):.2f} s   p95 {pct(r['vad'], 95):.2f} s")
    print(f"              waiting for the decoder      p50 {pct(r['queue'], 50):.2f} s   p95 {pct(r['queue'], 95):.2f} s"
          f"   ({r['early']} of {r['utterances']} decoded during the pause)")
    print(f"              final decode                 p50 {pct(r['decode'], 50):.2f} s   p95 {pct(r['decode'], 95):.2f} s")
    print(f"  final text → suggestions                  p50 {pct(r['suggest'], 50):.3f} s   "
          f"p95 {pct(r['suggest'], 95):.3f} s   max {max(r['suggest'], default=float('nan')):.3f} s")
    print(f"  final text → suggestions + draft          p50 {pct(r['analysis'], 50):.3f} s   "
          f"p95 {pct(r['analysis'], 95):.3f} s   max {max(r['analysis'], default=float('nan')):.3f} s")
    if r.get("verbose"):
        for i, (f, g, a) in enumerate(zip(r["final"], r["suggest"], r["analysis"], strict=False), 1):
            print(f"    utterance {i:2d}: speech end → final {f:.2f} s, final → suggestions {g:.3f} s, "
                  f"→ draft {a:.3f} s")
    print(f"  CPU {r['cpu_cores']:.2f} cores on average (of {os.cpu_count()}), wall {r['wall']:.1f} s, "
          f"RSS {r['rss_mb']:.0f} MB, load average {r['load']:.2f}")
    for e in r["errors"]:
        print(f"  ERROR {e}")


def summary(label: str, runs: list[dict]) -> None:
    """Medians over repeated runs of each run's p50 / p95 (a shared machine is noisy)."""
    def med(key: str, q: float) -> float:
        return float(np.median([pct(r[key], q) for r in runs]))

    loads = ", ".join(f"{r['load']:.1f}" for r in runs)
    print(f"\n## {label}: median over {len(runs)} runs (load average {loads})")
    for key, name in (("shown", "end of speech → final text"), ("suggest", "final text → suggestions"),
                      ("analysis", "final text → suggestions + draft")):
        print(f"  {name:34s} p50 {med(key, 50):.3f} s   p95 {med(key, 95):.3f} s")


def make_services(tmp: str, *, secured: bool) -> tuple[Services, str | None]:
    """A store and services in ``tmp``; secured: a logged-in staff session, else a pass-through key."""
    cfg = load_config(env={**os.environ, "ASSISTANT_DATA_DIR": tmp})
    store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}", cfg=cfg)
    if not secured:
        store.keyring = PassThroughKeyring(store.keyring.keys, store.keyring.active, store.keyring.path)
        protect.bind_keyring(store.engine.dialect, store.keyring)
        return Services(store=store, cfg=cfg), None
    user, _ = accounts.add_user(store, "bench", "staff", "bench-password-1234")
    return Services(store=store, cfg=cfg), accounts.create_session(store, user, "127.0.0.1")


def warm_up(svc: Services, pcm48: np.ndarray) -> None:
    """Load Whisper, the VAD, GiNZA, the suggester and the drafter once, outside the measurement."""
    svc.transcriber()
    warm = svc.start_consultation(consent=True)
    svc.store.add_segments(warm, [Segment(1, 0, 1, "家賃が払えません。")])
    svc._analyse(svc.session(warm))
    for i in range(0, min(len(pcm48), 48_000 * 8), 24_000):  # the streaming path, as fast as it goes
        svc.feed_audio(warm, 48_000, pcm48[i:i + 24_000])
    svc.stop_recording(warm)
    deadline = time.monotonic() + 60
    while any(m["drafted_at"] is None for m in svc.session(warm).metrics) and time.monotonic() < deadline:
        time.sleep(0.05)
    svc.end_consultation(warm)


def one_round(svc: Services, pcm48: np.ndarray, args: argparse.Namespace, label: str = "",
              token: str | None = None) -> tuple[dict, dict]:
    """Minute 1 and minute N (with pre-filled history) for one replay each."""
    protect.set_keyring(svc.store.keyring)  # file helpers use the process default
    cid = svc.start_consultation(consent=True)
    first = replay(svc, cid, pcm48, token)
    report(f"{label}minute 1 (new consultation)", {**first, "verbose": args.verbose})
    svc.end_consultation(cid)

    cid = svc.start_consultation(consent=True)
    n = prefill(svc, cid, args.history_minutes)
    svc._sessions.pop(cid, None)
    s = svc.session(cid)  # as after a restart: history read back from the store
    t1 = time.monotonic()
    svc._analyse(s)
    print(f"\n# {n} segments ({args.history_minutes:.0f} min) of history pre-filled; first full analysis "
          f"{time.monotonic() - t1:.2f} s")
    later = replay(svc, cid, pcm48, token)
    report(f"{label}minute {args.history_minutes:.0f} (with history)", {**later, "verbose": args.verbose})
    versions = sum(1 for d in svc.store.draft_versions(cid) if d.author == "auto")
    svc.end_consultation(cid)
    print(f"  automatic draft versions stored: {versions} (+1 at the end)")
    return first, later


def session_check_cost(svc: Services, token: str, n: int = 500) -> float:
    """Median seconds of one login check (the middleware's work per request)."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        accounts.resolve_session(svc.store, token)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def compare(pcm48: np.ndarray, args: argparse.Namespace) -> None:
    """Secured and baseline, alternating (which goes first swaps each round), medians reported."""
    runs: dict[str, dict[str, list[dict]]] = {m: {"first": [], "later": []} for m in ("secured", "baseline")}
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        svcs = {"secured": make_services(a, secured=True), "baseline": make_services(b, secured=False)}
        for svc, _ in svcs.values():
            warm_up(svc, pcm48)
        print(f"# compare: {len(pcm48) / 48_000:.0f} s replayed per run, {args.repeat} rounds, "
              f"login check median {session_check_cost(*svcs['secured']) * 1000:.2f} ms")
        for k in range(max(1, args.repeat)):
            order = ("secured", "baseline") if k % 2 == 0 else ("baseline", "secured")
            for mode in order:
                svc, token = svcs[mode]
                first, later = one_round(svc, pcm48, args, f"{mode}: ", token)
                runs[mode]["first"].append(first)
                runs[mode]["later"].append(later)
        for mode in ("baseline", "secured"):
            summary(f"{mode}, minute 1", runs[mode]["first"])
            summary(f"{mode}, minute {args.history_minutes:.0f}", runs[mode]["later"])
        for svc, _ in svcs.values():
            svc.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audio", type=Path, default=DEMO)
    ap.add_argument("--seconds", type=float, default=90.0, help="how much of the recording to replay")
    ap.add_argument("--history-minutes", type=float, default=30.0)
    ap.add_argument("--verbose", "-v", action="store_true", help="print every utterance")
    ap.add_argument("--repeat", type=int, default=1, help="replays per situation (medians are reported)")
    ap.add_argument("--compare", action="store_true", help="secured (login + encryption) against a baseline")
    args = ap.parse_args()

    audio = decode(args.audio)
    x = audio.samples[: int(args.seconds * SAMPLE_RATE)]
    pcm48 = (np.clip(resample(x, SAMPLE_RATE, 48_000), -1, 1) * 32767).astype(np.int16)
    if args.compare:
        compare(pcm48, args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        svc, token = make_services(tmp, secured=True)
        t0 = time.monotonic()
        warm_up(svc, pcm48)
        print(f"# live path: {args.audio.name}, {len(x) / SAMPLE_RATE:.0f} s replayed in real time; "
              f"models loaded in {time.monotonic() - t0:.1f} s; asr beam {svc.cfg['asr']['beam_size']}")
        first, later = [], []
        for _ in range(max(1, args.repeat)):
            f, g = one_round(svc, pcm48, args, token=token)
            first.append(f)
            later.append(g)
        if args.repeat > 1:
            summary("minute 1", first)
            summary(f"minute {args.history_minutes:.0f}", later)
        svc.shutdown()


if __name__ == "__main__":
    main()
