import type * as Undici from 'undici';

/**
 * The bundled undici, loaded on first use: only an explicit upstream proxy and
 * media URL downloads need it. Loading it installs its own global fetch
 * dispatcher when the runtime's fetch has not set one yet, which the gateway
 * must not do (VS Code patches the global fetch for its proxy settings).
 */
export const loadUndici = (): typeof Undici => require('undici') as typeof Undici;
