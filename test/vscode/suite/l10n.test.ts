// The extension in the editor's display language: English in the default run, Simplified Chinese when code-server
// starts with --locale zh-cn (npx tsx test/vscode/run-in-code-server.ts --locale zh-cn --grep l10n). The manifest's
// texts (package.nls.zh-cn.json) reach the command palette; notifications and the status bar tooltip come from
// l10n/bundle.l10n.zh-cn.json.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AccountView } from '../../../src/core/accounts';
import { canSeeWorkbench, saveScreenshot, workbenchTexts } from './screenshot';
import { ADA, agateFixture, setSetting, waitFor, waitForRunning, type Fixture } from './support/fixture';

const chinese = vscode.env.language.toLowerCase().startsWith('zh');
const expected = chinese
  ? {
      rotate: '轮换 API 密钥',
      running: /运行于 `http:\/\/127\.0\.0\.1:\d+`/,
      copied: '已复制 Agate 基础 URL',
      language: '简体中文',
      settingsError: /配置无效："scheduling\.mode" 必须是 cache-first, .* 之一（收到的是 "fastest"）（来源：设置 agate\.scheduling\.mode）/,
    }
  : {
      rotate: 'Rotate API Key',
      running: /running at `http:\/\/127\.0\.0\.1:\d+`/,
      copied: 'Copied the Agate base URL',
      language: 'English',
      settingsError: /invalid configuration: "scheduling\.mode" must be one of cache-first, .* \(got "fastest"\) \(from setting agate\.scheduling\.mode\)/,
    };

describe(`l10n: the extension in ${expected.language} (display language ${vscode.env.language})`, () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await agateFixture();
    fixture.sim.addAccount(ADA);
    await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', ADA.refreshToken);
  });
  // The files after this one start from the pool as it was: without the account added here.
  after(() => vscode.commands.executeCommand('agate.manageAccounts', { account: ADA.email, action: 'remove' }));

  it('the manifest: command titles and the category as the palette lists them', async function () {
    // A translated text of the manifest arrives as { value, original }; an English one as the string.
    type Text = string | { value: string; original: string };
    const commands = vscode.extensions.getExtension('agate.agate')!.packageJSON.contributes.commands as Array<{ command: string; title: Text; category: Text }>;
    const text = (value: Text | undefined) => (typeof value === 'string' || value === undefined ? value : value.value);
    assert.equal(text(commands.find((command) => command.command === 'agate.rotateApiKey')?.title), expected.rotate);
    assert.equal(text(commands[0].category), 'Agate');
    if (!canSeeWorkbench()) this.skip();
    await vscode.commands.executeCommand('workbench.action.quickOpen', `>Agate: ${expected.rotate}`);
    try {
      const entries = await waitFor('Agate commands in the palette', async () => {
        const texts = await workbenchTexts('.quick-input-list .monaco-list-row');
        return texts.some((text) => text.includes(expected.rotate)) && texts;
      });
      assert.ok(
        entries.some((text) => text.includes(`Agate: ${expected.rotate}`)),
        entries.join('\n'),
      );
      await saveScreenshot(`vscode-l10n-${chinese ? 'zh-cn' : 'en'}-palette`);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
  });

  it('the status bar tooltip', async () => {
    const { statusBar } = fixture.testing;
    await waitFor('the running gateway in the tooltip', () => expected.running.test(statusBar.tooltip));
    assert.match(statusBar.tooltip, chinese ? /\| 模型 \| 剩余 \| 重置 \|/ : /\| Model \| Left \| Resets \|/);
  });

  it('a notification', async function () {
    // Toasts of earlier files would hide this one.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('agate.copyBaseUrl');
    if (!canSeeWorkbench()) this.skip();
    // The workbench may still be rendering earlier toasts when the clear arrives, and shows only a few at once:
    // the notification is looked for in the toasts and the notification centre, and asked for again now and then.
    let probes = 0;
    const toast = await waitFor('the copied-base-URL notification', async () => {
      const found = (await workbenchTexts('.notifications-toasts, .notifications-center')).find((text) => text.includes(expected.copied));
      if (!found && ++probes % 20 === 0) {
        await vscode.commands.executeCommand('notifications.clearAll');
        await vscode.commands.executeCommand('agate.copyBaseUrl');
      }
      return found;
    });
    assert.ok(toast.includes(expected.copied));
    await saveScreenshot(`vscode-l10n-${chinese ? 'zh-cn' : 'en'}-notification`);
  });

  it("a bad setting: the core's configuration error in the language", async function () {
    await vscode.commands.executeCommand('notifications.clearAll');
    await setSetting('scheduling.mode', 'fastest');
    try {
      if (!canSeeWorkbench()) this.skip();
      // As for the notification above: a clear still in flight can take the new toast with it, so the toasts and
      // the notification centre are looked in, and the bad value is set again now and then (through a good one,
      // each start failure shows its own notification).
      let probes = 0;
      const toast = await waitFor('the settings error notification', async () => {
        const found = (await workbenchTexts('.notifications-toasts, .notifications-center')).find((text) => expected.settingsError.test(text));
        if (!found && ++probes % 20 === 0) {
          await setSetting('scheduling.mode', undefined);
          await setSetting('scheduling.mode', 'fastest');
        }
        return found;
      });
      assert.match(toast, expected.settingsError);
      await saveScreenshot(`vscode-l10n-${chinese ? 'zh-cn' : 'en'}-settings-error`);
    } finally {
      await setSetting('scheduling.mode', undefined);
      await vscode.commands.executeCommand('notifications.clearAll');
      await waitForRunning(fixture.testing);
    }
  });
});
