/**
 * What `agate demo` signs in with, apart from the simulator itself: `demo --simulator URL` needs these and not
 * the simulator's code (which the CLI loads only to run one, from its own bundle beside dist/cli.js).
 */

/** The account `agate demo` signs in with. */
export const DEMO_ACCOUNT = {
  email: 'demo@agate.local',
  refreshToken: '1//agate-demo-refresh-token',
} as const;

/** The paid provider key `agate demo` adds beside the demo account (a simulated Anthropic API). */
export const DEMO_PROVIDER = { provider: 'anthropic', key: 'sk-ant-agate-demo-provider-key', name: 'demo-anthropic' } as const;
