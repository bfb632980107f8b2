import { h, banner } from './dom';

// Navigation that also re-renders when the target is the current page.
export function go(hash: string) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

// A one-shot message shown by the next page (e.g. "Room created").
let flash: { kind: 'ok' | 'error'; text: string } | null = null;
export function setFlash(kind: 'ok' | 'error', text: string) {
  flash = { kind, text };
}
export function takeFlash() {
  const f = flash;
  flash = null;
  return f;
}

// A page's status line, showing the flash the previous page left (if any).
export function statusSlot() {
  const status = h('div', { class: 'status-slot' });
  const f = takeFlash();
  if (f) status.append(banner(f.kind, f.text));
  return status;
}
