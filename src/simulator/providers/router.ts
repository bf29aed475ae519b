/**
 * Routes for the fake paid providers, each under its kind as a path prefix:
 *   /anthropic/v1/messages, /anthropic/v1/messages/count_tokens, /anthropic/v1/models
 *   /gemini-api/{v1beta|v1}/models[/{model}[:{method}]]
 *   /openai/v1/chat/completions, /openai/v1/models
 * The body is read and logged first, then the key checked, each in the provider's own error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Exchange } from '../exchange';
import { SimHttpError, googleError } from '../google-errors';
import { readBody } from '../http';
import type { SimState } from '../state';
import type { ProviderKind } from '../types';
import {
  AnthropicPromptCache,
  anthropicAuth,
  anthropicError,
  anthropicModels,
  betasOf,
  countAnthropicTokens,
  handleMessages,
  invalidRequest as anthropicInvalid,
} from './anthropic';
import { countGeminiApiTokens, geminiApiKey, geminiApiModel, geminiApiModels, handleGeminiApiGeneration, invalidApiKey } from './gemini-api';
import { loggableHeaders } from './common';
import { handleChatCompletions, incorrectKey, invalidRequest as openaiInvalid, openaiError, openaiKey, openaiModels } from './openai';

const PROVIDER_PATH = /^\/(anthropic|gemini-api|openai)(\/.*)$/;
const GEMINI_PATH = /^\/(v1beta|v1)\/models(?:\/([^/:]+)(?::([A-Za-z]+))?)?$/;

export class ProviderRoutes {
  private readonly anthropicCache = new AnthropicPromptCache();

  constructor(private readonly state: SimState) {}

  /** false when the path is not a provider's. */
  matches(path: string): boolean {
    return PROVIDER_PATH.test(path);
  }

  async serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const [, kind, rest] = PROVIDER_PATH.exec(path)! as unknown as [string, ProviderKind, string];
    const method = req.method ?? 'GET';
    const exchange = new Exchange(
      res,
      this.state.log.start({ time: this.state.now(), label: kind, method: `${method} ${rest}`, stream: false, body: undefined }),
      this.state.log,
    );
    exchange.annotate({ headers: loggableHeaders(req.headers) });
    try {
      if (kind === 'anthropic') await this.anthropic(req, exchange, method, rest);
      else if (kind === 'openai') await this.openai(req, exchange, method, rest);
      else await this.gemini(req, exchange, method, rest, query);
    } catch (error) {
      if (error instanceof SimHttpError) exchange.sendError(error);
      else throw error;
    }
  }

  private async body(req: IncomingMessage, exchange: Exchange, badJson: (message: string) => SimHttpError): Promise<unknown> {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw badJson(error instanceof Error ? error.message : 'invalid JSON');
    }
    exchange.annotate({ body, rawBody: text, stream: typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true });
    return body;
  }

  private authenticate(exchange: Exchange, kind: ProviderKind, key: string, refused: () => SimHttpError): void {
    const name = this.state.providerKeys.authenticate(kind, key);
    if (!name) throw refused();
    exchange.annotate({ account: name });
  }

  private async anthropic(req: IncomingMessage, exchange: Exchange, method: string, rest: string): Promise<void> {
    const route = `${method} ${rest}`;
    const known = ['POST /v1/messages', 'POST /v1/messages/count_tokens', 'GET /v1/models'];
    if (!known.includes(route)) throw anthropicError(404, 'not_found_error', 'Not Found');
    exchange.entry.method = rest === '/v1/models' ? 'models' : rest === '/v1/messages' ? 'messages' : 'count_tokens';
    const body = method === 'POST' ? await this.body(req, exchange, (m) => anthropicInvalid(`There was an error parsing the body: ${m}`)) : undefined;
    const key = anthropicAuth(req);
    this.authenticate(exchange, 'anthropic', key, () => anthropicError(401, 'authentication_error', 'invalid x-api-key'));
    if (route === 'GET /v1/models') return exchange.sendJson(200, anthropicModels());
    if (route === 'POST /v1/messages/count_tokens')
      return exchange.sendJson(200, countAnthropicTokens(body, this.state, betasOf(exchange.entry.headers?.['anthropic-beta'])));
    return handleMessages(this.state, exchange, exchange.entry.account!, body, this.anthropicCache);
  }

  private async openai(req: IncomingMessage, exchange: Exchange, method: string, rest: string): Promise<void> {
    const route = `${method} ${rest}`;
    if (route !== 'POST /v1/chat/completions' && route !== 'GET /v1/models') {
      throw openaiError(404, `Invalid URL (${method} ${rest})`, 'invalid_request_error');
    }
    exchange.entry.method = rest === '/v1/models' ? 'models' : 'chat.completions';
    const body =
      method === 'POST'
        ? await this.body(req, exchange, () =>
            openaiInvalid(
              "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
            ),
          )
        : undefined;
    const key = openaiKey(req);
    this.authenticate(exchange, 'openai', key, () => incorrectKey(key));
    if (route === 'GET /v1/models') return exchange.sendJson(200, openaiModels());
    return handleChatCompletions(this.state, exchange, body);
  }

  private async gemini(req: IncomingMessage, exchange: Exchange, method: string, rest: string, query: URLSearchParams): Promise<void> {
    const match = GEMINI_PATH.exec(rest);
    const rpc = match?.[3];
    const valid = match && (rpc ? method === 'POST' && ['generateContent', 'streamGenerateContent', 'countTokens'].includes(rpc) : method === 'GET');
    if (!match || !valid) throw new SimHttpError(404, googleError(404, `The requested URL ${rest} was not found on this server.`));
    exchange.entry.method = rpc ?? 'models';
    const body = rpc ? await this.body(req, exchange, (m) => new SimHttpError(400, googleError(400, `Invalid JSON payload received. ${m}`))) : undefined;
    const key = geminiApiKey(req, query);
    this.authenticate(exchange, 'gemini-api', key, invalidApiKey);
    const modelId = match[2] ? decodeURIComponent(match[2]) : undefined;
    if (!rpc) return exchange.sendJson(200, modelId ? geminiApiModel(modelId) : geminiApiModels());
    if (rpc === 'countTokens') return exchange.sendJson(200, countGeminiApiTokens(this.state, modelId!, body));
    const delivery = rpc === 'generateContent' ? 'single' : query.get('alt') === 'sse' ? 'sse' : 'json-array';
    exchange.annotate({ stream: delivery !== 'single' });
    return handleGeminiApiGeneration(this.state, exchange, modelId!, body, delivery);
  }
}
