import type { ChatRequest, Message, Part } from '../../ir';

/**
 * Side requests Claude Code makes besides the conversation itself (fact
 * sheet §9), recognised by the fixed prompt each one sends. `system` phrases
 * start one of the system text blocks (Claude Code puts its billing and
 * identity blocks first); `user` phrases start the last text of the last user
 * message, which is where Claude Code appends the prompt of a request that
 * forks the conversation (prompt suggestion, recap, session name).
 * Texts from Claude Code 2.1.197, plus the ones older 1.x/2.0 releases sent.
 *
 * Compaction ("create a detailed summary of the conversation so far") is
 * deliberately absent: its summary becomes the agent's whole memory, so it
 * deserves the user's own model.
 */
export const CLAUDE_CODE_BACKGROUND_PROMPTS: ReadonlyArray<{ task: string; where: 'system' | 'user'; startsWith: string }> = [
  { task: 'session title', where: 'system', startsWith: 'Generate a concise, sentence-case title' },
  { task: 'tool-use summary label', where: 'system', startsWith: 'Write a short summary label describing what these tool calls accomplished' },
  { task: 'topic detection (1.x/2.0)', where: 'system', startsWith: 'Analyze if this message indicates a new conversation topic' },
  { task: 'conversation summary (1.x)', where: 'system', startsWith: 'Summarize this coding conversation in under 50 characters' },
  { task: 'conversation title (1.x)', where: 'user', startsWith: 'Please write a 5-10 word title for the following conversation' },
  { task: 'prompt suggestion', where: 'user', startsWith: '[SUGGESTION MODE: Suggest what the user might naturally type next' },
  { task: 'away recap', where: 'user', startsWith: 'The user stepped away and is coming back. Recap' },
  { task: 'session name', where: 'user', startsWith: 'Generate a short kebab-case name (2-4 words)' },
  { task: 'agent label', where: 'user', startsWith: '2-4 word lowercase label for this job.' },
  { task: 'warmup (2.0)', where: 'user', startsWith: 'Warmup' },
];

/**
 * Background prompts are short; a user message that merely begins with one
 * of the phrases but goes on for pages is a real question. (The longest,
 * the prompt suggestion, is under 2,000 characters.)
 */
const MAX_BACKGROUND_USER_TEXT = 4000;

export function isClaudeCodeBackgroundRequest(req: ChatRequest): boolean {
  const systemTexts = req.system.map((part) => part.text.trimStart());
  const userText = lastUserText(req.messages)?.trim();
  return CLAUDE_CODE_BACKGROUND_PROMPTS.some(({ where, startsWith }) => {
    if (where === 'system') return systemTexts.some((text) => text.startsWith(startsWith));
    if (userText === undefined || userText.length > MAX_BACKGROUND_USER_TEXT) return false;
    // "Warmup" was the whole message; every other phrase opens a longer prompt.
    return startsWith === 'Warmup' ? userText === startsWith : userText.startsWith(startsWith);
  });
}

function lastUserText(messages: Message[]): string | undefined {
  const last = messages[messages.length - 1];
  if (last?.role !== 'user') return undefined;
  for (let i = last.parts.length - 1; i >= 0; i--) {
    const part = last.parts[i];
    if (part.type === 'text') return part.text;
  }
  return undefined;
}

/**
 * The request as a cheap background call on `model`: no tools, no search, no
 * thinking. Thinking parts and tool-call signatures are removed too, because
 * signatures are bound to the model family that produced them (upstream-protocol §7)
 * and the background model is usually of another family.
 */
export function stripForBackground(req: ChatRequest, model: string): ChatRequest {
  const { toolChoice: _toolChoice, parallelToolCalls: _parallel, webSearch: _webSearch, ...rest } = req;
  return {
    ...rest,
    model,
    tools: [],
    thinking: { type: 'disabled' },
    includeThoughts: false,
    messages: withoutReasoning(req.messages),
  };
}

/** Drops thinking parts and call signatures; a turn left empty disappears and its neighbours merge. */
function withoutReasoning(messages: Message[]): Message[] {
  const kept: Message[] = [];
  for (const message of messages) {
    const parts = message.parts.flatMap(stripPart);
    if (parts.length === 0) continue;
    const previous = kept[kept.length - 1];
    if (previous?.role === message.role) previous.parts.push(...parts);
    else kept.push({ role: message.role, parts });
  }
  return kept;
}

function stripPart(part: Part): Part[] {
  if (part.type === 'thinking') return [];
  if (part.type === 'tool_call' && part.signature !== undefined) {
    const { signature: _signature, ...call } = part;
    return [call];
  }
  return [part];
}
