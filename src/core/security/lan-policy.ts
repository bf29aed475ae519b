import type { GatewayConfig } from '../config/types';
import { effectiveAuthMode, isLoopbackHost } from './network';
import { coreMessage, englishOf, type CoreMessage } from '../messages';

/** Thrown by `start()` when the settings would expose the gateway beyond this machine unsafely. */
export class UnsafeListenError extends Error {
  constructor(
    /** Why, for the host to word (`message` is its English). */
    readonly detail: CoreMessage,
  ) {
    super(englishOf(detail));
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
    throw new UnsafeListenError(coreMessage('listen.refused.lan', { host: config.host }));
  }
  if (effectiveAuthMode(config.authMode, config.host) === 'off') {
    throw new UnsafeListenError(coreMessage('listen.refused.authOff', { host: config.host }));
  }
}
