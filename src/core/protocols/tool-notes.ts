/**
 * What every inbound codec does with tools the upstream cannot take, so no
 * declared tool vanishes silently: each one left out becomes a note on the
 * request (`ChatRequest.notes`), which the gateway logs and the monitor shows.
 */

/** Collects the notes of one decode. */
export class DecodeNotes {
  readonly list: string[] = [];

  add(note: string): void {
    this.list.push(note);
  }

  /** A tool the client declared that no upstream can be given, with the reason. */
  droppedTool(what: string, why: string): void {
    this.add(`dropped ${what}: ${why}`);
  }
}

/**
 * Built-in web search (Gemini `googleSearch`) and function declarations never
 * travel together: the upstream refuses the mix (upstream-protocol §9). Functions
 * win, because a client that declares them (Codex, Cline, Claude Code) cannot
 * work without them; search is used only when no function is declared.
 * `searchTools` names what the client declared for search (`tools[3] (web_search_20250305)`).
 */
export function webSearchBeside(searchTools: readonly string[], functionCount: number, notes: DecodeNotes): boolean {
  if (searchTools.length === 0) return false;
  if (functionCount === 0) return true;
  for (const tool of searchTools) {
    notes.droppedTool(
      tool,
      `the upstream's web search cannot be combined with function tools, and ${functionCount} function tool${functionCount === 1 ? ' is' : 's are'} declared`,
    );
  }
  return false;
}
