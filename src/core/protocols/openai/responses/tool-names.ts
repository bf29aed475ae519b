/**
 * Codex groups MCP and app tools in `type: "namespace"` tools, and the
 * upstream knows only flat function declarations. A namespaced function
 * `fn` of namespace `ns` is declared upstream as `ns__fn`; the model's calls
 * to it go back to the client as `function_call {namespace: "ns", name: "fn"}`,
 * the shape OpenAI itself uses. The reverse mapping is kept per request rather
 * than parsed out of the name, because plain tool names may contain `__` too
 * (`mcp__github__search`); decoding refuses a flat name that both a plain tool
 * and a namespaced one would produce.
 */
const NAMESPACE_SEPARATOR = '__';

export interface ClientToolName {
  name: string;
  namespace?: string;
}

export class ToolNameMap {
  private readonly namespaced = new Map<string, { namespace: string; name: string }>();

  /** The upstream name of `namespace`'s function `name`; remembers how to map it back. */
  flatten(namespace: string, name: string): string {
    const flat = `${namespace}${NAMESPACE_SEPARATOR}${name}`;
    this.namespaced.set(flat, { namespace, name });
    return flat;
  }

  /** How the client knows the function the upstream called `upstreamName`. */
  toClient(upstreamName: string): ClientToolName {
    return this.namespaced.get(upstreamName) ?? { name: upstreamName };
  }
}
