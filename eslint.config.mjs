import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // .cache/ holds the bundled language host of the test CLI (scripts/build-pulumi-cli.sh), not source; sdk/ is
  // written by Pulumi's code generators (npm run gen:sdk) in their own style and checked by compiling it.
  { ignores: ["node_modules/", "dist/", "coverage/", ".cache/", "sdk/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Import cycles make module load order decide which bindings are still undefined, and they hide layering
    // mistakes (a driver importing its own entry point). The project imports by relative path without aliases,
    // so Node's resolution with TypeScript's extensions finds every module.
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".tsx", ".cts", ".mts", ".js", ".cjs", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx", ".cts", ".mts"] },
      "import-x/resolver-next": [
        createNodeResolver({ extensions: [".ts", ".tsx", ".d.ts", ".js", ".cjs", ".mjs", ".json"] }),
      ],
    },
    rules: { "import-x/no-cycle": "error" },
  },
  {
    // Every error the provider throws on purpose is an MpsFpdbError subclass (core/errors.ts): it carries the
    // library or property it is about, and the provider host shows it to users without provider internals.
    files: ["core/**/*.ts", "dynamic/**/*.ts", "plugin/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Error']",
          message: "Throw an MpsFpdbError subclass from core/errors.ts, not a plain Error.",
        },
      ],
    },
  },
  {
    files: ["dynamic/shim.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
