/**
 * 10,000 generated hostile or malformed requests against every route: the
 * gateway must never crash, must answer every framed request with an error in
 * the protocol shape of its path, and must give its memory back afterwards.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { protocolFamilyOf } from '../../../src/core/server/protocol-of-path';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, PROTOCOL_CALLS } from './protocol-calls';

const TOTAL = Number(process.env.AGATE_FUZZ_REQUESTS ?? 3_000);
const CONCURRENCY = 24;
const SEED = 0x5eed;

/** mulberry32: a small seeded PRNG, so that a failing request can be generated again. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const POST_PATHS = [
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/responses',
  '/v1beta/models/gemini-3-flash:generateContent',
  '/v1beta/models/gemini-3-flash:streamGenerateContent?alt=sse',
  '/v1beta/models/gemini-3-flash:countTokens',
  '/v1/models/gemini-3-flash:generateContent',
  '/v1beta/models/claude-sonnet-4-6:unknownMethod',
];
const GET_PATHS = ['/', '/healthz', '/v1/models', '/v1/models/gemini-3-flash', '/v1beta/models', '/v1beta/models/gemini-3-flash'];
const FIELD_NAMES = [
  'model', 'messages', 'contents', 'role', 'content', 'parts', 'text', 'type', 'tools', 'tool_choice', 'max_tokens',
  'stream', 'input', 'prompt', 'system', 'systemInstruction', 'generationConfig', 'functionDeclarations', 'image_url',
  'url', 'source', 'data', 'inlineData', 'thinking', 'budget_tokens', 'temperature', 'n', 'stop', 'previous_response_id',
  'functionCall', 'functionResponse', 'tool_use_id', 'id', 'name', 'arguments', 'cache_control', '__proto__', 'constructor',
];
const STRINGS = ['', 'user', 'assistant', 'model', 'tool', 'gemini-3-flash', 'claude-sonnet-4-6', '\u0000', '\ud800', '💥', 'data:image/png;base64,@@@', 'http://169.254.169.254/', 'file:///etc/passwd', '[[sim:words 3]]', 'NaN'];

function randomJson(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 5 : 8);
  switch (roll) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.5, 1e21]);
    case 3: return rng.pick(STRINGS);
    case 4: return 'x'.repeat(rng.int(300));
    case 5: return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) object[rng.pick(FIELD_NAMES)] = randomJson(rng, depth + 1);
      return object;
    }
  }
}

/** A valid body of some protocol with one field replaced by a value of the wrong kind. */
function mutatedBody(rng: Rng): unknown {
  const body = structuredClone(rng.pick(PROTOCOL_CALLS).body) as Record<string, unknown>;
  const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (node: unknown) => {
    if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        paths.push([node as Record<string, unknown>, Array.isArray(node) ? Number(key) : key]);
        walk((node as Record<string, unknown>)[key]);
      }
    }
  };
  walk(body);
  const [parent, key] = rng.pick(paths);
  (parent as Record<string | number, unknown>)[key] = randomJson(rng, 2);
  if (rng.chance(0.3)) body[rng.pick(FIELD_NAMES)] = randomJson(rng, 1);
  return body;
}

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function deepNesting(rng: Rng): Buffer {
  const depth = 1_000 + rng.int(20_000);
  const [open, close] = rng.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
  return Buffer.from(`{"model":"gemini-3-flash","messages":${open.repeat(depth)}1${close.repeat(rng.chance(0.5) ? depth : depth >> 1)}}`);
}

