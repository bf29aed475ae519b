/**
 * `contents` and `systemInstruction` of a Gemini request as IR messages.
 *
 * Thought signatures belong to the client (upstream-protocol §7) and go back upstream
 * exactly where they were: a thought part's signature becomes its
 * ThinkingPart's, a functionCall's its ToolCallPart's, and a signature on any
 * other part (Gemini 3 puts them on text and image parts too) becomes a
 * signature-only ThinkingPart just before that part.
 */
import { invalidRequest } from '../../errors';
import type { MediaPart, Message, Part, Role, TextPart, ThinkingPart, ToolCallPart } from '../../ir';
import { expectArray, expectBoolean, expectObject, expectString, expectStruct, fieldPath, invalidField, isPlainObject, optional, type Fields } from './fields';

/** The members of Part's `data` oneof; exactly one must be set. */
const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;

const ROLES: Record<string, Role> = {
  user: 'user',
  model: 'assistant',
  // Pre-v1beta clients sent tool results in a turn of role `function`.
  function: 'user',
};

/**
 * Pairs functionResponse parts with the calls they answer. Gemini made call
 * ids optional (responses then match calls by name, in order), but the IR
 * needs one on both sides, so absent ids are invented. An invented id depends
 * only on the history before it, so the same call gets the same id on every
 * turn the client replays it.
 */
class ToolCallLedger {
  private invented = 0;
  private readonly pending: Array<{ id: string; name: string }> = [];
  private readonly nameOfId = new Map<string, string>();

  call(name: string, id: string | undefined): string {
    const callId = id ?? this.invent(name);
    this.pending.push({ id: callId, name });
    this.nameOfId.set(callId, name);
    return callId;
  }

  answer(name: string | undefined, id: string | undefined, path: string): { callId: string; name: string } {
    if (id !== undefined) {
      const index = this.pending.findIndex((call) => call.id === id);
      if (index >= 0) this.pending.splice(index, 1);
      const resolved = name ?? this.nameOfId.get(id);
      if (resolved === undefined) throw invalidField(fieldPath(path, 'name'), 'name is required');
      return { callId: id, name: resolved };
    }
    if (name === undefined) throw invalidField(fieldPath(path, 'name'), 'name is required');
    const index = this.pending.findIndex((call) => call.name === name);
    if (index < 0) return { callId: this.invent(name), name };
    const [call] = this.pending.splice(index, 1);
    return { callId: call.id, name };
  }

  private invent(name: string): string {
    return `${name.replace(/[^A-Za-z0-9_-]/g, '_')}_${this.invented++}`;
  }
}

export function decodeContents(value: unknown, path: string): Message[] {
  if (value === undefined || value === null) throw invalidField(path, 'contents is not specified');
  const contents = expectArray(value, path);
  if (contents.length === 0) throw invalidField(path, 'contents is not specified');
  const ledger = new ToolCallLedger();
  const messages: Message[] = [];
  contents.forEach((raw, i) => {
    const message = decodeContent(raw, fieldPath(path, i), ledger);
    // A content whose parts all carried nothing (see `decodePart`) is left out whole.
    if (message.parts.length > 0) messages.push(message);
  });
  if (messages.length === 0) throw invalidField(path, 'contents is not specified');
  return messages;
}

function decodeContent(raw: unknown, path: string, ledger: ToolCallLedger): Message {
  const content = expectObject(raw, path);
  const roleName = optional(content, 'role', path, expectString) ?? 'user';
  const role = ROLES[roleName];
  if (role === undefined) {
    const rolePath = fieldPath(path, 'role');
    throw invalidRequest(`Please use a valid role: user, model. (got '${roleName}' at '${rolePath}')`, rolePath);
  }
  const partsPath = fieldPath(path, 'parts');
  const rawParts = optional(content, 'parts', path, expectArray) ?? [];
  if (rawParts.length === 0) throw invalidField(partsPath, 'contents.parts must not be empty');
  const parts: Part[] = [];
  rawParts.forEach((rawPart, j) => decodePart(rawPart, fieldPath(partsPath, j), ledger, parts));
  return { role, parts };
}

/** A ThinkingPart; one without text is `redacted`: it carries only its signature. */
function thinkingPart(text: string, signature: string | undefined): ThinkingPart {
  const part: ThinkingPart = { type: 'thinking', text };
  if (signature !== undefined) part.signature = signature;
  if (text === '') part.redacted = true;
  return part;
}

