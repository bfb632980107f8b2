import { h } from '../dom';

// Key/value rows for a resource's tags.
export function tagEditor() {
  const rows = h('div', { class: 'tag-rows' });
  const addRow = (k = '', v = '') => {
    const row = h('div', { class: 'tag-row' },
      h('input', { type: 'text', class: 'tag-key', placeholder: 'key', value: k, 'aria-label': 'Tag key', spellcheck: 'false' }),
      h('input', { type: 'text', class: 'tag-value', placeholder: 'value', value: v, 'aria-label': 'Tag value', spellcheck: 'false' }),
      h('button', { type: 'button', class: 'link', 'aria-label': 'Remove tag', onclick: () => row.remove() }, 'Remove'));
    rows.append(row);
  };
  const element = h('div', {}, rows, h('button', { type: 'button', onclick: () => addRow() }, 'Add tag'));
  return {
    element,
    set(tags: Record<string, string>) {
      rows.replaceChildren();
      for (const [k, v] of Object.entries(tags)) addRow(k, v);
    },
    get(): Record<string, string> {
      const out: Record<string, string> = {};
      for (const row of rows.querySelectorAll('.tag-row')) {
        const k = (row.querySelector('.tag-key') as HTMLInputElement).value.trim();
        const v = (row.querySelector('.tag-value') as HTMLInputElement).value;
        if (k) out[k] = v;
      }
      return out;
    },
  };
}
