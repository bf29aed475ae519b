import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, KEY_LOCATIONS, PROTOCOL_CALLS, send } from './protocol-calls';
import type { RouteTable } from '../../../src/core/server/routes';

/** An admin route standing in for the admin API the host mounts. */
const adminRoute = (routes: RouteTable) => routes.get('/admin/ping', 'admin', (ctx) => void (ctx.body = { ok: true }));

interface ModeCase {
  mode: string;
  /** Extra flags, e.g. listening beyond loopback. */
  flags?: Record<string, string>;
  requiresKey: boolean;
  healthOpen: boolean;
}

const MODES: ModeCase[] = [
  { mode: 'off', requiresKey: false, healthOpen: true },
  { mode: 'auto', requiresKey: false, healthOpen: true },
  { mode: 'auto', flags: { host: '0.0.0.0', allowLanAccess: 'true' }, requiresKey: true, healthOpen: false },
  { mode: 'strict', requiresKey: true, healthOpen: false },
  { mode: 'all_except_health', requiresKey: true, healthOpen: true },
];

describe('security: auth modes × key locations × protocols', () => {
  for (const { mode, flags, requiresKey, healthOpen } of MODES) {
    const title = `authMode ${mode}${flags?.host ? ` listening on ${flags.host}` : ' on loopback'}`;
    describe(title, () => {
      let stack: Stack;
      let primary: string;
      let clientKey: string;
      before(async () => {
        stack = await startStack({ flags: { authMode: mode, ...flags }, host: { extraRoutes: adminRoute } });
        primary = await stack.agate.security.primaryKey();
        ({ key: clientKey } = await stack.agate.security.keys.create({ name: `team-${mode}` }));
      });
      after(() => stack.close());

      for (const call of PROTOCOL_CALLS) {
        if (requiresKey) {
          it(`${call.protocol}: no key → 401 in ${call.protocol} shape`, async () => {
            const res = await send(stack.url, call);
            assert.equal(res.status, 401);
            assert.match(assertProtocolError(call.protocol, 401, await res.json()), /requires an API key/);
          });
          it(`${call.protocol}: a wrong key → 401 in ${call.protocol} shape`, async () => {
            // Change the last character so the wrong key never equals the primary by chance.
            const wrong = `${primary.slice(0, -1)}${primary.endsWith('0') ? '1' : '0'}`;
            const res = await send(stack.url, call, wrong);
            assert.equal(res.status, 401);
            assert.match(assertProtocolError(call.protocol, 401, await res.json()), /Invalid API key/);
          });
        } else {
          it(`${call.protocol}: answers without a key and with a placeholder key`, async () => {
            assert.equal((await send(stack.url, call)).status, 200);
            assert.equal((await send(stack.url, call, 'sk-placeholder')).status, 200);
          });
        }
        for (const location of KEY_LOCATIONS) {
          it(`${call.protocol}: the primary key and a client key in ${location} → 200`, async () => {
            const withPrimary = await send(stack.url, call, primary, location);
            assert.equal(withPrimary.status, 200, await withPrimary.clone().text());
            const withClient = await send(stack.url, call, clientKey, location);
            assert.equal(withClient.status, 200, await withClient.clone().text());
          });
        }
      }

      it(`/healthz ${healthOpen ? 'answers without a key' : 'needs a key'}`, async () => {
        assert.equal((await fetch(`${stack.url}/healthz`)).status, healthOpen ? 200 : 401);
        assert.equal((await fetch(`${stack.url}/healthz`, { headers: { authorization: `Bearer ${primary}` } })).status, 200);
      });

      it(`the admin API ${requiresKey ? 'takes only the primary key' : 'is open, as the rest'}`, async () => {
        const admin = (key?: string) => fetch(`${stack.url}/admin/ping`, { headers: key ? { 'x-api-key': key } : {} });
        assert.equal((await admin(primary)).status, 200);
        assert.equal((await admin()).status, requiresKey ? 401 : 200);
        assert.equal((await admin(clientKey)).status, requiresKey ? 403 : 200);
      });
    });
  }
});
