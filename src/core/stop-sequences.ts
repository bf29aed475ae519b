import { emptyUsage, type ChatEvent, type Usage } from './ir';

/**
 * Stop sequences, applied by the gateway. Gemini honours them but ends with a
 * plain STOP that never says whether (or which) one matched, while Anthropic
 * reports `stop_reason: "stop_sequence"` and the sequence. So the gateway keeps
 * them from the upstream, watches the answer text, and ends the answer at the
 * first match — returning early, which cancels the upstream call.
 *
 * Text that could be the start of a sequence is held back until the next
 * delta decides it; thoughts and tool calls are never matched against.
 */
export async function* cutAtStopSequences(events: AsyncIterable<ChatEvent>, sequences: readonly string[]): AsyncGenerator<ChatEvent, void, undefined> {
  const stops = sequences.filter((sequence) => sequence.length > 0);
  let held = '';
  let usage: Usage = emptyUsage();
  for await (const event of events) {
    if (event.type === 'usage') usage = event.usage;
    if (event.type !== 'text') {
      if (held) yield { type: 'text', text: held };
      held = '';
      yield event;
      continue;
    }
    const text = held + event.text;
    const match = firstMatch(text, stops);
    if (match) {
      if (match.at > 0) yield { type: 'text', text: text.slice(0, match.at) };
      yield { type: 'finish', reason: 'stop_sequence', stopSequence: match.sequence, usage };
      return;
    }
    const keep = heldBackLength(text, stops);
    if (keep < text.length) yield { type: 'text', text: text.slice(0, text.length - keep) };
    held = text.slice(text.length - keep);
  }
  if (held) yield { type: 'text', text: held };
}

/** The earliest occurrence of any sequence; at the same position, the one listed first. */
function firstMatch(text: string, stops: readonly string[]): { at: number; sequence: string } | undefined {
  let best: { at: number; sequence: string } | undefined;
  for (const sequence of stops) {
    const at = text.indexOf(sequence);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, sequence };
  }
  return best;
}

/** Length of the longest end of `text` that begins some sequence (and so may complete with the next delta). */
function heldBackLength(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const sequence of stops) {
    for (let length = Math.min(sequence.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(sequence.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}