function decodePart(raw: unknown, path: string, ledger: ToolCallLedger, out: Part[]): void {
  const part = expectObject(raw, path);
  const set = DATA_FIELDS.filter((key) => part[key] !== undefined && part[key] !== null);
  const thought = optional(part, 'thought', path, expectBoolean) === true;
  const signature = optional(part, 'thoughtSignature', path, expectString);
  if (set.length === 0) {
    // gemini-cli deletes the empty text of a `{text: "", thoughtSignature}` part before replaying it.
    if (signature !== undefined) {
      out.push(thinkingPart('', signature));
      return;
    }
    throw invalidField(fieldPath(path, 'data'), "required oneof field 'data' must have one initialized field");
  }
  if (set.length > 1) {
    throw invalidField(fieldPath(path, set[1]), `oneof field 'data' is already set. Cannot set '${set[1]}'`);
  }
  const kind = set[0];

  if (kind === 'text') {
    const text = expectString(part.text, fieldPath(path, 'text'));
    if (thought) {
      if (text !== '' || signature !== undefined) out.push(thinkingPart(text, signature));
      return;
    }
    if (signature !== undefined) out.push(thinkingPart('', signature));
    // `{text: ""}` carries nothing: Gemini ends streams with one and SDK chat histories replay it.
    if (text !== '') out.push({ type: 'text', text });
    return;
  }
  if (kind === 'functionCall') {
    const callPath = fieldPath(path, 'functionCall');
    const call = expectObject(part.functionCall, callPath);
    const name = expectString(call.name, fieldPath(callPath, 'name'));
    if (name === '') throw invalidField(fieldPath(callPath, 'name'), 'name must not be empty');
    const id = optional(call, 'id', callPath, expectString);
    const args = optional(call, 'args', callPath, expectStruct) ?? {};
    const callPart: ToolCallPart = { type: 'tool_call', id: ledger.call(name, id || undefined), name, args };
    if (signature !== undefined) callPart.signature = signature;
    out.push(callPart);
    return;
  }
  if (signature !== undefined) out.push(thinkingPart('', signature));
  switch (kind) {
    case 'inlineData':
      out.push(decodeInlineData(part.inlineData, fieldPath(path, 'inlineData')));
      return;
    case 'fileData':
      out.push(decodeFileData(part.fileData, fieldPath(path, 'fileData')));
      return;
    case 'functionResponse':
      out.push(decodeFunctionResponse(part.functionResponse, fieldPath(path, 'functionResponse'), ledger));
      return;
    case 'executableCode':
    case 'codeExecutionResult':
      // Only a codeExecution run produces these, and that tool is refused (see decode-tools.ts):
      // the IR cannot carry them, and turning them into text would silently change the conversation.
      throw invalidRequest(`${kind} parts are not supported by this gateway (at '${path}')`, fieldPath(path, kind));
  }
}

function decodeInlineData(raw: unknown, path: string): MediaPart {
  const blob = expectObject(raw, path);
  const mimeType = expectString(blob.mimeType, fieldPath(path, 'mimeType'));
  const data = expectString(blob.data, fieldPath(path, 'data'));
  return { type: 'media', mimeType, source: { kind: 'base64', data } };
}

/** `mimeType` is optional in Gemini; '' leaves it to whoever fetches the URL to learn it from the response. */
function decodeFileData(raw: unknown, path: string): MediaPart {
  const file = expectObject(raw, path);
  const url = expectString(file.fileUri, fieldPath(path, 'fileUri'));
  const mimeType = optional(file, 'mimeType', path, expectString) ?? '';
  return { type: 'media', mimeType, source: { kind: 'url', url } };
}

/**
 * The response object travels as is (`response`) for the Gemini upstream, and
 * as its JSON text for everything that reads tool results as content; by
 * Gemini's convention an `error` key marks a failed call. Media a function
 * returned (`functionResponse.parts`, Gemini 3) follows the text.
 */
function decodeFunctionResponse(raw: unknown, path: string, ledger: ToolCallLedger): Part {
  const fr = expectObject(raw, path);
  const name = optional(fr, 'name', path, expectString) || undefined;
  const id = optional(fr, 'id', path, expectString) || undefined;
  const response = expectStruct(fr.response, fieldPath(path, 'response'));
  const media = (optional(fr, 'parts', path, expectArray) ?? []).map((rawPart, k) =>
    decodeFunctionResponseMedia(rawPart, fieldPath(fieldPath(path, 'parts'), k)),
  );
  const { callId, name: resolvedName } = ledger.answer(name, id, path);
  const content: Array<TextPart | MediaPart> = [{ type: 'text', text: JSON.stringify(response) }, ...media];
  const isError = response.error !== undefined && response.error !== null;
  return { type: 'tool_result', callId, name: resolvedName, content, ...(isError ? { isError } : {}), response };
}

function decodeFunctionResponseMedia(raw: unknown, path: string): MediaPart {
  const part = expectObject(raw, path);
  if (part.inlineData !== undefined) return decodeInlineData(part.inlineData, fieldPath(path, 'inlineData'));
  if (part.fileData !== undefined) return decodeFileData(part.fileData, fieldPath(path, 'fileData'));
  throw invalidField(fieldPath(path, 'data'), "required oneof field 'data' must have one initialized field");
}

/**
 * `systemInstruction` is a Content in REST; a bare string, a Part or a list of
 * Parts (what SDK users write) are accepted too. Only text is meaningful there.
 */
export function decodeSystemInstruction(value: unknown, path: string): TextPart[] {
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  let located: Array<[raw: unknown, path: string]>;
  if (Array.isArray(value)) {
    located = value.map((raw, i) => [raw, fieldPath(path, i)]);
  } else if (isPlainObject(value) && ('parts' in value || 'role' in value)) {
    const partsPath = fieldPath(path, 'parts');
    const rawParts = optional(expectObject(value, path), 'parts', path, expectArray) ?? [];
    located = rawParts.map((raw, i) => [raw, fieldPath(partsPath, i)]);
  } else {
    located = [[value, path]];
  }
  const system: TextPart[] = [];
  for (const [raw, partPath] of located) {
    const part: Fields = expectObject(raw, partPath);
    if (part.text === undefined || part.text === null) {
      throw invalidRequest(`systemInstruction accepts only text parts (at '${partPath}')`, partPath);
    }
    const text = expectString(part.text, fieldPath(partPath, 'text'));
    if (text !== '') system.push({ type: 'text', text });
  }
  return system;
}
