"""Orchestrator of the AI-agent stack: turns tasks into jobs and queues them."""
