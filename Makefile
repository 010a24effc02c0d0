# Two commands matter: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean redis-server opensearch-artifacts chromium

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/python -m crawler.demo

lint: setup
	$(BIN)/ruff check .

# tests/test_redis.py starts its own Debian redis-server (7.x); install it when missing and we may (root, as
# in CI). Without it the test skips on a developer machine, and fails when CI is set.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; \
	  else \
	    echo "redis-server not found and not root: tests/test_redis.py will skip (and fail if CI is set)"; \
	  fi; }

# tests/test_web_browser.py drives Debian's chromium (Playwright's Python package, no browser download), which
# needs a CJK font to draw Chinese (else boxes); install both when missing and we may (root, as in CI). Without
# chromium the browser tests skip on a developer machine, and fail when CI is set.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-zenhei; \
	  else \
	    echo "chromium or a CJK font not found and not root: tests/test_web_browser.py may skip (fails if CI is set)"; \
	  fi; }

# tests/test_opensearch_cluster.py starts a two-node OpenSearch built from Maven Central artifacts: fetch them once
# into ~/.m2 and write the launcher's classpath. Without java and mvn the test skips, and fails when CI is set.
OPENSEARCH := services/opensearch
opensearch-artifacts:
	@if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then \
	  $(MAKE) -s --no-print-directory $(OPENSEARCH)/target/classpath.txt; \
	else case "$${CI:-}" in ""|0|false|no) echo "java or mvn not found: the OpenSearch tests will skip";; \
	  *) echo "java and mvn are required when CI is set (OpenSearch tests)" >&2; exit 1;; esac; fi

$(OPENSEARCH)/target/classpath.txt: $(OPENSEARCH)/pom.xml $(wildcard $(OPENSEARCH)/src/main/java/*/*/*/*.java)
	cd $(OPENSEARCH) && mvn -q -B package && touch target/classpath.txt  # Maven keeps an unchanged file's date

test: setup lint redis-server chromium opensearch-artifacts
	$(BIN)/python -m pytest -q

# Small sizes by default; BENCH_SCALE=full make bench for the sizes issue #6 names (takes a while).
bench: setup
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_query.py
	$(BIN)/python bench/bench_crawl.py
	$(BIN)/python bench/bench_web.py

clean:
	rm -rf $(VENV) build data *.egg-info
