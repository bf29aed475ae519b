import { invalidRequest } from '../../../errors';
import type { MediaPart, Message, Part, TextPart } from '../../../ir';
import { mediaPartFromUrl } from '../../../media/data-url';
import { contentParts } from '../shared/content-parts';
import { ConversationBuilder } from '../shared/conversation';
import { inlineFilePart } from '../shared/file-data';
import {
  at,
  isAbsent,
  type JsonObject,
  optionalArray,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireObject,
  requireString,
  unsupported,
} from '../shared/read';
import { parseToolArguments } from '../shared/tools';
import { decodeCallSignature } from './call-signature';
import type { DecodeNotes } from '../../tool-notes';
import { CUSTOM_TOOL_INPUT, type ToolNameMap } from './tool-names';
import type { ResponsesToolCollector } from './tools';

/** Where input items that are not messages leave what they declare. */
export interface InputSinks {
  toolNames: ToolNameMap;
  /** `additional_tools` items declare tools. */
  tools: ResponsesToolCollector;
  notes: DecodeNotes;
}

export interface DecodedInput {
  /** System and developer messages, in order. */
  system: TextPart[];
  /** `prior` followed by the new input. */
  messages: Message[];
}

/**
 * Responses `input` (a string or a list of items) → IR messages, appended to
 * the history of `previous_response_id` when there is one. A well-formed item
 * of a type with no upstream meaning (computer calls, hosted tool results …)
 * is left out with a note rather than refused: newer clients send kinds this
 * gateway does not know yet.
 */
export function decodeResponsesInput(value: unknown, prior: readonly Message[], sinks: InputSinks): DecodedInput {
  const { toolNames } = sinks;
  const system: TextPart[] = [];
  const conversation = new ConversationBuilder(prior);
  if (typeof value === 'string') {
    conversation.append('user', [{ type: 'text', text: value }]);
    return { system, messages: conversation.messages };
  }
  // Signatures of calls, announced by a reasoning item just before the call (call-signature.ts).
  const callSignatures = new Map<string, string>();
  requireArray(value, 'input').forEach((raw, i) => {
    const param = at('input', i);
    const item = requireObject(raw, param);
    // Messages may omit `type` (the SDK's EasyInputMessage).
    const type = isAbsent(item.type) && !isAbsent(item.role) ? 'message' : requireString(item.type, at(param, 'type'));
    switch (type) {
      case 'message': {
        const role = requireString(item.role, at(param, 'role'));
        // The IR has one system prompt: Codex's developer messages (its instructions) join it wherever they appear.
        if (role === 'system' || role === 'developer') system.push(...systemContent(item.content, at(param, 'content')));
        else if (role === 'user') conversation.append('user', messageContent(item.content, at(param, 'content')));
        else if (role === 'assistant') conversation.append('assistant', messageContent(item.content, at(param, 'content')));
        else {
          throw invalidRequest(
            `Invalid value for '${at(param, 'role')}': expected 'user', 'assistant', 'system' or 'developer', got '${role}'.`,
            at(param, 'role'),
          );
        }
        return;
      }
      case 'function_call': {
        const callId = requireNonEmptyString(item.call_id, at(param, 'call_id'));
        const name = requireNonEmptyString(item.name, at(param, 'name'));
        const namespace = optionalString(item.namespace, at(param, 'namespace'));
        const part: Part = {
          type: 'tool_call',
          id: callId,
          name: namespace ? toolNames.flatten(namespace, name) : name,
          args: parseToolArguments(item.arguments, at(param, 'arguments')),
        };
        const signature = callSignatures.get(callId);
        if (signature !== undefined) part.signature = signature;
        conversation.append('assistant', [part]);
        return;
      }
      case 'custom_tool_call': {
        const callId = requireNonEmptyString(item.call_id, at(param, 'call_id'));
        const name = requireNonEmptyString(item.name, at(param, 'name'));
        const namespace = optionalString(item.namespace, at(param, 'namespace'));
        const input = requireString(item.input, at(param, 'input'));
        const part: Part = { type: 'tool_call', id: callId, name: toolNames.declare(namespace, name, 'custom'), args: { [CUSTOM_TOOL_INPUT]: input } };
        const signature = callSignatures.get(callId);
        if (signature !== undefined) part.signature = signature;
        conversation.append('assistant', [part]);
        return;
      }
      case 'additional_tools':
        sinks.tools.addList(item.tools, at(param, 'tools'));
        return;
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const idParam = at(param, 'call_id');
        const callId = requireNonEmptyString(item.call_id, idParam);
        const name = conversation.callName(callId);
        if (name === undefined) {
          throw invalidRequest(`No tool call found for function call output with call_id '${callId}'.`, idParam);
        }
        const output = at(param, 'output');
        const content = typeof item.output === 'string' ? [{ type: 'text' as const, text: item.output }] : messageContent(item.output, output);
        conversation.append('user', [{ type: 'tool_result', callId, name, content }]);
        return;
      }
      case 'reasoning': {
        const encrypted = optionalString(item.encrypted_content, at(param, 'encrypted_content'));
        const callSignature = encrypted === undefined ? undefined : decodeCallSignature(encrypted);
        if (callSignature) {
          callSignatures.set(callSignature.callId, callSignature.signature);
          return;
        }
        const text = reasoningText(item, param);
        if (!text && encrypted === undefined) return;
        conversation.append('assistant', [{ type: 'thinking', text, ...(encrypted === undefined ? {} : { signature: encrypted }) }]);
        return;
      }
      case 'item_reference':
        return unsupported(at(param, 'type'), 'item_reference (send the items themselves, or previous_response_id)');
      default:
        sinks.notes.add(`ignored ${param} (type '${type}'): no upstream counterpart`);
    }
  });
  return { system, messages: conversation.messages };
}

