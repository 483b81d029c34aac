# Real Redis and PostgreSQL on loopback for the stack's tests, and an image registry for the push tests (data in .cache/servers/).
.PHONY: servers-up servers-down
servers-up: ## start the test Redis (127.0.0.1:6390), PostgreSQL (127.0.0.1:5440) and image registry (5051)
	@scripts/test-servers.sh up

servers-down: ## stop them
	@scripts/test-servers.sh down
