# The web UI: vitest unit tests and the production build.
FRONTEND := compose/services/frontend
.PHONY: test-frontend frontend-build
TEST_TARGETS += test-frontend

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

frontend-build: $(FRONTEND)/node_modules/.installed ## build the web UI into compose/services/frontend/dist
	cd $(FRONTEND) && npm run build

test-frontend: frontend-build ## the web UI's unit tests (vitest)
	cd $(FRONTEND) && npx vitest run
