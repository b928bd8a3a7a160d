"""Configuration: one TOML file plus ``ASSISTANT_…`` environment overrides.

Lookup order (later wins): built-in defaults → ``assistant.toml`` at the repository root (or the
file named by ``ASSISTANT_CONFIG``) → environment variables. An environment variable names a key by
its section and key in upper case joined with ``_``: ``ASSISTANT_ASR_BEAM_SIZE=1`` sets
``[asr] beam_size``. Values are parsed as TOML literals when they look like one (numbers, booleans,
arrays) and kept as strings otherwise, so ``ASSISTANT_ASR_MODEL_DIR=/opt/whisper-small`` just works.
"""

from __future__ import annotations

import copy
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS: dict[str, Any] = {
    "data": {
        # Runtime data: database, audio, default batch output. Relative paths are under the repo root.
        "dir": "data",
    },
    "asr": {
        # Folder of a CTranslate2 Whisper model. Empty = the bundled whisper-base assembled at set-up.
        "model_dir": "",
        "model_name": "whisper-base",
        "device": "cpu",
        "compute_type": "int8",
        "cpu_threads": 0,  # 0 = all cores
        "beam_size": 5,
        "language": "ja",
        "vad_filter": True,
        "vad_min_silence_ms": 500,
        # initial_prompt: "" = none. The per-conversation vocabulary prompt is built by
        # assistant.schemes.vocab when [asr] vocabulary_prompt is true. Off by default: measured on the
        # synthesised dialogues it did not add to the name correction and raised CER
        # (benchmarks/vocab.py).
        "initial_prompt": "",
        "vocabulary_prompt": False,
        "prompt_max_tokens": 120,
        "correct_scheme_names": True,
        "hallucination_filter": True,
    },
    "speakers": {
        # Stereo recordings: which channel is whose microphone.
        "left": "staff",
        "right": "citizen",
        # Minimum level difference (dB) between channels to attribute a segment; below it the
        # segment is "unknown".
        "min_channel_db": 3.0,
        # Mono recordings: voices told apart by embeddings, roles from what each voice says.
        "diarise_mono": True,
        "role_model": "models/speaker_roles.joblib",
    },
    "batch": {
        "workers": 1,  # local worker processes (each loads the models once, ~1 GB)
        "formats": ["json"],
        "cluster": "",  # Dask scheduler address (tcp:// or tls://); empty = a local cluster
        "copy_audio": True,  # --store: keep a copy of each recording beside the counter's uploads
        "watch_poll_s": 2.0,  # --watch: how often the folder is looked at
        "watch_settle_s": 2.0,  # --watch: a file unchanged this long (size, mtime) has finished copying
    },
    "knowledge": {
        "dir": "knowledge/schemes",
        "catalogue": "knowledge/catalogue.tsv",
        # Municipality's own scheme files; relative to the data dir if relative.
        "extra_dirs": ["knowledge"],
        "stale_after_days": 365,
    },
    "suggest": {
        "top_k": 5,
        "min_score": 0.15,
        # Development set the ranking model is trained on (falls back to eval/parts/*.jsonl).
        "dev_set": "eval/consultations.jsonl",
        # Trained model and cached dev-set features; empty = <data dir>/cache.
        "cache_dir": "",
    },
    "record": {
        "counter": "福祉総合相談窓口",
        # Development set the concern-category classifier learns from (eval/parts/*.jsonl when absent).
        "train_file": "eval/consultations.jsonl",
    },
    "pii": {
        # GiNZA NER as a second opinion on the few segments where a katakana/hiragana name may stand.
        "ner": True,
    },
    "store": {
        # SQLAlchemy URL; empty = SQLite file data/assistant.db (WAL).
        "url": "",
    },
    "stream": {
        # Live microphone path (assistant/stream.py): endpointing and decoding budget.
        "min_silence_ms": 500,  # pause that ends an utterance
        "min_speech_ms": 250,  # shorter sounds are ignored
        "speech_pad_ms": 200,
        "max_utterance_s": 20.0,  # a longer monologue is cut at its last short pause
        "provisional": True,  # show provisional text while someone speaks
        "provisional_interval_s": 1.0,  # at most one provisional decode per interval (beam 1)
        "provisional_beam": 1,
        "provisional_duty": 0.33,  # share of the time provisional decodes may occupy the decoder
        "final_beam": 0,  # 0 = [asr] beam_size
        "early_final": True,  # start the final decode once the pause has lasted speech_pad_ms
        "autosave_draft_s": 30.0,  # automatic draft versions are stored at most this often (when changed)
    },
    "security": {
        # Data key (AES-256-GCM keyring) and audit-chain key: files outside the database, mode 0600.
        # Empty = <data dir>/keys/data.key and <data dir>/keys/audit.key. Back them up separately.
        "key_file": "",
        "audit_key_file": "",
        "session_idle_minutes": 30.0,  # a session unused this long must log in again
        "max_failed_logins": 5,  # wrong passwords in a row (per user and per client) before a lock-out
        "lockout_minutes": 15.0,
        "min_password_length": 10,
    },
    "retention": {
        "audio_days": 30,  # raw audio is deleted this many days after the consultation (0 = keep)
        "delete_audio_on_approval": True,  # …or as soon as the supervisor approves the record
        "record_days": 0,  # consultations (transcript, drafts) deleted after this many days (0 = keep)
    },
    "server": {
        "host": "127.0.0.1",
        "port": 7860,
        "demo_audio": "assistant/demo/demo_dialogue.wav",
    },
}


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _merge(base: dict[str, Any], override: dict[str, Any]) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def _field_type(default: Any) -> Any:
    """The type a key accepts, taken from its default (ints are accepted where floats are)."""
    if isinstance(default, bool):
        return bool
    if isinstance(default, float):
        return float
    if isinstance(default, int):
        return int
    if isinstance(default, list):
        return list[str]
    return str


