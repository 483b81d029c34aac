// Environment parsing: the CONTRACT.md names, their defaults, and clear errors for bad values.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config";

describe("loadConfig", () => {
  it("uses the contract's defaults", () => {
    assert.deepEqual(loadConfig({}), {
      port: 3001,
      logLevel: "info",
      redisUrl: "redis://localhost:6379/0",
      orchestratorUrl: "http://localhost:8000",
      provider: "local",
      openai: undefined,
      historyTtlSeconds: 3600,
    });
  });

  it("reads the API key from LLM_API_KEY_FILE, trimmed", () => {
    const dir = mkdtempSync(join(tmpdir(), "chat-config-"));
    try {
      writeFileSync(join(dir, "key"), "  sk-abc\n");
      const config = loadConfig({
        LLM_PROVIDER: "openai",
        LLM_BASE_URL: "http://127.0.0.1:11434/v1/",
        LLM_MODEL: "llama3.2",
        LLM_API_KEY_FILE: join(dir, "key"),
        CHAT_HISTORY_TTL_SECONDS: "60",
        ORCHESTRATOR_URL: "http://orchestrator:8000/",
      });
      assert.deepEqual(config.openai, { baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.2", apiKey: "sk-abc" });
      assert.equal(config.historyTtlSeconds, 60);
      assert.equal(config.orchestratorUrl, "http://orchestrator:8000");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("allows an openai endpoint without a key (e.g. Ollama)", () => {
    const config = loadConfig({ LLM_PROVIDER: "openai", LLM_BASE_URL: "http://ollama:11434/v1", LLM_MODEL: "m" });
    assert.equal(config.openai?.apiKey, undefined);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ["non-numeric PORT", { PORT: "web" }, /^PORT: expected an integer from 0 to 65535, got 'web'/],
    ["zero TTL", { CHAT_HISTORY_TTL_SECONDS: "0" }, /^CHAT_HISTORY_TTL_SECONDS: expected an integer from 1/],
    ["unknown provider", { LLM_PROVIDER: "magic" }, /^LLM_PROVIDER: expected one of local, openai, got 'magic'/],
    ["unknown log level", { LOG_LEVEL: "loud" }, /^LOG_LEVEL:/],
    ["bad REDIS_URL", { REDIS_URL: "localhost:6379" }, /^REDIS_URL: expected redis:\/\//],
    ["bad ORCHESTRATOR_URL", { ORCHESTRATOR_URL: "ftp://x" }, /^ORCHESTRATOR_URL: expected an http\(s\) URL/],
    ["openai without LLM_MODEL", { LLM_PROVIDER: "openai", LLM_BASE_URL: "http://x/v1" }, /^LLM_MODEL: required/],
    ["openai without LLM_BASE_URL", { LLM_PROVIDER: "openai", LLM_MODEL: "m" }, /^LLM_BASE_URL: required/],
    [
      "missing key file",
      { LLM_PROVIDER: "openai", LLM_BASE_URL: "http://x/v1", LLM_MODEL: "m", LLM_API_KEY_FILE: "/nonexistent/key" },
      /^LLM_API_KEY_FILE: cannot read the secret file '\/nonexistent\/key': ENOENT/,
    ],
  ];
  for (const [name, env, message] of bad) {
    it(`rejects ${name} with a ConfigError naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }
});
