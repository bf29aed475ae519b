// The CLI speaks the user's language: English by default, Simplified Chinese when the locale (LANG, LC_ALL) or
// --lang says so; --lang wins over the locale. Help, results and usage errors alike.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, CliServer, ensureCliBuilt, runCli } from './cli-process';

describe('CLI: English and Simplified Chinese', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    ensureCliBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-cli-l10n-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const chinese = cleanEnv({ LANG: 'zh_CN.UTF-8' });

  it('help: English by default, Chinese under a Chinese locale, --lang overriding either', async () => {
    const english = await runCli(['--help']);
    assert.match(english.stdout, /^Usage: agate <command> \[options\]$/m);
    assert.match(english.stdout, /--lang en\|zh-CN/);
    const zh = await runCli(['--help'], chinese);
    assert.match(zh.stdout, /^用法：agate <命令> \[选项\]$/m);
    assert.match(zh.stdout, /"agate COMMAND --help" 可查看某个命令的详细说明/);
    assert.equal((await runCli(['--help', '--lang', 'en'], chinese)).stdout, english.stdout);
    assert.equal((await runCli(['--lang=zh-CN', '--help'])).stdout, zh.stdout);
    assert.equal((await runCli(['--help'], cleanEnv({ LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.UTF-8' }))).stdout, zh.stdout);

    const keysHelp = await runCli(['keys', '--help'], chinese);
    assert.equal(keysHelp.code, 0);
    assert.match(keysHelp.stdout, /^用法：agate keys <操作> \[选项\]$/m);
    assert.match(keysHelp.stdout, /所有命令都接受的选项/);
  });

  it('results: accounts list and keys list of an empty data dir', async () => {
    const dataDir = path.join(tmp, 'empty');
    const accounts = await runCli(['accounts', 'list', '--data-dir', dataDir], chinese);
    assert.equal(accounts.code, 0, accounts.stderr);
    assert.equal(accounts.stdout, '没有账号。可用 "agate accounts add --sign-in" 添加。\n');
    const accountsEn = await runCli(['accounts', 'list', '--data-dir', dataDir]);
    assert.equal(accountsEn.stdout, 'No accounts. Add one with "agate accounts add --sign-in".\n');
    const keys = await runCli(['keys', 'list', '--data-dir', dataDir, '--lang', 'zh-CN']);
    assert.equal(keys.code, 0, keys.stderr);
    assert.equal(keys.stdout, '没有客户端密钥。可用 "agate keys create NAME" 创建。\n');
  });

  it('config: the header in the language, the keys and values as typed', async () => {
    const config = await runCli(['config', '--data-dir', path.join(tmp, 'config')], chinese);
    assert.equal(config.code, 0, config.stderr);
    assert.match(config.stdout, /^生效的配置（默认值 < 配置文件（无） < AGATE_\* 环境变量 < 命令行选项）/);
    assert.match(config.stdout, /^scheduling\.mode\s+cache-first/m);
    // The origin column too: default, environment variable, a flag as typed.
    const origins = await runCli(
      ['config', '--port', '9123', '--data-dir', path.join(tmp, 'config')],
      cleanEnv({ LANG: 'zh_CN.UTF-8', AGATE_SCHEDULING_MODE: 'balance' }),
    );
    assert.equal(origins.code, 0, origins.stderr);
    assert.match(origins.stdout, /^scheduling\.mode\s+balance\s+环境变量 AGATE_SCHEDULING_MODE$/m);
    assert.match(origins.stdout, /^host\s+127\.0\.0\.1\s+默认值$/m);
    assert.match(origins.stdout, /^port\s+9123\s+--port$/m);
    const english = await runCli(['config', '--data-dir', path.join(tmp, 'config')], cleanEnv({ AGATE_SCHEDULING_MODE: 'balance' }));
    assert.match(english.stdout, /^scheduling\.mode\s+balance\s+environment variable AGATE_SCHEDULING_MODE$/m);
    assert.match(english.stdout, /^host\s+127\.0\.0\.1\s+default$/m);
  });

  it('usage errors: one line in the language, exit code 2', async () => {
    const unknown = await runCli(['frobnicate'], chinese);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'agate: 未知命令 "frobnicate"（参见 "agate --help"）\n');
    const english = await runCli(['frobnicate']);
    assert.equal(english.stderr, 'agate: unknown command "frobnicate" (see "agate --help")\n');
    const option = await runCli(['keys', 'list', '--frob'], chinese);
    assert.equal(option.code, 2);
    assert.equal(option.stderr, 'agate keys: 未知选项 --frob（参见 "agate keys --help"）\n');
    const badLanguage = await runCli(['--lang', 'tlh', 'version']);
    assert.equal(badLanguage.code, 2);
    assert.match(badLanguage.stderr, /--lang expects en or zh-CN, got "tlh"/);
  });

  it('providers list: every line in the language, the names, URLs and models as they are', async () => {
    const dataDir = path.join(tmp, 'providers');
    const empty = await runCli(['providers', 'list', '--data-dir', dataDir], chinese);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, '没有提供商。可用 "AGATE_PROVIDER_KEY=… agate providers add NAME --kind anthropic" 添加。\n');
    // Models listed by hand: nothing is fetched from the (unreachable) base URL.
    const add = [
      'providers',
      'add',
      'house',
      '--kind',
      'anthropic',
      '--base-url',
      'http://127.0.0.1:9',
      '--models',
      'claude-a,claude-b',
      '--rpm',
      '10',
      '--data-dir',
      dataDir,
    ];
    const added = await runCli(add, cleanEnv({ AGATE_PROVIDER_KEY: 'sk-test-1234' }));
    assert.equal(added.code, 0, added.stderr);
    const list = await runCli(['providers', 'list', '--data-dir', dataDir], chinese);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^house {2}\[\w+\] {2}anthropic {2}http:\/\/127\.0\.0\.1:9 {2}密钥 …1234 {2}优先级 0 {2}正常$/m);
    assert.match(list.stdout, /^ {4}模型（手动列出）：claude-a, claude-b$/m);
    assert.match(list.stdout, /^ {4}限制：每分钟 10 个请求$/m);
    assert.match(list.stdout, /^默认价格：各厂商的价格页面（anthropic\.com\/pricing, .*），2025-11-20 发布的版本。$/m);
    const english = await runCli(['providers', 'list', '--data-dir', dataDir]);
    assert.match(english.stdout, /^house {2}\[\w+\] {2}anthropic {2}http:\/\/127\.0\.0\.1:9 {2}key …1234 {2}priority 0 {2}active$/m);
    assert.match(english.stdout, /^Default prices: vendor price pages \(anthropic\.com\/pricing, .*\), as published on 2025-11-20\.$/m);
  });

  it('configuration errors of the core in the language, exit code 1', async () => {
    const dataDir = path.join(tmp, 'config-errors');
    const unknown = await runCli(['config', 'set', 'nope.key=1', '--data-dir', dataDir], chinese);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'agate: 未知的配置键 "nope.key"（参见 "agate config"）\n');
    const mode = await runCli(['config', '--data-dir', dataDir], cleanEnv({ LANG: 'zh_CN.UTF-8', AGATE_SCHEDULING_MODE: 'bogus' }));
    assert.equal(mode.code, 1);
    assert.match(
      mode.stderr,
      /^agate: 配置无效："scheduling\.mode" 必须是 cache-first, .* 之一（收到的是 "bogus"）（来源：环境变量 AGATE_SCHEDULING_MODE）\n$/,
    );
    const value = await runCli(['config', 'set', 'scheduling.mode=bogus', '--data-dir', dataDir], chinese);
    assert.equal(value.code, 1);
    assert.equal(value.stderr, 'agate: 配置无效："scheduling.mode" 必须是 cache-first, balance, performance-first 之一（收到的是 "bogus"）\n');
    const english = await runCli(['config', 'set', 'nope.key=1', '--data-dir', dataDir]);
    assert.equal(english.stderr, 'agate: unknown configuration key "nope.key" (see "agate config")\n');
  });

  it('ide status: the installation, the score and its explanation in the language', async () => {
    const ide = path.join(tmp, 'ide');
    fs.mkdirSync(ide);
    const status = await runCli(['ide', 'status', '--user-data-dir', ide, '--data-dir', path.join(tmp, 'ide-data')], chinese);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /\(指定的位置\)\n {4}缺失：.*state\.vscdb 处没有状态数据库：请先启动 IDE 并登录一次\n/);
    assert.match(status.stdout, /^评分 = 所选模型系列中最先用完的那个系列的剩余配额（0–100）/m);
  });

  it("config set through a running gateway: the gateway's refusal in the language (its code), English by default", async () => {
    const dataDir = path.join(tmp, 'owned-config');
    const owner = CliServer.start(['serve', '--port', '0', '--data-dir', dataDir]);
    try {
      await owner.waitFor(/Agate is listening on (\S+)/);
      // Only the gateway's LAN policy refuses this: the CLI's own check of the values passes it.
      const refused = await runCli(['config', 'set', 'host=0.0.0.0', '--data-dir', dataDir], chinese);
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        'agate: 拒绝监听 0.0.0.0：其他机器可以访问这个地址，而 allowLanAccess 为 false。请监听 127.0.0.1，或把 allowLanAccess 设为 true（之后客户端需要 Agate 密钥）。\n',
      );
      const english = await runCli(['config', 'set', 'host=0.0.0.0', '--data-dir', dataDir]);
      assert.equal(english.code, 1);
      assert.match(english.stderr, /^agate: Refusing to listen on 0\.0\.0\.0: that is reachable from other machines and allowLanAccess is false\./);
    } finally {
      await owner.stop();
    }
  });

  it('a data dir another Agate serves: the refusal in the language, naming the owner', async () => {
    const dataDir = path.join(tmp, 'owned');
    const owner = CliServer.start(['serve', '--port', '0', '--data-dir', dataDir]);
    try {
      const url = (await owner.waitFor(/Agate is listening on (\S+)/))[1];
      const port = new URL(url).port;
      const refused = await runCli(['serve', '--port', '0', '--data-dir', dataDir], chinese);
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        `agate: 已有另一个 Agate 在为数据目录 ${dataDir} 提供服务："agate serve"（PID ${owner.child.pid}，端口 ${port}），地址 ${url}。` +
          '请使用那一个（agate 命令会连接到它），或先停止它，或用 --data-dir 给这个指定另一个数据目录。\n',
      );
      const english = await runCli(['serve', '--port', '0', '--data-dir', dataDir]);
      assert.match(
        english.stderr,
        new RegExp(`^agate: another Agate already serves the data dir .*: "agate serve" \\(PID ${owner.child.pid}, port ${port}\\) at `),
      );
    } finally {
      await owner.stop();
    }
  });
});
