import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A real `redis-server` (Debian package, installed by scripts/setup-code-server.sh) on a free loopback port,
 * with no persistence, for the team-mode tests. `stop()` kills it (SIGKILL: a crash, as the tests want);
 * `restart()` starts a fresh, empty one on the same port, which is what a Redis without persistence looks
 * like after it comes back.
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export function redisServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin'])) {
    const candidate = path.join(dir, 'redis-server');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** On a fresh machine `npm test` reaches the team tests before the extension-host step installs the Debian packages. */
function installRedisServer(): string | undefined {
  execFileSync('bash', [path.resolve(__dirname, '../../scripts/setup-code-server.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return redisServerBinary();
}

export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  const binary = redisServerBinary() ?? installRedisServer();
  if (!binary) throw new Error('redis-server is not installed: run scripts/setup-code-server.sh (it installs the Debian package)');
  const port = options.port ?? (await freePort());
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-redis-'));
  let child: ChildProcess | undefined;

  const launch = async () => {
    const started = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', workDir, '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    started.stderr?.on('data', (chunk) => (stderr += chunk));
    child = started;
    // Ready when it answers PING; a child that exits first failed to start (port taken, bad flag).
    for (let attempt = 0; attempt < 200; attempt++) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}: ${stderr}`);
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    started.kill('SIGKILL');
    throw new Error(`redis-server did not answer PING on port ${port}: ${stderr}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
