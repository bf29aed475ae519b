import { Type, type TSchema } from '@sinclair/typebox';
import { configSchema, schemaAt } from '../core/config/definition';

/**
 * The editor's settings, defined once: which gateway configuration keys are
 * settings (type, default and description come from the core's definition),
 * the editor-only settings, their categories, order and scope. package.json's
 * `contributes.configuration` and the user README's settings table are
 * generated from this (scripts/generate-settings.ts); a unit test keeps them
 * in step. No `vscode` import: the generator runs in plain Node.
 */

/** The configuration section of every setting this extension contributes. */
export const SECTION = 'agate';

type Scope = 'application' | 'machine';

/** A gateway configuration key, the same dotted name under `agate.` (`agate.scheduling.mode` is `scheduling.mode`). */
interface GatewayEntry {
  gateway: string;
  scope: Scope;
}

/** A setting of the editor host only. */
interface HostEntry {
  host: string;
  scope: Scope;
  schema: TSchema;
}

export interface SettingsCategory {
  title: string;
  entries: ReadonlyArray<GatewayEntry | HostEntry>;
}

const gateway = (key: string, scope: Scope = 'application'): GatewayEntry => ({ gateway: key, scope });
const host = (key: string, schema: TSchema, scope: Scope = 'application'): HostEntry => ({ host: key, schema, scope });
const modelVariable = (variable: string, example: string) => Type.String({ default: '', description: `\`${variable}\`${example}. Empty = unset.` });

export const SETTINGS_CATEGORIES: readonly SettingsCategory[] = [
  {
    title: 'Gateway',
    entries: [
      host(
        'autoStart',
        Type.Boolean({
          default: true,
          description: 'Start the gateway when the editor starts. When off, start it with **Agate: Start Gateway** or from the status bar.',
        }),
      ),
      gateway('port', 'machine'),
      gateway('host', 'machine'),
      gateway('allowLanAccess', 'machine'),
      gateway('authMode'),
      host(
        'remoteGateway',
        Type.String({
          default: '',
          description:
            "Address of a team's Agate gateway (e.g. `https://agate.example.com`) to use instead of a gateway of this editor's own: the Claude Code terminal and **Agate: Connect a Client…** point at it, **Agate: Copy Base URL** and **Agate: Copy API Key** give its address and your client key, and the status bar shows its quota. Set it with **Agate: Use a Team Gateway…**, which checks it and keeps the client key in the editor's secret storage (never in settings). Empty = this editor runs its own gateway.",
        }),
        'machine',
      ),
    ],
  },
  {
    title: 'Scheduling',
    entries: [
      gateway('scheduling.mode'),
      gateway('scheduling.stickyWaitMs'),
      gateway('scheduling.retrySameAccountMaxDelayMs'),
      gateway('scheduling.waitForResetMaxMs'),
      gateway('scheduling.maxAttempts'),
      gateway('scheduling.perAccountConcurrency'),
      gateway('scheduling.perModelConcurrency'),
      gateway('scheduling.queueTimeoutMs'),
    ],
  },
  {
    title: 'Models',
    entries: [gateway('models.aliases'), gateway('models.groups'), gateway('models.providerPolicy'), gateway('models.backgroundModel')],
  },
  {
    title: 'Claude Code',
    entries: [
      host(
        'claudeCode.model',
        Type.String({
          default: '',
          description: "`ANTHROPIC_MODEL` in the Claude Code terminal: the model Claude Code starts with. Empty = Claude Code's default.",
        }),
      ),
      host('claudeCode.opusModel', modelVariable('ANTHROPIC_DEFAULT_OPUS_MODEL', ": what Claude Code's `opus` stands for, e.g. `claude-opus-4-6-thinking`")),
      host('claudeCode.sonnetModel', modelVariable('ANTHROPIC_DEFAULT_SONNET_MODEL', ': what `sonnet` stands for, e.g. `claude-sonnet-4-6`')),
      host('claudeCode.haikuModel', modelVariable('ANTHROPIC_DEFAULT_HAIKU_MODEL', ': what `haiku` stands for, e.g. `gemini-3-flash`')),
      host('claudeCode.subagentModel', modelVariable('CLAUDE_CODE_SUBAGENT_MODEL', ": the model of Claude Code's subagents")),
      host(
        'injectIntoAllTerminals',
        Type.Boolean({
          default: false,
          description:
            'Set the Claude Code variables (base URL, key, models) in **every** new terminal, not only in the Claude Code terminal. Existing terminals keep their environment.',
        }),
      ),
    ],
  },
  {
    title: 'Status Bar and Quota',
    entries: [
      host(
        'statusBar.model',
        Type.String({
          default: '',
          description:
            'Upstream model whose quota the status bar shows (the most left on any account), e.g. `gemini-3.1-pro-high`. Empty = the Claude model with the most left.',
        }),
      ),
      gateway('quota.refreshIntervalMs'),
    ],
  },
  {
    title: 'Network',
    entries: [
      gateway('upstream.proxy', 'machine'),
      gateway('upstream.hosts', 'machine'),
      gateway('oauth.authorizeUrl', 'machine'),
      gateway('oauth.tokenUrl', 'machine'),
      gateway('oauth.userinfoUrl', 'machine'),
    ],
  },
];

