// Picks the provider named by LLM_PROVIDER.
import type { Config } from "../config";
import { LocalProvider } from "./local";
import { OpenAIProvider } from "./openai";
import type { Provider } from "./types";

export function createProvider(config: Config): Provider {
  if (config.provider === "openai" && config.openai !== undefined) return new OpenAIProvider(config.openai);
  return new LocalProvider(config.orchestratorUrl);
}

export type { Provider } from "./types";
export { ProviderError } from "./types";
