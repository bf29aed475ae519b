/**
 * The fields of a native Gemini request that the IR does not model, collected
 * as a fragment of a `GenerateContentRequest` (`ChatRequest.geminiExtras`).
 *
 * Shape, for the upstream encoder that merges it back into what it builds:
 * top-level request keys (`safetySettings`, `cachedContent`, `labels`, keys we
 * do not know yet …), `generationConfig` / `toolConfig` holding only their
 * unmodelled keys (possibly nested: `generationConfig.imageConfig.personGeneration`,
 * `toolConfig.functionCallingConfig.allowedFunctionNames`), and `tools` holding
 * only the tool entries the IR has no place for (`urlContext`, `googleMaps` …).
 * Merge rule: plain objects merge recursively, arrays are appended, any other
 * value is set as is. Keys are camelCase whatever case the client used.
 */
import { isPlainObject, type Fields } from './fields';

export class GeminiExtras {
  private readonly root: Fields = {};

  /** Records `value` at `path` (e.g. `['generationConfig', 'speechConfig']`). */
  set(path: readonly string[], value: unknown): void {
    let node = this.root;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      node = isPlainObject(child) ? child : (node[key] = {});
    }
    node[path[path.length - 1]] = value;
  }

  /** Records every key of `fields` not in `modelled`, under `path` (JSON null is absent, as in proto3 JSON). */
  setUnmodelled(path: readonly string[], fields: Fields, modelled: ReadonlySet<string>): void {
    for (const [key, value] of Object.entries(fields)) {
      if (!modelled.has(key) && value !== undefined && value !== null) this.set([...path, key], value);
    }
  }

  appendTool(tool: Fields): void {
    const tools = this.root.tools;
    if (Array.isArray(tools)) tools.push(tool);
    else this.root.tools = [tool];
  }

  /** The fragment, or undefined when the request had nothing the IR could not hold. */
  build(): Record<string, unknown> | undefined {
    return Object.keys(this.root).length === 0 ? undefined : this.root;
  }
}
