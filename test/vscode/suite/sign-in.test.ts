// Google sign-in from the editor, end to end: the command opens the simulator's consent page in the browser
// (env.openExternal), the page redirects to the callback address that env.asExternalUri gave for the core's
// loopback listener (in code-server: a path on code-server's own port, proxied to the extension host's
// machine), and the account lands in the pool.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AccountView } from '../../../src/core/accounts';
import { canSeeWorkbench } from './screenshot';
import { agateFixture } from './support/fixture';

const LIN = { email: 'lin@example.com', refreshToken: '1//vscode-test-refresh-lin-5555555555', tier: 'g1-ultra-tier' };

describe('Google sign-in', () => {
  it('signs in through the browser and adds the account', async function () {
    if (!canSeeWorkbench()) this.skip(); // a desktop run would open the real system browser
    const fixture = await agateFixture();
    fixture.sim.addAccount(LIN);
    const account = await vscode.commands.executeCommand<AccountView | undefined>('agate.addAccountGoogle', { loginHint: LIN.email });
    assert.equal(account?.email, LIN.email);
    assert.equal(account?.plan, 'ultra');
    // Google saw the callback through code-server's port proxy, not the extension host's own loopback port.
    const authorize = fixture.sim.log.find((entry) => entry.method === 'authorize');
    const redirectUri = new URL((authorize?.body as { redirect_uri: string }).redirect_uri);
    assert.match(redirectUri.pathname, /^\/proxy\/\d+\/oauth-callback$/);
    assert.notEqual(redirectUri.port, redirectUri.pathname.split('/')[2]);
    await vscode.commands.executeCommand('agate.manageAccounts', { account: LIN.email, action: 'remove' });
  });
});
