/**
 * Preload for the peer row (antigravity-claude-proxy): rewrites the Google URLs
 * its global `fetch` calls to the bench's simulator (PEER_SIMULATOR_URL), the
 * same labelled hosts and OAuth stand-in the gateway gets. Nothing else changes.
 */
const simulator = process.env.PEER_SIMULATOR_URL;
if (!simulator) throw new Error('peer-preload: PEER_SIMULATOR_URL is not set');
const REWRITES = [
  ['https://daily-cloudcode-pa.googleapis.com', `${simulator}/daily`],
  ['https://cloudcode-pa.googleapis.com', `${simulator}/prod`],
  ['https://oauth2.googleapis.com/token', `${simulator}/oauth/token`],
  ['https://www.googleapis.com/oauth2/v1/userinfo', `${simulator}/oauth/userinfo`],
  ['https://www.googleapis.com/oauth2/v2/userinfo', `${simulator}/oauth/userinfo`],
];
const original = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  if (typeof input === 'string') {
    for (const [from, to] of REWRITES) {
      if (input.startsWith(from)) {
        input = to + input.slice(from.length);
        break;
      }
    }
  }
  return original(input, init);
};
