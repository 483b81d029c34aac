# The converter's own tests (unit, golden, corpus, drift).
.PHONY: test-converter
TEST_TARGETS += test-converter

test-converter: setup ## converter tests: unit, golden, corpus, drift
	$(PY) -m pytest -q tests/unit tests/golden tests/corpus $(wildcard tests/test_*.py)
