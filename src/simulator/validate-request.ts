/**
 * The generation envelope (upstream-protocol §2) checked as strictly as the real
 * service: every envelope field, the caller's own project, a known model,
 * only known GenerateContentRequest fields, and generation limits (§5).
 */
import type { SimAccount } from './accounts';
import { SimHttpError, invalidArgument, notFound } from './google-errors';
import { isObject } from './http';
import { findModel, type SimModel } from './models';
import type { ThoughtSigner } from './signatures';
import { validateContents, validateParts, validateSignatures } from './validate-contents';
import { fieldError, rejectUnknownKeys, validateTools } from './validate-tools';
import type { GenerateEnvelope, GenerateRequest, RequestType, WireGenerationConfig, WireThinkingConfig } from './wire';

const REQUEST_TYPES: readonly RequestType[] = ['agent', 'web_search', 'image_gen'];
const REQUEST_KEYS = [
  'model',
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'safetySettings',
  'generationConfig',
  'cachedContent',
  'labels',
  'sessionId',
];
const GENERATION_CONFIG_KEYS = [
  'temperature',
  'topP',
  'topK',
  'candidateCount',
  'maxOutputTokens',
  'stopSequences',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'responseLogprobs',
  'logprobs',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
  'speechConfig',
  'audioTimestamp',
];
const THINKING_LEVELS = ['minimal', 'low', 'medium', 'high'];

export interface ValidGeneration {
  envelope: GenerateEnvelope;
  model: SimModel;
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw invalidArgument(`Invalid request: field "${key}" is required and must be a non-empty string.`);
  return value;
}

export function validateGeneration(body: unknown, account: SimAccount, signer: ThoughtSigner): ValidGeneration {
  if (!isObject(body)) throw invalidArgument('Invalid JSON payload received. Expected an object.');
  const project = requireString(body, 'project');
  if (!account.onboarded) throw invalidArgument(`Invalid project "${project}": the account has no Cloud Code project; onboard it first.`);
  if (project !== account.projectId) throw invalidArgument(`Invalid project "${project}": it is not the Cloud Code project of the caller.`);
  const modelId = requireString(body, 'model');
  const requestType = requireString(body, 'requestType');
  if (!REQUEST_TYPES.includes(requestType as RequestType)) {
    throw invalidArgument(`Invalid request: requestType must be one of ${REQUEST_TYPES.join(', ')}, not "${requestType}".`);
  }
  requireString(body, 'requestId');
  requireString(body, 'userAgent');
  const model = findModel(modelId);
  if (!model) throw notFound();
  const request = body.request;
  if (!isObject(request)) throw invalidArgument('Invalid request: field "request" is required and must be an object.');
  validateRequest(request as GenerateRequest, model, signer);
  return { envelope: body as unknown as GenerateEnvelope, model };
}

/** A GenerateContentRequest; the Gemini API fake shares it with its own field list (no sessionId). */
export function validateRequest(request: GenerateRequest, model: SimModel, signer: ThoughtSigner, keys: readonly string[] = REQUEST_KEYS): void {
  rejectUnknownKeys(request, keys, 'request');
  if (request.systemInstruction !== undefined) {
    if (!isObject(request.systemInstruction)) throw fieldError('system_instruction', 'must be an object.');
    rejectUnknownKeys(request.systemInstruction, ['role', 'parts'], 'request.system_instruction');
    validateParts(request.systemInstruction.parts, 'system_instruction', 'system');
  }
  validateContents(request.contents, true);
  validateTools(request);
  validateSignatures(request.contents, model, signer);
  if (model.family === 'claude') requireToolsForToolTurns(request);
  if (request.generationConfig !== undefined) validateGenerationConfig(request.generationConfig, model);
  if (request.sessionId !== undefined && typeof request.sessionId !== 'string') throw fieldError('session_id', 'must be a string.');
}

/** Claude refuses tool_use / tool_result history without tool definitions. */
function requireToolsForToolTurns(request: GenerateRequest): void {
  const toolTurns = request.contents.some((content) => content.parts.some((part) => part.functionCall || part.functionResponse));
  const declared = (request.tools ?? []).some((tool) => (tool.functionDeclarations ?? []).length > 0);
  if (toolTurns && !declared) throw invalidArgument('Requests which include `tool_use` or `tool_result` blocks must define tools.');
}

function rangeError(name: string, value: unknown, from: number, to: string): SimHttpError {
  return invalidArgument(
    `Unable to submit request because it has a ${name} value of ${JSON.stringify(value)} but the supported range is from ${from} (inclusive) to ${to} (exclusive). Update the value and try again.`,
  );
}

function validateGenerationConfig(config: WireGenerationConfig, model: SimModel): void {
  if (!isObject(config)) throw fieldError('generation_config', 'must be an object.');
  rejectUnknownKeys(config, GENERATION_CONFIG_KEYS, 'request.generation_config');
  const { maxOutputTokens, temperature, topP, candidateCount, thinkingConfig } = config;
  if (maxOutputTokens !== undefined) {
    if (!Number.isInteger(maxOutputTokens) || maxOutputTokens < 1 || maxOutputTokens > model.maxOutputTokens) {
      throw rangeError('maxOutputTokens', maxOutputTokens, 1, String(model.maxOutputTokens + 1));
    }
  }
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw rangeError('temperature', temperature, 0, '2.0001');
  }
  if (topP !== undefined && (typeof topP !== 'number' || topP < 0 || topP > 1)) throw rangeError('topP', topP, 0, '1.0001');
  if (candidateCount !== undefined && candidateCount !== 1) {
    throw invalidArgument(`Unable to submit request because candidateCount ${JSON.stringify(candidateCount)} is not supported by ${model.id}; only 1 is.`);
  }
  if (thinkingConfig === undefined) return;
  if (!isObject(thinkingConfig)) throw fieldError('generation_config.thinking_config', 'must be an object.');
  rejectUnknownKeys(thinkingConfig, ['includeThoughts', 'thinkingBudget', 'thinkingLevel'], 'request.generation_config.thinking_config');
  const { includeThoughts, thinkingBudget, thinkingLevel } = thinkingConfig as WireThinkingConfig;
  if (includeThoughts !== undefined && typeof includeThoughts !== 'boolean') {
    throw fieldError('generation_config.thinking_config.include_thoughts', 'must be a boolean.');
  }
  if (thinkingLevel !== undefined && (typeof thinkingLevel !== 'string' || !THINKING_LEVELS.includes(thinkingLevel.toLowerCase()))) {
    throw invalidArgument(`Invalid value at 'request.generation_config.thinking_config.thinking_level', ${JSON.stringify(thinkingLevel)}`);
  }
  if (thinkingBudget === undefined) return;
  if (typeof thinkingBudget !== 'number' || !Number.isInteger(thinkingBudget) || thinkingBudget < -1) {
    throw fieldError('generation_config.thinking_config.thinking_budget', 'must be an integer ≥ -1.');
  }
  if (thinkingLevel !== undefined) throw invalidArgument('You can only set only one of thinking budget and thinking level.');
  // upstream-protocol §5: the upstream requires maxOutputTokens > thinkingBudget.
  if (thinkingBudget > 0 && maxOutputTokens !== undefined && maxOutputTokens <= thinkingBudget) {
    throw invalidArgument(
      `\`max_tokens\` must be greater than \`thinking.budget_tokens\` (maxOutputTokens ${maxOutputTokens} ≤ thinkingBudget ${thinkingBudget}).`,
    );
  }
}
