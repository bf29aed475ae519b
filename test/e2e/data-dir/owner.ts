/** One gateway owning a data dir, run as users run it (`agate demo --simulator URL --data-dir DIR`), and calls to its admin API. */
import fs from 'node:fs';
import path from 'node:path';
import { CliServer, cleanEnv, runCli, type CliRun } from '../foundation/cli-process';

export const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;

export interface Owner {
  server: CliServer;
  url: string;
  port: number;
}

/** Starts the owner of `dataDir` against the simulator and waits until it listens. */
export async function startOwner(simulatorUrl: string, dataDir: string, extra: string[] = []): Promise<Owner> {
  const server = CliServer.start(['demo', '--simulator', simulatorUrl, '--data-dir', dataDir, '--port', '0', ...extra]);
  const match = await server.waitFor(LISTENING, 30_000);
  return { server, url: match[1], port: Number(match[2]) };
}

/** `agate <args> --data-dir DIR`. */
export const agate = (dataDir: string, args: string[], timeoutMs = 60_000): Promise<CliRun> => runCli([...args, '--data-dir', dataDir], cleanEnv(), timeoutMs);

/** One admin call through the generic call route; throws with the answer's text unless 2xx. */
export async function adminCall<T = unknown>(baseUrl: string, method: string, params: unknown = {}, key?: string): Promise<T> {
  const response = await fetch(`${baseUrl}/admin/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A call of the admin API's REST routes (the ones the dashboard uses); throws with the answer's text unless 2xx. */
export async function adminRest<T = unknown>(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown, key?: string): Promise<T> {
  const response = await fetch(`${baseUrl}/admin/api/${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface AdminAccountLike {
  id: string;
  email: string;
  state: string;
  usable: boolean;
}

export const keyNames = async (baseUrl: string, key?: string): Promise<string[]> =>
  (await adminRest<{ keys: Array<{ name: string }> }>(baseUrl, 'GET', 'proxy', undefined, key)).keys.map((entry) => entry.name).sort();

/** Every JSON document of the data dir (not the temp files a killed writer leaves) parses; every complete journal line too. */
export function assertEveryFileParses(dataDir: string): number {
  let checked = 0;
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.json') || entry.name === 'agate.lock') {
        JSON.parse(fs.readFileSync(file, 'utf8'));
        checked++;
      } else if (entry.name.endsWith('.jsonl')) {
        const text = fs.readFileSync(file, 'utf8');
        // A killed append may leave a torn last line (replay skips it); every finished line parses.
        const lines = text.split('\n').slice(0, -1);
        for (const line of lines) if (line) JSON.parse(line);
        checked++;
      }
    }
  };
  visit(dataDir);
  return checked;
}

/** A request through the gateway (auth off: any key); the answer's status. */
export async function chat(baseUrl: string, key = 'any'): Promise<number> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}
