# kubemap convert: regenerate the committed k8s/ from compose/, and the convert benchmark.
# k8s/ is converted with compose/.env.example (not a developer's compose/.env) so that it is the
# same on every machine; tests/test_drift.py checks exactly this command's output.
.PHONY: k8s bench-convert
BENCH_TARGETS += bench-convert

K8S_CONVERT := convert -f compose/compose.yaml --env-file compose/.env.example -o k8s

k8s: setup ## regenerate k8s/ from compose/ (commit the result; the drift test compares them)
	$(KUBEMAP) $(K8S_CONVERT)

bench-convert: setup ## time `kubemap convert` on 10 / 1,000 generated services and the largest corpus files
	$(PY) bench/convert_bench.py

.PHONY: conversion-doc
conversion-doc: setup ## regenerate docs/conversion.md from the translation rules
	$(PY) -m converter.render.docs > docs/conversion.md
