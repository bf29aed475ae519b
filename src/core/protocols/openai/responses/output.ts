import type { GatewayError } from '../../../errors';
import type { ChatRequest, FinishReason, MediaPart, TextPart, ThinkingPart, ToolCallPart, Usage } from '../../../ir';
import { openAIErrorObject } from '../shared/errors';
import { nowSeconds, openAIId } from '../shared/ids';
import { markdownImage } from '../shared/media';
import { toolArgumentsJson } from '../shared/tools';
import { responsesUsage, type ResponsesUsage } from '../shared/usage';
import { encodeCallSignature } from './call-signature';
import type { ResponsesRequestState } from './state';
import { CUSTOM_TOOL_INPUT } from './tool-names';
import type { ResponsesStore } from './store';

/** One Responses stream event, without its sequence_number (the stream encoder numbers them). */
export interface ResponsesEvent {
  type: string;
  [field: string]: unknown;
}

interface OutputItem {
  id: string;
  type: string;
  [field: string]: unknown;
}
type AnswerPart = TextPart | ThinkingPart | ToolCallPart | MediaPart;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  model: string;
  output: OutputItem[];
  usage: ResponsesUsage | null;
  [echoed: string]: unknown;
}

interface ReasoningRun {
  text: string;
  /** The client-visible item, opened at the first visible summary text. */
  item?: { id: string; index: number };
}

/**
 * Builds one Responses answer from IR events: the output items (reasoning,
 * message, function_call) with the events that announce them, in the order
 * OpenAI streams them, and the final Response object. The stream encoder
 * forwards the events; the non-stream encoder replays a finished answer
 * through the same builder and keeps only the Response, so both agree.
 *
 * On completion the whole conversation is stored for `previous_response_id`
 * unless the client said `store: false`.
 */
export class ResponsesOutputBuilder {
  readonly id = openAIId('resp_');
  private readonly createdAt = nowSeconds();
  private readonly output: OutputItem[] = [];
  /** The answer as IR parts, for the store. */
  private readonly parts: AnswerPart[] = [];
  private reasoning?: ReasoningRun;
  private message?: { id: string; index: number; text: string };

  constructor(
    private readonly request: ChatRequest,
    private readonly state: ResponsesRequestState,
    private readonly options: { exposeReasoning: boolean; store: ResponsesStore },
    private readonly emit: (event: ResponsesEvent) => void,
  ) {}

  start(): void {
    const response = this.snapshot('in_progress');
    this.emit({ type: 'response.created', response });
    this.emit({ type: 'response.in_progress', response });
  }

