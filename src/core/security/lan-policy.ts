import type { GatewayConfig } from '../config/types';
import { effectiveAuthMode, isLoopbackHost } from './network';

/** Thrown by `start()` when the settings would expose the gateway beyond this machine unsafely. */
export class UnsafeListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeListenError';
  }
}

/**
 * Listening beyond loopback shares the user's Google accounts with whoever
 * reaches the port, so it takes two deliberate settings: `allowLanAccess`, and
 * an auth mode that asks for a key (`auto` does beyond loopback).
 */
export function assertSafeListen(config: Pick<GatewayConfig, 'host' | 'allowLanAccess' | 'authMode'>): void {
  if (isLoopbackHost(config.host)) return;
  if (!config.allowLanAccess) {
    throw new UnsafeListenError(
      `Refusing to listen on ${config.host}: that is reachable from other machines and allowLanAccess is false. ` +
        'Listen on 127.0.0.1, or set allowLanAccess to true (clients will then need an Agate key).',
    );
  }
  if (effectiveAuthMode(config.authMode, config.host) === 'off') {
    throw new UnsafeListenError(
      `Refusing to listen on ${config.host} with authMode "off": anyone on the network could use your accounts. ` +
        'Set authMode to "auto", "strict" or "all_except_health", and give clients a key ("agate keys create").',
    );
  }
}
