# Every workflow of nxcloud-callbot. Needs only Python 3.11+ and make; `.venv` is created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPEC := openapi/callbot.yaml
GENERATED := generated/callbot_client
HAND_WRITTEN := signing sandbox cli contract_tests bench tools openapi examples

.PHONY: setup generate check-generated compat lint test contract sandbox bench mutate clean
PORT ?= 8080

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@# Bytecode for the packages, as a wheel install has it: start-up then does not compile them each time
	@# (PYTHONDONTWRITEBYTECODE keeps Python from writing it itself). A file changed since is compiled again.
	$(BIN)/python -m compileall -q signing generated cli sandbox
	touch $(STAMP)

# Regenerate, from the spec alone, the client package and the docs' generated blocks (docs/client.md's
# operations table and lists of operations retried or not, README.md's list of methods): into a temporary
# directory first, so that a failure (the reason is printed) leaves generated/ and the docs as they were.
# openapi/generate.py says how.
generate: $(STAMP)
	$(BIN)/python -m openapi.generate --spec $(SPEC) --package $(GENERATED)

# Fails, with the diff, when generated/ or the docs' generated blocks are not what the spec, the generator and
# the templates make, and when the provenance the package records (callbot_client.SPEC_SHA256,
# GENERATOR_VERSION, TEMPLATES_SHA256) does not match the files.
check-generated: $(STAMP)
	@$(BIN)/python openapi/spec_to_json.py --check $(SPEC) $(GENERATED)/openapi.json || \
		{ echo "check-generated: $(GENERATED) was not generated from this spec, generator and templates: run 'make generate' and commit"; exit 1; }
	@$(BIN)/python -m openapi.generate --check --spec $(SPEC) --package $(GENERATED)

# What a change breaks for code that imports the library: compares the spec, the generated package, the public
# API (__all__ and signatures) of callbot_signing, callbot_cli and callbot_sandbox, and the version with BASE
# (default: the newest v* tag, else HEAD~1), writes build/compat.md (a CHANGELOG.md section) and fails on a
# breaking change that pyproject.toml's version does not acknowledge.
compat: $(STAMP)
	$(BIN)/python -m tools.compat $(if $(BASE),--base '$(BASE)') --markdown build/compat.md

lint: $(STAMP)
	$(BIN)/ruff check $(HAND_WRITTEN)
	$(BIN)/ruff format --check $(HAND_WRITTEN)
	$(BIN)/mypy $(HAND_WRITTEN)

# The contract suite and the slow tests (pytest -m 'contract or slow': the 10,000-case tamper run, the
# length-extension floods, schemathesis over every operation, scratch clones, the repeated mypy --strict runs),
# then the schemathesis CLI (with a stateful phase) against a sandbox it starts;
# JUnit reports in reports/. With BASE_URL, CALLBOT_UUID and CALLBOT_SECRET_KEY: against that service
# instead, positive data only, read-only operations unless CONTRACT_ALLOW_WRITES=1. Also: the security
# probes, reports/assumptions.{md,json} and redacted recordings in reports/recordings/. With
# CONTRACT_DEVIATE=NAME,... the sandbox deviates from the spec on purpose (the run must then fail).
# Exit codes: 0 holds, 1 contract broken, 2 tool error (make reports 2 for any failure).
contract: $(STAMP)
	$(BIN)/python -m contract_tests.run_contract

# A sandbox on 127.0.0.1:$(PORT) for interactive use; extra options in ARGS (see --help).
sandbox: $(STAMP)
	$(BIN)/callbot-sandbox --port $(PORT) $(ARGS)

# The tests on every core (pytest-xdist) but those marked slow, which `make contract` runs; each slow test has
# a fast instance here (300 tamperings, schemathesis on one operation, one scratch clone and one generation).
test: lint check-generated compat
	$(BIN)/python -m pytest -q -n auto --dist worksteal -m 'not slow'

# Benchmarks (not tests): rewrites bench/RESULTS.md. Takes about 10 minutes on 2 cores; not part of `make test`.
bench: $(STAMP)
	$(BIN)/python -m bench.run

# Mutation testing of the signing layer with mutmut (bench/mutation.py says how): a few minutes with 2
# workers. Survivors in reports/mutation.md, the summary in bench/MUTATION.md. Not part of `make test`.
MUTATE_CHILDREN ?= 2
mutate: $(STAMP)
	$(BIN)/python -m bench.mutation --children $(MUTATE_CHILDREN)

clean:
	rm -rf $(VENV) build/mutation .pytest_cache .mypy_cache .ruff_cache .hypothesis
