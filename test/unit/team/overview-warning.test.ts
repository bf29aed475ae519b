import assert from 'node:assert/strict';
import type { AccountRecord } from '../../../src/core/accounts/types';
import { poolOverview } from '../../../src/core/admin/overview';
import { coreCatalogue } from '../../../webview-ui/l10n';

const NOW = Date.UTC(2026, 3, 20, 9, 0, 0);
const account: AccountRecord = {
  id: 'id-a',
  email: 'a@x.com',
  projectId: 'p',
  priority: 0,
  status: 'active',
  disabled: false,
  limits: {},
  addedAt: NOW - 1,
  quota: {
    models: [
      { id: 'claude-sonnet-4-6', remainingFraction: 1 },
      { id: 'gemini-3-flash', remainingFraction: 1 },
    ],
    deprecated: {},
    fetchedAt: NOW,
  },
};

describe('dashboard overview in team mode', () => {
  it('warns while the team Redis is unreachable, and only then', () => {
    const alone = poolOverview({ accounts: [account], mode: 'cache-first', now: NOW });
    const connected = poolOverview({ accounts: [account], mode: 'cache-first', now: NOW, team: { connected: true } });
    const cutOff = poolOverview({ accounts: [account], mode: 'cache-first', now: NOW, team: { connected: false } });
    assert.equal(alone.health.level, 'ok');
    assert.equal(connected.health.level, 'ok');
    assert.equal(cutOff.health.level, 'degraded');
    assert.match(cutOff.health.verdict, /team's Redis is unreachable/);
  });

  it("has the warning in the dashboard's Chinese catalogue", () => {
    assert.ok(coreCatalogue('zh-cn')['overview.problem.teamRedis']?.includes('Redis'));
  });
});