/** The summary the client saw, else the raw reasoning text some clients keep. */
function reasoningText(item: JsonObject, param: string): string {
  const summary = (optionalArray(item.summary, at(param, 'summary')) ?? []).map((raw, j) =>
    requireString(requireObject(raw, at(at(param, 'summary'), j)).text, at(at(at(param, 'summary'), j), 'text')),
  );
  if (summary.length > 0) return summary.join('\n\n');
  return (optionalArray(item.content, at(param, 'content')) ?? [])
    .map((raw, j) => requireString(requireObject(raw, at(at(param, 'content'), j)).text, at(at(at(param, 'content'), j), 'text')))
    .join('');
}

function systemContent(content: unknown, param: string): TextPart[] {
  return messageContent(content, param).map((part, i) => {
    if (part.type !== 'text') throw invalidRequest(`Invalid '${at(param, i)}': system and developer messages hold text only.`, at(param, i));
    return part;
  });
}

/** Message, and function_call_output, content: a string or input_text / output_text / input_image / input_file parts. */
function messageContent(content: unknown, param: string): Array<TextPart | MediaPart> {
  return contentParts(content, param, (type, part, partParam): TextPart | MediaPart => {
    switch (type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: requireString(part.text, at(partParam, 'text')) };
      case 'refusal':
        return { type: 'text', text: requireString(part.refusal, at(partParam, 'refusal')) };
      case 'input_image': {
        if (!isAbsent(part.file_id)) unsupported(at(partParam, 'file_id'), 'Referencing uploaded files by file_id');
        const urlParam = at(partParam, 'image_url');
        return mediaPartFromUrl(requireNonEmptyString(part.image_url, urlParam), urlParam, 'image');
      }
      case 'input_file':
        return inlineFilePart(part, partParam);
      default:
        throw invalidRequest(
          `Invalid value for '${at(partParam, 'type')}': expected 'input_text', 'output_text', 'input_image' or 'input_file', got '${type}'.`,
          at(partParam, 'type'),
        );
    }
  });
}
