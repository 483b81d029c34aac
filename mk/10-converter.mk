# The converter's own tests (unit, golden, corpus, report, drift).
.PHONY: test-converter browser-deps
TEST_TARGETS += test-converter

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

browser-deps: tests/browser/node_modules/.installed ## Chromium (Debian) + playwright-core and mermaid (npm) for the browser checks
	@scripts/install-system-deps.sh browser

test-converter: setup browser-deps compose ## converter tests: unit, golden, corpus (incl. Compose v5 as reference), report (incl. browser), drift
	$(PY) -m pytest -q tests/unit tests/golden tests/corpus tests/report $(wildcard tests/test_*.py)

.PHONY: bench-report
BENCH_TARGETS += bench-report
bench-report: setup ## time the mapping report with its picture (stack, 60 services, largest corpus file and realworld setup)
	$(PY) bench/report_bench.py
