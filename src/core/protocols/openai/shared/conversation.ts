import type { Message, Part, Role } from '../../../ir';

/**
 * Builds IR messages from OpenAI's flat message/item lists: consecutive parts
 * of one role share a message (an assistant message and the function calls
 * after it are one turn; tool results and the next user text are one turn),
 * and every call id is remembered so that a tool result can name its function.
 */
export class ConversationBuilder {
  readonly messages: Message[] = [];
  private readonly callNames = new Map<string, string>();

  /** `prior`: history from an earlier response (Responses `previous_response_id`); never mutated. */
  constructor(prior: readonly Message[] = []) {
    for (const message of prior) this.append(message.role, message.parts);
  }

  append(role: Role, parts: readonly Part[]): void {
    const kept = parts.filter((part) => part.type !== 'text' || part.text.length > 0);
    if (kept.length === 0) return;
    for (const part of kept) if (part.type === 'tool_call') this.callNames.set(part.id, part.name);
    const last = this.messages.at(-1);
    if (last?.role === role) last.parts.push(...kept);
    else this.messages.push({ role, parts: [...kept] });
  }

  /** The function a call id belongs to, if that call appears earlier in the conversation. */
  callName(callId: string): string | undefined {
    return this.callNames.get(callId);
  }
}
