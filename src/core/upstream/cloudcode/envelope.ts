import { randomUUID } from 'node:crypto';
import type { GeminiTool, GenerateContentRequest, RequestType } from './wire';

/** The Cloud Code wrapper around a Gemini request (upstream-protocol §2). */
export interface CloudCodeEnvelope {
  project: string;
  model: string;
  userAgent: 'antigravity';
  requestType: RequestType;
  requestId: string;
  request: GenerateContentRequest;
}

export function wrapInEnvelope(project: string, model: string, requestType: RequestType, request: GenerateContentRequest): CloudCodeEnvelope {
  return { project, model, userAgent: 'antigravity', requestType, requestId: `agent-${randomUUID()}`, request };
}

/**
 * The UTF-8 JSON text of each tool list, kept as long as the list: the encoder gives a repeated list the same
 * array (encode-tools.ts), so Claude Code's 24 tools, two thirds of its request, are serialised once.
 */
const toolsJson = new WeakMap<GeminiTool[], Buffer>();

/**
 * The envelope's JSON text, byte for byte what `JSON.stringify(envelope)` gives, in UTF-8 pieces to be written
 * one after another; the tools' text comes from `toolsJson`.
 */
export function serialiseEnvelope(envelope: CloudCodeEnvelope): Buffer[] {
  const tools = envelope.request.tools;
  if (!tools) return [Buffer.from(JSON.stringify(envelope), 'utf8')];
  let middle = toolsJson.get(tools);
  if (!middle) {
    middle = Buffer.from(JSON.stringify(tools), 'utf8');
    toolsJson.set(tools, middle);
  }
  const [requestBefore, requestAfter] = halvesAround(envelope.request, 'tools');
  const [envelopeBefore, envelopeAfter] = halvesAround(envelope, 'request');
  return [Buffer.from(envelopeBefore + requestBefore, 'utf8'), middle, Buffer.from(requestAfter + envelopeAfter, 'utf8')];
}

/** The JSON text of a plain `object` before and after the value of its `key`, in JSON.stringify's order and form. */
function halvesAround(object: object, key: string): [string, string] {
  let before = '{';
  let after = '';
  let comma = '';
  let past = false;
  for (const [name, value] of Object.entries(object)) {
    if (name === key) {
      before += `${comma}${JSON.stringify(name)}:`;
      comma = ',';
      past = true;
      continue;
    }
    const text = JSON.stringify(value) as string | undefined; // undefined (and functions) are left out, as JSON.stringify does
    if (text === undefined) continue;
    const piece = `${comma}${JSON.stringify(name)}:${text}`;
    comma = ',';
    if (past) after += piece;
    else before += piece;
  }
  return [before, `${after}}`];
}
