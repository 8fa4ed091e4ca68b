// Dead letters: samples a destination rejected as invalid, moved to its dead-letter stream with the reason
// (GET /api/v1/dead-letters), newest first, refreshed every few seconds.
import {deadLetters, every, status} from './api.js';
import * as f from './format.js';
import {h, table} from './dom.js';

export function mountDeadLetters(main, stream) {
  const picker = h('select', {id: 'dead-letter-stream', onchange: () => {
    location.hash = picker.value ? `#/dead-letters/${encodeURIComponent(picker.value)}` : '#/dead-letters';
  }});
  const summary = h('span', {class: 'muted'});
  const panel = h('section', {class: 'panel'}, h('p', {class: 'empty'}, 'Loading…'));
  main.append(h('h2', {}, 'Dead letters', h('small', {}, 'rejected as invalid by a destination, with the reason')),
    h('div', {class: 'toolbar'}, h('label', {}, 'dead-letter stream ', picker), summary), panel);

  status().then(s => {
    const streams = [...new Set((s.destinations || []).map(d => d.deadLetterStream).filter(Boolean))].sort();
    picker.replaceChildren(h('option', {value: ''}, 'all destinations'),
      ...streams.map(n => h('option', {value: n, selected: n === stream}, n)));
  }).catch(() => {});

  return every(3000, async () => {
    try {
      const doc = await deadLetters(stream, 200);
      const rows = (doc.deadLetters || []).slice().sort((a, b) => f.parseTime(b.receive_time) - f.parseTime(a.receive_time));
      summary.textContent = `${f.count(rows.length)} shown (the newest 200 per stream)`;
      panel.replaceChildren(table('dead-letters',
        [['Received'], ['Destination'], ['Origin'], ['Tag'], ['Value'], ['Reason']],
        rows.map(d => {
          const dl = d.dead_letter || {};
          const origin = dl.origin_stream ? `${dl.origin_stream} #${dl.origin_first}` +
            (dl.origin_last !== undefined && dl.origin_last !== dl.origin_first ? `–${dl.origin_last}` : '') : '–';
          return h('tr', {dataset: {seq: d.seq}},
            h('td', {class: 'mono muted'}, new Date(f.parseTime(d.receive_time)).toLocaleString('en-GB')),
            h('td', {}, dl.destination || '–'), h('td', {class: 'mono'}, origin), h('td', {class: 'mono'}, d.tag),
            h('td', {class: 'mono wrap'}, f.value(d.value)),
            h('td', {class: 'wrap error'}, dl.reason || d.note || ''));
        }),
        'No dead letters: every destination accepted what it was sent.'));
    } catch (e) {
      panel.replaceChildren(h('p', {class: 'error empty'}, `Cannot read dead letters: ${e.message}`));
    }
  });
}
