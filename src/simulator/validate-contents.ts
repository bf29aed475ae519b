/**
 * Contents as the upstream accepts them: well-formed parts, user/model turns
 * that alternate (upstream-protocol §9), every function call answered in the next
 * turn, and thought signatures that are genuine and of the model's family
 * (upstream-protocol §7).
 */
import { invalidArgument, type SimHttpError } from './google-errors';
import { isObject } from './http';
import type { SimModel } from './models';
import { SKIP_SIGNATURE_SENTINEL, type ThoughtSigner } from './signatures';
import { fieldError, rejectUnknownKeys } from './validate-tools';
import type { WireContent, WirePart } from './wire';

const PART_KEYS = [
  'text',
  'thought',
  'thoughtSignature',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
  'videoMetadata',
  'partMetadata',
  'mediaResolution',
];
const DATA_KEYS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Signature subjects: a function call id, or the response a thought belongs to. */
export const CALL_SUBJECT = 'call:';
export const RESPONSE_SUBJECT = 'response:';

/** Shape of a parts list (contents, systemInstruction). */
export function validateParts(parts: unknown, path: string, role: 'user' | 'model' | 'system'): asserts parts is WirePart[] {
  if (!Array.isArray(parts) || parts.length === 0) throw fieldError(`${path}.parts`, 'contents.parts must not be empty.');
  parts.forEach((part: unknown, index) => validatePart(part, `${path}.parts[${index}]`, role));
}

