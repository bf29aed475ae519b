/**
 * Codex groups MCP and app tools in `type: "namespace"` tools, and the
 * upstream knows only flat function declarations. A namespaced function
 * `fn` of namespace `ns` is declared upstream as `ns__fn`; the model's calls
 * to it go back to the client as `function_call {namespace: "ns", name: "fn"}`,
 * the shape OpenAI itself uses. The reverse mapping is kept per request rather
 * than parsed out of the name, because plain tool names may contain `__` too
 * (`mcp__github__search`); decoding refuses a flat name that both a plain tool
 * and a namespaced one would produce.
 *
 * Custom (freeform) tools take raw text instead of JSON arguments; upstream
 * they are functions with one string parameter (`CUSTOM_TOOL_INPUT`), and
 * their calls go back as `custom_tool_call {input}`. The map remembers which
 * declared names are custom.
 */
const NAMESPACE_SEPARATOR = '__';

/** The one parameter of a custom tool's upstream declaration: the raw text input. */
export const CUSTOM_TOOL_INPUT = 'input';

export type ClientToolKind = 'function' | 'custom';

export interface ClientToolName {
  name: string;
  namespace?: string;
  kind: ClientToolKind;
}

export class ToolNameMap {
  private readonly byUpstream = new Map<string, ClientToolName>();

  /** The upstream name of `namespace`'s tool `name` (plain `name` without a namespace). */
  upstreamName(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
  }

  /** The upstream name of `namespace`'s function `name`; remembers how to map it back. */
  flatten(namespace: string, name: string): string {
    return this.declare(namespace, name, 'function');
  }

  /** Remembers a declared tool; returns its upstream name. */
  declare(namespace: string | undefined, name: string, kind: ClientToolKind): string {
    const flat = this.upstreamName(namespace, name);
    this.byUpstream.set(flat, namespace ? { name, namespace, kind } : { name, kind });
    return flat;
  }

  /** How the client knows the tool the upstream called `upstreamName`. */
  toClient(upstreamName: string): ClientToolName {
    return this.byUpstream.get(upstreamName) ?? { name: upstreamName, kind: 'function' };
  }
}
