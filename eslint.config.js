// One lint/format tool for the whole workspace: ESLint with typescript-eslint
// for correctness and @stylistic for the formatting rules we hold to.
import js from "@eslint/js";
import stylistic from "@stylistic/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/test-results/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mts,js,mjs}"],
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", fetch: "readonly", Response: "readonly", Request: "readonly", Headers: "readonly", AbortController: "readonly", AbortSignal: "readonly", URLSearchParams: "readonly", FormData: "readonly", Blob: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", structuredClone: "readonly", queueMicrotask: "readonly", global: "readonly", document: "readonly", window: "readonly", navigator: "readonly", location: "readonly", localStorage: "readonly", HTMLElement: "readonly" } },
    plugins: { "@stylistic": stylistic },
    rules: {
      "@stylistic/indent": ["error", 2, { SwitchCase: 1, ignoredNodes: ["TemplateLiteral *", "ConditionalExpression *", "TSUnionType *"] }],
      "@stylistic/quotes": ["error", "double", { avoidEscape: true, allowTemplateLiterals: "always" }],
      "@stylistic/semi": ["error", "always"],
      "@stylistic/eol-last": "error",
      "@stylistic/no-trailing-spaces": "error",
      "@stylistic/comma-dangle": ["error", "always-multiline"],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-control-regex": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
  {
    // Tests read untyped JSON payloads and use empty callbacks freely.
    files: ["**/test/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "no-empty": "off", "@typescript-eslint/no-empty-function": "off" },
  },
);
