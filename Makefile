# Two commands do all set-up on a fresh machine (Python 3.11+ with venv is all they need):
#   make preview            offline preview of the dev stack (STACK=prod for another), with the policy verdict
#   make test               lint, format check, type checks and the whole test suite (what CI runs)
#   make wheel              build the installable wheel into dist/ (DIST=... for another folder)
VENV   := .venv
PY     := $(VENV)/bin/python
STACK  ?= dev
STAMP  := $(VENV)/.installed
DIST   ?= dist

.PHONY: preview test prometheus wheel

# The fleet gate's tests query a real Prometheus (tests/fleet/prometheus_server.py): Debian's package, installed
# here when missing (CI runs as root on a clean machine); a failed install fails `make test`, never skips tests.
prometheus:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || { \
	  echo "Installing Debian's prometheus package (prometheus, promtool) for the fleet gate's tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
	@command -v prometheus >/dev/null && command -v promtool >/dev/null

$(STAMP): requirements.txt requirements-dev.txt policy/requirements.txt pyproject.toml
	@echo "First run: creating $(VENV) and installing Pulumi, the Azure and Kubernetes SDKs and the tools (about a minute)..."
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $(STAMP)

preview: $(STAMP)
	$(VENV)/bin/aks-istio preview --stack $(STACK)

test: $(STAMP) prometheus
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	MYPYPATH=components $(VENV)/bin/mypy policy
	$(PY) -m pytest

# The installable package: dist/aks_istio-<version>-py3-none-any.whl (`pip install` it anywhere; README: Install).
wheel: $(STAMP)
	$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir $(DIST) .
	@ls $(DIST)/aks_istio-*.whl