  thinking(text: string): void {
    if (!text) return;
    this.closeMessage();
    const run = (this.reasoning ??= { text: '' });
    run.text += text;
    if (!this.showsSummaries) return;
    if (!run.item) {
      run.item = this.addItem({ id: openAIId('rs_'), type: 'reasoning', summary: [] });
      this.emit({ type: 'response.reasoning_summary_part.added', ...this.at(run.item), summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    this.emit({ type: 'response.reasoning_summary_text.delta', ...this.at(run.item), summary_index: 0, delta: text });
  }

  /** Ends the current thinking run; a signature without a run makes a run of its own. */
  endThinking(signature?: string): void {
    if (signature !== undefined) this.reasoning ??= { text: '' };
    this.closeReasoning(signature);
  }

  text(text: string): void {
    if (!text) return;
    this.showText(text);
    const last = this.parts.at(-1);
    if (last?.type === 'text') last.text += text;
    else this.parts.push({ type: 'text', text });
  }

  /** Shown as Markdown (shared/media.ts); stored as the image itself, which the upstream can take back. */
  media(mimeType: string, data: string): void {
    this.showText(markdownImage(mimeType, data));
    this.parts.push({ type: 'media', mimeType, source: { kind: 'base64', data } });
  }

  toolCall(call: ToolCallPart): void {
    this.closeOpenItems();
    this.parts.push(call);
    if (call.signature && this.state.includeEncryptedReasoning) {
      const item = { id: openAIId('rs_'), type: 'reasoning', summary: [], encrypted_content: encodeCallSignature(call.id, call.signature) };
      this.doneItem(this.addItem(item).index, item);
    }
    const { name, namespace, kind } = this.state.toolNames.toClient(call.name);
    if (kind === 'custom') return this.customToolCall(call, name, namespace);
    const args = toolArgumentsJson(call.args);
    const item: OutputItem = { id: openAIId('fc_'), type: 'function_call', status: 'in_progress', call_id: call.id, name, arguments: '' };
    if (namespace) item.namespace = namespace;
    const { index } = this.addItem(item);
    const at = { item_id: item.id, output_index: index };
    this.emit({ type: 'response.function_call_arguments.delta', ...at, delta: args });
    this.emit({ type: 'response.function_call_arguments.done', ...at, name, arguments: args });
    this.doneItem(index, { ...item, status: 'completed', arguments: args });
  }

  /** A call of a custom (freeform) tool: its one string argument is the raw input (tool-names.ts). */
  private customToolCall(call: ToolCallPart, name: string, namespace: string | undefined): void {
    const raw = call.args[CUSTOM_TOOL_INPUT];
    const input = typeof raw === 'string' ? raw : raw === undefined ? '' : JSON.stringify(raw);
    const item: OutputItem = { id: openAIId('ctc_'), type: 'custom_tool_call', status: 'in_progress', call_id: call.id, name, input: '' };
    if (namespace) item.namespace = namespace;
    const { index } = this.addItem(item);
    const at = { item_id: item.id, output_index: index };
    this.emit({ type: 'response.custom_tool_call_input.delta', ...at, delta: input });
    this.emit({ type: 'response.custom_tool_call_input.done', ...at, input });
    this.doneItem(index, { ...item, status: 'completed', input });
  }

  /** Closes every item and completes the response (`incomplete` when the answer was cut short). */
  finish(reason: FinishReason, usage: Usage): ResponseObject {
    this.closeOpenItems();
    const incomplete = reason === 'length' ? 'max_output_tokens' : reason === 'content_filter' ? 'content_filter' : undefined;
    const response = this.snapshot(incomplete ? 'incomplete' : 'completed');
    response.usage = responsesUsage(usage);
    if (incomplete) response.incomplete_details = { reason: incomplete };
    this.emit({ type: incomplete ? 'response.incomplete' : 'response.completed', response });
    if (this.state.store) {
      this.options.store.save(this.id, [...this.request.messages, { role: 'assistant', parts: this.parts }]);
    }
    return response;
  }

  /** A failure mid-answer: `response.failed`, which Codex reports (and retries on rate limits). */
  fail(err: GatewayError): void {
    const { code, type, message } = openAIErrorObject(err);
    const response = this.snapshot('failed');
    response.error = { code: code ?? type, message };
    this.emit({ type: 'response.failed', response });
  }

  /** Thought text reaches the client as a reasoning summary when it asked for one (`reasoning.summary`) and the gateway allows it. */
  private get showsSummaries(): boolean {
    return this.options.exposeReasoning && this.state.echo.reasoning.summary !== null;
  }

  private closeOpenItems(): void {
    this.closeReasoning();
    this.closeMessage();
  }

  private closeReasoning(signature?: string): void {
    const run = this.reasoning;
    if (!run) return;
    this.reasoning = undefined;
    const part: ThinkingPart = { type: 'thinking', text: run.text };
    if (signature !== undefined) part.signature = signature;
    this.parts.push(part);

    const visibleSignature = signature !== undefined && this.state.includeEncryptedReasoning;
    if (!run.item && !visibleSignature) return;
    const item: OutputItem = { id: run.item?.id ?? openAIId('rs_'), type: 'reasoning', summary: [] };
    const placed = run.item ?? this.addItem({ ...item });
    if (run.item) {
      const summary = { type: 'summary_text', text: run.text };
      this.emit({ type: 'response.reasoning_summary_text.done', ...this.at(placed), summary_index: 0, text: run.text });
      this.emit({ type: 'response.reasoning_summary_part.done', ...this.at(placed), summary_index: 0, part: summary });
      item.summary = [summary];
    }
    if (visibleSignature) item.encrypted_content = signature;
    this.doneItem(placed.index, item);
  }

  private showText(text: string): void {
    this.closeReasoning();
    if (!this.message) {
      const item = this.addItem({ id: openAIId('msg_'), type: 'message', status: 'in_progress', role: 'assistant', content: [] });
      this.message = { ...item, text: '' };
      this.emit({ type: 'response.content_part.added', ...this.at(item), content_index: 0, part: outputText('') });
    }
    this.message.text += text;
    this.emit({ type: 'response.output_text.delta', ...this.at(this.message), content_index: 0, delta: text, logprobs: [] });
  }

  private closeMessage(): void {
    const message = this.message;
    if (!message) return;
    this.message = undefined;
    const at = { ...this.at(message), content_index: 0 };
    this.emit({ type: 'response.output_text.done', ...at, text: message.text, logprobs: [] });
    this.emit({ type: 'response.content_part.done', ...at, part: outputText(message.text) });
    this.doneItem(message.index, { id: message.id, type: 'message', status: 'completed', role: 'assistant', content: [outputText(message.text)] });
  }

  private addItem(item: OutputItem): { id: string; index: number } {
    const index = this.output.push(item) - 1;
    this.emit({ type: 'response.output_item.added', output_index: index, item });
    return { id: item.id, index };
  }

  private doneItem(index: number, item: OutputItem): void {
    this.output[index] = item;
    this.emit({ type: 'response.output_item.done', output_index: index, item });
  }

  private at(item: { id: string; index: number }) {
    return { item_id: item.id, output_index: item.index };
  }

  private snapshot(status: ResponseStatus): ResponseObject {
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      error: null,
      incomplete_details: null,
      model: this.request.model,
      output: [...this.output],
      usage: null,
      ...this.state.echo,
    };
  }
}

const outputText = (text: string) => ({ type: 'output_text', text, annotations: [] });
