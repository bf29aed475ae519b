/**
 * Settings files of other programs, edited in place: parse, set the few keys
 * a client needs, write the rest back as it was parsed. JSON (also with the
 * comments gemini-cli and opencode allow, which are not kept), TOML (Codex,
 * through smol-toml; comments are not kept either) and dotenv lines.
 */
// smol-toml ships a CommonJS build for require(), but declares its types for ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml, stringify: stringifyToml } = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });

export type DocumentFormat = 'json' | 'toml' | 'dotenv';

/** One setting: a key path inside the document (`['env', 'ANTHROPIC_BASE_URL']`) and its value. */
export interface Setting {
  key: string[];
  value: string | number | boolean | Record<string, never>;
  /** Only when the key is not set yet: a field the client requires, whose value the user may have chosen. */
  ifAbsent?: boolean;
  /** How documentation shows a value that depends on the moment (a timestamp). */
  shown?: string;
  /** Written only when the user asks, with this option of `agate connect`. */
  only?: string;
}

export class SettingsFileError extends Error {
  override name = 'SettingsFileError';
}

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document `text` (undefined: no file yet) with `settings` applied; everything else kept. */
export function applySettings(format: DocumentFormat, text: string | undefined, settings: readonly Setting[], file: string): string {
  if (format === 'dotenv') return applyDotenv(text ?? '', settings);
  const document = text === undefined || text.trim() === '' ? {} : parseDocument(format, text, file);
  for (const { key, value, ifAbsent } of settings) setPath(document, key, value, ifAbsent === true);
  if (format === 'toml') return stringifyToml(document) + '\n';
  return JSON.stringify(document, null, indentOf(text)) + '\n';
}

/** The value at `key` in the document, for checks and tests. */
export function readSetting(format: DocumentFormat, text: string, key: string[], file = 'document'): unknown {
  if (format === 'dotenv') return dotenvValues(text)[key[0]];
  let node: unknown = parseDocument(format, text, file);
  for (const part of key) node = isTable(node) ? node[part] : undefined;
  return node;
}

function parseDocument(format: 'json' | 'toml', text: string, file: string): Table {
  let parsed: unknown;
  try {
    parsed = format === 'toml' ? parseToml(text) : JSON.parse(stripJsonComments(text));
  } catch (err) {
    throw new SettingsFileError(`${file} is not valid ${format.toUpperCase()} (${(err as Error).message.split('\n')[0]}); fix or move it, then connect again`);
  }
  if (!isTable(parsed)) throw new SettingsFileError(`${file} does not hold a ${format.toUpperCase()} object`);
  return parsed;
}

function setPath(document: Table, key: readonly string[], value: unknown, ifAbsent: boolean): void {
  let node = document;
  for (const part of key.slice(0, -1)) {
    if (!isTable(node[part])) node[part] = {};
    node = node[part] as Table;
  }
  const last = key[key.length - 1];
  if (ifAbsent && node[last] !== undefined) return;
  node[last] = value;
}

/** The indentation the file already uses (two spaces for a new file). */
function indentOf(text: string | undefined): string | number {
  const match = text ? /^[{[][^\n]*\n([ \t]+)\S/.exec(text) : null;
  return match ? match[1] : 2;
}

/** `//` and `/* *\/` comments and trailing commas, outside strings (JSONC, as gemini-cli and opencode read it). */
function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      out += char;
      if (char === '\\') out += text[++i] ?? '';
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else {
      out += char;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

const DOTENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

function dotenvValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = DOTENV_LINE.exec(line);
    if (match) values[match[1]] = match[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return values;
}

const dotenvValue = (value: string) => (/^[\w./:@+-]*$/.test(value) ? value : JSON.stringify(value));

/** Replaces the line of each variable, or appends one; other lines stay as they are. */
function applyDotenv(text: string, settings: readonly Setting[]): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  for (const { key, value } of settings) {
    const line = `${key[0]}=${dotenvValue(String(value))}`;
    const at = lines.findIndex((existing) => DOTENV_LINE.exec(existing)?.[1] === key[0]);
    if (at === -1) lines.push(line);
    else lines[at] = line;
  }
  return lines.join('\n') + '\n';
}
