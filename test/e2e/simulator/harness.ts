/** Drives a simulator over HTTP the way the gateway does: global fetch, bearer tokens, envelopes. */
import { startSimulator, type AccountSpec, type Simulator, type SimulatorOptions } from '../../../src/simulator';

export interface Harness {
  sim: Simulator;
  email: string;
  project: string;
  token: string;
}

export const EMAIL = 'ada@example.com';
export const REFRESH_TOKEN = '1//refresh-ada';

export async function startHarness(options: SimulatorOptions = {}, account: Partial<AccountSpec> = {}): Promise<Harness> {
  const sim = await startSimulator(options);
  const info = sim.addAccount({ email: EMAIL, refreshToken: REFRESH_TOKEN, ...account });
  return { sim, email: info.email, project: info.projectId, token: sim.issueAccessToken(info.email) };
}

export type Json = Record<string, any>;

export function user(...texts: string[]): Json {
  return { role: 'user', parts: texts.map((text) => ({ text })) };
}

export function modelTurn(...parts: Json[]): Json {
  return { role: 'model', parts };
}

export const WEATHER_TOOL = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
    },
  ],
};

export function envelope(h: Harness, request: Json, model = 'gemini-3-flash', overrides: Json = {}): Json {
  return {
    project: h.project,
    model,
    requestType: 'agent',
    requestId: 'agent-00000000-0000-4000-8000-000000000000',
    userAgent: 'antigravity',
    request,
    ...overrides,
  };
}

export interface CallOptions {
  label?: string;
  query?: string;
  token?: string;
  signal?: AbortSignal;
}

/** POST {sim.url}/{label}/v1internal:{method}. */
export function callMethod(h: Harness, method: string, body: unknown, options: CallOptions = {}): Promise<Response> {
  const label = options.label ?? 'daily';
  return fetch(`${h.sim.url}/${label}/v1internal:${method}${options.query ?? ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token ?? h.token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: options.signal,
  });
}

export function generate(h: Harness, body: Json, options: CallOptions = {}): Promise<Response> {
  return callMethod(h, 'generateContent', body, options);
}

export function stream(h: Harness, body: Json, options: CallOptions = {}): Promise<Response> {
  return callMethod(h, 'streamGenerateContent', body, { query: '?alt=sse', ...options });
}

/** The `data:` payloads of an SSE body, checking Google's `\r\n\r\n` framing. */
export async function sseFrames(res: Response): Promise<Json[]> {
  const text = await res.text();
  if (!text.endsWith('\r\n\r\n')) throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .split('\r\n\r\n')
    .filter((block) => block !== '')
    .map((block) => {
      if (!block.startsWith('data: ')) throw new Error(`not an SSE data line: ${block.slice(0, 40)}`);
      return JSON.parse(block.slice('data: '.length)) as Json;
    });
}

/** Every part of an answer, in order, from a non-stream body or from stream frames. */
export function partsOf(bodies: Json | Json[]): Json[] {
  return (Array.isArray(bodies) ? bodies : [bodies]).flatMap((body) => body.response.candidates[0].content.parts);
}

export function visibleText(bodies: Json | Json[]): string {
  return partsOf(bodies)
    .filter((part) => typeof part.text === 'string' && !part.thought)
    .map((part) => part.text)
    .join('');
}

export async function errorMessage(res: Response): Promise<string> {
  const body = (await res.json()) as Json;
  return body.error.message as string;
}
