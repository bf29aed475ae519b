import { isIP } from 'node:net';
import type { AuthMode } from '../config/types';

/** True for addresses that only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}

export type EffectiveAuthMode = Exclude<AuthMode, 'auto'>;

/** `auto` is off while the gateway listens on loopback only, strict as soon as it listens beyond. */
export function effectiveAuthMode(mode: AuthMode, listenHost: string): EffectiveAuthMode {
  if (mode !== 'auto') return mode;
  return isLoopbackHost(listenHost) ? 'off' : 'strict';
}
