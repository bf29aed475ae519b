/**
 * Microbenchmark: Claude Code's real 24-tool request through the gateway's
 * translation — Anthropic decode, conversation key, Cloud Code encode and
 * envelope — and the JSON parse/serialise around it. Prints one JSON object.
 * Usage: tsx bench/translate.ts [--iterations N]
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { anthropicCodec } from '../src/core/protocols/anthropic';
import type { InboundContext } from '../src/core/protocols/codec';
import { conversationKeyOf } from '../src/core/scheduler/conversation';
import { encodeRequest } from '../src/core/upstream/cloudcode/encode-request';
import { wrapInEnvelope } from '../src/core/upstream/cloudcode/envelope';
import { SignatureCache } from '../src/core/upstream/cloudcode/signatures';
import { claudeCodeRequest } from './lib/conversation.mjs';

const iterationsFlag = process.argv.indexOf('--iterations');
const iterations = iterationsFlag > 0 ? Number(process.argv[iterationsFlag + 1]) : 2000;
const largeFlag = process.argv.indexOf('--large-iterations');
const largeIterations = largeFlag > 0 ? Number(process.argv[largeFlag + 1]) : 5;
/** Conversation sizes (MiB) for the large-body phases; 0 = the recorded request as is. */
const LARGE_SIZES_MB = [0, 1, 4];

const raw = fs.readFileSync(path.join(__dirname, '../test/fixtures/claude-code-request.json'), 'utf8');
const inbound: InboundContext = {
  headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
  query: {},
  params: {},
};
const signatures = new SignatureCache();
const encodeOptions = { signatures, systemPreamble: '' };

interface Timings {
  parse: number;
  decode: number;
  encode: number;
  serialize: number;
}

function once(raw: string): Timings {
  const t0 = performance.now();
  const body: unknown = JSON.parse(raw);
  const t1 = performance.now();
  const request = anthropicCodec.decodeRequest(body, inbound);
  const t2 = performance.now();
  const conversation = conversationKeyOf(request) ?? 'none';
  const encoded = encodeRequest(request, { model: request.model, conversation }, encodeOptions);
  const envelope = wrapInEnvelope('bench-project', request.model, encoded.requestType, encoded.request);
  const t3 = performance.now();
  const wire = JSON.stringify(envelope);
  const t4 = performance.now();
  if (wire.length === 0) throw new Error('empty envelope');
  return { parse: t1 - t0, decode: t2 - t1, encode: t3 - t2, serialize: t4 - t3 };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const probe = anthropicCodec.decodeRequest(JSON.parse(raw), inbound);
const warmup = Math.min(500, iterations);
for (let i = 0; i < warmup; i++) once(raw);
const runs: Timings[] = [];
for (let i = 0; i < iterations; i++) runs.push(once(raw));
const pick = (key: keyof Timings) => runs.map((run) => run[key]);
const translate = runs.map((run) => run.decode + run.encode);
const all = runs.map((run) => run.parse + run.decode + run.encode + run.serialize);
const sortedTranslate = [...translate].sort((a, b) => a - b);

/** Each phase of a grown conversation, medians over `largeIterations` after one unmeasured run. */
const large = LARGE_SIZES_MB.map((mb) => {
  const text = JSON.stringify(claudeCodeRequest(mb * 1024 * 1024));
  once(text);
  const list: Timings[] = [];
  for (let i = 0; i < largeIterations; i++) list.push(once(text));
  const med = (key: keyof Timings) => medianOf(list.map((run) => run[key]));
  return { mb, bytes: Buffer.byteLength(text), parse: med('parse'), decode: med('decode'), encode: med('encode'), serialize: med('serialize') };
});

process.stdout.write(
  JSON.stringify({
    large,
    fixture: 'test/fixtures/claude-code-request.json',
    bytes: Buffer.byteLength(raw),
    tools: probe.tools.length,
    messages: probe.messages.length,
    iterations,
    medianMs: {
      parse: medianOf(pick('parse')),
      decode: medianOf(pick('decode')),
      encode: medianOf(pick('encode')),
      serialize: medianOf(pick('serialize')),
      translate: medianOf(translate),
      total: medianOf(all),
    },
    translateP99Ms: sortedTranslate[Math.ceil(0.99 * sortedTranslate.length) - 1],
  }) + '\n',
);
