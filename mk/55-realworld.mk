# The real-world suite: every setup of ../shared/corpus/realworld converts deterministically,
# reads nothing outside its project folder, lints clean, and is applied (one namespace each) to
# one real API server (the control plane of mk/50-cluster.mk). Writes artifacts/realworld.md.
.PHONY: test-realworld
TEST_TARGETS += test-realworld

test-realworld: setup control-plane ## real projects: convert, no reads outside, lint clean, all applied to one API server
	$(PY) -m pytest -q tests/realworld
