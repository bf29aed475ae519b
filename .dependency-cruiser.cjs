/**
 * The layers, checked in `npm test` (npm run lint): the core runs without a
 * host, protocol codecs and upstream adapters meet only in the IR, and the
 * webview shares nothing but types with the rest.
 * @type {import('dependency-cruiser').IConfiguration}
 */
/**
 * Core modules the webview bundles as code: both the console and the dashboard word attempt trails alike, and
 * the admin protocol table its HTTP transport derives each call's route from (with the pure modules it reads).
 */
const WEBVIEW_SHARED = [
  'src/core/monitor/attempt-words\\.ts$',
  // The core's user-facing messages (codes, English templates); the dashboard words them from its catalogue.
  'src/core/messages\\.ts$',
  // Their Chinese, the one table every host words them from.
  'src/core/messages\\.zh-cn\\.ts$',
  // Where the providers' default prices come from (a message), shown on the dashboard's provider cards.
  'src/core/providers/prices\\.ts$',
  'src/core/scheduler/default-aliases\\.ts$',
  'src/core/monitor/mask\\.ts$',
  'src/core/admin/protocol\\.ts$',
  // The provider kinds the protocol's schema lists.
  'src/core/providers/types\\.ts$',
  // The client definitions and the settings merge the "Connect a client" box shows.
  'src/core/connect/clients\\.ts$',
  'src/core/connect/documents\\.ts$',
].join('|');
/** Browser-safe libraries a shared module may use as code: TypeBox builds the protocol's schemas, smol-toml writes Codex's settings. */
const WEBVIEW_SHARED_LIBRARIES = '^node_modules/(@sinclair/typebox|smol-toml)/';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-host',
      comment: 'src/core is the pure core: the VS Code extension and the CLI are hosts built on it, never the other way.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(vscode|cli)/|^src/extension\\.ts$' },
    },
    {
      name: 'core-imports-no-vscode',
      comment: 'src/core runs in plain Node (CLI, tests); only src/vscode talks to the editor.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^vscode$|^node_modules/@types/vscode/' },
    },
    {
      name: 'protocols-import-no-upstream',
      comment: 'A protocol codec maps its wire format to and from the IR (src/core/ir.ts); it knows no upstream.',
      severity: 'error',
      from: { path: '^src/core/protocols/' },
      to: { path: '^src/core/upstream/' },
    },
    {
      name: 'upstream-imports-no-protocol',
      comment: 'An upstream adapter speaks the IR to its service; it knows no client protocol.',
      severity: 'error',
      from: { path: '^src/core/upstream/' },
      to: { path: '^src/core/protocols/' },
    },
    {
      name: 'webview-imports-only-types',
      comment:
        'The dashboard webview is a browser bundle: from outside webview-ui it may import types, never code, ' +
        'except the few pure modules listed in WEBVIEW_SHARED.',
      severity: 'error',
      from: { path: '^webview-ui/' },
      to: { pathNot: `^(webview-ui/|node_modules/|${WEBVIEW_SHARED})`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'webview-shared-is-pure',
      comment:
        'A module the webview bundles from the core imports nothing but types, other shared modules and browser-safe TypeBox, so no Node code reaches the browser.',
      severity: 'error',
      from: { path: `^(${WEBVIEW_SHARED})` },
      to: { dependencyTypesNot: ['type-only'], pathNot: `^(${WEBVIEW_SHARED})|${WEBVIEW_SHARED_LIBRARIES}` },
    },
    {
      name: 'no-circular',
      comment: 'Cycles make load order matter and layers meaningless.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
