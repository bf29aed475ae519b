import { randomUUID } from 'node:crypto';
import type { GenerateContentRequest, RequestType } from './wire';

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
