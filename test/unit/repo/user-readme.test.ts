/**
 * The .vsix carries the user's README (README.vsix.md): how to install, every
 * command, every setting. The developer README stays in the repository.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expectedUserReadme, USER_README } from '../../../scripts/generate-settings';

const ROOT = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  contributes: { commands: Array<{ command: string; title: string }>; menus: { commandPalette: Array<{ command: string; when?: string }> } };
};
const userReadme = fs.readFileSync(USER_README, 'utf8');
/** The manifest's English texts: its titles are `%key%` placeholders. */
const english = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
const inEnglish = (text: string) => english[/^%([^%]+)%$/.exec(text)?.[1] ?? ''] ?? text;

describe("the packaged readme is the user's", () => {
  it('npm run package builds the .vsix with README.vsix.md as its readme', () => {
    assert.match(manifest.scripts.package, /vsce package .*--readme-path README\.vsix\.md\b/);
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    // Whitelisting README.md too would ship a second readme beside the user's.
    assert.ok(!ignore.includes('!README.md'), '.vscodeignore whitelists the developer README');
  });

  it('covers installation and every command in the Command Palette', () => {
    assert.match(userReadme, /^## Installation$/m);
    const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
    const missing = manifest.contributes.commands.filter((c) => !hidden.has(c.command) && !userReadme.includes(inEnglish(c.title))).map((c) => c.title);
    assert.deepEqual(missing, []);
  });

  it('lists every setting as the definition describes it (npx tsx scripts/generate-settings.ts)', () => {
    assert.equal(userReadme, expectedUserReadme());
  });

  it('speaks to users: no build or test instructions of the developer README', () => {
    assert.doesNotMatch(userReadme, /npm (ci|test|run)\b|bench/);
  });
});
