# 窓口相談アシスタント — set-up, run, test, benchmarks.
# `make run` and `make test` do all set-up themselves on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL  := models/whisper-base/.verified
ROLES  := models/speaker_roles.joblib
LEARNED := models/.trained
export KOKORO_JA_CACHE := $(CURDIR)/data/cache/kokoro

.PHONY: lock setup first-admin run test test-fast lint kb-check browser-deps bench clean

setup: $(STAMP) $(MODEL) $(LEARNED) $(ROLES)

# Every package comes from requirements.lock (exact versions and hashes), so every counter runs the
# same software. `make lock` regenerates it after a change to pyproject.toml (see README, "Upgrading").
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -c "import webrtcvad, resemblyzer, torch, distributed, sqlcipher3, argon2"
	@touch $(STAMP)

# Two packages resemblyzer names are left out: typing (a Python 2 back-port) and webrtcvad (needs
# pkg_resources; webrtcvad-wheels provides the same module). Hence --no-emit-package and --no-deps.
lock:
	$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes --find-links /opt/wheels \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-emit-package webrtcvad --no-emit-package typing \
		-o requirements.lock

$(MODEL): $(STAMP)
	$(BIN)/assistant model setup

# Learned parts (suggestion ranker, record categories) trained from the development set, saved with
# manifests under models/; retrained when the data, the knowledge base or the training code changes.
$(LEARNED): $(STAMP) eval/consultations.jsonl $(wildcard knowledge/schemes/*.md) knowledge/catalogue.tsv \
		$(wildcard assistant/*/resources/*.yaml assistant/learn/*.py assistant/facts/*.py \
		assistant/schemes/*.py assistant/text/*.py assistant/record/categories.py \
		assistant/pii/tagger.py $(wildcard eval/dev*/personal.jsonl))
	$(BIN)/assistant model train
	@touch $(LEARNED)

# The speaker-role classifier, trained on the development consultations (seconds).
$(ROLES): $(STAMP) eval/consultations.jsonl
	$(BIN)/assistant speakers train

# Debian's Chromium (browser tests) and CJK fonts (legible Japanese in screenshots).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# Keys (data key + audit key, 0600, under data/keys/) and the first admin account. Idempotent: the
# admin's password is printed once, when it is created (or taken from ASSISTANT_ADMIN_PASSWORD).
first-admin: setup
	@$(BIN)/assistant keys init
	@$(BIN)/assistant users bootstrap

run: setup first-admin
	$(BIN)/python app.py

kb-check: setup
	$(BIN)/assistant kb check

lint: setup
	$(BIN)/ruff check assistant tests benchmarks app.py

test: setup browser-deps
	$(BIN)/assistant kb check
	$(BIN)/ruff check assistant tests benchmarks app.py
	$(BIN)/python -m pytest -q -ra

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: setup
	$(BIN)/python benchmarks/asr.py
	-$(BIN)/python benchmarks/suggest.py
	-$(BIN)/python benchmarks/record.py
	-$(BIN)/python benchmarks/live.py
	-$(BIN)/python benchmarks/speakers.py
	-$(BIN)/python benchmarks/batch.py
	-$(BIN)/python benchmarks/review.py

clean:
	rm -rf $(VENV) models/whisper-base models/.trained models/*.json models/*.pkl models/*.joblib
