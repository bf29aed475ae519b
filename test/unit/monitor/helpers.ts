import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock, Logger } from '../../../src/core/ports';
import type { RequestRecord } from '../../../src/core/monitor/types';

let counter = 0;

/** A finished request as the gateway reports it; override what the test is about. */
export function finishedRequest(overrides: Partial<RequestRecord> = {}): RequestRecord {
  counter++;
  return {
    id: `req_${counter}`,
    startedAt: Date.UTC(2030, 0, 15, 10, 0, 0),
    protocol: 'anthropic',
    path: '/v1/messages',
    stream: true,
    clientModel: 'claude-sonnet-4-6',
    upstreamModel: 'claude-sonnet-4-6',
    accountId: 'acc_1',
    accountEmail: 'alice@example.com',
    attempts: [],
    status: 200,
    latencyMs: 800,
    ttfbMs: 150,
    usage: { inputTokens: 100, cachedInputTokens: 20, outputTokens: 50, thinkingTokens: 10 },
    ...overrides,
  };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'agate-monitor-'));
}

export class FakeClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  async sleep(): Promise<void> {}
}

/** Collects warnings so that tests can assert nothing went wrong quietly. */
export class RecordingLogger implements Logger {
  readonly warnings: string[] = [];
  trace(): void {}
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string): void {
    this.warnings.push(message);
  }
}
