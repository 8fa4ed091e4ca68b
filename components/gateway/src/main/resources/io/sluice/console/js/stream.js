// A stream's live values: the last value of every tag with a sparkline of its recent history, from the stream's
// live tail (GET /api/v1/streams/{name}/tail, Server-Sent Events). Clicking a tag charts it larger with uPlot.
import {tail} from './api.js';
import * as f from './format.js';
import {h} from './dom.js';
import {drawSparkline} from './sparkline.js';

const REPLAY = 1000;      // stored samples replayed when the page opens
const HISTORY = 300;      // points kept per tag
const REDRAW_MS = 500;    // rows are redrawn at most this often, however fast samples arrive

export function mountStream(main, name) {
  if (!name) {
    location.hash = '#/';
    return () => {};
  }
  const tags = new Map();   // tag -> {sample, points, row, cells, dirty}
  let lastSeq = -1;
  let received = 0;
  let dropped = 0;
  let selected = null;
  let plot = null;

  const filter = h('input', {type: 'search', placeholder: 'filter tags', id: 'tag-filter', oninput: () => applyFilter()});
  const state = h('span', {class: 'pill', id: 'tail-state'}, 'connecting…');
  const counts = h('span', {class: 'muted', id: 'tail-counts'});
  const body = h('tbody');
  const chart = h('div', {id: 'detail-chart', hidden: true});
  main.append(
    h('h2', {}, 'Stream ', h('span', {class: 'mono', id: 'stream-name'}, name), h('small', {}, 'live values')),
    h('div', {class: 'toolbar'}, filter, state, counts, h('a', {href: '#/'}, '← overview')),
    chart,
    h('section', {class: 'panel'}, h('table', {id: 'tags'},
      h('thead', {}, h('tr', {}, ['Tag', 'Value', 'Last 300', 'Unit', 'Quality', 'Source time', 'Connector']
        .map((label, i) => h('th', {class: i === 1 ? 'num' : null}, label)))),
      body)));

  const close = tail(name, REPLAY, {
    onSample(s) {
      if (s.seq <= lastSeq) return; // replayed again after a reconnect
      lastSeq = s.seq;
      received++;
      let t = tags.get(s.tag);
      if (!t) tags.set(s.tag, t = {points: [], row: null});
      t.sample = s;
      const time = f.parseTime(s.source_time);
      t.points.push([Number.isFinite(time) ? time / 1000 : Date.now() / 1000, f.numeric(s)]);
      if (t.points.length > HISTORY) t.points.splice(0, t.points.length - HISTORY);
      t.dirty = true;
    },
    onDropped(n) { dropped += n; },
    onState(s) {
      state.textContent = s;
      state.className = `pill ${s === 'live' ? 'ok' : 'warn'}`;
    },
  });

  const timer = setInterval(render, REDRAW_MS);

  function render() {
    counts.textContent = `${f.count(tags.size)} tags · ${f.count(received)} samples` +
      (dropped ? ` · ${f.count(dropped)} skipped (too fast for this page)` : '');
    let added = false;
    for (const [tag, t] of tags) {
      if (!t.row) { t.row = makeRow(tag, t); added = true; }
      if (!t.dirty) continue;
      t.dirty = false;
      const s = t.sample;
      t.cells.value.textContent = f.value(s.value);
      t.cells.value.title = typeof s.value === 'object' ? JSON.stringify(s.value) : String(s.value);
      t.cells.unit.textContent = s.unit || '';
      t.cells.quality.textContent = s.quality;
      t.cells.quality.className = s.quality === 'GOOD' ? 'muted' : 'error';
      t.cells.time.textContent = f.clock(f.parseTime(s.source_time));
      t.cells.connector.textContent = s.connector || '';
      if (t.points.some(p => p[1] !== null)) drawSparkline(t.cells.spark, t.points);
    }
    if (added) {
      const sorted = [...tags.keys()].sort((a, b) => a.localeCompare(b, 'en', {numeric: true}));
      body.replaceChildren(...sorted.map(tag => tags.get(tag).row));
      applyFilter();
    }
    if (selected && tags.get(selected)) updateChart(tags.get(selected));
  }

  function makeRow(tag, t) {
    const cells = {
      value: h('td', {class: 'num mono value'}), unit: h('td', {class: 'muted'}), quality: h('td'),
      time: h('td', {class: 'mono muted'}), connector: h('td', {class: 'muted'}),
      spark: h('canvas', {class: 'spark', width: 160, height: 28}),
    };
    t.cells = cells;
    t.dirty = true;
    return h('tr', {class: 'clickable', dataset: {tag}, onclick: () => select(tag)},
      h('td', {class: 'mono'}, tag), cells.value, h('td', {}, cells.spark), cells.unit, cells.quality, cells.time,
      cells.connector);
  }

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    for (const [tag, t] of tags) if (t.row) t.row.hidden = q !== '' && !tag.toLowerCase().includes(q);
  }

  function select(tag) {
    for (const t of tags.values()) t.row && t.row.classList.toggle('selected', false);
    if (selected === tag) { selected = null; chart.hidden = true; return; }
    selected = tag;
    tags.get(tag).row.classList.add('selected');
    if (plot) { plot.destroy(); plot = null; }
    chart.hidden = false;
    chart.replaceChildren();
    updateChart(tags.get(tag));
  }

  function updateChart(t) {
    const data = [t.points.map(p => p[0]), t.points.map(p => p[1])];
    if (!plot) {
      plot = new uPlot({
        width: Math.max(300, chart.clientWidth - 16), height: 220,
        series: [{}, {label: selected + (t.sample.unit ? ` (${t.sample.unit})` : ''), stroke: '#2b6cb0', width: 1.5,
          spanGaps: false}],
        axes: [{}, {size: 70}],
      }, data, chart);
    } else {
      plot.setData(data);
    }
  }

  return () => {
    close();
    clearInterval(timer);
    if (plot) plot.destroy();
  };
}