/** The gateway configuration keys that are editor settings. */
export const GATEWAY_SETTINGS: readonly string[] = SETTINGS_CATEGORIES.flatMap((category) =>
  category.entries.flatMap((entry) => ('gateway' in entry ? [entry.gateway] : [])),
);

type JsonSchema = Record<string, unknown>;

/** A schema as JSON (TypeBox's symbol keys dropped), with the editor's spelling of descriptions. */
function forEditor(schema: TSchema, settingKeys: ReadonlySet<string>): JsonSchema {
  const plain = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  // A key in backticks that is a setting becomes a link in the Settings editor.
  const link = (markdown: string) => markdown.replace(/`([\w.]+)`/g, (code, key: string) => (settingKeys.has(key) ? `\`#${SECTION}.${key}#\`` : code));
  const { description, enumDescriptions, ...rest } = plain as JsonSchema & { description?: string; enumDescriptions?: string[] };
  return {
    ...rest,
    ...(enumDescriptions && { markdownEnumDescriptions: enumDescriptions.map(link) }),
    ...(description !== undefined && { markdownDescription: link(description) }),
  };
}

const READING_ORDER = [
  'type',
  'items',
  'enum',
  'markdownEnumDescriptions',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'minItems',
  'pattern',
  'scope',
  'order',
  'markdownDescription',
];

/** The fields of one setting in a fixed order, so that package.json reads (and diffs) the same every time. */
function inReadingOrder(setting: JsonSchema): JsonSchema {
  const rank = (field: string) => (READING_ORDER.includes(field) ? READING_ORDER.indexOf(field) : READING_ORDER.indexOf('scope') - 0.5);
  return Object.fromEntries(Object.entries(setting).sort(([a], [b]) => rank(a) - rank(b)));
}

type Configuration = Array<{ title: string; order: number; properties: Record<string, JsonSchema> }>;

/** `Status Bar and Quota` → `statusBarAndQuota`, for nls keys. */
function camelCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word, i) => (i === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1).toLowerCase()))
    .join('');
}

/**
 * Replaces every text of a setting by a `%key%` placeholder (the editor looks it up in package.nls*.json) and
 * records the English text under that key: `config.<setting>.description`, `config.<setting>.enum.<value>`, and for
 * a description nested in the schema (a map's values) `config.<setting>.<property…>.description`.
 */
function placeholders(node: unknown, prefix: string, strings: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => placeholders(item, prefix, strings));
  if (!node || typeof node !== 'object') return node;
  const put = (key: string, text: string) => {
    strings.set(key, text);
    return `%${key}%`;
  };
  const schema = node as JsonSchema;
  return Object.fromEntries(
    Object.entries(schema).map(([field, value]) => {
      if ((field === 'markdownDescription' || field === 'description') && typeof value === 'string') return [field, put(`${prefix}.description`, value)];
      if (field === 'markdownEnumDescriptions' && Array.isArray(value)) {
        const values = schema.enum as unknown[];
        return [field, (value as string[]).map((text, i) => put(`${prefix}.enum.${String(values[i])}`, text))];
      }
      if (field === 'properties' && value && typeof value === 'object') {
        return [field, Object.fromEntries(Object.entries(value).map(([name, child]) => [name, placeholders(child, `${prefix}.${name}`, strings)]))];
      }
      return [field, placeholders(value, prefix, strings)];
    }),
  );
}

function generate(): { configuration: Configuration; strings: Map<string, string> } {
  const settingKeys = new Set(SETTINGS_CATEGORIES.flatMap((c) => c.entries.map((e) => ('gateway' in e ? e.gateway : e.host))));
  const strings = new Map<string, string>();
  const configuration = SETTINGS_CATEGORIES.map((category, index) => {
    const titleKey = `config.category.${camelCase(category.title)}`;
    strings.set(titleKey, category.title);
    return {
      title: `%${titleKey}%`,
      order: index + 1,
      properties: Object.fromEntries(
        category.entries.map((entry, order) => {
          const key = 'gateway' in entry ? entry.gateway : entry.host;
          const schema = 'gateway' in entry ? schemaAt(entry.gateway, configSchema) : entry.schema;
          if (!schema) throw new Error(`${SECTION}.${key}: no such gateway configuration key`);
          const setting = inReadingOrder({ ...forEditor(schema, settingKeys), scope: entry.scope, order: order + 1 });
          return [`${SECTION}.${key}`, placeholders(setting, `config.${key}`, strings) as JsonSchema];
        }),
      ),
    };
  });
  return { configuration, strings };
}

/** package.json `contributes.configuration`, as generated from the definitions, its texts as `%key%` placeholders. */
export function contributedConfiguration(): Configuration {
  return generate().configuration;
}

/** The English texts of the settings (package.nls.json), by nls key, in the order the settings are defined. */
export function configurationStrings(): Record<string, string> {
  return Object.fromEntries(generate().strings);
}

/** The nls keys this generator owns in package.nls*.json. */
export const CONFIGURATION_NLS_PREFIX = 'config.';

/** `contributes.configuration` with its placeholders resolved from `strings` (for the README's settings table). */
export function resolvedConfiguration(strings: Record<string, string> = configurationStrings()): Configuration {
  const resolve = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const match = /^%([^%]+)%$/.exec(node);
      return match && match[1] in strings ? strings[match[1]] : node;
    }
    if (Array.isArray(node)) return node.map(resolve);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
    return node;
  };
  return resolve(contributedConfiguration()) as Configuration;
}
