/**
 * `generationConfig` of a Gemini request: the knobs the IR models, a 400 for
 * those it cannot honour, and every other key (responseModalities,
 * speechConfig, mediaResolution, presencePenalty …) into the extras verbatim.
 */
import { invalidRequest } from '../../errors';
import type { ChatRequest, ResponseFormat, ThinkingRequest } from '../../ir';
import type { GeminiExtras } from './extras';
import {
  expectBoolean,
  expectInteger,
  expectNumber,
  expectObject,
  expectString,
  expectStringList,
  expectStruct,
  fieldPath,
  invalidField,
  invalidValue,
  optional,
  type Fields,
} from './fields';

export type GenerationSettings = Pick<
  ChatRequest,
  'maxOutputTokens' | 'temperature' | 'topP' | 'topK' | 'stopSequences' | 'seed' | 'thinking' | 'includeThoughts' | 'responseFormat' | 'imageConfig'
>;

/** Keys read here; `responseMimeType` and the schemas are read too but go to the extras when the IR has no form for them. */
const MODELLED = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'seed',
  'candidateCount',
  'responseLogprobs',
  'logprobs',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
  'imageConfig',
]);

const EFFORTS: Record<string, 'minimal' | 'low' | 'medium' | 'high'> = {
  MINIMAL: 'minimal',
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
};

export function decodeGenerationConfig(value: unknown, path: string, extras: GeminiExtras): GenerationSettings {
  const config = expectObject(value, path);
  extras.setUnmodelled(['generationConfig'], config, MODELLED);
  refuseUnsupported(config, path);

  const settings: GenerationSettings = {};
  const assign = <K extends keyof GenerationSettings>(key: K, v: GenerationSettings[K] | undefined) => {
    if (v !== undefined) settings[key] = v;
  };
  assign('temperature', optional(config, 'temperature', path, expectNumber));
  assign('topP', optional(config, 'topP', path, expectNumber));
  assign('topK', optional(config, 'topK', path, expectNumber));
  assign('maxOutputTokens', optional(config, 'maxOutputTokens', path, expectInteger));
  assign('stopSequences', optional(config, 'stopSequences', path, expectStringList));
  assign('seed', optional(config, 'seed', path, expectInteger));
  assign('responseFormat', decodeResponseFormat(config, path, extras));
  const thinkingConfig = optional(config, 'thinkingConfig', path, expectObject);
  if (thinkingConfig !== undefined) {
    const thinkingPath = fieldPath(path, 'thinkingConfig');
    extras.setUnmodelled(['generationConfig', 'thinkingConfig'], thinkingConfig, new Set(['includeThoughts', 'thinkingBudget', 'thinkingLevel']));
    assign('includeThoughts', optional(thinkingConfig, 'includeThoughts', thinkingPath, expectBoolean));
    assign('thinking', decodeThinking(thinkingConfig, thinkingPath));
  }
  const imageConfig = optional(config, 'imageConfig', path, expectObject);
  if (imageConfig !== undefined) {
    const imagePath = fieldPath(path, 'imageConfig');
    extras.setUnmodelled(['generationConfig', 'imageConfig'], imageConfig, new Set(['aspectRatio', 'imageSize']));
    const image: NonNullable<GenerationSettings['imageConfig']> = {};
    const aspectRatio = optional(imageConfig, 'aspectRatio', imagePath, expectString);
    const imageSize = optional(imageConfig, 'imageSize', imagePath, expectString);
    if (aspectRatio !== undefined) image.aspectRatio = aspectRatio;
    if (imageSize !== undefined) image.imageSize = imageSize;
    if (Object.keys(image).length > 0) settings.imageConfig = image;
  }
  return settings;
}

/** The IR holds one candidate and no log probabilities; asking for more must fail loudly, not be ignored. */
function refuseUnsupported(config: Fields, path: string): void {
  const candidateCount = optional(config, 'candidateCount', path, expectInteger);
  if (candidateCount !== undefined && candidateCount > 1) {
    throw invalidRequest(`candidateCount ${candidateCount} is not supported: this gateway returns one candidate`, fieldPath(path, 'candidateCount'));
  }
  if (optional(config, 'responseLogprobs', path, expectBoolean) === true) {
    throw invalidRequest('responseLogprobs is not supported by this gateway', fieldPath(path, 'responseLogprobs'));
  }
  const logprobs = optional(config, 'logprobs', path, expectInteger);
  if (logprobs !== undefined && logprobs > 0) {
    throw invalidRequest('logprobs is not supported by this gateway', fieldPath(path, 'logprobs'));
  }
}

/**
 * JSON mode and plain text are IR response formats. A `responseJsonSchema`
 * (JSON Schema) goes in the IR, for the upstream encoder to bring into the
 * dialect Cloud Code takes; a `responseSchema` is already in that dialect and
 * travels verbatim in the extras (its `propertyOrdering`, `anyOf`, bounds …
 * steer the answer). Any other MIME type (`text/x.enum` …), or a schema
 * without a MIME type, travels verbatim in the extras for the upstream to judge.
 */
function decodeResponseFormat(config: Fields, path: string, extras: GeminiExtras): ResponseFormat | undefined {
  const mimeType = optional(config, 'responseMimeType', path, expectString);
  const schema = optional(config, 'responseSchema', path, expectStruct);
  const jsonSchema = optional(config, 'responseJsonSchema', path, expectStruct);
  if (schema !== undefined && jsonSchema !== undefined) {
    throw invalidField(fieldPath(path, 'responseJsonSchema'), 'responseSchema and responseJsonSchema are mutually exclusive');
  }
  if (mimeType === 'application/json') {
    const format: ResponseFormat = { type: 'json' };
    if (jsonSchema !== undefined) format.schema = jsonSchema;
    if (schema !== undefined) extras.set(['generationConfig', 'responseSchema'], schema);
    return format;
  }
  if (mimeType === 'text/plain' && schema === undefined && jsonSchema === undefined) return { type: 'text' };
  for (const key of ['responseMimeType', 'responseSchema', 'responseJsonSchema']) {
    if (config[key] !== undefined && config[key] !== null) extras.set(['generationConfig', key], config[key]);
  }
  return undefined;
}

/** thinkingBudget 0 turns thinking off and -1 leaves it to the model (Gemini's "dynamic"); thinkingLevel is an effort. */
function decodeThinking(thinkingConfig: Fields, path: string): ThinkingRequest | undefined {
  const budget = optional(thinkingConfig, 'thinkingBudget', path, expectInteger);
  const level = optional(thinkingConfig, 'thinkingLevel', path, expectString);
  if (budget !== undefined && level !== undefined) {
    throw invalidField(fieldPath(path, 'thinkingLevel'), 'thinkingBudget and thinkingLevel are mutually exclusive');
  }
  if (budget !== undefined) {
    if (budget === 0) return { type: 'disabled' };
    if (budget === -1) return { type: 'adaptive' };
    if (budget < 0) throw invalidField(fieldPath(path, 'thinkingBudget'), 'thinkingBudget must be -1 (dynamic), 0 (off) or positive');
    return { type: 'budget', budgetTokens: budget };
  }
  if (level === undefined || level.toUpperCase() === 'THINKING_LEVEL_UNSPECIFIED') return undefined;
  const effort = EFFORTS[level.toUpperCase()];
  if (effort === undefined) throw invalidValue(fieldPath(path, 'thinkingLevel'), 'TYPE_ENUM', level);
  return { type: 'effort', effort };
}
