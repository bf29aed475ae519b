/** Ready-to-paste client setups for the API Proxy panel. Pure, so they are unit-tested in Node. */

export type SnippetId = 'claude-code' | 'openai-sdk' | 'gemini-sdk' | 'codex' | 'cherry-studio';

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
    {
      id: 'claude-code',
      label: 'Claude Code',
      where: 'shell',
      text: [`export ANTHROPIC_BASE_URL=${url}`, `export ANTHROPIC_API_KEY=${key}`, 'claude'].join('\n'),
    },
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
    {
      id: 'codex',
      label: 'Codex CLI',
      where: '~/.codex/config.toml, then: export AGATE_API_KEY=… and run codex',
      text: [
        'model_provider = "agate"',
        `model = "${model}"`,
        '',
        '[model_providers.agate]',
        'name = "Agate"',
        `base_url = "${url}/v1"`,
        'env_key = "AGATE_API_KEY"',
        'wire_api = "responses"',
        '',
        `# export AGATE_API_KEY=${key}`,
      ].join('\n'),
    },
    {
      id: 'cherry-studio',
      label: 'Cherry Studio',
      where: 'Settings → Model Provider → Add (type OpenAI, or Anthropic for Claude models)',
      text: [`Provider type: OpenAI`, `API Key:       ${key}`, `API Host:      ${url}`, `Models:        ${model}, claude-sonnet-4-6, gemini-3.1-pro-high`].join('\n'),
    },
  ];
}
