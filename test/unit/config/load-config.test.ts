import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, envNameOf, explainConfig, loadConfig } from '../../../src/core/config/load';

const configDirs: string[] = [];
const writeConfig = (value: unknown) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-config-'));
  configDirs.push(dir);
  const file = path.join(dir, 'agate.json');
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};

describe('configuration', () => {
  after(() => {
    for (const dir of configDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8045);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.upstream.hosts, ['https://daily-cloudcode-pa.googleapis.com', 'https://cloudcode-pa.googleapis.com']);
    assert.equal(config.oauth.tokenUrl, 'https://oauth2.googleapis.com/token');
  });

  it('layers defaults < file < AGATE_* env < flags', () => {
    const file = writeConfig({ port: 9001, host: '127.0.0.2', upstream: { userAgent: 'from-file', proxy: 'http://proxy.local:3128' } });
    const env = { AGATE_PORT: '9002', AGATE_UPSTREAM_USER_AGENT: 'from-env' };
    const config = loadConfig({ file, env, flags: { port: '9003' } });
    assert.equal(config.port, 9003, 'flag beats env and file');
    assert.equal(config.upstream.userAgent, 'from-env', 'env beats file');
    assert.equal(config.host, '127.0.0.2', 'file beats default');
    assert.equal(config.upstream.proxy, 'http://proxy.local:3128');
    assert.equal(config.upstream.connectTimeoutMs, 10_000, 'untouched keys keep their default');
  });

  it('derives one environment name per key and parses lists and booleans', () => {
    assert.equal(envNameOf('upstream.userAgent'), 'AGATE_UPSTREAM_USER_AGENT');
    assert.equal(envNameOf('oauth.tokenUrl'), 'AGATE_OAUTH_TOKEN_URL');
    const config = loadConfig({
      env: { AGATE_UPSTREAM_HOSTS: 'http://127.0.0.1:1/a, http://127.0.0.1:1/b', AGATE_ALLOW_LAN_ACCESS: 'true', AGATE_DATA_DIR: '/tmp/x' },
    });
    assert.deepEqual(config.upstream.hosts, ['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b']);
    assert.equal(config.allowLanAccess, true);
    assert.equal(config.dataDir, '/tmp/x');
  });

  it('names the bad key and where it came from', () => {
    assert.throws(
      () => loadConfig({ env: { AGATE_PORT: 'eighty' } }),
      (err: Error) => err instanceof ConfigError && /AGATE_PORT/.test(err.message) && /number/.test(err.message),
    );
    assert.throws(() => loadConfig({ flags: { port: '70000' } }), /"port" must be <= 65535 \(from option --port\)/);
    assert.throws(() => loadConfig({ file: writeConfig({ upstream: { hosts: ['ftp://x'] } }) }), /"upstream\.hosts\.0" must match pattern.*config file/);
    assert.throws(() => loadConfig({ file: writeConfig({ upstrem: {} }) }), /"upstrem" is not a known setting/);
    assert.throws(() => loadConfig({ flags: { 'no.such': '1' } }), /option --no\.such: "no\.such" is not a configuration key/);
    assert.throws(() => loadConfig({ file: '/nonexistent/agate.json' }), /config file \/nonexistent\/agate\.json does not exist/);
    assert.throws(
      () => loadConfig({ flags: { 'scheduling.mode': 'fastest' }, flagNames: { 'scheduling.mode': '--set scheduling.mode' } }),
      /"scheduling\.mode" must be one of cache-first, balance, performance-first \(got "fastest"\) \(from --set scheduling\.mode\)/,
    );
  });

  it('sets an entry of a map setting from a flag, and says where each value came from', () => {
    const { config, originOf } = explainConfig({ env: { AGATE_HOST: '127.0.0.2' }, flags: { 'models.aliases.gpt-4o': 'gemini-3-flash' } });
    assert.deepEqual(config.models.aliases, { 'gpt-4o': 'gemini-3-flash' });
    assert.equal(originOf('models.aliases'), 'option --models.aliases.gpt-4o');
    assert.equal(originOf('host'), 'environment variable AGATE_HOST');
    assert.equal(originOf('port'), 'default');
  });
});
