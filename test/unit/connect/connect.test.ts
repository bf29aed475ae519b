import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyConnect,
  BACKUP_SUFFIX,
  CONNECT_CLIENTS,
  connectClient,
  gatewayBaseUrl,
  hasBackup,
  planConnect,
  readSetting,
  SettingsFileError,
  undoConnect,
  type ConnectClient,
  type ConnectEnvironment,
} from '../../../src/core/connect';

// With a folder for gemini-cli to trust, so that every file of every client is written.
const values = { baseUrl: 'http://127.0.0.1:8045', key: 'sk-agate-0123456789abcdef', trustFolders: ['/home/dev/project'] };

/** What a user may already have in each client's files, in formats the clients accept. */
const EXISTING: Record<string, Record<string, string>> = {
  'claude-code': { '~/.claude/settings.json': '{\n    "model": "opus",\n    "env": { "KEEP_ME": "1" },\n    "permissions": {"allow": ["Bash(ls)"]}\n}\n' },
  codex: {
    '~/.codex/config.toml':
      '# my codex settings\nmodel_reasoning_effort = "high"\n\n[model_providers.other]\nname = "Other"\nbase_url = "https://example.com/v1"\n\n[mcp_servers.fs]\ncommand = "npx"\n',
  },
  'gemini-cli': {
    '~/.gemini/settings.json': '{\n  // theme\n  "ui": { "theme": "Dracula" },\n  "security": { "folderTrust": { "enabled": true } },\n}\n',
    '~/.gemini/.env': '# gemini env\nDEBUG=1\nexport GEMINI_API_KEY=old-key\n',
    '~/.gemini/trustedFolders.json': '{\n  "/home/me/code": "TRUST_PARENT"\n}',
  },
  opencode: {
    '~/.config/opencode/opencode.json':
      '{\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "nord",\n  "provider": { "mine": { "npm": "@ai-sdk/openai" } }\n}\n',
  },
  cline: {
    '~/.cline/data/settings/providers.json':
      '{\n  "version": 1,\n  "lastUsedProvider": "openrouter",\n  "providers": {\n    "openrouter": { "settings": { "provider": "openrouter", "apiKey": "or-key" } }\n  }\n}\n',
  },
};

/** One untouched setting per client that must survive a connect. */
const SURVIVORS: Record<string, Array<[string, string[], unknown]>> = {
  'claude-code': [
    ['~/.claude/settings.json', ['env', 'KEEP_ME'], '1'],
    ['~/.claude/settings.json', ['model'], 'opus'],
  ],
  codex: [
    ['~/.codex/config.toml', ['model_providers', 'other', 'base_url'], 'https://example.com/v1'],
    ['~/.codex/config.toml', ['mcp_servers', 'fs', 'command'], 'npx'],
  ],
  'gemini-cli': [
    ['~/.gemini/settings.json', ['ui', 'theme'], 'Dracula'],
    ['~/.gemini/.env', ['DEBUG'], '1'],
    ['~/.gemini/trustedFolders.json', ['/home/me/code'], 'TRUST_PARENT'],
  ],
  opencode: [
    ['~/.config/opencode/opencode.json', ['provider', 'mine', 'npm'], '@ai-sdk/openai'],
    ['~/.config/opencode/opencode.json', ['theme'], 'nord'],
  ],
  cline: [['~/.cline/data/settings/providers.json', ['providers', 'openrouter', 'settings', 'apiKey'], 'or-key']],
};

const fileClients = CONNECT_CLIENTS.filter((client) => client.files.length > 0);

