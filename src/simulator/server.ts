/**
 * The simulator's one HTTP server (plain node:http, keep-alive: benchmarks
 * compare the gateway against direct calls here, so a request must be cheap).
 *   /{label}/v1internal:{method}       Cloud Code, host label = first path segment (optional)
 *   /{label}/v1internal/operations/…   long-running operation polls
 *   /oauth/{token,userinfo,authorize}  Google OAuth stand-in
 *   /{anthropic,gemini-api,openai}/…   fake paid providers (providers/router.ts)
 *   /__sim/…                           control API
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { countTokens, fetchAvailableModels, getOperation, loadCodeAssist, onboardUser, retrieveUserQuota } from './code-assist';
import { handleControl } from './control';
import { Exchange } from './exchange';
import { GENERATION_METHODS, faultError } from './faults';
import { handleGeneration } from './generate';
import { SimHttpError, googleError, notFound, unauthenticated } from './google-errors';
import { bearerToken, isObject, parseJson, readBody } from './http';
import { OAuthStandIn, parseTokenForm, redactedForm } from './oauth';
import { ProviderRoutes } from './providers/router';
import type { SimState } from './state';
import type { Simulator } from './types';

const CLOUD_CODE_PATH = /^(?:\/([^/]+))?\/v1internal(?::([A-Za-z]+)|\/(operations\/[^/]+))$/;
const OAUTH_PATH = /^\/oauth\/(token|userinfo|authorize)$/;
const SIM_HEADER = 'x-agate-simulator';

export function createSimServer(state: SimState, sim: Simulator): Server {
  const oauth = new OAuthStandIn(state);
  const providers = new ProviderRoutes(state);
  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    res.setHeader(SIM_HEADER, '1');
    route(state, sim, oauth, providers, req, res).catch((error: unknown) => {
      console.error('agate simulator: unexpected failure', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(googleError(500, 'Internal error encountered.')));
      } else {
        res.destroy();
      }
    });
  });
  // Google keeps idle connections open for minutes; clients pool them.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  return server;
}

async function route(
  state: SimState,
  sim: Simulator,
  oauth: OAuthStandIn,
  providers: ProviderRoutes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const method = req.method ?? 'GET';
  if (path.startsWith('/__sim/')) return handleControl(sim, res, method, path, () => readBody(req));

  if (providers.matches(path)) return providers.serve(req, res, path, query);
  const oauthMatch = OAUTH_PATH.exec(path);
  if (oauthMatch) return serveOAuth(state, oauth, req, res, oauthMatch[1], query);

  const cloudCode = CLOUD_CODE_PATH.exec(path);
  const label = cloudCode?.[1] ?? '';
  const operation = cloudCode?.[3];
  const rpc = cloudCode ? (cloudCode[2] ?? 'getOperation') : `${method} ${path}`;
  const exchange = new Exchange(
    res,
    state.log.start({ time: state.now(), label, method: rpc, stream: rpc === 'streamGenerateContent', body: undefined }),
    state.log,
  );
  try {
    if (!cloudCode || method !== (operation ? 'GET' : 'POST')) throw notFound();
    await serveCloudCode(state, exchange, req, rpc, operation, query);
  } catch (error) {
    if (error instanceof SimHttpError) exchange.sendError(error);
    else throw error;
  }
}

async function serveCloudCode(
  state: SimState,
  exchange: Exchange,
  req: IncomingMessage,
  rpc: string,
  operation: string | undefined,
  query: URLSearchParams,
): Promise<void> {
  const { entry } = exchange;
  const body = operation ? undefined : parseJson(await readBody(req));
  exchange.annotate({ body, model: loggedModel(rpc, body) });
  const token = bearerToken(req);
  const account = token ? state.accounts.authenticate(token) : undefined;
  if (!account) throw unauthenticated(token === undefined);
  exchange.annotate({ account: account.email });

  if (GENERATION_METHODS.includes(rpc)) {
    const delivery = rpc === 'generateContent' ? 'single' : query.get('alt') === 'sse' ? 'sse' : 'json-array';
    return handleGeneration(state, exchange, account, body, delivery);
  }
  const fault = state.faults.take({ label: entry.label, method: rpc, account: account.email, model: entry.model });
  if (fault) {
    exchange.annotate({ fault: fault.kind });
    const error = faultError(fault, entry.model, state.now());
    if (error) throw error;
    if (fault.kind === 'reset_after') await exchange.destroy();
    return; // hang: never answer
  }
  switch (rpc) {
    case 'loadCodeAssist':
      return exchange.sendJson(200, loadCodeAssist(body, account));
    case 'onboardUser':
      return exchange.sendJson(200, onboardUser(state, body, account));
    case 'getOperation':
      return exchange.sendJson(200, getOperation(operation!, account));
    case 'fetchAvailableModels':
      return exchange.sendJson(200, fetchAvailableModels(state, body, account));
    case 'retrieveUserQuota':
      return exchange.sendJson(200, retrieveUserQuota(state, body, account));
    case 'countTokens':
      return exchange.sendJson(200, countTokens(body));
    default:
      throw notFound();
  }
}

/** The model a request names, for the log and for fault matching. */
function loggedModel(rpc: string, body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (GENERATION_METHODS.includes(rpc)) return typeof body.model === 'string' ? body.model : undefined;
  if (rpc === 'countTokens' && isObject(body.request) && typeof body.request.model === 'string') {
    return body.request.model.replace(/^models\//, '');
  }
  return undefined;
}

async function serveOAuth(
  state: SimState,
  oauth: OAuthStandIn,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: string,
  query: URLSearchParams,
): Promise<void> {
  const exchange = new Exchange(res, state.log.start({ time: state.now(), label: 'oauth', method: endpoint, stream: false, body: undefined }), state.log);
  try {
    if (endpoint === 'token') {
      if (req.method !== 'POST') throw notFound();
      const form = parseTokenForm(req, await readBody(req));
      exchange.annotate({ body: redactedForm(form) });
      oauth.token(exchange, form);
    } else if (endpoint === 'userinfo') {
      if (req.method !== 'GET') throw notFound();
      oauth.userinfo(exchange, req);
    } else {
      if (req.method !== 'GET') throw notFound();
      exchange.annotate({ body: Object.fromEntries(query) });
      oauth.authorize(exchange, query);
    }
  } catch (error) {
    if (error instanceof SimHttpError) exchange.sendError(error);
    else throw error;
  }
}
