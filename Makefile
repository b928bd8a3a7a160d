# 窓口相談アシスタント — set-up, run, test, benchmarks.
# `make run` and `make test` do all set-up themselves on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL  := models/whisper-base/.verified
export KOKORO_JA_CACHE := $(CURDIR)/data/cache/kokoro

.PHONY: setup run test test-fast lint kb-check browser-deps bench clean

setup: $(STAMP) $(MODEL)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

$(MODEL): $(STAMP)
	$(BIN)/assistant model setup

# Debian's Chromium (browser tests) and CJK fonts (legible Japanese in screenshots).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

run: setup
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

clean:
	rm -rf $(VENV) models/whisper-base
