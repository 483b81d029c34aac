# The chat service (TypeScript on Node 20, compose/services/chat): npm ci, tsc build, and
# node --test against the real test Redis (scripts/test-servers.sh) with stand-in HTTP servers
# for the orchestrator and a hosted model.
.PHONY: test-chat chat-build
TEST_TARGETS += test-chat

CHAT_DIR := compose/services/chat
CHAT_STAMP := $(CHAT_DIR)/node_modules/.installed
# Only the npm registry; no audit/fund calls, so installs stay quiet and offline-friendly.
CHAT_NPM := cd $(CHAT_DIR) && npm --no-audit --no-fund

$(CHAT_STAMP): $(CHAT_DIR)/package-lock.json $(CHAT_DIR)/package.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null \
		|| { echo "chat needs Node.js >= 20 with npm on PATH (found: $$(node --version 2>&1))" >&2; exit 1; }
	$(CHAT_NPM) ci --loglevel=error
	touch $@

chat-build: $(CHAT_STAMP) ## chat: compile src/ to dist/ with tsc (strict)
	$(CHAT_NPM) run build

test-chat: servers-up chat-build ## chat: node --test on the real Redis (plain, SSE, history TTL, providers)
	export $$(scripts/test-servers.sh env) && $(CHAT_NPM) test
