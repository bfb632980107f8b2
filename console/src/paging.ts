import { h } from './dom';

// Previous / Next over an IVS list operation's nextToken, which only goes forward: the tokens of
// the pages seen so far are kept, so token() fetches the current page (undefined for the first).
export function tokenPager(load: () => void) {
  const el = h('div', { class: 'pager' });
  let tokens: (string | undefined)[] = [undefined];
  let page = 0;
  return {
    el,
    token: () => tokens[page],
    // Back to the first page (new filters).
    reset() {
      tokens = [undefined];
      page = 0;
    },
    // The current page arrived with `nextToken`: remember it and redraw the buttons.
    loaded(nextToken: string | undefined) {
      tokens = tokens.slice(0, page + 1);
      if (nextToken) tokens.push(nextToken);
      el.replaceChildren(
        h('button', { type: 'button', disabled: page === 0, onclick: () => { page -= 1; load(); } }, '‹ Previous'),
        h('span', { class: 'muted' }, `Page ${page + 1}`),
        h('button', { type: 'button', disabled: !nextToken, onclick: () => { page += 1; load(); } }, 'Next ›'),
      );
    },
  };
}
