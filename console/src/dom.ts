// A tiny DOM helper: the console has few pages and no framework.
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;
type Child = Node | string | number | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    } else if (k === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(v);
    } else if (k === 'checked' && 'checked' in el) {
      (el as HTMLInputElement).checked = Boolean(v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// An error or success banner at the top of a page; role=alert so screen readers announce it.
export function banner(kind: 'error' | 'ok' | 'info', text: string): HTMLElement {
  return h('div', { class: `banner banner-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function formatTime(t: Date | string | undefined): string {
  if (!t) return '';
  const d = typeof t === 'string' ? new Date(t) : t;
  return isNaN(d.getTime()) ? String(t) : d.toLocaleString();
}

// Labelled form field with a slot for the API's validation message about it.
export function field(label: string, name: string, input: HTMLElement, hint?: string): HTMLElement {
  const id = `f-${name.replace(/[^a-zA-Z0-9]/g, '-')}`;
  input.id = id;
  input.setAttribute('name', name);
  input.setAttribute('aria-describedby', `${id}-err`);
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('label', { for: id }, label),
    input,
    hint ? h('small', { class: 'hint' }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-err`, 'aria-live': 'polite' }),
  );
}
