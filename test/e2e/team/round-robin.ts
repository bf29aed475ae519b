/**
 * A load balancer that makes every client alternate between the team's instances: each POST goes to the
 * instance after the one the previous POST of the same model went to (so a conversation's turns alternate,
 * whatever background requests a CLI makes in between); other requests (HEAD probes, model lists) rotate
 * on their own counter. Bodies are buffered (to read the model) and sent on unchanged; answers stream back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Forwarded {
  method: string;
  path: string;
  model?: string;
  /** Index of the instance that got it. */
  instance: number;
  status?: number;
}

export interface RoundRobinFront {
  url: string;
  /** Every request forwarded, in arrival order. */
  readonly forwarded: Forwarded[];
  close(): Promise<void>;
}

/** Bodies past this are refused: the tests' requests are far smaller. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function startRoundRobinFront(targets: string[]): Promise<RoundRobinFront> {
  const agent = new http.Agent({ keepAlive: true });
  const counters = new Map<string, number>();
  const forwarded: Forwarded[] = [];
  const nextFor = (key: string) => {
    const count = counters.get(key) ?? 0;
    counters.set(key, count + 1);
    return count % targets.length;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let model: string | undefined;
      if (req.method === 'POST') {
        try {
          model = (JSON.parse(body.toString('utf8')) as { model?: unknown }).model as string | undefined;
        } catch {
          // Not JSON: rotates with the other POSTs without a model.
        }
      }
      const instance = nextFor(req.method === 'POST' ? `POST ${typeof model === 'string' ? model : ''}` : 'other');
      const entry: Forwarded = { method: req.method ?? 'GET', path: req.url ?? '/', model: typeof model === 'string' ? model : undefined, instance };
      forwarded.push(entry);
      const target = new URL(targets[instance]);
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      // A client gone mid-answer: the instance sees its connection close, as behind a real balancer.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
