// Claude Code against the gateway: the terminal's environment, and the same variables in every terminal when
// agate.injectIntoAllTerminals is on.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { agateFixture, setSetting, waitFor, type Fixture } from './support/fixture';

describe('Claude Code terminal', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await agateFixture();
  });
  after(async () => {
    await setSetting('claudeCode.opusModel', undefined);
    await setSetting('injectIntoAllTerminals', undefined);
  });

  it('opens with the base URL, the key and the model variables of the settings', async () => {
    await setSetting('claudeCode.opusModel', 'claude-opus-4-6-thinking');
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('agate.openClaudeTerminal');
    try {
      assert.equal(terminal?.name, 'Claude Code (Agate)');
      const env = (terminal.creationOptions as vscode.TerminalOptions).env!;
      assert.equal(env.ANTHROPIC_BASE_URL, fixture.api.baseUrl());
      assert.match(env.ANTHROPIC_AUTH_TOKEN ?? '', /^sk-agate-/);
      assert.equal(env.ANTHROPIC_DEFAULT_OPUS_MODEL, 'claude-opus-4-6-thinking');
      assert.equal('ANTHROPIC_DEFAULT_SONNET_MODEL' in env, false, 'an empty setting leaves its variable unset');
      // The key in the terminal is the one the gateway accepts when auth is on.
      assert.equal(env.ANTHROPIC_AUTH_TOKEN, await (await fixture.testing.gateway.core()).security.primaryKey());
    } finally {
      terminal?.dispose();
    }
  });

  it('puts the variables into every new terminal when agate.injectIntoAllTerminals is on', async function () {
    await setSetting('injectIntoAllTerminals', true);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agate-terminal-')), 'env.txt');
    // Give the collection a moment to reach the terminal service (it syncs asynchronously).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const terminal = vscode.window.createTerminal({
      name: 'plain shell',
      shellPath: '/bin/sh',
      shellArgs: ['-c', `printf %s "$ANTHROPIC_BASE_URL" > ${out}`],
    });
    try {
      const seen = await waitFor('the shell to write its environment', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8'));
      assert.equal(seen, fixture.api.baseUrl());
    } finally {
      terminal.dispose();
    }
  });
});