function validatePart(part: unknown, path: string, role: 'user' | 'model' | 'system'): void {
  if (!isObject(part)) throw fieldError(path, 'must be an object.');
  rejectUnknownKeys(part, PART_KEYS, `request.${path}`);
  const data = DATA_KEYS.filter((key) => part[key] !== undefined);
  if (data.length === 0) throw fieldError(`${path}.data`, "required oneof field 'data' must have one initialized field");
  if (data.length > 1) throw invalidArgument(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${data[1]}'`);
  if (part.thought !== undefined && typeof part.thought !== 'boolean') throw fieldError(`${path}.thought`, 'must be a boolean.');
  if (part.thoughtSignature !== undefined && (typeof part.thoughtSignature !== 'string' || part.thoughtSignature === '')) {
    throw fieldError(`${path}.thought_signature`, 'must be a non-empty string.');
  }
  const { text, inlineData, fileData, functionCall, functionResponse } = part;
  if (text !== undefined) {
    if (typeof text !== 'string') throw fieldError(`${path}.text`, 'must be a string.');
    if (text === '' && part.thoughtSignature === undefined) {
      throw invalidArgument('Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.');
    }
  }
  if (inlineData !== undefined) {
    if (!isObject(inlineData)) throw fieldError(`${path}.inline_data`, 'must be an object.');
    rejectUnknownKeys(inlineData, ['mimeType', 'data'], `request.${path}.inline_data`);
    if (typeof inlineData.mimeType !== 'string' || inlineData.mimeType === '') throw fieldError(`${path}.inline_data.mime_type`, 'missing field.');
    if (typeof inlineData.data !== 'string' || !BASE64.test(inlineData.data)) {
      throw invalidArgument(`Invalid value at 'request.${path}.inline_data.data' (TYPE_BYTES), Base64 decoding failed.`);
    }
  }
  if (fileData !== undefined) {
    if (!isObject(fileData)) throw fieldError(`${path}.file_data`, 'must be an object.');
    rejectUnknownKeys(fileData, ['mimeType', 'fileUri'], `request.${path}.file_data`);
    if (typeof fileData.fileUri !== 'string' || fileData.fileUri === '') throw fieldError(`${path}.file_data.file_uri`, 'missing field.');
  }
  if (functionCall !== undefined) {
    if (role !== 'model') throw fieldError(`${path}.function_call`, 'function calls are only allowed in model turns.');
    if (!isObject(functionCall)) throw fieldError(`${path}.function_call`, 'must be an object.');
    rejectUnknownKeys(functionCall, ['name', 'args', 'id'], `request.${path}.function_call`);
    if (typeof functionCall.name !== 'string' || functionCall.name === '') throw fieldError(`${path}.function_call.name`, 'missing field.');
    if (functionCall.args !== undefined && !isObject(functionCall.args)) {
      throw invalidArgument(
        `Invalid value at 'request.${path}.function_call.args' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(functionCall.args)}`,
      );
    }
    if (functionCall.id !== undefined && typeof functionCall.id !== 'string') throw fieldError(`${path}.function_call.id`, 'must be a string.');
  }
  if (functionResponse !== undefined) {
    if (role !== 'user') throw fieldError(`${path}.function_response`, 'function responses are only allowed in user turns.');
    if (!isObject(functionResponse)) throw fieldError(`${path}.function_response`, 'must be an object.');
    rejectUnknownKeys(functionResponse, ['name', 'response', 'id'], `request.${path}.function_response`);
    if (typeof functionResponse.name !== 'string' || functionResponse.name === '') {
      throw fieldError(`${path}.function_response.name`, 'missing field.');
    }
    if (!isObject(functionResponse.response)) {
      throw invalidArgument(
        `Invalid value at 'request.${path}.function_response.response' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(functionResponse.response ?? null)}`,
      );
    }
    if (functionResponse.id !== undefined && typeof functionResponse.id !== 'string') {
      throw fieldError(`${path}.function_response.id`, 'must be a string.');
    }
  }
}

/** Shape of every turn; with `conversation`, also the multi-turn rules generation needs. */
export function validateContents(contents: unknown, conversation: boolean): asserts contents is WireContent[] {
  if (!Array.isArray(contents) || contents.length === 0) throw fieldError('contents', 'contents is not specified');
  contents.forEach((content: unknown, index) => {
    const path = `contents[${index}]`;
    if (!isObject(content)) throw fieldError(path, 'must be an object.');
    rejectUnknownKeys(content, ['role', 'parts'], `request.${path}`);
    if (content.role !== 'user' && content.role !== 'model') throw invalidArgument('Please use a valid role: user, model.');
    validateParts(content.parts, path, content.role);
  });
  if (conversation) validateTurns(contents as WireContent[]);
}

const calls = (content: WireContent) => content.parts.filter((part) => part.functionCall !== undefined);
const responses = (content: WireContent) => content.parts.filter((part) => part.functionResponse !== undefined);

function validateTurns(contents: WireContent[]): void {
  if (contents[0].role !== 'user') throw invalidArgument('Please ensure that multiturn requests start with a user turn.');
  for (let i = 1; i < contents.length; i += 1) {
    if (contents[i].role === contents[i - 1].role) {
      throw invalidArgument('Please ensure that multiturn requests alternate between user and model.');
    }
  }
  contents.forEach((content, i) => {
    if (content.role !== 'user') return;
    const answered = i > 0 ? calls(contents[i - 1]) : [];
    const given = responses(content);
    if (given.length === 0 && answered.length === 0) return;
    if (given.length !== answered.length) {
      throw invalidArgument(
        'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
      );
    }
    for (const part of given) {
      const response = part.functionResponse!;
      const matched = answered.some((call) => (response.id !== undefined ? call.functionCall!.id === response.id : call.functionCall!.name === response.name));
      if (!matched) {
        throw invalidArgument(
          response.id !== undefined
            ? `Function response id "${response.id}" in contents[${i}] matches no function call of the previous model turn.`
            : `Function response "${response.name}" in contents[${i}] matches no function call of the previous model turn.`,
        );
      }
    }
  });
}

/** Replayed signatures must be ours and of the target model's family; Gemini 3 needs one on each turn's first call. */
export function validateSignatures(contents: WireContent[], model: SimModel, signer: ThoughtSigner): void {
  contents.forEach((content, i) => {
    let firstCallSeen = false;
    content.parts.forEach((part, j) => {
      if (part.functionCall && !firstCallSeen) {
        firstCallSeen = true;
        if (model.requiresCallSignatures && part.thoughtSignature === undefined) {
          throw invalidArgument(
            `Unable to submit request because function call \`${part.functionCall.name}\` in the ${i + 1}. content block is missing a \`thought_signature\`. Learn more: https://docs.cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures`,
          );
        }
      }
      const signature = part.thoughtSignature;
      if (signature === undefined || signature === SKIP_SIGNATURE_SENTINEL) return;
      const claim = signer.verify(signature);
      const genuine =
        claim !== undefined &&
        claim.family === model.family &&
        !(part.functionCall?.id !== undefined && claim.subject.startsWith(CALL_SUBJECT) && claim.subject !== CALL_SUBJECT + part.functionCall.id);
      if (!genuine) throw invalidSignature(model, i, j);
    });
  });
}

function invalidSignature(model: SimModel, content: number, part: number): SimHttpError {
  return invalidArgument(
    model.family === 'claude'
      ? `messages.${content}.content.${part}: Invalid \`signature\` in \`thinking\` block`
      : 'Unable to submit request because Thought signature is not valid.',
  );
}
