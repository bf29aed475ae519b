/**
 * Every reference in the repository resolves inside it: the `upstream-protocol §N`
 * citations name sections docs/upstream-protocol.md has, Markdown links point at
 * files that exist, and no file leans on a path outside the checkout.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const PROTOCOL_DOC = 'docs/upstream-protocol.md';
const SELF = path.relative(ROOT, __filename).split(path.sep).join('/');
const TEXT_FILE = /\.(?:[cm]?[jt]s|json|md|css|html|sh|ya?ml)$|^[^.]+$/;

/** The files a fresh clone has (tracked and not ignored), text only. */
function repoTextFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((file) => file && TEXT_FILE.test(path.basename(file)) && fs.existsSync(path.join(ROOT, file)))
    .filter((file) => !file.endsWith('package-lock.json'));
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

function sectionsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{2,3} §(\d+)\b/gm)].map((m) => m[1]));
}

/** `upstream-protocol §2`, `upstream-protocol §2, §5, §9` → ['2', '5', '9']. */
function citedSections(text: string): string[] {
  return [...text.matchAll(/upstream-protocol(?:\.md)? (§\d+(?:(?:, | and )§\d+)*)/g)].flatMap((m) => [...m[1].matchAll(/§(\d+)/g)].map((s) => s[1]));
}

describe('references stay inside the repository', () => {
  const files = repoTextFiles();

  it('finds the source tree and the protocol reference', () => {
    assert.ok(files.includes('src/core/ir.ts'), 'git ls-files did not list the source tree');
    assert.ok(files.includes(PROTOCOL_DOC));
  });

  it('every upstream-protocol §N cited in the code is a section of docs/upstream-protocol.md', () => {
    const sections = sectionsOf(read(PROTOCOL_DOC));
    assert.ok(sections.size >= 9, `sections found: ${[...sections].join(', ')}`);
    let citations = 0;
    const missing: string[] = [];
    for (const file of files) {
      if (file === SELF) continue;
      for (const n of citedSections(read(file))) {
        citations++;
        if (!sections.has(n)) missing.push(`${file}: §${n}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(citations > 50, `only ${citations} citations found; is the pattern still right?`);
  });

  it('no file names a place outside the checkout', () => {
    const outside = /\/work\/|fact[ -]sheet|\bshared\/(?:upstream-protocol|clients|STYLE|antigravity-ide-state)|helper-rules/i;
    const offenders: string[] = [];
    for (const file of files) {
      if (file === SELF) continue;
      read(file)
        .split('\n')
        .forEach((line, i) => {
          if (outside.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, []);
  });

  it('no relative path climbs above the repository root', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const dir = path.dirname(path.join(ROOT, file));
      for (const m of read(file).matchAll(/(?<![\w./])((?:\.\.\/)+)/g)) {
        const target = path.resolve(dir, m[1]);
        if (target !== ROOT && !target.startsWith(ROOT + path.sep)) offenders.push(`${file}: ${m[0]}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('Markdown links to files point at files that exist', () => {
    const broken: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      for (const m of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // anchors and URLs
        if (!fs.existsSync(path.resolve(path.dirname(path.join(ROOT, file)), target))) broken.push(`${file}: ${m[1]}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
