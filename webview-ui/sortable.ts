import { h } from './dom';
import { button } from './controls';
import { moveItem } from './view-model';
import { t } from './l10n';

export interface SortableOptions<T> {
  /** Names the list and its move buttons for screen readers. */
  label: string;
  items: T[];
  /** The row's own content (fields, a remove button). */
  render(item: T, index: number): Array<Node | string>;
  /** A short name of one item for the move buttons' labels. */
  nameOf(item: T, index: number): string;
  /** The reordered items; the owner re-renders. */
  moved(items: T[], to: number): void;
  /** Prefix of data-focus-key, unique on the page, so focus survives the re-render. */
  focusKey: string;
}

/**
 * An ordered list that reorders by drag and drop, by its ↑/↓ buttons, or by
 * Alt+↑/↓ anywhere in a row — the keyboard way to do what a drag does.
 */
export function sortableList<T>(options: SortableOptions<T>): HTMLOListElement {
  let dragged: number | undefined;
  const move = (from: number, to: number) => {
    if (to < 0 || to >= options.items.length || from === to) return;
    options.moved(moveItem(options.items, from, to), to);
    // The owner re-rendered the list: the keyboard user stays on the moved item (on its other button at an end).
    const find = (which: string) =>
      document.querySelector<HTMLElement & { disabled: boolean }>(`[data-focus-key="${CSS.escape(`${options.focusKey}:${to}:${which}`)}"]`);
    const preferred = find(to < from ? 'up' : 'down');
    const target = preferred && !preferred.disabled ? preferred : find(to < from ? 'down' : 'up');
    // After the new buttons' first render: until then they are not focusable.
    setTimeout(() => target?.focus(), 0);
  };
  return h(
    'ol',
    { className: 'sortable', attrs: { 'aria-label': options.label } },
    ...options.items.map((item, index) => {
      const name = options.nameOf(item, index);
      const row = h(
        'li',
        {
          className: 'sortable-row',
          attrs: { draggable: 'true', 'data-index': index },
          on: {
            dragstart: (event) => {
              dragged = index;
              event.dataTransfer?.setData('text/plain', String(index));
            },
            dragover: (event) => event.preventDefault(),
            drop: (event) => {
              event.preventDefault();
              if (dragged !== undefined) move(dragged, index);
              dragged = undefined;
            },
            keydown: (event) => {
              if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
              event.preventDefault();
              move(index, index + (event.key === 'ArrowUp' ? -1 : 1));
            },
          },
        },
        h('span', { className: 'drag-handle', text: '⋮⋮', attrs: { 'aria-hidden': 'true', title: t('Drag to reorder (or Alt+↑/↓)') } }),
        ...options.render(item, index),
        button('↑', () => move(index, index - 1), {
          secondary: true,
          attrs: { 'aria-label': t('Move {0} up', name), disabled: index === 0, 'data-focus-key': `${options.focusKey}:${index}:up` },
        }),
        button('↓', () => move(index, index + 1), {
          secondary: true,
          attrs: {
            'aria-label': t('Move {0} down', name),
            disabled: index === options.items.length - 1,
            'data-focus-key': `${options.focusKey}:${index}:down`,
          },
        }),
      );
      return row;
    }),
  );
}
