/**
 * A Gemini `GenerateContentRequest` (and the body of `:countTokens`) as an IR
 * ChatRequest. The upstream speaks Gemini too, so nothing may be lost: what
 * the IR models is decoded, what it cannot honour is refused with a 400, and
 * everything else is kept in `geminiExtras` (see extras.ts for its shape).
 */
import { invalidRequest } from '../../errors';
import type { ChatRequest } from '../../ir';
import type { InboundContext } from '../codec';
import { DecodeNotes, webSearchBeside } from '../tool-notes';
import { decodeContents, decodeSystemInstruction } from './decode-contents';
import { decodeGenerationConfig } from './decode-generation-config';
import { decodeToolConfig, decodeTools } from './decode-tools';
import { GeminiExtras } from './extras';
import { fieldPath, isPlainObject, messageFields, optional, type Fields } from './fields';

/**
 * Top-level keys read here. A `model` in the body is ignored: the path names
 * the model (`/v1beta/models/{model}:…`), as on Google's own endpoint.
 */
const MODELLED = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'model']);

/** The model of the path, without the `models/` prefix some clients keep. */
export function modelFromPath(ctx: InboundContext): string {
  const model = (ctx.params.model ?? '').replace(/^models\//, '');
  if (model === '') throw invalidRequest('A model name is required in the path: /v1beta/models/{model}:generateContent', 'model');
  return model;
}

export function requestFields(body: unknown, path: string): Fields {
  if (!isPlainObject(body)) {
    throw invalidRequest(`Invalid JSON payload received. Expected an object at '${path || 'request'}'.`, path || undefined);
  }
  return messageFields(body);
}

export function decodeGenerateContentRequest(body: unknown, ctx: InboundContext, path = ''): ChatRequest {
  const fields = requestFields(body, path);
  const extras = new GeminiExtras();
  extras.setUnmodelled([], fields, MODELLED);

  const request: ChatRequest = {
    protocol: 'gemini',
    model: modelFromPath(ctx),
    system: [],
    messages: decodeContents(fields.contents, fieldPath(path, 'contents')),
    tools: [],
    stream: ctx.streamFromPath === true,
  };
  const system = optional(fields, 'systemInstruction', path, decodeSystemInstruction);
  if (system !== undefined) request.system = system;
  const tools = optional(fields, 'tools', path, (value, p) => decodeTools(value, p, extras));
  if (tools !== undefined) {
    request.tools = tools.tools;
    const notes = new DecodeNotes();
    if (webSearchBeside(tools.webSearch ? [fieldPath(path, 'tools') + ' (googleSearch)'] : [], tools.tools.length, notes)) request.webSearch = true;
    if (notes.list.length > 0) request.notes = notes.list;
  }
  const toolChoice = optional(fields, 'toolConfig', path, (value, p) => decodeToolConfig(value, p, extras));
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const generation = optional(fields, 'generationConfig', path, (value, p) => decodeGenerationConfig(value, p, extras));
  if (generation !== undefined) Object.assign(request, generation);
  const geminiExtras = extras.build();
  if (geminiExtras !== undefined) request.geminiExtras = geminiExtras;
  return request;
}

/**
 * `:countTokens` takes either `{contents}` or a whole `{generateContentRequest}`
 * (which counts the system instruction and tools as well).
 */
export function decodeCountTokensRequest(body: unknown, ctx: InboundContext): ChatRequest {
  const fields = requestFields(body, '');
  const countCtx: InboundContext = { ...ctx, streamFromPath: false };
  const wrapped = fields.generateContentRequest;
  if (wrapped === undefined || wrapped === null) return decodeGenerateContentRequest(body, countCtx);
  if (fields.contents !== undefined && fields.contents !== null) {
    throw invalidRequest('contents and generateContentRequest are mutually exclusive', 'generateContentRequest');
  }
  return decodeGenerateContentRequest(wrapped, countCtx, 'generateContentRequest');
}
