/**
 * The API-key provider passthrough rows: an Anthropic client asking the demo's
 * Anthropic provider (`agate demo` adds it beside the demo account) through
 * the gateway, which passes the request through byte for byte but the model id,
 * and the same request through the bare pass-through straight to the
 * simulator's Anthropic fake. Their CPU per request is the passthrough's cost.
 */

/** The demo provider as `agate demo` adds it and the simulator seeds its key (src/simulator/index.ts, DEMO_PROVIDER). */
const DEMO_PROVIDER = { name: 'demo-anthropic', key: 'sk-ant-agate-demo-provider-key' };

/** Measured at this rate, in every repetition. */
export const PROVIDER_PASSTHROUGH_RATE = 200;

export function providerPassthroughTargets({ gatewayUrl, passUrl, model, prompt }) {
  const targets = {};
  for (const stream of [false, true]) {
    const suffix = stream ? ' stream' : '';
    const body = (id) => JSON.stringify({ model: id, max_tokens: 256, stream, messages: [{ role: 'user', content: prompt }] });
    targets[`agate provider-passthrough${suffix}`] = {
      kind: 'agate',
      protocol: 'anthropic-provider',
      stream,
      special: true,
      providerPassthrough: true,
      // provider:model: the gateway also rewrites the model id on the way, the case that costs most.
      url: `${gatewayUrl}/v1/messages`,
      body: body(`${DEMO_PROVIDER.name}:${model}`),
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    };
    targets[`pass-through provider${suffix}`] = {
      kind: 'passthrough',
      protocol: 'anthropic-provider',
      stream,
      special: true,
      providerPassthrough: true,
      url: `${passUrl}/anthropic/v1/messages`,
      body: body(model),
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': DEMO_PROVIDER.key },
    };
  }
  return targets;
}
