"""The configuration file is read into one typed model: mistakes are errors that name the key."""

from __future__ import annotations

import pytest

from assistant.app.config import ConfigError, load_config


def _load(tmp_path, text: str, env: dict[str, str] | None = None):
    path = tmp_path / "assistant.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env=env or {})


def test_shipped_file_is_valid():
    cfg = load_config(env={})
    assert cfg["server"]["host"] == "127.0.0.1"
    assert isinstance(cfg["asr"]["beam_size"], int)


@pytest.mark.parametrize("text, key", [
    ("[asr]\nbeam_sise = 3\n", "[asr] beam_sise"),
    ("[asr]\nbeam_size = \"five\"\n", "[asr] beam_size"),
    ("[servre]\nport = 1\n", "[servre]"),
    ("[batch]\nformats = \"json\"\n", "[batch] formats"),
])
def test_unknown_key_or_wrong_type_names_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    assert key in str(err.value)


def test_environment_overrides_are_typed(tmp_path):
    cfg = _load(tmp_path, "", env={"ASSISTANT_ASR_BEAM_SIZE": "2", "ASSISTANT_SPEAKERS_MIN_CHANNEL_DB": "4"})
    assert cfg["asr"]["beam_size"] == 2
    assert cfg["speakers"]["min_channel_db"] == 4.0
    with pytest.raises(ConfigError, match="beam_size"):
        _load(tmp_path, "", env={"ASSISTANT_ASR_BEAM_SIZE": "many"})


def test_broken_toml_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="設定ファイル"):
        _load(tmp_path, "[asr\n")
