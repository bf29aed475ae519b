/**
 * The gateway settings that point Agate at a running simulator instead of
 * Google: two labelled hosts (daily, prod) so host fallback is exercised, and
 * the simulator's OAuth endpoints. Dotted keys, as `loadConfig` flags take them.
 */
export function gatewayFlagsFor(simulatorUrl: string): Record<string, string> {
  return {
    'upstream.hosts': `${simulatorUrl}/daily,${simulatorUrl}/prod`,
    'oauth.tokenUrl': `${simulatorUrl}/oauth/token`,
    'oauth.userinfoUrl': `${simulatorUrl}/oauth/userinfo`,
    'oauth.authorizeUrl': `${simulatorUrl}/oauth/authorize`,
  };
}
