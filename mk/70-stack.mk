# The stack under Docker Compose v2+ (the v5 plugin `make compose` builds where there is none;
# images built here; base images are local stand-ins unless PULL_BASE_IMAGES=1, which lets
# docker pull the real ones on a machine with registry access).
.PHONY: stack-images stack-up stack-test stack-down stack-down-v stack-logs
PULL_BASE_IMAGES ?=

stack-images: compose ## build the stack's images (base-image stand-ins first, no pulls)
	@scripts/ensure-docker.sh
	@if [ -z "$(PULL_BASE_IMAGES)" ]; then scripts/build-base-images.sh; fi
	scripts/compose.sh build

stack-up: stack-images ## build, start, wait until healthy, print the URLs
	scripts/compose.sh up -d --no-build
	scripts/stack-wait.sh 300
	@echo "frontend: http://localhost:3000   gateway: http://localhost:8080"

# The UI check runs the frontend's own e2e script, which needs the frontend's node_modules.
stack-test: setup browser-deps $(FRONTEND)/node_modules/.installed ## e2e through the published ports (task, chat, restart postgres), UI in Chromium, image hygiene
	@scripts/compose.sh ps -q | grep -q . || $(MAKE) stack-up
	$(PY) -m pytest -q tests/stack/test_compose_stack.py

stack-logs: ## follow the stack's logs
	scripts/compose.sh logs -f --tail 50

stack-down: ## stop and remove the stack's containers (keep volumes)
	scripts/compose.sh down --remove-orphans

stack-down-v: ## stop the stack and delete its volumes (database and Redis data)
	scripts/compose.sh down -v --remove-orphans
