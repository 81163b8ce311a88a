import { defineConfig } from "vitest/config";

// The render benchmark: `npm run bench` prints the time to render 300 requests.
export default defineConfig({
  test: { environment: "jsdom", include: ["bench/**/*.bench-test.ts"] },
});
