/**
 * Claude Code's recorded 24-tool request (test/fixtures/claude-code-request.json), grown to a given size
 * the way a long session grows: more assistant turns (a thought and a Read call) each answered by a tool
 * result holding a file's text. Every turn is distinct (ids, file names, contents).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/claude-code-request.json');

/** About 8 KB of source-like text for turn `n`. */
function fileText(n) {
  const lines = [];
  for (let line = 0; lines.join('\n').length < 8_000; line++) {
    lines.push(
      `${String(line + 1).padStart(5)}\texport function handler${n}_${line}(input: Input${line % 7}): Output { return transform(input, ${n * 31 + line}); }`,
    );
  }
  return lines.join('\n');
}

/**
 * The recorded request, or (with `bytes`) the same conversation grown to at least `bytes` of JSON.
 * `unsigned` drops the recorded thought (its signature is Google's, which the simulator cannot verify:
 * it would answer 400 and every request would be a signature retry).
 */
export function claudeCodeRequest(bytes = 0, { stream = true, unsigned = false } = {}) {
  const request = JSON.parse(fs.readFileSync(fixture, 'utf8'));
  request.stream = stream;
  if (unsigned) {
    for (const message of request.messages) {
      if (Array.isArray(message.content)) message.content = message.content.filter((block) => block.type !== 'thinking');
    }
  }
  if (!bytes) return request;
  const [first, ...rest] = request.messages;
  const turns = [];
  let size = Buffer.byteLength(JSON.stringify(request));
  for (let n = 0; size < bytes; n++) {
    const id = `toolu_bench_${String(n).padStart(6, '0')}`;
    const assistant = {
      role: 'assistant',
      content: [
        { type: 'text', text: `Reading src/module${n}.ts to see how the handlers are wired.` },
        { type: 'tool_use', id, name: 'Read', input: { file_path: `/home/dev/project/src/module${n}.ts` } },
      ],
    };
    const result = { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: fileText(n) }] };
    turns.push(assistant, result);
    size += Buffer.byteLength(JSON.stringify(assistant)) + Buffer.byteLength(JSON.stringify(result)) + 2;
  }
  // The recorded turns (with the signed thought and the cache breakpoint) stay the newest ones.
  request.messages = [first, ...turns, ...rest];
  return request;
}
