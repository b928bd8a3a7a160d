"""transcript/1 parsing and id rules, without models."""

from __future__ import annotations

import pytest

from assistant.asr.transcript import Segment, Transcript, TranscriptFormatError, load_any


def test_ids_are_never_reused_after_a_removal() -> None:
    t = Transcript(segments=[Segment(id=1, start=0, end=1, text="a"), Segment(id=2, start=1, end=2, text="b")])
    t.segments.pop()  # the newest segment is discarded (e.g. judged a hallucination)
    assert t.next_id() == 3
    rest = t.split_segment(1, 0, 0.5)
    assert rest.id == 4


def test_readers_ignore_unknown_fields_and_reject_other_schemas() -> None:
    data = {"schema": "transcript/1", "extra": 1, "segments": [
        {"id": 1, "start": 0, "end": 1, "text": "はい", "speaker": "citizen", "future_field": True}]}
    t = Transcript.from_dict(data)
    assert t.segments[0].speaker == "citizen"
    with pytest.raises(TranscriptFormatError):
        Transcript.from_dict({"schema": "transcript/2", "segments": []})
    with pytest.raises(TranscriptFormatError):
        Transcript.from_dict({"schema": "transcript/1", "segments": [
            {"id": 1, "text": "a"}, {"id": 1, "text": "b"}]})


def test_plain_text_dialogue_with_speaker_prefixes() -> None:
    t = load_any("-", "職員: 本日はどうされましたか\ncitizen：家賃が払えません\n\nその他の行\n")
    assert [s.speaker for s in t.segments] == ["staff", "citizen", "unknown"]
    assert [s.id for s in t.segments] == [1, 2, 3]
