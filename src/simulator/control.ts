/**
 * `/__sim/…`: the in-process control API over HTTP, for harnesses that run
 * the simulator in another process (`agate simulate`).
 *   GET  /__sim/log                      request log
 *   POST /__sim/reset                    clear faults and log
 *   GET  /__sim/accounts                 accounts (no tokens)
 *   POST /__sim/accounts                 add or replace an account (AccountSpec)
 *   POST /__sim/accounts/{email}/revoke  revoke it
 *   POST /__sim/accounts/{email}/token   issue an access token
 *   GET  /__sim/provider-keys            paid-provider keys (names only)
 *   POST /__sim/provider-keys            add one (ProviderKeySpec)
 *   GET  /__sim/faults                   active faults
 *   POST /__sim/faults                   inject a fault (FaultSpec) → {id}
 *   DELETE /__sim/faults                 clear faults
 *   GET  /__sim/config                   current knobs
 *   POST /__sim/config                   change knobs (partial SimulatorConfig)
 */
import type { ServerResponse } from 'node:http';
import { SimHttpError } from './google-errors';
import { parseJson, sendEmpty, sendJson } from './http';
import { SpecError } from './specs';
import type { Simulator } from './types';

export async function handleControl(sim: Simulator, res: ServerResponse, method: string, path: string, readBody: () => Promise<string>): Promise<void> {
  try {
    await route(sim, res, method, path, readBody);
  } catch (error) {
    if (error instanceof SpecError) return sendJson(res, 400, { error: error.message });
    if (error instanceof SimHttpError) return sendJson(res, error.status, error.body);
    throw error;
  }
}

async function route(sim: Simulator, res: ServerResponse, method: string, path: string, readBody: () => Promise<string>): Promise<void> {
  const json = async () => parseJson(await readBody());
  const request = `${method} ${path}`;
  const accountAction = /^POST \/__sim\/accounts\/([^/]+)\/(revoke|token)$/.exec(request);
  if (accountAction) {
    const email = decodeURIComponent(accountAction[1]);
    const account = sim.accounts().find((candidate) => candidate.email === email);
    if (!account) return sendJson(res, 404, { error: `no account ${email}` });
    if (accountAction[2] === 'revoke') {
      sim.revoke(email);
      return sendEmpty(res, 204);
    }
    if (account.revoked) return sendJson(res, 409, { error: `account ${email} is revoked` });
    return sendJson(res, 200, { access_token: sim.issueAccessToken(email) });
  }
  switch (request) {
    case 'GET /__sim/log':
      return sendJson(res, 200, sim.log);
    case 'POST /__sim/reset':
      sim.reset();
      return sendEmpty(res, 204);
    case 'GET /__sim/accounts':
      return sendJson(res, 200, sim.accounts());
    case 'POST /__sim/accounts':
      return sendJson(res, 201, sim.addAccount((await json()) as Parameters<Simulator['addAccount']>[0]));
    case 'GET /__sim/provider-keys':
      return sendJson(res, 200, sim.providerKeys());
    case 'POST /__sim/provider-keys':
      return sendJson(res, 201, sim.addProviderKey((await json()) as Parameters<Simulator['addProviderKey']>[0]));
    case 'GET /__sim/faults':
      return sendJson(res, 200, sim.faults());
    case 'POST /__sim/faults':
      return sendJson(res, 201, { id: sim.injectFault((await json()) as Parameters<Simulator['injectFault']>[0]) });
    case 'DELETE /__sim/faults':
      sim.clearFaults();
      return sendEmpty(res, 204);
    case 'GET /__sim/config':
      return sendJson(res, 200, sim.config);
    case 'POST /__sim/config':
      return sendJson(res, 200, sim.configure((await json()) as Parameters<Simulator['configure']>[0]));
    default:
      return sendJson(res, 404, { error: `no simulator control route ${request}` });
  }
}
