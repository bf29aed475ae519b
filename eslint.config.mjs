// ESLint (flat config), run by `npm run lint` in `npm test`. The rules between folders (core, hosts, protocols,
// upstream, webview) are in .dependency-cruiser.cjs, which resolves real paths; here, what one file shows.
// No formatting rules: formatting is Prettier's (.prettierrc.json; `npm run format:check` runs in `npm run lint`).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'out/', '.test-artifacts/', '.vscode-test/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Loaded lazily on purpose: undici only with a proxy, the native keychain only when asked for, ajv with the first schema to check, ioredis in team mode;
      // the CLI's simulator and its data-dir commands from their own bundles (scripts/lean-bundle-plugins.mjs: CLI_SIDE_BUNDLES), the admin calls' validators with the first call, the CLI's Chinese tables when it speaks Chinese.
      '@typescript-eslint/no-require-imports': [
        'error',
        {
          allow: [
            '^undici$',
            '^@napi-rs/keyring$',
            '^ajv$',
            '^ajv/dist/refs/',
            '^ioredis$',
            '^\\.\\./\\.\\./simulator$',
            '^\\./tools$',
            '^\\./params-validators$',
            '^\\./l10n/zh-cn$',
            '^\\.\\./core/messages\\.zh-cn$',
          ],
        },
      ],
      // Input validation rejects control characters by naming them in a character class.
      'no-control-regex': 'off',
      // A variable a closure reads before its one assignment (a server handle passed to its own factory) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core never imports vscode; the hosts implement its ports.' }] }],
    },
  },
  {
    files: ['webview-ui/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests read arbitrary JSON off the wire; `any` there is a shape under test, not a hole in the types.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
