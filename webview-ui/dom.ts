type Child = Node | string | null | undefined | false;

export interface Props {
  /** Attributes, set with setAttribute (so `aria-*`, `role`, `for` work as written); `false`/`undefined` leave one out. */
  attrs?: Record<string, string | number | boolean | undefined>;
  className?: string;
  text?: string;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** A small element builder; text goes in as text nodes, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.text !== undefined) element.textContent = props.text;
  for (const [type, listener] of Object.entries(props.on ?? {})) element.addEventListener(type, listener as EventListener);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/** A polite live region: screen readers announce action results without moving focus. */
export function announcer(): { element: HTMLElement; say(message: string): void } {
  const element = h('div', { className: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  return {
    element,
    say(message) {
      element.textContent = '';
      // A fresh text node after a tick is announced even when the message repeats.
      setTimeout(() => (element.textContent = message), 50);
    },
  };
}

/** Runs a view's action with `error` cleared first and showing the failure's message after, so no action fails silently. */
export async function attemptShowingError(error: HTMLElement, work: () => Promise<void>): Promise<void> {
  error.textContent = '';
  try {
    await work();
  } catch (err) {
    error.textContent = err instanceof Error ? err.message : String(err);
  }
}
