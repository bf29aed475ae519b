import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgate, type Agate } from '../../../src/core/agate';
import { loadConfig } from '../../../src/core/config/load';
import { createLogger } from '../../../src/core/logging/logger';
import { PERMISSIONS, RouteTable, type Permission, type RouteEntry } from '../../../src/core/server/routes';
import { MemorySecretStore } from '../../helpers/stack';
import { MemoryDocuments } from './memory-documents';

const SECURITY_DOC = path.resolve('docs/security.md');
const TABLE_START = '<!-- route-permissions:start (checked by test/unit/security/route-permissions.test.ts) -->';
const TABLE_END = '<!-- route-permissions:end -->';

/** The Markdown table docs/security.md shows, rendered from the real route table. */
export function permissionTable(routes: readonly RouteEntry[]): string {
  const rows = routes.map((route) => `| \`${route.method === 'GET' ? 'GET, HEAD' : route.method} ${route.path}\` | ${route.permission} |`);
  return ['| Route | Permission |', '|---|---|', ...rows].join('\n');
}

describe('security: every route declares its permission', () => {
  let agate: Agate;
  let dataDir: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-routes-'));
    const config = loadConfig({ env: {}, flags: { dataDir } });
    agate = await createAgate({
      config: () => config,
      secrets: new MemorySecretStore(),
      documents: new MemoryDocuments(),
      logger: createLogger({ level: 'error', sink: () => {} }),
      version: '0.0.0-test',
      observability: false,
    });
  });
  after(async () => {
    await agate?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses at registration a route without a permission, or with an unknown one', () => {
    const routes = new RouteTable();
    const handler = () => {};
    assert.throws(() => routes.get('/x', undefined as unknown as Permission, handler), /must declare its permission/);
    assert.throws(() => routes.post('/x', 'Admin' as Permission, handler), /must declare its permission/);
    assert.throws(() => routes.post('/x', handler as unknown as Permission), /must declare its permission/);
    assert.deepEqual(routes.list(), []);
  });

  it('gives every route of the assembled gateway a permission; the admin API and dashboard are admin, nothing else is', () => {
    assert.ok(agate.routes.length > 30, `only ${agate.routes.length} routes`);
    for (const route of agate.routes) {
      assert.ok(PERMISSIONS.includes(route.permission), `${route.method} ${route.path}: ${route.permission}`);
      const adminPath = route.path.startsWith('/admin/') || route.path === '/dashboard' || route.path.startsWith('/dashboard/');
      assert.equal(route.permission === 'admin', adminPath, `${route.method} ${route.path} is ${route.permission}`);
    }
    const publicRoutes = agate.routes.filter((route) => route.permission === 'public').map((route) => `${route.method} ${route.path}`);
    assert.deepEqual(publicRoutes.sort(), ['GET /healthz', 'HEAD /', 'HEAD /api/hello']);
  });

  it('docs/security.md shows the real route table', () => {
    const doc = fs.readFileSync(SECURITY_DOC, 'utf8');
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    assert.ok(start >= 0 && end > start, `docs/security.md must hold the route table between "${TABLE_START}" and "${TABLE_END}"`);
    const shown = doc.slice(start + TABLE_START.length, end).trim();
    const expected = permissionTable(agate.routes);
    assert.equal(shown, expected, `docs/security.md's route table is out of date; it should read:\n\n${expected}\n`);
  });
});
