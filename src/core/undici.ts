import type * as Undici from 'undici';

/**
 * The bundled undici, loaded on first use: only an explicit upstream proxy and
 * media URL downloads need it. Loaded at start it would cost ≈ 18 MB resident
 * for nothing, and it installs its own global fetch dispatcher when the
 * runtime's fetch has not set one yet.
 */
export const loadUndici = (): typeof Undici => require('undici') as typeof Undici;
