// The API Proxy panel's edits: checked against the configuration schema and the LAN policy before any host saves
// them (a 400 naming the key); the client snippets carry the base URL and the key they are given.
import assert from 'node:assert/strict';
import { checkSettingsChanges } from '../../../src/core/admin/admin-api';
import { defaultConfig } from '../../../src/core/config/defaults';
import type { GatewayConfig } from '../../../src/core/config/types';
import { GatewayError } from '../../../src/core/errors';
import { clientSnippets, KEY_PLACEHOLDER } from '../../../webview-ui/snippets';

function refusal(current: GatewayConfig, changes: unknown): GatewayError {
  try {
    checkSettingsChanges(current, { changes });
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    return err;
  }
  assert.fail('the changes were accepted');
}

describe('dashboard: settings edits', () => {
  const config = defaultConfig();

  it('accepts valid changes of the panel keys as they are', () => {
    const changes = { 'scheduling.mode': 'balance', 'models.aliases': { 'gpt-4o': 'gemini-3-flash' }, port: 9000 };
    assert.deepEqual(checkSettingsChanges(config, { changes }), changes);
  });

  it('names the key of a value the schema refuses', () => {
    for (const [changes, key] of [
      [{ 'scheduling.mode': 'fastest' }, 'scheduling.mode'],
      [{ port: 70000 }, 'port'],
      [{ 'models.groups': { fast: { models: [] } } }, 'models.groups.fast.models'],
      [{ 'models.aliases': { 'gpt-4o': '' } }, 'models.aliases.gpt-4o'],
    ] as const) {
      const err = refusal(config, changes);
      assert.equal(err.status, 400);
      assert.equal(err.param, key);
      assert.ok(err.message.includes(`"${key}"`), err.message);
    }
  });

  it('refuses keys the panel does not edit, and an empty change', () => {
    assert.equal(refusal(config, { 'upstream.proxy': 'http://proxy:3128' }).param, 'upstream.proxy');
    assert.equal(refusal(config, {}).param, 'changes');
    assert.equal(refusal(config, ['port']).param, 'changes');
  });

  it('refuses an unsafe listen address, now and while the server still listens on the old one', () => {
    assert.match(refusal(config, { host: '0.0.0.0' }).message, /allowLanAccess/);
    assert.match(refusal(config, { host: '0.0.0.0', allowLanAccess: true, authMode: 'off' }).message, /authMode "off"/);
    const onLan = { ...config, host: '0.0.0.0', allowLanAccess: true };
    // Back to loopback with auth off in one edit: until the restart the server is still on the LAN without a key.
    assert.match(refusal(onLan, { host: '127.0.0.1', authMode: 'off' }).message, /authMode "off"/);
    assert.deepEqual(checkSettingsChanges(onLan, { changes: { host: '127.0.0.1' } }), { host: '127.0.0.1' });
  });
});

describe('dashboard: client snippets', () => {
  it('points every client at the base URL with the key given', () => {
    const snippets = clientSnippets({ baseUrl: 'http://127.0.0.1:8045/', key: KEY_PLACEHOLDER });
    assert.deepEqual(
      snippets.map((snippet) => snippet.label),
      ['Claude Code', 'OpenAI SDK', 'Gemini SDK', 'Codex CLI', 'gemini-cli', 'opencode', 'Cline CLI', 'Cherry Studio'],
    );
    for (const snippet of snippets) assert.ok(snippet.text.includes(KEY_PLACEHOLDER), snippet.id);
    const text = (id: string) => snippets.find((snippet) => snippet.id === id)!.text;
    // The clients agate connect knows show the files it writes (one definition: core/connect/clients.ts).
    assert.match(text('claude-code'), /^ {4}"ANTHROPIC_BASE_URL": "http:\/\/127\.0\.0\.1:8045",$/m);
    assert.match(text('gemini-cli'), /^GOOGLE_GEMINI_BASE_URL=http:\/\/127\.0\.0\.1:8045$/m);
    assert.match(text('gemini-cli'), /"selectedType": "gemini-api-key"/);
    assert.match(text('opencode'), /"baseURL": "http:\/\/127\.0\.0\.1:8045\/v1"/);
    assert.match(text('cline'), /"baseUrl": "http:\/\/127\.0\.0\.1:8045\/v1"/);
    assert.match(text('openai-sdk'), /baseURL: 'http:\/\/127\.0\.0\.1:8045\/v1'/);
    assert.match(text('gemini-sdk'), /httpOptions: \{ baseUrl: 'http:\/\/127\.0\.0\.1:8045' \}/);
    assert.match(text('codex'), /^base_url = "http:\/\/127\.0\.0\.1:8045\/v1"$/m);
    assert.match(text('codex'), /^wire_api = "responses"$/m);
    assert.match(text('cherry-studio'), /API Host: +http:\/\/127\.0\.0\.1:8045$/m);
  });
});
