/**
 * The scripted model: turns a validated request and its directives into the
 * parts of an answer, already cut into the frames a stream delivers.
 */
import type { Directive } from './directives';
import { jsonModeAnswer } from './json-answer';
import { invalidArgument } from './google-errors';
import type { SimModel } from './models';
import type { ThoughtSigner } from './signatures';
import { OUTPUT_IMAGE_TOKENS, tokensForChars } from './tokens';
import { CALL_SUBJECT, RESPONSE_SUBJECT } from './validate-contents';
import { declaredFunctionNames, hasGoogleSearch, lastUserContent, visibleText, type GenerateRequest, type WirePart } from './wire';

/** A 1×1 PNG: image models answer with it. */
const SIM_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const THOUGHT_FRAMES = 2;

export interface AnswerInput {
  model: SimModel;
  request: GenerateRequest;
  directives: readonly Directive[];
  signer: ThoughtSigner;
  responseId: string;
  nextCallId: () => string;
  framesPerAnswer: number;
}

export interface Answer {
  /** Parts per frame, in delivery order. */
  frames: WirePart[][];
  finishReason: 'STOP' | 'MAX_TOKENS';
  candidatesTokenCount: number;
  thoughtsTokenCount: number;
  groundingMetadata?: Record<string, unknown>;
}

export function composeAnswer(input: AnswerInput): Answer {
  const { model, request, directives, signer } = input;
  const lastUser = lastUserContent(request);
  const userText = visibleText(lastUser);
  const json = jsonModeAnswer(request.generationConfig, userText);
  // A JSON-mode request without tools (a client's classifier reading the same prompt) answers JSON, whatever the prompt scripts.
  const calls = json !== undefined && declaredFunctionNames(request).size === 0 ? [] : callParts(input);
  const thinking = model.thinking && request.generationConfig?.thinkingConfig?.thinkingBudget !== 0;
  const thoughtText = thinking ? `Working out an answer to: "${snippet(userText || 'the tool results', 60)}".` : '';

  let text = calls.length > 0 ? '' : (json ?? scriptedText(input, userText));
  let finishReason: Answer['finishReason'] = 'STOP';
  const maxOutputTokens = request.generationConfig?.maxOutputTokens;
  if (maxOutputTokens !== undefined && tokensForChars(text.length) > maxOutputTokens) {
    text = text.slice(0, maxOutputTokens * 4);
    finishReason = 'MAX_TOKENS';
  }

  const frames: WirePart[][] = [];
  if (thinking && request.generationConfig?.thinkingConfig?.includeThoughts === true) {
    const thoughts = splitText(thoughtText, THOUGHT_FRAMES).map((chunk): WirePart => ({ text: chunk, thought: true }));
    thoughts[thoughts.length - 1].thoughtSignature = signer.sign(model.family, RESPONSE_SUBJECT + input.responseId);
    for (const thought of thoughts) frames.push([thought]);
  }
  for (const chunk of splitText(text, input.framesPerAnswer)) frames.push([{ text: chunk }]);
  const image = model.image && calls.length === 0 && !directives.some((d) => d.kind === 'words');
  if (image) frames.push([{ inlineData: { mimeType: 'image/png', data: SIM_PNG_BASE64 } }]);
  if (calls.length > 0) frames.push(calls);

  const callChars = calls.reduce((sum, part) => sum + part.functionCall!.name.length + JSON.stringify(part.functionCall!.args).length, 0);
  return {
    frames,
    finishReason,
    candidatesTokenCount: tokensForChars(text.length + callChars) + (image ? OUTPUT_IMAGE_TOKENS : 0),
    thoughtsTokenCount: tokensForChars(thoughtText.length),
    groundingMetadata: hasGoogleSearch(request) ? grounding(userText, text) : undefined,
  };
}

/** `[[sim:call]]` directives as functionCall parts; a model can only call what the request declares. */
function callParts(input: AnswerInput): WirePart[] {
  const declared = declaredFunctionNames(input.request);
  const parts: WirePart[] = [];
  for (const directive of input.directives) {
    if (directive.kind !== 'call') continue;
    if (!declared.has(directive.name)) {
      throw invalidArgument(`[[sim:call ${directive.name}]] names a function that request.tools does not declare; a model can only call declared functions.`);
    }
    const id = input.nextCallId();
    const part: WirePart = { functionCall: { name: directive.name, args: directive.args, id } };
    if (input.model.thinking) part.thoughtSignature = input.signer.sign(input.model.family, CALL_SUBJECT + id);
    parts.push(part);
  }
  return parts;
}

function scriptedText(input: AnswerInput, userText: string): string {
  const words = input.directives.find((d) => d.kind === 'words');
  if (words?.kind === 'words') return Array.from({ length: words.count }, (_, i) => `word${i + 1}`).join(' ');
  const results = (lastUserContent(input.request)?.parts ?? []).filter((part) => part.functionResponse);
  if (results.length > 0) {
    return results.map((part) => `Tool ${part.functionResponse!.name} returned: ${JSON.stringify(part.functionResponse!.response).slice(0, 200)}`).join('\n');
  }
  if (input.model.image) return 'Here is the image you asked for.';
  return `Hello from ${input.model.id}. You said: ${userText.slice(0, 60)}`;
}

function snippet(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Splits at word boundaries into at most `count` chunks whose concatenation is the text. */
export function splitText(text: string, count: number): string[] {
  if (text === '') return [];
  const chunks: string[] = [];
  let start = 0;
  for (let i = 1; i < count; i += 1) {
    let cut = Math.max(start + 1, Math.round((text.length * i) / count));
    while (cut < text.length && !/\s/.test(text[cut])) cut += 1;
    if (cut >= text.length) break;
    chunks.push(text.slice(start, cut));
    start = cut;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** A googleSearch tool grounds the answer on one deterministic source. */
function grounding(query: string, answer: string): Record<string, unknown> {
  const q = query.slice(0, 60) || 'search';
  const uri = `https://example.com/search?q=${encodeURIComponent(q)}`;
  return {
    webSearchQueries: [q],
    searchEntryPoint: { renderedContent: `<div class="agate-sim-search">${q.replace(/[<>&"]/g, '')}</div>` },
    groundingChunks: [{ web: { uri, title: 'example.com' } }],
    groundingSupports:
      answer === ''
        ? []
        : [{ segment: { startIndex: 0, endIndex: Buffer.byteLength(answer), text: answer }, groundingChunkIndices: [0], confidenceScores: [0.9] }],
  };
}
