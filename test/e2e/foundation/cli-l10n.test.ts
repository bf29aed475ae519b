// The CLI speaks the user's language: English by default, Simplified Chinese when the locale (LANG, LC_ALL) or
// --lang says so; --lang wins over the locale. Help, results and usage errors alike.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, ensureCliBuilt, runCli } from './cli-process';

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
});
