# contractctl: `make demo` and `make test` each set up everything first (Debian
# packages, .venv, the project with its dev extras), then run. Re-running is fast.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test bench eval eval-ocr eval-extract eval-scans soak lint clean

# Message catalogs: .po (in git) compiled to the .mo that ship in the wheel (Babel).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard contractctl/locale/*/LC_MESSAGES/*.po))

setup: system $(STAMP) $(CATALOGS)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

system:
	@scripts/ensure-system-packages

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/contractctl demo

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m tests.bench

# Crash and interrupt soak: import, draft-batch, sign, approve and backup stopped at random
# moments by SIGKILL, SIGTERM and Ctrl-C, SOAK_ROUNDS times per command and signal
# (`make test` runs 1; CONTRACTCTL_SOAK_ONLY=sign:SIGINT,... runs only those pairs);
# prints the counts the README publishes (also in build/soak-counts.json).
SOAK_ROUNDS ?= 150
soak: setup
	CONTRACTCTL_SOAK_ROUNDS=$(SOAK_ROUNDS) $(BIN)/python -m pytest -q -s tests/soak

# The diff evaluation on the real corpus (../shared/corpus/): every document, every edit
# kind, the PDF of each DOCX; prints the README's table (`make test` runs a subset).
eval: setup
	$(BIN)/python -m tests.eval
	$(BIN)/python -m tests.eval.docx_reading
	$(BIN)/python -m tests.eval.from_docx

# ocr-check on simulated print-and-scan of real corpus contracts (300/200 dpi, clean and
# tampered): false alarms and per-kind recall. A fixed sample; EVAL_ALL=1 for all.
eval-ocr: setup
	$(BIN)/python -m tests.eval_ocr

# Metadata extraction on documents written by others: the model contracts of the corpus
# filled in a copy with known values and blank, English agreements with labels; prints the
# README's per-field table (`make test` runs a sample). --errors lists every miss.
eval-extract: setup
	$(BIN)/python -m tests.eval_extract

# The import's OCR against Tesseract run by hand, page by page: scans in the shapes
# archives hold (1-bit, two columns, side by side, upside down...) and clean 300 dpi
# scans of corpus contracts; exit 1 if any page reads worse (EVAL_SCANS_DOCS: how many).
eval-scans: setup
	$(BIN)/python -m tests.eval_scans

# mypy checks a symlink tree laid out as installed (cli/ -> contractctl/cli), because
# the editable install's import hook is invisible to it.
TYPECHECK := build/typecheck

lint: setup
	$(BIN)/ruff check contractctl cli tests scripts
	$(BIN)/ruff format --check contractctl cli tests scripts
	@rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/contractctl
	@cp -rs $(CURDIR)/contractctl/. $(TYPECHECK)/contractctl/
	@cp -rs $(CURDIR)/cli $(TYPECHECK)/contractctl/cli
	cd $(TYPECHECK) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p contractctl

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
