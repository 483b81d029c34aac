// Configuration from the environment only (twelve-factor); names fixed in compose/CONTRACT.md.
import { readFileSync } from "node:fs";

export type ProviderName = "local" | "openai";
export type LogLevel = "debug" | "info" | "warning" | "error";

export interface OpenAIConfig {
  baseUrl: string;
  model: string;
  /** Read from LLM_API_KEY_FILE so the key can be a Compose/Kubernetes secret; undefined = no auth. */
  apiKey: string | undefined;
}

export interface Config {
  port: number;
  logLevel: LogLevel;
  redisUrl: string;
  orchestratorUrl: string;
  provider: ProviderName;
  openai: OpenAIConfig | undefined;
  historyTtlSeconds: number;
}

/** A configuration mistake the operator must fix; index.ts prints it and exits with code 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, key: string, fallback: string): string {
  const value = env[key];
  return value === undefined || value.trim() === "" ? fallback : value.trim();
}

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = text(env, key, String(fallback));
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${key}: expected an integer from ${min} to ${max}, got '${raw}'; fix or unset it`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, key: string, fallback: T, allowed: readonly T[]): T {
  const raw = text(env, key, fallback).toLowerCase();
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key}: expected one of ${allowed.join(", ")}, got '${raw}'`);
  }
  return raw as T;
}

function httpUrl(env: Env, key: string, fallback: string | undefined): string {
  const raw = text(env, key, fallback ?? "");
  if (raw === "") throw new ConfigError(`${key}: required; set it to an http(s) URL`);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${key}: not a URL: '${raw}'`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(`${key}: expected an http(s) URL, got '${raw}'`);
  }
  return raw.replace(/\/+$/, ""); // callers append paths such as /tasks/<id>
}

function readSecretFile(env: Env, key: string): string | undefined {
  const path = text(env, key, "");
  if (path === "") return undefined;
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${key}: cannot read the secret file '${path}': ${reason}`);
  }
  const secret = content.trim(); // secret files usually end with a newline
  if (secret === "") throw new ConfigError(`${key}: the secret file '${path}' is empty`);
  return secret;
}

function openaiConfig(env: Env): OpenAIConfig {
  const model = text(env, "LLM_MODEL", "");
  if (model === "") throw new ConfigError("LLM_MODEL: required when LLM_PROVIDER=openai (e.g. llama3.2)");
  return {
    baseUrl: httpUrl(env, "LLM_BASE_URL", undefined),
    model,
    apiKey: readSecretFile(env, "LLM_API_KEY_FILE"),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const redisUrl = text(env, "REDIS_URL", "redis://localhost:6379/0");
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL: expected redis://host:port/db, got '${redisUrl}'`);
  }
  const provider = oneOf<ProviderName>(env, "LLM_PROVIDER", "local", ["local", "openai"]);
  return {
    port: integer(env, "PORT", 3001, 0, 65535),
    logLevel: oneOf<LogLevel>(env, "LOG_LEVEL", "info", ["debug", "info", "warning", "error"]),
    redisUrl,
    orchestratorUrl: httpUrl(env, "ORCHESTRATOR_URL", "http://localhost:8000"),
    provider,
    openai: provider === "openai" ? openaiConfig(env) : undefined,
    historyTtlSeconds: integer(env, "CHAT_HISTORY_TTL_SECONDS", 3600, 1, 365 * 24 * 3600),
  };
}
