import type { Static } from '@sinclair/typebox';
import type { configSchema } from './definition';

/**
 * The gateway's configuration as a type, derived from its one definition
 * (definition.ts: types, constraints, defaults and descriptions live there).
 */
export type GatewayConfig = Static<typeof configSchema>;
export type SchedulingMode = GatewayConfig['scheduling']['mode'];
export type AuthMode = GatewayConfig['authMode'];
/** ordered: try models in priority order (the default); random: shuffle per request. */
export type ModelGroup = GatewayConfig['models']['groups'][string];
