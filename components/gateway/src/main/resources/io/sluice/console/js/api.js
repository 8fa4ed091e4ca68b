// The admin API the console reads (docs/admin-api.md). URLs are relative, so the console also works behind a
// reverse proxy that serves the gateway under a path.

export async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

export const status = () => getJson('api/v1/status');

export const deadLetters = (stream, limit) =>
  getJson(`api/v1/dead-letters?limit=${limit}` + (stream ? `&stream=${encodeURIComponent(stream)}` : ''));

/**
 * Follows a stream's live tail (Server-Sent Events): the last `last` stored samples first, then every new one.
 * The browser reconnects by itself after an error, and the server replays `last` samples again: callers
 * de-duplicate by sequence. Returns a function that closes the tail.
 */
export function tail(stream, last, {onSample, onDropped, onState}) {
  const source = new EventSource(`api/v1/streams/${encodeURIComponent(stream)}/tail?last=${last}`);
  source.onopen = () => onState && onState('live');
  source.onerror = () => onState && onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  source.onmessage = e => onSample(JSON.parse(e.data));
  source.addEventListener('dropped', e => onDropped && onDropped(JSON.parse(e.data).dropped || 0));
  return () => source.close();
}

/** Calls `fn` now and then every `ms` milliseconds (never overlapping); returns a function that stops it. */
export function every(ms, fn) {
  let stopped = false;
  let timer = null;
  const run = async () => {
    try { await fn(); } finally { if (!stopped) timer = setTimeout(run, ms); }
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}
