# Two commands matter: `make run` and `make test`. Both create .venv when missing
# and (re)install the project when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint screenshots package demo clean postgres team-demo

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "LeadTriage needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# The platform check first: on a machine without the X11 libraries Qt needs, it names
# them and prints the install command (Qt's own abort names the wrong library).
run: $(STAMP)
	@$(BIN)/python -m leadtriage.platform_check
	$(BIN)/leadtriage

# The team tests start a real PostgreSQL; tools/ensure_postgres.sh installs its programs.
postgres:
	@tools/ensure_postgres.sh

test: $(STAMP) postgres
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check leadtriage tests bench packaging tools

# The bundle: PyInstaller (the `package` extra) builds it, then its smoke test runs
# (packaging/build.py). Not part of `make test`: a build takes about a minute.
PKG_STAMP := $(VENV)/.installed-package
$(PKG_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,package]"
	@touch $(PKG_STAMP)

package: $(STAMP) $(PKG_STAMP)
	$(BIN)/python packaging/build.py

# PNGs of the main screens with demo data, rendered offscreen, for the README.
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py --out docs/screenshots
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/playbook_screenshots.py

demo: $(STAMP)
	$(BIN)/leadtriage demo --db demo.db --leads 5000

# Team mode on this machine: a local PostgreSQL, a manager and two reps' laptops.
team-demo: $(STAMP) postgres
	$(BIN)/python tools/team_demo.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
