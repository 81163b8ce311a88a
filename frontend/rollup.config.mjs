// One ES module inside the integration; `npm run build` must reproduce the committed file byte for byte.
import resolve from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";
import typescript from "@rollup/plugin-typescript";

export default {
  input: "src/index.ts",
  output: {
    file: "../custom_components/media_request_tracker/frontend/media-request-tracker-card.js",
    format: "es",
    inlineDynamicImports: true,
  },
  plugins: [
    resolve(),
    typescript({ tsconfig: "./tsconfig.json", noEmitOnError: true }),
    terser({ format: { comments: false } }),
  ],
};
