/** Ready-to-paste client setups for the API Proxy panel. Pure, so they are unit-tested in Node. */
import { connectClient, type ConnectClientId } from '../src/core/connect/clients';
import { applySettings } from '../src/core/connect/documents';
import { t } from './l10n';

export type SnippetId = 'claude-code' | 'openai-sdk' | 'gemini-sdk' | 'codex' | 'gemini-cli' | 'opencode' | 'cline' | 'cherry-studio';

export interface Snippet {
  id: SnippetId;
  label: string;
  /** Where it goes: a shell, a source file, a config file or an app's form. */
  where: string;
  text: string;
}

/** Stands for the key until the user reveals the real one. */
export const KEY_PLACEHOLDER = '<your-agate-key>';

export interface SnippetInput {
  baseUrl: string;
  /** The key to show: the revealed primary key, the placeholder, or any text when auth is off. */
  key: string;
  /** A model the snippets name (the gateway maps the rest). */
  model?: string;
}

export function clientSnippets({ baseUrl, key, model = 'gemini-3-flash' }: SnippetInput): Snippet[] {
  const url = baseUrl.replace(/\/+$/, '');
  return [
    connectSnippet('claude-code', url, key),
    {
      id: 'openai-sdk',
      label: 'OpenAI SDK',
      where: 'TypeScript (npm i openai)',
      text: [
        "import OpenAI from 'openai';",
        '',
        `const client = new OpenAI({ baseURL: '${url}/v1', apiKey: '${key}' });`,
        'const answer = await client.chat.completions.create({',
        `  model: '${model}',`,
        "  messages: [{ role: 'user', content: 'Hello' }],",
        '});',
        'console.log(answer.choices[0].message.content);',
      ].join('\n'),
    },
    {
      id: 'gemini-sdk',
      label: 'Gemini SDK',
      where: 'TypeScript (npm i @google/genai)',
      text: [
        "import { GoogleGenAI } from '@google/genai';",
        '',
        `const ai = new GoogleGenAI({ apiKey: '${key}', httpOptions: { baseUrl: '${url}' } });`,
        `const answer = await ai.models.generateContent({ model: '${model}', contents: 'Hello' });`,
        'console.log(answer.text);',
      ].join('\n'),
    },
    connectSnippet('codex', url, key),
    connectSnippet('gemini-cli', url, key),
    connectSnippet('opencode', url, key),
    connectSnippet('cline', url, key),
    {
      id: 'cherry-studio',
      label: 'Cherry Studio',
      where: t('Settings → Model Provider → Add (type OpenAI, or Anthropic for Claude models)'),
      text: [`Provider type: OpenAI`, `API Key:       ${key}`, `API Host:      ${url}`, `Models:        ${model}, claude-sonnet-4-6, gemini-3.1-pro-high`].join(
        '\n',
      ),
    },
  ];
}

/**
 * A client `agate connect` knows: its settings files as connect writes them into an empty home (the same
 * definitions, so the snippet and the command never disagree).
 */
function connectSnippet(id: ConnectClientId & SnippetId, baseUrl: string, key: string): Snippet {
  const client = connectClient(id)!;
  // Files written only on request (gemini-cli's trusted folders) have no settings here and are left out.
  const written = client.files.flatMap((file) => {
    const settings = file.settings({ baseUrl, key });
    return settings.length > 0 ? [{ file, settings }] : [];
  });
  const files = written.map(({ file, settings }) => {
    const text = applySettings(file.format, undefined, settings, file.displayPath).trimEnd();
    return written.length > 1 ? `${file.format === 'json' ? '//' : '#'} ${file.displayPath}\n${text}` : text;
  });
  const where = written.length > 1 ? t('these files') : written[0].file.displayPath;
  return { id, label: client.title, where: t('{0} ({1} merges it into yours)', where, `agate connect ${id}`), text: files.join('\n\n') };
}
