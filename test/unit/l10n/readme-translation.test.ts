/**
 * README.zh-CN.md is the developer README in Simplified Chinese: linked both ways, and kept to the same sections
 * (the same headings, level by level, in the same order), so a section added to one is missing from the other
 * until it is translated.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (name: string) => fs.readFileSync(path.join(ROOT, name), 'utf8');

/** `#`-levels of the Markdown headings outside fenced code, and the code spans each heading holds. */
function outline(markdown: string): Array<{ level: number; code: string[] }> {
  const headings: Array<{ level: number; code: string[] }> = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^(#{1,6}) (.*)$/.exec(line);
    if (heading) headings.push({ level: heading[1].length, code: heading[2].match(/`[^`]+`/g) ?? [] });
  }
  return headings;
}

describe('l10n: the Chinese README', () => {
  it('has the same heading structure as README.md', () => {
    const english = outline(read('README.md'));
    assert.ok(english.length >= 10);
    assert.deepEqual(outline(read('README.zh-CN.md')), english);
  });

  it('the two link to each other', () => {
    assert.match(read('README.md'), /\[简体中文\]\(README\.zh-CN\.md\)/);
    assert.match(read('README.zh-CN.md'), /\[English\]\(README\.md\)/);
  });

  it('keeps the commands and links of the English README', () => {
    const links = (markdown: string) => [...new Set(markdown.match(/\]\((?!README)[^)]+\)/g) ?? [])].sort();
    const english = links(read('README.md'));
    const missing = english.filter((link) => !read('README.zh-CN.md').includes(link));
    assert.deepEqual(missing, []);
  });
});
