// What parleyd tells the console about itself: /console/config.json.
export interface ServerFacts {
  version: string;
  chatUrl: string;
  chatListensOnEveryAddress: boolean;
  region: string;
  store: string;
  bus: string;
  startedAt: number;
  uptimeSeconds: number;
}

export async function serverFacts(): Promise<ServerFacts> {
  const r = await fetch('/console/config.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  return (await r.json()) as ServerFacts;
}

// The chat door as this browser reaches it: a server listening on every address reports a
// loopback URL, which only works from its own machine, so the host is taken from this page's.
export function chatUrlFor(f: ServerFacts): string {
  if (!f.chatListensOnEveryAddress) return f.chatUrl;
  const u = new URL(f.chatUrl);
  u.hostname = window.location.hostname;
  if (window.location.protocol === 'https:') u.protocol = 'wss:';
  return u.toString().replace(/\/$/, '');
}
