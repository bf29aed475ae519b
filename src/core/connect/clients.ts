/**
 * What each coding agent needs in its own settings to use Agate: one
 * definition per client, read by `agate connect`, the VS Code command, the
 * README table (checked by a test) and the end-to-end tests.
 */
import type { DocumentFormat, Setting } from './documents';

/**
 * `home/.claude/settings.json`. Not node:path, so the dashboard (a browser bundle) can read these
 * definitions too; Node takes `/` on every platform, also after a Windows home folder.
 */
const join = (...parts: string[]) => parts.map((part, i) => (i === 0 ? part.replace(/[\\/]+$/, '') : part)).join('/');

export type ConnectClientId = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode' | 'cline' | 'openai-compatible';

/** Where the user's files are. */
export interface ConnectEnvironment {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** What the settings say. */
export interface ConnectValues {
  /** The gateway, without a trailing slash or `/v1`: `http://127.0.0.1:8045`. */
  baseUrl: string;
  /** The key clients send: the Agate key when auth is on, any text when it is off. */
  key: string;
  /** A model to preselect; clients that run without one get none unless given. */
  model?: string;
  /**
   * Folders (absolute paths) gemini-cli is to trust: it reads its `.env`, and so the base URL and key, only in a
   * trusted folder. Written only when asked (`agate connect gemini-cli --trust DIR`): trusting a folder is the user's call.
   */
  trustFolders?: readonly string[];
}

/** The key clients send when auth is off: the gateway ignores it, but every client insists on having one. */
export const ANY_KEY = 'agate';

/** `http://127.0.0.1:8045` for a listener's host and port (a wildcard host is reached on loopback). */
export function gatewayBaseUrl({ host, port }: { host: string; port: number }): string {
  const reachable = ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export interface SettingsFileDefinition {
  /** For people: `~/.claude/settings.json`. */
  displayPath: string;
  path(where: ConnectEnvironment): string;
  format: DocumentFormat;
  /** None for these values: the file is left alone (neither written nor created). */
  settings(values: ConnectValues): Setting[];
}

export interface ConnectClient {
  id: ConnectClientId;
  title: string;
  /** One line on what connecting does. */
  summary: string;
  files: SettingsFileDefinition[];
  /** How to run the client once connected. */
  run: string;
  /** For clients without a settings file of their own: what to paste where. */
  snippet?(values: ConnectValues): string;
}

/** Upstream models opencode lists (it shows only the models a provider declares); the gateway maps other ids too. */
export const OPENCODE_MODELS = ['gemini-3-flash', 'gemini-3.1-pro-high', 'claude-sonnet-4-6', 'claude-opus-4-6-thinking'] as const;
/** Models for clients that cannot start without one. */
const DEFAULT_MODEL = 'gemini-3-flash';
const CLINE_DEFAULT_MODEL = 'claude-sonnet-4-6';

const v1 = (values: ConnectValues) => `${values.baseUrl}/v1`;
const envOr = (where: ConnectEnvironment, name: string, fallback: string) => where.env[name]?.trim() || fallback;

export const CONNECT_CLIENTS: readonly ConnectClient[] = [
  {
    id: 'claude-code',
    title: 'Claude Code',
    summary: 'The `env` of Claude Code’s user settings, which its CLI and VS Code extension both read.',
    run: 'claude',
    files: [
      {
        displayPath: '~/.claude/settings.json',
        path: (where) => join(envOr(where, 'CLAUDE_CONFIG_DIR', join(where.home, '.claude')), 'settings.json'),
        format: 'json',
        settings: (values) => [
          { key: ['env', 'ANTHROPIC_BASE_URL'], value: values.baseUrl },
          // A token, not ANTHROPIC_API_KEY: Claude Code then does not ask whether to trust a custom API key.
          { key: ['env', 'ANTHROPIC_AUTH_TOKEN'], value: values.key },
          ...(values.model ? [{ key: ['env', 'ANTHROPIC_MODEL'], value: values.model }] : []),
        ],
      },
    ],
  },
  {
    id: 'codex',
    title: 'Codex CLI',
    summary: 'A model provider on the Responses API, made the default; Codex keeps its own default model unless one is given.',
    run: 'codex',
    files: [
      {
        displayPath: '~/.codex/config.toml',
        path: (where) => join(envOr(where, 'CODEX_HOME', join(where.home, '.codex')), 'config.toml'),
        format: 'toml',
        settings: (values) => [
          { key: ['model_provider'], value: 'agate' },
          ...(values.model ? [{ key: ['model'], value: values.model }] : []),
          { key: ['model_providers', 'agate', 'name'], value: 'Agate' },
          { key: ['model_providers', 'agate', 'base_url'], value: v1(values) },
          // Codex 0.169 speaks only the Responses API to custom providers.
          { key: ['model_providers', 'agate', 'wire_api'], value: 'responses' },
          { key: ['model_providers', 'agate', 'experimental_bearer_token'], value: values.key },
        ],
      },
    ],
  },
  {
    id: 'gemini-cli',
    title: 'gemini-cli',
    summary: 'API-key sign-in in its settings, and the base URL and key in its own `.env`, which it loads at start.',
    // gemini-cli reads its .env only in a folder it trusts.
    run: 'gemini (in a folder you trust, e.g. one connect --trust DIR added, or gemini --skip-trust)',
    files: [
      {
        displayPath: '~/.gemini/settings.json',
        path: (where) => join(where.home, '.gemini', 'settings.json'),
        format: 'json',
        settings: (values) => [
          // Without it gemini-cli stops with "Invalid auth method selected" (exit 41).
          { key: ['security', 'auth', 'selectedType'], value: 'gemini-api-key' },
          ...(values.model ? [{ key: ['model', 'name'], value: values.model }] : []),
        ],
      },
      {
        displayPath: '~/.gemini/.env',
        path: (where) => join(where.home, '.gemini', '.env'),
        format: 'dotenv',
        settings: (values) => [
          // gemini-cli accepts an http base URL only on localhost / 127.0.0.1.
          { key: ['GOOGLE_GEMINI_BASE_URL'], value: values.baseUrl },
          { key: ['GEMINI_API_KEY'], value: values.key },
        ],
      },
      {
        displayPath: '~/.gemini/trustedFolders.json',
        path: (where) => envOr(where, 'GEMINI_CLI_TRUSTED_FOLDERS_PATH', join(where.home, '.gemini', 'trustedFolders.json')),
        format: 'json',
        // gemini-cli's own rule for a folder the user trusted in its dialog: the folder and everything below it.
        settings: (values) => (values.trustFolders ?? []).map((folder) => ({ key: [folder], value: 'TRUST_FOLDER', only: '--trust DIR' })),
      },
    ],
  },
  {
    id: 'opencode',
    title: 'opencode',
    summary: 'An `agate` provider (OpenAI-compatible) in opencode’s global config, with its models, made the default.',
    run: 'opencode',
    files: [
      {
        displayPath: '~/.config/opencode/opencode.json',
        path: (where) => join(envOr(where, 'XDG_CONFIG_HOME', join(where.home, '.config')), 'opencode', 'opencode.json'),
        format: 'json',
        settings: (values) => [
          { key: ['provider', 'agate', 'npm'], value: '@ai-sdk/openai-compatible' },
          { key: ['provider', 'agate', 'name'], value: 'Agate' },
          { key: ['provider', 'agate', 'options', 'baseURL'], value: v1(values) },
          { key: ['provider', 'agate', 'options', 'apiKey'], value: values.key },
          ...[...new Set([...OPENCODE_MODELS, ...(values.model ? [values.model] : [])])].map((model) => ({
            key: ['provider', 'agate', 'models', model, 'name'],
            value: model,
          })),
          { key: ['model'], value: `agate/${values.model ?? DEFAULT_MODEL}` },
          // Titles and summaries: without it opencode picks a small model of another provider.
          { key: ['small_model'], value: `agate/${DEFAULT_MODEL}` },
        ],
      },
    ],
  },
  {
    id: 'cline',
    title: 'Cline CLI',
    summary: 'Its Anthropic provider with Agate’s base URL (the default), and its OpenAI-compatible provider as well.',
    run: 'cline (its OpenAI-compatible provider: cline -P openai-compatible)',
    files: [
      {
        displayPath: '~/.cline/data/settings/providers.json',
        path: (where) =>
          join(envOr(where, 'CLINE_DATA_DIR', join(envOr(where, 'CLINE_DIR', join(where.home, '.cline')), 'data')), 'settings', 'providers.json'),
        format: 'json',
        settings: (values) => {
          const model = values.model ?? CLINE_DEFAULT_MODEL;
          const provider = (id: string): Setting[] => [
            { key: ['providers', id, 'settings', 'provider'], value: id },
            { key: ['providers', id, 'settings', 'apiKey'], value: values.key },
            { key: ['providers', id, 'settings', 'model'], value: model },
            // Cline's Anthropic provider follows the AI SDK: the base URL ends in /v1.
            { key: ['providers', id, 'settings', 'baseUrl'], value: v1(values) },
            { key: ['providers', id, 'tokenSource'], value: 'manual' },
            // Cline drops (and rewrites) a providers file whose entries lack these.
            { key: ['providers', id, 'updatedAt'], value: new Date().toISOString(), ifAbsent: true, shown: 'the time of connecting' },
          ];
          return [
            { key: ['version'], value: 1 },
            { key: ['lastUsedProvider'], value: 'anthropic' },
            { key: ['modes'], value: {}, ifAbsent: true },
            ...provider('anthropic'),
            ...provider('openai-compatible'),
          ];
        },
      },
    ],
  },
  {
    id: 'openai-compatible',
    title: 'Any OpenAI-compatible client',
    summary: 'Nothing is written: paste the base URL and key into the client (Cursor, Continue, Cherry Studio, scripts).',
    run: '',
    files: [],
    snippet: (values) =>
      [
        `Base URL: ${v1(values)}`,
        `API key:  ${values.key}`,
        `Model:    ${values.model ?? DEFAULT_MODEL} (or any id GET ${v1(values)}/models lists)`,
        '',
        'Environment, for tools that read it:',
        `  export OPENAI_BASE_URL=${v1(values)}`,
        `  export OPENAI_API_KEY=${values.key}`,
      ].join('\n'),
  },
];

export function connectClient(id: string): ConnectClient | undefined {
  return CONNECT_CLIENTS.find((client) => client.id === id);
}
