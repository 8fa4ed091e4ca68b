// Overview: the gateway's connectors, streams (backlog, drain rate, ETA), destinations and store, from
// GET /api/v1/status once a second.
import {every, status} from './api.js';
import * as f from './format.js';
import {h, pill, table} from './dom.js';

export function mountOverview(main) {
  const root = h('div', {id: 'overview'}, h('p', {class: 'muted'}, 'Loading status…'));
  main.append(root);
  return every(1000, async () => {
    try {
      render(root, await status());
    } catch (e) {
      let error = root.querySelector(':scope > p.error');
      if (!error) root.prepend(error = h('p', {class: 'error'}));
      error.textContent = `Cannot read the status: ${e.message}`;
    }
  });
}

function render(root, s) {
  const now = Date.now();
  const priorities = streamPriorities(s.destinations || []);
  root.replaceChildren(
    h('div', {class: 'cards'},
      card('Gateway', pill(s.state), s.startedMillis ? `up ${f.duration(now - s.startedMillis)}` : ''),
      card('Health', pill(s.health ? s.health.status : 'unknown'), s.configSource || ''),
      storeCard(s.store || {}, now),
      card('Disk free', f.bytes(s.store && s.store.diskFreeBytes),
        s.store && s.store.diskTotalBytes ? `of ${f.bytes(s.store.diskTotalBytes)}` : '')),

    h('h2', {}, 'Connectors', h('small', {}, 'sources feeding the store')),
    h('section', {class: 'panel'}, table('connectors',
      [['Name'], ['Type'], ['State'], ['Since'], ['Committed', 'num'], ['Refused', 'num'], ['Detail']],
      (s.connectors || []).map(c => h('tr', {dataset: {name: c.name}},
        h('td', {}, c.name), h('td', {}, c.type), h('td', {}, c.lifecycle && c.lifecycle !== 'RUNNING' ? pill(c.lifecycle) : pill(c.state)),
        h('td', {class: 'muted'}, c.sinceMillis ? `${f.duration(now - c.sinceMillis)} ago` : '–'),
        h('td', {class: 'num'}, f.count(c.samplesCommitted)), h('td', {class: 'num'}, f.count(c.samplesRefused)),
        h('td', {class: 'wrap muted'}, c.detail || ''))),
      'No connectors configured.')),

    h('h2', {}, 'Streams', h('small', {}, 'what waits in the store, and how fast it drains')),
    h('section', {class: 'panel'}, table('streams',
      [['Name'], ['Priority', 'num'], ['Stored', 'num'], ['Size', 'num'], ['Backlog', 'num'], ['Oldest waiting', 'num'],
        ['In', 'num'], ['Out', 'num'], ['Drain ETA', 'num'], ['Dropped', 'num'], ['']],
      (s.streams || []).map(st => h('tr', {dataset: {name: st.name}},
        h('td', {}, h('a', {href: `#/stream/${encodeURIComponent(st.name)}`}, st.name)),
        h('td', {class: 'num'}, priorities.get(st.name) ?? '–'),
        h('td', {class: 'num'}, f.count(st.storedSamples ?? (st.nextSequence - st.firstSequence))),
        h('td', {class: 'num'}, f.bytes(st.storedBytes)),
        h('td', {class: 'num'}, f.count(st.backlog)),
        h('td', {class: 'num'}, st.backlog ? f.duration(st.oldestAgeMillis) : '–'),
        h('td', {class: 'num'}, f.rate(st.appendRatePerSecond)),
        h('td', {class: 'num'}, f.rate(st.drainRatePerSecond)),
        h('td', {class: 'num'}, f.eta(st.backlog, st.etaSeconds, st.drainRatePerSecond, st.appendRatePerSecond, st.oldestAgeMillis)),
        h('td', {class: 'num'}, f.count((st.droppedTtl || 0) + (st.droppedFull || 0) + (st.rejected || 0) + (st.corrupt || 0))),
        h('td', {}, h('a', {href: `#/stream/${encodeURIComponent(st.name)}`}, 'live values →')))),
      'No streams.')),

    h('h2', {}, 'Destinations', h('small', {}, 'where the streams go')),
    h('section', {class: 'panel'}, table('destinations',
      [['Name'], ['Type'], ['State'], ['Since'], ['Sent', 'num'], ['Retries', 'num'], ['Dead-lettered', 'num'],
        ['Failing since'], ['Next retry', 'num'], ['Last error']],
      (s.destinations || []).map(d => h('tr', {dataset: {name: d.name}},
        h('td', {}, d.name), h('td', {}, d.type), h('td', {}, pill(d.state)),
        h('td', {class: 'muted'}, d.stateSinceMillis ? `${f.duration(now - d.stateSinceMillis)} ago` : '–'),
        h('td', {class: 'num'}, f.count(d.samplesSent)), h('td', {class: 'num'}, f.count(d.retries)),
        h('td', {class: 'num'}, d.deadLettered
          ? h('a', {href: `#/dead-letters/${encodeURIComponent(d.deadLetterStream)}`}, f.count(d.deadLettered)) : '0'),
        h('td', {}, d.failingSince ? new Date(f.parseTime(d.failingSince)).toLocaleString('en-GB') : '–'),
        h('td', {class: 'num'}, d.nextRetryInMillis === null || d.nextRetryInMillis === undefined ? '–' : f.duration(d.nextRetryInMillis)),
        h('td', {class: 'wrap error'}, d.lastError || ''))),
      'No destinations configured.')));
}

function card(label, value, sub) {
  return h('div', {class: 'card'}, h('div', {class: 'label'}, label), h('div', {class: 'value'}, value),
    h('div', {class: 'sub'}, sub || ''));
}

function storeCard(store, now) {
  const since = store.sinceMillis ? `for ${f.duration(now - store.sinceMillis)}` : '';
  const file = store.fileBytes !== undefined ? `file ${f.bytes(store.fileBytes)}` : '';
  return h('div', {class: 'card', id: 'store'}, h('div', {class: 'label'}, 'Store'),
    h('div', {class: 'value'}, pill(store.state)),
    h('div', {class: 'sub'}, [store.detail, since, file].filter(Boolean).join(' · ')));
}

/** Each stream's priority, as the destinations that export it report it (the highest when they differ). */
function streamPriorities(destinations) {
  const out = new Map();
  for (const d of destinations) {
    for (const e of d.exports || []) {
      if (!out.has(e.stream) || e.priority < out.get(e.stream)) out.set(e.stream, e.priority);
    }
  }
  return out;
}