describe('connect: writing a client’s own settings', () => {
  let home: string;
  let where: ConnectEnvironment;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-connect-'));
    where = { home, env: {} };
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const fileOf = (client: ConnectClient, displayPath: string) => client.files.find((f) => f.displayPath === displayPath)!.path(where);
  const seed = (client: ConnectClient) => {
    for (const [displayPath, text] of Object.entries(EXISTING[client.id] ?? {})) {
      const file = fileOf(client, displayPath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  };

  for (const client of fileClients) {
    describe(client.title, () => {
      it('writes every setting of its definition into a fresh home; a second connect changes nothing', async () => {
        const plan = await planConnect(client, values, where);
        assert.ok(plan.files.every((f) => f.changed && f.before === undefined));
        assert.deepEqual(
          await applyConnect(plan),
          plan.files.map((f) => f.path),
        );
        for (const definition of client.files) {
          const text = fs.readFileSync(definition.path(where), 'utf8');
          for (const setting of definition.settings(values)) {
            const value = readSetting(definition.format, text, setting.key);
            if (setting.ifAbsent) assert.notEqual(value, undefined, setting.key.join('.'));
            else assert.deepEqual(value, setting.value, setting.key.join('.'));
          }
          assert.equal(fs.statSync(definition.path(where)).mode & 0o777, 0o600, 'the key is readable by the user only');
        }
        const again = await planConnect(client, values, where);
        assert.equal(again.upToDate, true);
        assert.deepEqual(await applyConnect(again), []);
      });

      it('keeps the user’s other settings, shows a diff, and --undo restores the files byte for byte', async () => {
        seed(client);
        const originals = client.files.map(
          (definition) => [definition.path(where), fs.existsSync(definition.path(where)) ? fs.readFileSync(definition.path(where)) : undefined] as const,
        );
        const plan = await planConnect(client, values, where);
        for (const file of plan.files) {
          assert.match(file.diff, /^\+\s*\S/m, file.diff);
          assert.ok(!file.diff.includes(values.key), 'the key is masked in the diff');
        }
        assert.ok(plan.files.some((file) => /^\+.*127\.0\.0\.1:8045/m.test(file.diff)));
        await applyConnect(plan);
        for (const [displayPath, key, value] of SURVIVORS[client.id] ?? []) {
          const definition = client.files.find((f) => f.displayPath === displayPath)!;
          assert.deepEqual(readSetting(definition.format, fs.readFileSync(definition.path(where), 'utf8'), key), value, key.join('.'));
        }
        // Connecting again with another key keeps the backup of the very first state.
        await applyConnect(await planConnect(client, { ...values, key: 'sk-another-key-0000000000' }, where));
        assert.equal((await planConnect(client, { ...values, key: 'sk-another-key-0000000000' }, where)).upToDate, true);

        const undone = await undoConnect(client, where);
        assert.deepEqual(undone.missing, []);
        for (const [file, original] of originals) {
          if (original === undefined) assert.equal(fs.existsSync(file), false, `${file} removed`);
          else assert.ok(fs.readFileSync(file).equals(original), `${file} restored byte for byte`);
          assert.equal(fs.existsSync(file + BACKUP_SUFFIX), false);
        }
        assert.deepEqual((await undoConnect(client, where)).missing.length, client.files.length, 'a second undo has nothing to do');
      });
    });
  }

  it('Codex: no model line unless one is given; the provider is the default', async () => {
    const codex = connectClient('codex')!;
    await applyConnect(await planConnect(codex, values, where));
    const text = fs.readFileSync(path.join(home, '.codex', 'config.toml'), 'utf8');
    assert.equal(readSetting('toml', text, ['model']), undefined);
    assert.equal(readSetting('toml', text, ['model_provider']), 'agate');
    assert.equal(readSetting('toml', text, ['model_providers', 'agate', 'base_url']), 'http://127.0.0.1:8045/v1');
    const withModel = await planConnect(codex, { ...values, model: 'gemini-3.1-pro-high' }, where);
    assert.equal(readSetting('toml', withModel.files[0].after, ['model']), 'gemini-3.1-pro-high');
  });

  it('gemini-cli: trusts the folders it is given, and without any leaves its trusted folders alone', async () => {
    const gemini = connectClient('gemini-cli')!;
    const trusted = path.join(home, '.gemini', 'trustedFolders.json');
    const { trustFolders: _given, ...untrusting } = values;
    const plain = await planConnect(gemini, untrusting, where);
    assert.deepEqual(
      plain.files.map((file) => file.displayPath),
      ['~/.gemini/settings.json', '~/.gemini/.env'],
    );
    await applyConnect(plain);
    assert.equal(fs.existsSync(trusted), false);
    assert.equal((await planConnect(gemini, values, where)).upToDate, false, 'a folder to trust is a change');
    await applyConnect(await planConnect(gemini, { ...values, trustFolders: ['/home/dev/project', '/home/dev/other'] }, where));
    assert.deepEqual(JSON.parse(fs.readFileSync(trusted, 'utf8')), { '/home/dev/project': 'TRUST_FOLDER', '/home/dev/other': 'TRUST_FOLDER' });
    await undoConnect(gemini, where);
    assert.equal(fs.existsSync(trusted), false, 'undo removes the file connect created');
  });

  it('follows CODEX_HOME, XDG_CONFIG_HOME, CLINE_DIR and GEMINI_CLI_TRUSTED_FOLDERS_PATH', () => {
    const env = { CODEX_HOME: '/x/codex', XDG_CONFIG_HOME: '/x/config', CLINE_DIR: '/x/cline', GEMINI_CLI_TRUSTED_FOLDERS_PATH: '/x/trusted.json' };
    assert.equal(connectClient('gemini-cli')!.files[2].path({ home, env }), '/x/trusted.json');
    const pathOf = (id: string) => connectClient(id)!.files[0].path({ home, env });
    assert.equal(pathOf('codex'), '/x/codex/config.toml');
    assert.equal(pathOf('opencode'), '/x/config/opencode/opencode.json');
    assert.equal(pathOf('cline'), '/x/cline/data/settings/providers.json');
  });

  it('refuses a settings file it cannot parse, and writes nothing', async () => {
    const file = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ "env": ');
    await assert.rejects(
      planConnect(connectClient('claude-code')!, values, where),
      (err: unknown) => err instanceof SettingsFileError && /not valid JSON/.test(err.message),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), '{ "env": ');
  });

  it('knows a client is connected by its backup, and refuses a backup it cannot read instead of guessing', async () => {
    const claude = connectClient('claude-code')!;
    assert.equal(await hasBackup(claude, where), false);
    await applyConnect(await planConnect(claude, values, where));
    assert.equal(await hasBackup(claude, where), true);
    const backup = path.join(home, '.claude', 'settings.json' + BACKUP_SUFFIX);
    fs.writeFileSync(backup, 'not a backup');
    await assert.rejects(undoConnect(claude, where), (err: unknown) => err instanceof SettingsFileError && err.message.includes(backup));
    assert.equal(fs.readFileSync(backup, 'utf8'), 'not a backup', 'left for the user to look at');
  });

  it('the base URL of a listener: a wildcard host is reached on loopback, IPv6 in brackets', () => {
    assert.equal(gatewayBaseUrl({ host: '0.0.0.0', port: 8045 }), 'http://127.0.0.1:8045');
    assert.equal(gatewayBaseUrl({ host: '::', port: 8045 }), 'http://127.0.0.1:8045');
    assert.equal(gatewayBaseUrl({ host: '::1', port: 9 }), 'http://[::1]:9');
    assert.equal(gatewayBaseUrl({ host: 'localhost', port: 8045 }), 'http://localhost:8045');
  });

  it('the OpenAI-compatible entry writes nothing and gives a snippet', () => {
    const client = connectClient('openai-compatible')!;
    assert.deepEqual(client.files, []);
    assert.match(client.snippet!(values), /Base URL: http:\/\/127\.0\.0\.1:8045\/v1/);
  });
});
