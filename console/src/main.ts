// Parley Console: a hash-routed single page app. #/rooms, #/rooms/new, #/rooms/<id>,
// #/logging, #/logging/new, #/logging/<id>, #/live/<roomId>, #/server.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { h, clear } from './dom';
import { loadSession, clearSession } from './session';
import { renderSignIn } from './pages/signin';
import { renderRooms, renderRoomForm } from './pages/rooms';
import { renderLoggingConfigurations, renderLoggingForm } from './pages/logging';
import { renderLiveRoom } from './pages/live';
import { renderServer } from './pages/server';

// A page returns a function that stops what it started (timers, chat connections).
export type Cleanup = () => void;
let cleanup: Cleanup | null = null;

const root = document.getElementById('app')!;

function nav(active: string): HTMLElement {
  const link = (href: string, label: string, key: string) =>
    h('a', { href, class: active === key ? 'active' : '', 'aria-current': active === key ? 'page' : undefined }, label);
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/rooms' }, 'Parley Console'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      link('#/rooms', 'Rooms', 'rooms'),
      link('#/logging', 'Logging configurations', 'logging'),
      link('#/server', 'Server', 'server'),
    ),
    h(
      'button',
      {
        class: 'link signout',
        type: 'button',
        onclick: () => {
          clearSession();
          location.hash = '#/signin';
          route();
        },
      },
      'Sign out',
    ),
  );
}

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const hash = location.hash.replace(/^#\/?/, '');
  const [section, id] = hash.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part; // a hand-typed, malformed escape: shown as "not found" rather than a crash
    }
  });
  clear(root);
  if (!loadSession() || section === 'signin') {
    if (loadSession() && section === 'signin') clearSession();
    const main = h('main', { class: 'signin-page' });
    root.append(main);
    renderSignIn(main);
    return;
  }
  const key = section === 'live' ? 'rooms' : section || 'rooms';
  const main = h('main', { class: 'page' });
  root.append(nav(key), main);
  switch (section) {
    case 'logging':
      cleanup = id ? renderLoggingForm(main, id === 'new' ? null : id) : renderLoggingConfigurations(main);
      break;
    case 'live':
      cleanup = renderLiveRoom(main, id);
      break;
    case 'server':
      cleanup = renderServer(main);
      break;
    case 'rooms':
    case '':
    case undefined:
      cleanup = id ? renderRoomForm(main, id === 'new' ? null : id) : renderRooms(main);
      break;
    default:
      main.append(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/rooms' }, 'Back to rooms')));
  }
}

window.addEventListener('hashchange', route);
route();
