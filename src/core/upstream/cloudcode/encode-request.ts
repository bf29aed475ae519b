import type { ChatRequest } from '../../ir';
import type { UpstreamCall } from '../upstream';
import type { ArgumentRepairs } from './argument-repair';
import { encodeContents, encodeSystemInstruction } from './encode-contents';
import { encodeFunctionTools, encodeToolConfig } from './encode-tools';
import { encodeGenerationConfig } from './generation-config';
import { isImageModel, modelFamily } from './models';
import { newSchemaBudget } from './schema';
import { sessionIdOf } from './session-id';
import { SignatureReplay } from './signature-replay';
import type { SignatureCache } from './signatures';
import type { GenerateContentRequest, RequestType } from './wire';

/** IR request → the Gemini request inside the Cloud Code envelope (upstream-protocol §2, §5, §9). */

export interface EncodeOptions {
  signatures: SignatureCache;
  /** Antigravity identity text placed before the client's system prompt; empty = none. */
  systemPreamble: string;
}

export interface EncodedRequest {
  requestType: RequestType;
  request: GenerateContentRequest;
  /** How the decoder gives calls back the argument shape the client declared. */
  argumentRepairs: ArgumentRepairs;
}

export type EncodeCall = Pick<UpstreamCall, 'model' | 'modelInfo' | 'conversation'> & {
  /** Strip replayed thought signatures: the upstream's own second try after a signature 400. */
  dropSignatures?: boolean;
};

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Native Gemini fields the IR does not model go in as the client sent them;
 * where they collide with a field computed here, the computed one stays, since
 * it carries the upstream's invariants (clamped limits, cleaned schemas).
 * The recursion follows `target`, the request built here, a few levels deep;
 * the client's part is cloned whole, within the body's nesting budget.
 */
function mergeExtras(target: JsonObject, extras: JsonObject): void {
  for (const key in extras) {
    const ours = target[key];
    const theirs = extras[key];
    if (ours === undefined) target[key] = structuredClone(theirs);
    else if (isPlainObject(ours) && isPlainObject(theirs)) {
      // A copy: what the encoder built may be shared with other requests (encode-tools.ts, encode-contents.ts).
      const copy = { ...ours };
      mergeExtras(copy, theirs);
      target[key] = copy;
    }
  }
}

export function encodeRequest(request: ChatRequest, call: EncodeCall, options: EncodeOptions): EncodedRequest {
  const family = modelFamily(call.model);
  const replay = new SignatureReplay(call.model, options.signatures, call.dropSignatures === true);
  const imageGeneration = isImageModel(call.model) || request.imageConfig !== undefined;

  const body: GenerateContentRequest = { contents: encodeContents(request.messages, replay) };
  const systemInstruction = encodeSystemInstruction(request.system, options.systemPreamble);
  if (systemInstruction) body.systemInstruction = systemInstruction;

  let argumentRepairs: ArgumentRepairs = new Map();
  const schemaBudget = newSchemaBudget();
  if (request.webSearch) {
    // Search grounding never travels with function declarations (upstream-protocol §9).
    body.tools = [{ googleSearch: {} }];
  } else if (!imageGeneration && request.tools.length > 0) {
    // Image models take no function tools.
    const encoded = encodeFunctionTools(request.tools, family, schemaBudget);
    body.tools = encoded.tools;
    argumentRepairs = encoded.repairs;
    const toolConfig = encodeToolConfig(request.toolChoice, family);
    if (toolConfig) body.toolConfig = toolConfig;
  }

  const generationConfig = encodeGenerationConfig(request, call.model, call.modelInfo, call.dropSignatures === true, schemaBudget);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  if (request.geminiExtras) mergeExtras(body, request.geminiExtras);
  body.sessionId = sessionIdOf(call.conversation);

  const requestType: RequestType = imageGeneration ? 'image_gen' : request.webSearch ? 'web_search' : 'agent';
  return { requestType, request: body, argumentRepairs };
}
