# NetStudio developer tasks. `make run` and `make test` work from a bare clone.
#
# pip only: this machine keeps its torch wheel in a local find-links folder that
# only pip consults (uv/poetry would download a multi-GB CUDA build instead).
#
# CUDA users pick their torch build with TORCH_SPEC, e.g.
#   make run TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"

SHELL = /bin/bash
PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
STAMP = $(VENV)/.installed
SCREENSHOT_DIR = docs/screenshots

# Shared libraries Qt needs even offscreen (pytest-qt loads QtGui for every test
# run), as "soname:debian-package". xcb libraries are not listed: only the xcb
# platform plugin needs them, and a desktop that runs it already has them.
QT_SYSLIBS = libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1 \
	libfreetype.so.6:libfreetype6 libxkbcommon.so.0:libxkbcommon0 libdbus-1.so.3:libdbus-1-3 \
	libglib-2.0.so.0:libglib2.0-0 libgthread-2.0.so.0:libglib2.0-0 libX11.so.6:libx11-6 \
	libzstd.so.1:libzstd1

.PHONY: setup sysdeps run test bench lint screenshots clean

setup: sysdeps $(STAMP)

# Re-installs whenever pyproject.toml changes (new dependencies land there).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Checks for Qt's system libraries; installs them with apt-get when root,
# otherwise prints the command to run. Cheap enough to run on every `make`.
sysdeps:
	@missing=""; \
	if command -v ldconfig >/dev/null 2>&1 || test -x /sbin/ldconfig; then \
		libs="$$(PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p)"; \
		for pair in $(QT_SYSLIBS); do \
			lib=$${pair%%:*}; pkg=$${pair##*:}; \
			echo "$$libs" | grep -q "$$lib" || missing="$$missing $$pkg"; \
		done; \
		fc-list 2>/dev/null | grep -q . || missing="$$missing fonts-dejavu-core fontconfig"; \
	fi; \
	missing="$$(echo $$missing | tr ' ' '\n' | sort -u | xargs)"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Qt system libraries: $$missing"; \
			apt-get update -qq; \
			pkgs=""; for p in $$missing; do \
				if apt-cache show "$$p" >/dev/null 2>&1; then pkgs="$$pkgs $$p"; \
				else pkgs="$$pkgs $${p}t64"; fi; \
			done; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs; \
		else \
			echo "Qt needs these system packages (Debian/Ubuntu names): $$missing"; \
			echo "  sudo apt-get install --no-install-recommends $$missing"; \
		fi; \
	fi

run: setup
	$(BIN)/studio

test: setup
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks.run

lint: setup
	$(BIN)/ruff check .

# One offscreen render of the empty window and of each example project.
screenshots: setup
	@mkdir -p $(SCREENSHOT_DIR)
	QT_QPA_PLATFORM=offscreen $(BIN)/studio --screenshot $(SCREENSHOT_DIR)/main-window.png
	@for t in logreg mlp lenet5; do \
		echo "screenshot $$t"; \
		$(BIN)/studio new --template $$t -o $(SCREENSHOT_DIR)/$$t.nsproj.json --force >/dev/null || exit 1; \
		QT_QPA_PLATFORM=offscreen $(BIN)/studio --screenshot $(SCREENSHOT_DIR)/$$t.png $(SCREENSHOT_DIR)/$$t.nsproj.json || exit 1; \
		rm -f $(SCREENSHOT_DIR)/$$t.nsproj.json; \
	done
	# The GUI tests that take screenshots write them here when asked to (a temp folder otherwise).
	QT_QPA_PLATFORM=offscreen NETSTUDIO_SCREENSHOTS=$(abspath $(SCREENSHOT_DIR)) $(BIN)/python -m pytest -q -p no:cacheprovider tests/gui
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/inspection_screenshots.py $(SCREENSHOT_DIR)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis benchmarks/results.json
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
