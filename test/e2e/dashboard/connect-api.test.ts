// The dashboard's "Connect a client" over the admin API, in a private HOME: preview (the diff, key masked), connect
// Claude Code then Codex (the files `agate connect` writes, with the primary key), a second connect changes nothing,
// Disconnect restores byte for byte, bad client ids are 404/400, and only the primary key reaches these routes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectClientState, ConnectPreview, ConnectResult, DisconnectResult } from '../../../src/core/admin/types';
import { readSetting } from '../../../src/core/connect';
import { ConnectedHome } from '../../helpers/connect-home';
import { startStack, type Stack } from '../../helpers/stack';
import { admin } from './admin-client';

describe('dashboard: connect a client (admin API)', () => {
  let stack: Stack;
  let home: ConnectedHome;
  let primary: string;
  let clientKey: string;
  let claudeFile: string;
  let codexFile: string;
  // No newline, no indentation: Disconnect must give exactly this back.
  const original = '{"model":"opus","env":{"KEEP":"1"}}';

  before(async () => {
    home = new ConnectedHome();
    stack = await startStack({ flags: { authMode: 'strict' }, host: { connectEnvironment: () => ({ home: home.home, env: home.env() }) } });
    primary = await stack.agate.security.primaryKey();
    ({ key: clientKey } = await stack.agate.security.keys.create({ name: 'team' }));
    claudeFile = path.join(home.home, '.claude', 'settings.json');
    codexFile = path.join(home.home, '.codex', 'config.toml');
    fs.mkdirSync(path.dirname(claudeFile), { recursive: true });
    fs.writeFileSync(claudeFile, original);
  });
  after(async () => {
    await stack?.close();
    home?.cleanup();
  });

  const call = <T>(method: string, route: string, key = primary) => admin<T>(stack.url, route, { method, key });
  const states = async () => {
    const reply = await call<ConnectClientState[]>('GET', '/admin/api/connect');
    assert.equal(reply.status, 200);
    return Object.fromEntries(reply.body.map((state) => [state.id, state]));
  };

  it('lists the clients it can write, none connected yet', async () => {
    const byId = await states();
    assert.deepEqual(Object.keys(byId), ['claude-code', 'codex', 'gemini-cli', 'opencode', 'cline']);
    assert.deepEqual(byId['claude-code'].files, ['~/.claude/settings.json']);
    assert.deepEqual(byId['gemini-cli'].files, ['~/.gemini/settings.json', '~/.gemini/.env'], 'no trusted folder unless asked for (agate connect --trust)');
    assert.ok(Object.values(byId).every((state) => !state.connected && !state.canDisconnect && !state.error));
  });

  it('previews Claude Code: the diff with the key masked, nothing written', async () => {
    const { status, body } = await call<ConnectPreview>('POST', '/admin/api/connect/claude-code/preview');
    assert.equal(status, 200);
    assert.equal(body.connected, false);
    assert.equal(body.baseUrl, stack.url);
    assert.equal(body.files.length, 1);
    const [file] = body.files;
    assert.equal(file.path, claudeFile);
    assert.equal(file.exists, true);
    assert.equal(file.changed, true);
    assert.match(file.diff, new RegExp(`^\\+\\s+"ANTHROPIC_BASE_URL": "${stack.url}",$`, 'm'));
    assert.ok(!JSON.stringify(body).includes(primary), 'the key is never in the preview whole');
    assert.ok(file.diff.includes(`${primary.slice(0, 6)}…${primary.slice(-2)}`), 'the key shows masked');
    assert.equal(fs.readFileSync(claudeFile, 'utf8'), original);
    assert.equal(fs.existsSync(claudeFile + '.agate-backup'), false);
  });

  it('connects Claude Code then Codex: their files hold this gateway and the primary key, the user’s keys kept', async () => {
    const claude = await call<ConnectResult>('POST', '/admin/api/connect/claude-code');
    assert.equal(claude.status, 200);
    assert.deepEqual(claude.body.written, [claudeFile]);
    assert.equal(claude.body.connected, false, 'it was not connected before');
    assert.deepEqual(JSON.parse(fs.readFileSync(claudeFile, 'utf8')), {
      model: 'opus',
      env: { KEEP: '1', ANTHROPIC_BASE_URL: stack.url, ANTHROPIC_AUTH_TOKEN: primary },
    });
    assert.ok(fs.existsSync(claudeFile + '.agate-backup'));

    const codex = await call<ConnectResult>('POST', '/admin/api/connect/codex');
    assert.equal(codex.status, 200);
    assert.deepEqual(codex.body.written, [codexFile]);
    const toml = fs.readFileSync(codexFile, 'utf8');
    assert.equal(readSetting('toml', toml, ['model_provider']), 'agate');
    assert.equal(readSetting('toml', toml, ['model_providers', 'agate', 'base_url']), `${stack.url}/v1`);
    assert.equal(readSetting('toml', toml, ['model_providers', 'agate', 'experimental_bearer_token']), primary);
    assert.equal(readSetting('toml', toml, ['model']), undefined, 'Codex keeps its own default model');

    const byId = await states();
    assert.deepEqual(
      Object.values(byId).map((state) => [state.id, state.connected, state.canDisconnect]),
      [
        ['claude-code', true, true],
        ['codex', true, true],
        ['gemini-cli', false, false],
        ['opencode', false, false],
        ['cline', false, false],
      ],
    );
  });

  it('connecting again changes nothing', async () => {
    const before = fs.readFileSync(claudeFile);
    const backup = fs.readFileSync(claudeFile + '.agate-backup');
    const again = await call<ConnectResult>('POST', '/admin/api/connect/claude-code');
    assert.equal(again.status, 200);
    assert.equal(again.body.connected, true);
    assert.deepEqual(again.body.written, []);
    assert.ok(again.body.files.every((file) => !file.changed && file.diff === ''));
    assert.deepEqual(fs.readFileSync(claudeFile), before);
    assert.deepEqual(fs.readFileSync(claudeFile + '.agate-backup'), backup, 'the backup of the first connect stays');
    const preview = await call<ConnectPreview>('POST', '/admin/api/connect/codex/preview');
    assert.equal(preview.body.connected, true);
  });

  it('disconnects: Claude Code’s file back byte for byte, Codex’s new file removed, then nothing left to undo', async () => {
    const claude = await call<DisconnectResult>('DELETE', '/admin/api/connect/claude-code');
    assert.equal(claude.status, 200);
    assert.deepEqual(claude.body.restored, [claudeFile]);
    assert.deepEqual(claude.body.changedSince, []);
    assert.equal(fs.readFileSync(claudeFile, 'utf8'), original);
    assert.equal(fs.existsSync(claudeFile + '.agate-backup'), false);

    const codex = await call<DisconnectResult>('DELETE', '/admin/api/connect/codex');
    assert.equal(codex.status, 200);
    assert.deepEqual(codex.body.removed, [codexFile]);
    assert.equal(fs.existsSync(codexFile), false);

    const nothing = await call<{ error: { message: string } }>('DELETE', '/admin/api/connect/codex');
    assert.equal(nothing.status, 404);
    assert.match(nothing.body.error.message, /nothing to disconnect/);
    assert.ok(Object.values(await states()).every((state) => !state.connected && !state.canDisconnect));
  });

  it('answers a bad client id with a clear 404 or 400', async () => {
    const unknown = await call<{ error: { message: string } }>('POST', '/admin/api/connect/emacs/preview');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /No client "emacs" to connect; one of: claude-code, codex, gemini-cli, opencode, cline/);
    const snippetOnly = await call<{ error: { message: string } }>('POST', '/admin/api/connect/openai-compatible');
    assert.equal(snippetOnly.status, 400);
    assert.match(snippetOnly.body.error.message, /no settings file Agate writes/);
    const typo = await admin<{ error: { message: string } }>(stack.url, '/admin/api/connect/codex/preview', {
      method: 'POST',
      key: primary,
      body: { modle: 'x' },
    });
    assert.equal(typo.status, 400);
    assert.match(typo.body.error.message, /"modle" is not a parameter/);
  });

  it('answers a settings file it cannot parse with a 400 naming it, and writes nothing', async () => {
    fs.writeFileSync(claudeFile, '{ not json');
    try {
      const refused = await call<{ error: { message: string } }>('POST', '/admin/api/connect/claude-code');
      assert.equal(refused.status, 400);
      assert.ok(refused.body.error.message.includes(claudeFile), refused.body.error.message);
      assert.equal(fs.readFileSync(claudeFile, 'utf8'), '{ not json');
      assert.match((await states())['claude-code'].error ?? '', /is not valid JSON/);
    } finally {
      fs.writeFileSync(claudeFile, original);
    }
  });

  it('opens these routes to the primary key only: 401 without a key, 403 with a client key, nothing written', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/admin/api/connect'],
      ['POST', '/admin/api/connect/codex/preview'],
      ['POST', '/admin/api/connect/codex'],
      ['DELETE', '/admin/api/connect/codex'],
    ];
    for (const [method, route] of routes) {
      assert.equal((await admin(stack.url, route, { method })).status, 401, `${method} ${route} without a key`);
      const refused = await call<{ error: { message: string } }>(method, route, clientKey);
      assert.equal(refused.status, 403, `${method} ${route} with a client key`);
      assert.match(refused.body.error.message, /primary Agate key/);
    }
    const byName = await admin(stack.url, '/admin/api/call/connectClient', { method: 'POST', key: clientKey, body: { id: 'codex' } });
    assert.equal(byName.status, 403);
    assert.equal(fs.existsSync(codexFile), false);
  });
});
