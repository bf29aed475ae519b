/** The README's per-client tables, generated from the connect definitions (scripts/generate-connect-readme.ts). */
import { CONNECT_CLIENTS, type ConnectValues } from './clients';

/** What the README shows for the values a user's own setup fills in. */
export const README_VALUES: ConnectValues = { baseUrl: 'http://127.0.0.1:8045', key: '<your-agate-key>', trustFolders: ['<DIR>'] };

const code = (text: string) => '`' + text.replace(/\|/g, '\\|') + '`';

export function connectReadmeSection(): string {
  const parts: string[] = [];
  for (const client of CONNECT_CLIENTS) {
    parts.push(`#### ${client.title}`, '');
    if (client.files.length === 0) {
      parts.push(`${client.summary} \`agate connect ${client.id}\` prints:`, '', '```', client.snippet!(README_VALUES), '```', '');
      continue;
    }
    parts.push(
      `\`agate connect ${client.id}\` — ${client.summary} Then run \`${client.run.replace(/ \(.*$/, '')}\`${/ \(/.test(client.run) ? ` ${client.run.replace(/^[^(]*/, '')}` : ''}.`,
      '',
    );
    parts.push('| File | Key | Value |', '|---|---|---|');
    for (const file of client.files) {
      for (const setting of file.settings(README_VALUES)) {
        const key = file.format === 'dotenv' ? setting.key[0] : setting.key.join('.');
        const value = setting.shown ?? (typeof setting.value === 'object' ? '{}' : JSON.stringify(setting.value));
        const when = setting.ifAbsent ? ' (when not set)' : setting.only ? ` (only with ${code(setting.only)})` : '';
        parts.push(`| ${code(file.displayPath)} | ${code(key)} | ${setting.shown ? value : code(value)}${when} |`);
      }
    }
    parts.push('');
  }
  return parts.join('\n');
}
