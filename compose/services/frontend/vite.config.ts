import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    // Tests wait for conditions with tests/standin.ts's PATIENCE_MS (30 s); this is the backstop.
    testTimeout: 60_000,
  },
});
