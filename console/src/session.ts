// The operator's keys live in sessionStorage only (gone when the tab closes). They never leave
// the browser: the SDK uses them to SigV4-sign each request to this same origin.
import { IvschatClient } from '@aws-sdk/client-ivschat';

const KEY = 'parley.console.session';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export function loadSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (s && typeof s.accessKeyId === 'string' && typeof s.secretAccessKey === 'string') return s;
  } catch {
    /* a damaged entry: sign in again */
  }
  return null;
}

export function saveSession(s: Session) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
  cached = null;
}

let cached: { session: Session; client: IvschatClient } | null = null;

export function makeClient(s: Session): IvschatClient {
  return new IvschatClient({
    region: s.region,
    // Same origin: the control plane is the server that served this page.
    endpoint: window.location.origin,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    maxAttempts: 2,
  });
}

export function client(): IvschatClient {
  const s = loadSession();
  if (!s) throw new Error('Not signed in');
  if (!cached || cached.session.accessKeyId !== s.accessKeyId || cached.session.region !== s.region) {
    cached = { session: s, client: makeClient(s) };
  }
  return cached.client;
}