def _section_model(name: str, defaults: dict[str, Any]) -> type[BaseModel]:
    fields = {key: (_field_type(value), value) for key, value in defaults.items()}
    return create_model(f"{name.title()}Section", __config__=ConfigDict(extra="forbid"), **fields)


# One typed model for the whole file: every section and key is declared by DEFAULTS above, so an
# unknown key (a typo) or a value of the wrong type is an error naming it, not a silent default.
SettingsModel: type[BaseModel] = create_model(
    "Settings", __config__=ConfigDict(extra="forbid"),
    **{name: (_section_model(name, values), values) for name, values in DEFAULTS.items()},
)


def validate_config(raw: dict[str, Any], source: str = "") -> dict[str, Any]:
    """Validate a merged configuration dict; raise ConfigError naming the first bad key."""
    try:
        return SettingsModel.model_validate(raw).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        key = f"[{loc[0]}] {'.'.join(str(p) for p in loc[1:])}" if len(loc) > 1 else f"[{loc[0]}]"
        what = "不明なキー / unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        where = f" ({source})" if source else ""
        raise ConfigError(f"設定エラー / configuration error{where}: {key}: {what}") from exc


class Config(dict):
    """A nested dict with helpers for paths; sections are plain dicts."""

    @property
    def data_dir(self) -> Path:
        return resolve_path(self["data"]["dir"])

    def path(self, section: str, key: str, *, under_data: bool = False) -> Path:
        value = self[section][key]
        p = Path(value)
        if p.is_absolute():
            return p
        return (self.data_dir if under_data else REPO_ROOT) / p


def resolve_path(value: str | Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def security_file(cfg: Config, key: str, default_name: str) -> Path:
    """A key file named in ``[security]`` (relative to the repository root) or ``<data dir>/keys/…``."""
    value = str(cfg.get("security", {}).get(key) or "")
    return resolve_path(value) if value else cfg.data_dir / "keys" / default_name


def config_file() -> Path:
    return Path(os.environ.get("ASSISTANT_CONFIG") or REPO_ROOT / "assistant.toml")


def load_config(path: Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Build the configuration from defaults, the TOML file and the environment."""
    cfg = copy.deepcopy(DEFAULTS)
    path = path or config_file()
    if path.exists():
        with path.open("rb") as fh:
            try:
                _merge(cfg, tomllib.load(fh))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"設定ファイル {path} を読めません / cannot parse config file: {exc}") from exc
    env = os.environ if env is None else env
    for section, values in cfg.items():
        if not isinstance(values, dict):
            continue
        for key in values:
            name = f"ASSISTANT_{section}_{key}".upper()
            if name in env:
                values[key] = _parse_env_value(env[name])
    if "GRADIO_SERVER_PORT" in env and "ASSISTANT_SERVER_PORT" not in env:
        cfg["server"]["port"] = _parse_env_value(env["GRADIO_SERVER_PORT"])
    return Config(validate_config(cfg, f"{path} + ASSISTANT_* environment"))


@lru_cache(maxsize=1)
def get_config() -> Config:
    """The process-wide configuration (read once)."""
    return load_config()
