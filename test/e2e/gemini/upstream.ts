/**
 * What the upstream simulator saw, for the Gemini end-to-end tests: the Cloud
 * Code envelopes of generation requests and their inner Gemini requests.
 */
import type { Simulator } from '../../../src/simulator';

export interface UpstreamPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
  inlineData?: { mimeType: string; data: string };
}

export interface UpstreamRequest {
  contents: Array<{ role: string; parts: UpstreamPart[] }>;
  systemInstruction?: { parts: UpstreamPart[] };
  tools?: Array<Record<string, unknown>>;
  toolConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  safetySettings?: unknown[];
}

export interface UpstreamGeneration {
  method: string;
  status: number;
  model: string;
  requestType: string;
  request: UpstreamRequest;
}

const GENERATION_METHODS = new Set(['generateContent', 'streamGenerateContent']);

/** Generation requests the simulator received, oldest first. */
export function upstreamGenerations(sim: Simulator): UpstreamGeneration[] {
  return sim.log
    .filter((entry) => GENERATION_METHODS.has(entry.method))
    .map((entry) => {
      const envelope = entry.body as { model: string; requestType: string; request: UpstreamRequest };
      return { method: entry.method, status: entry.status, model: envelope.model, requestType: envelope.requestType, request: envelope.request };
    });
}

/** The latest generation request the simulator received. */
export function lastUpstreamGeneration(sim: Simulator): UpstreamGeneration {
  const all = upstreamGenerations(sim);
  if (all.length === 0) throw new Error('the upstream saw no generation request');
  return all[all.length - 1];
}

/** Every thought signature in a request's contents, in order. */
export function signaturesIn(request: { contents?: Array<{ parts?: Array<{ thoughtSignature?: string }> }> }): string[] {
  return (request.contents ?? []).flatMap((content) => (content.parts ?? []).flatMap((part) => (part.thoughtSignature ? [part.thoughtSignature] : [])));
}
