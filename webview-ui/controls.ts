import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js' with { 'resolution-mode': 'import' };
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js' with { 'resolution-mode': 'import' };
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js' with { 'resolution-mode': 'import' };
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js' with { 'resolution-mode': 'import' };
import { h } from './dom';
import './elements';
import { t } from './l10n';

export type { VscodeButton, VscodeCheckbox, VscodeSingleSelect, VscodeTextfield };

type Attrs = Record<string, string | number | boolean | undefined>;

/** A VS Code Elements button; `secondary` is the quieter style. */
export function button(label: string, onClick: () => void, options: { secondary?: boolean; attrs?: Attrs } = {}): VscodeButton {
  const element = h('vscode-button', { text: label, attrs: options.attrs, on: { click: onClick } });
  element.secondary = options.secondary ?? false;
  // Not a submit button: inside a form, the click handler alone acts.
  element.type = 'button';
  return element;
}

/** A text field labelled by a visible label (which also names its inner input). */
export function textField(id: string, label: string, value: string, attrs: Attrs = {}): { field: HTMLElement; control: VscodeTextfield } {
  const control = h('vscode-textfield', { attrs: { id, label, ...attrs } });
  control.value = value;
  return { field: h('div', { className: 'field' }, h('label', { text: label, attrs: { for: id } }), control), control };
}

export function select(
  id: string,
  label: string,
  options: ReadonlyArray<readonly [string, string]>,
  value: string,
): { field: HTMLElement; control: VscodeSingleSelect } {
  // `selected` on the option, not only `value`: the select reads its options only once it is in the page.
  const control = h(
    'vscode-single-select',
    { attrs: { id, label } },
    ...options.map(([optionValue, text]) => h('vscode-option', { text, attrs: { value: optionValue, selected: optionValue === value } })),
  );
  control.value = value;
  return { field: h('div', { className: 'field' }, h('label', { text: label, attrs: { for: id } }), control), control };
}

export function checkbox(id: string, label: string, checked: boolean): VscodeCheckbox {
  const control = h('vscode-checkbox', { attrs: { id, label } });
  control.checked = checked;
  return control;
}

/** The clipboard API where the page may use it (webviews, localhost); else a selection and the copy command. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', { className: 'visually-hidden', attrs: { readonly: true, 'aria-hidden': 'true' } });
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    if (!copied) throw new Error(t('The browser did not allow copying: select the text and copy it yourself.'));
  }
}
