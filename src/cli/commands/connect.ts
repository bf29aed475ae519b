import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline/promises';
import { loadConfig } from '../../core/config/load';
import type { GatewayConfig } from '../../core/config/types';
import {
  ANY_KEY,
  applyConnect,
  CONNECT_CLIENTS,
  connectClient,
  gatewayBaseUrl,
  maskKey,
  planConnect,
  undoConnect,
  type ConnectClient,
} from '../../core/connect';
import { effectiveAuthMode } from '../../core/security';
import { configSources, parse, UsageError } from '../args';
import { openDataDir } from '../data-dir-access';
import { l10n } from '../l10n';

const listing = () =>
  CONNECT_CLIENTS.map(
    (client) => `  ${client.id.padEnd(18)} ${client.title}: ${client.files.map((f) => f.displayPath).join(', ') || 'prints the settings'}`,
  ).join('\n');

/** With auth on, the primary key of the data dir (as `agate keys primary` prints it). */
async function keyFor(config: GatewayConfig): Promise<string> {
  if (effectiveAuthMode(config.authMode, config.host) === 'off') return ANY_KEY;
  const session = await openDataDir(config);
  try {
    return (await session.call('primaryKey')).key;
  } finally {
    await session.close();
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `agate connect <client> [--yes] [--undo]`: writes the client's own settings
 * so that it uses this gateway, after showing the diff (see core/connect).
 */
export async function connectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    yes: { type: 'boolean', short: 'y' },
    undo: { type: 'boolean' },
    model: { type: 'string' },
    key: { type: 'string' },
    url: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    trust: { type: 'string', multiple: true },
  });
  const [id, ...extra] = positionals;
  if (!id) {
    process.stdout.write(
      `${l10n.t('Usage: {0}', 'agate connect <client> [--yes] [--undo] [--model M] [--key K] [--url URL] [--trust DIR]')}\n\n${l10n.t('Clients:')}\n${listing()}\n`,
    );
    return 2;
  }
  if (extra.length > 0) throw new UsageError(l10n.t('unexpected arguments: {0}', extra.join(' ')));
  const client = connectClient(id);
  if (!client) throw new UsageError(l10n.t('unknown client "{0}"; one of: {1}', id, CONNECT_CLIENTS.map((c) => c.id).join(', ')));
  const where = { home: os.homedir(), env: process.env };
  const trustFolders = (values.trust ?? []).map((folder) => path.resolve(folder));
  if (trustFolders.length > 0 && client.id !== 'gemini-cli') throw new UsageError(l10n.t('--trust is for gemini-cli only: the folders it reads its .env in'));
  for (const folder of trustFolders) {
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(l10n.t('--trust {0}: no such folder', folder));
  }

  if (values.undo) return undo(client, where);

  const config = loadConfig(configSources(values));
  const baseUrl = (values.url ?? gatewayBaseUrl(config)).replace(/\/+$/, '').replace(/\/v1$/, '');
  const key = values.key ?? (await keyFor(config));
  const connectValues = { baseUrl, key, ...(values.model ? { model: values.model } : {}), ...(trustFolders.length > 0 ? { trustFolders } : {}) };

  if (client.snippet) {
    process.stdout.write(`${client.title}: ${client.summary}\n\n${client.snippet(connectValues)}\n`);
    return 0;
  }
  const plan = await planConnect(client, connectValues, where);
  if (plan.upToDate) {
    process.stdout.write(l10n.t('{0} already uses Agate at {1} ({2}).', client.title, baseUrl, plan.files.map((f) => f.path).join(', ')) + '\n');
    return 0;
  }
  process.stdout.write(`${client.title}: ${client.summary}\n\n`);
  for (const file of plan.files) if (file.changed) process.stdout.write(file.diff + '\n');
  if (!values.yes) {
    if (!process.stdin.isTTY) throw new UsageError(l10n.t('not writing without confirmation: run it in a terminal, or add --yes'));
    if (!(await confirm(`${l10n.t('Write these changes? (a backup of each file is kept; "{0}" restores it)', `agate connect ${client.id} --undo`)} [y/N] `))) {
      process.stdout.write(l10n.t('Nothing written.') + '\n');
      return 1;
    }
  }
  const written = await applyConnect(plan);
  process.stdout.write(
    `${key === ANY_KEY ? l10n.t('Connected {0} to {1}:', client.title, baseUrl) : l10n.t('Connected {0} to {1} (key {2}):', client.title, baseUrl, maskKey(key, key))}\n` +
      `${written.map((file) => `  ${l10n.t('wrote {0}', file)}`).join('\n')}\n` +
      `${l10n.t('Run: {0}    Undo: {1}', client.run, `agate connect ${client.id} --undo`)}\n`,
  );
  return 0;
}

async function undo(client: ConnectClient, where: { home: string; env: NodeJS.ProcessEnv }): Promise<number> {
  if (client.files.length === 0) {
    process.stdout.write(l10n.t('{0}: nothing was written, nothing to undo.', client.title) + '\n');
    return 0;
  }
  const result = await undoConnect(client, where);
  const lines = [
    ...result.restored.map((file) => `  ${l10n.t('restored {0}', file)}`),
    ...result.removed.map((file) => `  ${l10n.t('removed {0} (it did not exist before)', file)}`),
    ...result.changedSince.map((file) => `  ${l10n.t('note: {0} had changed since connect; those changes are undone too', file)}`),
  ];
  if (lines.length === 0) {
    process.stdout.write(l10n.t('{0}: no backup from "{1}" found; nothing to undo.', client.title, `agate connect ${client.id}`) + '\n');
    return 0;
  }
  process.stdout.write(`${l10n.t('Disconnected {0}:', client.title)}\n${lines.join('\n')}\n`);
  return 0;
}