function generate(rng: Rng): FuzzRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (rng.chance(0.3)) headers[rng.pick(['authorization', 'x-api-key', 'x-goog-api-key'])] = rng.pick(['Bearer', 'Bearer ', 'sk-agate-', `sk-agate-${'0'.repeat(16)}_${'f'.repeat(48)}`, 'x'.repeat(2000)]);
  if (rng.chance(0.2)) headers['anthropic-beta'] = rng.pick(['', ',,,', 'x'.repeat(500), 'interleaved-thinking-2025-05-14,bogus']);
  if (rng.chance(0.1)) headers['content-type'] = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']);
  let path = rng.pick(POST_PATHS);
  // Huge and deeply nested bodies cost the most per request: a few percent of the mix each.
  const kind = rng.chance(0.02) ? 'huge' : rng.chance(0.03) ? 'deep' : rng.pick(['random-json', 'mutated', 'mutated', 'truncated', 'invalid-utf8', 'empty', 'path', 'method', 'query']);
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  switch (kind) {
    case 'random-json':
      return { kind, method: 'POST', path, headers, body: json(randomJson(rng)) };
    case 'mutated':
      return { kind, method: 'POST', path, headers, body: json(mutatedBody(rng)) };
    case 'truncated': {
      const text = JSON.stringify(mutatedBody(rng));
      return { kind, method: 'POST', path, headers, body: Buffer.from(text.slice(0, rng.int(text.length))) };
    }
    case 'invalid-utf8': {
      const text = Buffer.from(JSON.stringify(rng.pick(PROTOCOL_CALLS).body));
      const at = rng.int(text.length);
      return { kind, method: 'POST', path, headers, body: Buffer.concat([text.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]), text.subarray(at)]) };
    }
    case 'deep':
      return { kind, method: 'POST', path, headers, body: deepNesting(rng) };
    case 'huge': {
      const body = structuredClone(rng.pick(PROTOCOL_CALLS).body) as Record<string, unknown>;
      body[rng.pick(['model', 'system', 'prompt', 'input'])] = rng.pick(['a', '\u00e9', '[[sim:words 2]]']).repeat(100_000 + rng.int(300_000));
      return { kind, method: 'POST', path, headers, body: json(body) };
    }
    case 'empty':
      return { kind, method: 'POST', path, headers, body: Buffer.alloc(0) };
    case 'path': {
      path = rng.pick([
        `/v1/${'a/'.repeat(rng.int(2000))}`,
        '/v1beta/models/%E0%A4%A:generateContent',
        '/v1beta/models/:generateContent',
        '/v1beta/models/%00%ff:countTokens',
        '/v1/models/../../etc/passwd',
        `/v1/messages/${'%2e%2e/'.repeat(20)}`,
        '/v1beta/models/a:b:c:streamGenerateContent',
        `/${rng.pick(['admin', 'dashboard', 'v2', 'v1beta'])}/${'x'.repeat(rng.int(4000))}`,
      ]);
      const method = rng.pick(['GET', 'POST']);
      return { kind, method, path, headers, body: method === 'POST' ? json(randomJson(rng)) : undefined };
    }
    case 'method':
      return { kind, method: rng.pick(['PUT', 'DELETE', 'PATCH', 'GET', 'OPTIONS']), path: rng.pick([...POST_PATHS, ...GET_PATHS]), headers, body: undefined };
    default: {
      const query = rng.pick(['?key=', '?key=a&key=b', '?alt=json&alt=sse', '?%zz=1', `?key=${'k'.repeat(3000)}`, '?__proto__[x]=1']);
      const method = rng.pick(['GET', 'POST']);
      const paths = method === 'GET' ? GET_PATHS : POST_PATHS;
      return { kind: 'query', method, path: rng.pick(paths).split('?')[0] + query, headers, body: method === 'POST' ? json(mutatedBody(rng)) : undefined };
    }
  }
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function sendOverHttp(agent: http.Agent, base: URL, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: request.method, path: request.path, headers: request.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Writes raw bytes (optionally in slow chunks) and collects whatever comes back until the server closes. */
function sendRaw(base: URL, chunks: Buffer[], gapMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.setTimeout(10_000, () => socket.destroy());
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

function parseRawAnswer(raw: string): Answer | undefined {
  const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
  if (!match) return undefined;
  const contentType = /^content-type:\s*(.*)$/im.exec(match[2])?.[1] ?? '';
  return { status: Number(match[1]), contentType, text: Buffer.from(match[3], 'latin1').toString('utf8') };
}

const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('security: fuzzing every route with hostile requests', function () {
  this.timeout(240_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ flags: { 'monitor.ringSize': '50', 'server.requestTimeoutMs': '5000', 'server.bodyLimitBytes': String(4 * 1024 * 1024) } });
  });
  after(() => stack.close());

  it(`${TOTAL} requests: no crash, every error in its protocol's shape, memory given back`, async () => {
    const base = new URL(stack.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const rng = prng(SEED);
    const counts = new Map<string, number>();
    const count = (label: string) => counts.set(label, (counts.get(label) ?? 0) + 1);
    const problems: string[] = [];
    const check = (label: string, path: string, answer: Answer | undefined): void => {
      if (!answer) {
        count(`${label}: closed without an answer`);
        return;
      }
      count(`${label}: ${answer.status}`);
      if (answer.status < 400) {
        if (!/json|event-stream/.test(answer.contentType) && answer.text !== '') problems.push(`${label} ${path}: ${answer.status} ${answer.contentType}`);
        return;
      }
      try {
        assert.match(answer.contentType, /json/);
        assertProtocolError(protocolFamilyOf(path.split('?')[0]), answer.status, JSON.parse(answer.text));
      } catch (err) {
        problems.push(`${label} ${answer.status} ${path.slice(0, 120)}: ${(err as Error).message.slice(0, 300)}`);
      }
    };

    // Warm up (code paths, caches, the monitor ring) before measuring the baseline.
    for (let i = 0; i < 200; i++) await sendOverHttp(agent, base, { ...generate(prng(i)), kind: 'warmup' }).catch(() => undefined);
    stack.sim.reset(); // the simulator's request log keeps bodies; it is not the gateway's memory
    const baseline = heapAfterGc();

    let sent = 0;
    const rawShare = 200;
    let middle = 0;
    const worker = async () => {
      while (sent < TOTAL - rawShare) {
        if (sent === (TOTAL - rawShare) >> 1) middle = heapAfterGc();
        sent++;
        const request = generate(rng);
        try {
          check(request.kind, request.path, await sendOverHttp(agent, base, request));
        } catch (err) {
          problems.push(`${request.kind} ${request.method} ${request.path.slice(0, 80)}: transport ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Framing a client library will not produce: raw sockets.
    const body = Buffer.from(JSON.stringify(PROTOCOL_CALLS[0].body));
    const raw: Array<() => Promise<void>> = [];
    for (let i = 0; i < rawShare / 4; i++) {
      raw.push(async () => check('raw: garbage request line', '/', parseRawAnswer(await sendRaw(base, [Buffer.from(`${'\u0001GARBAGE '.repeat(1 + rng.int(5))}\r\n\r\n`)]))));
      raw.push(async () =>
        check('raw: oversized headers', '/v1/messages', parseRawAnswer(await sendRaw(base, [Buffer.from(`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-junk: ${'j'.repeat(40_000)}\r\n\r\n`)]))),
      );
      raw.push(async () => {
        // Content-Length promises more than arrives, then the client half-closes.
        const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 100}\r\nConnection: close\r\n\r\n`;
        const answer = await sendRaw(base, [Buffer.from(head), body.subarray(0, rng.int(body.length))]);
        check('raw: truncated transfer', '/v1/chat/completions', answer ? parseRawAnswer(answer) : undefined);
      });
      raw.push(async () => {
        // Slowloris within bounds: a bad body dribbled in 8 pieces well inside the request timeout.
        const bad = Buffer.from('{"model": 12, "contents": "slow"');
        const head = Buffer.from(`POST /v1beta/models/gemini-3-flash:generateContent HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bad.length}\r\nConnection: close\r\n\r\n`);
        const pieces = Array.from({ length: 8 }, (_, k) => bad.subarray(Math.floor((k * bad.length) / 8), Math.floor(((k + 1) * bad.length) / 8)));
        check('raw: slow body', '/v1beta/models/x:generateContent', parseRawAnswer(await sendRaw(base, [head, ...pieces], 60)));
      });
    }
    await Promise.all(raw.map((run) => run()));
    // Beyond bounds: a body that never completes is cut at the request timeout with a 408 in protocol shape.
    const stalled = await sendRaw(base, [Buffer.from(`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`)]);
    check('raw: stalled body', '/v1/messages', parseRawAnswer(stalled));
    agent.destroy();

    stack.sim.reset();
    const health = await fetch(`${stack.url}/healthz`);
    assert.equal(health.status, 200, 'the gateway still answers');
    const end = heapAfterGc();
    const mb = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / 1e6).toFixed(1)} MB`;
    const report = [...counts.entries()].sort().map(([label, n]) => `${label} ×${n}`);
    console.log(
      `      fuzz: ${sent + raw.length + 1} requests; heap after GC vs. baseline: ${mb(middle - baseline)} at half-time, ${mb(end - baseline)} at the end\n` +
        `        ${report.join('\n        ')}`,
    );
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
    assert.equal(counts.get('raw: stalled body: 408'), 1);
    // Bounded caches (Responses conversations, monitor ring, token stats) fill during the first half;
    // the second half must not add to them: a leak grows with the number of requests.
    assert.ok(end - middle < 16e6, `heap grew by ${mb(end - middle)} over the second half`);
    assert.ok(end - baseline < 64e6, `heap grew by ${mb(end - baseline)}`);
  });
});
