// The lap board: simulator lap records (lap number, lap time, sectors, best lap, delta to best, valid flag) from
// the live tail of the stream they are routed to (`laps` in the demo), updated as laps complete.
import {status, tail} from './api.js';
import * as f from './format.js';
import {h} from './dom.js';
import {LapBoard} from './lapboard.js';

export function mountLaps(main, requested) {
  const picker = h('select', {id: 'lap-stream', onchange: () => { location.hash = `#/laps/${encodeURIComponent(picker.value)}`; }});
  const state = h('span', {class: 'pill', id: 'tail-state'}, 'connecting…');
  const cards = h('div', {class: 'cards', id: 'lap-summary'});
  const chart = h('div', {id: 'detail-chart'});
  const board = h('section', {class: 'panel'});
  main.append(h('h2', {}, 'Lap board', h('small', {}, 'completed laps of the simulator, newest first')),
    h('div', {class: 'toolbar'}, h('label', {}, 'stream ', picker), state), cards, chart, board);

  let stop = () => {};
  let timer = null;
  let plot = null;
  let closed = false;

  status().then(s => {
    if (closed) return;
    const names = (s.streams || []).map(st => st.name);
    const stream = requested || (names.includes('laps') ? 'laps' : names.find(n => /lap/i.test(n)) || names[0]);
    picker.replaceChildren(...names.map(n => h('option', {value: n, selected: n === stream}, n)));
    if (!stream) {
      board.replaceChildren(h('p', {class: 'empty'}, 'This gateway has no streams.'));
      return;
    }
    // The store deletes lap records once every destination has them, so the board keeps what it saw for this
    // browser tab (sessionStorage), per stream and gateway run; a tail's replay then only adds what is new.
    const key = `sluice.laps.${stream}.${s.startedMillis}`;
    const laps = LapBoard.from(readSaved(key));
    let dirty = true;
    stop = tail(stream, 500, {
      onSample(sample) {
        if (!laps.add(sample)) return;
        dirty = true;
        try { sessionStorage.setItem(key, JSON.stringify(laps)); } catch (e) { /* storage full or disabled */ }
      },
      onState(s) { state.textContent = s; state.className = `pill ${s === 'live' ? 'ok' : 'warn'}`; },
    });
    const render = () => {
      if (!dirty) return;
      dirty = false;
      renderBoard(laps, stream);
    };
    timer = setInterval(render, 500);
    render();
  }).catch(e => board.replaceChildren(h('p', {class: 'error'}, `Cannot read the status: ${e.message}`)));

  function renderBoard(laps, stream) {
    const rows = laps.rows();
    const latest = laps.latest();
    const sectors = laps.sectorColumns();
    cards.replaceChildren(
      card('Laps completed', f.count(rows.length ? latest.lap : 0), rows.length ? `${rows.length} on the board` : 'waiting for a lap'),
      card('Best lap', latest && latest.best ? f.lapTime(latest.best.timeMs) : '–',
        latest && latest.best ? `lap ${latest.best.lap}` : 'no valid lap yet', 'best-lap'),
      card('Last lap', latest ? f.lapTime(latest.lapTimeMs) : '–',
        latest ? `lap ${latest.lap} · ${f.delta(latest.deltaToBestMs)} · ${latest.valid === false ? 'invalid' : 'valid'}` : ''),
      card('Car / track', latest && latest.car ? latest.car : '–', latest && latest.track ? latest.track : ''));
    if (!rows.length) {
      board.replaceChildren(h('p', {class: 'empty', id: 'lap-empty'},
        `No lap records in stream "${stream}" yet: they appear when the simulator completes a lap.`));
      return;
    }
    const columns = ['Lap', 'Lap time', ...Array.from({length: sectors}, (_, i) => `S${i + 1}`), 'Δ best', 'Valid', 'Best lap', 'Finished'];
    board.replaceChildren(h('table', {id: 'laps'},
      h('thead', {}, h('tr', {}, columns.map(c => h('th', {class: /^(Lap time|S\d|Δ best)$/.test(c) ? 'num' : null}, c)))),
      h('tbody', {id: 'lap-rows'}, rows.map(r => h('tr', {class: r.isBest ? 'best' : null, dataset: {lap: r.lap, valid: r.valid}},
        h('td', {class: 'num'}, r.lap),
        h('td', {class: 'num mono lap-time'}, f.lapTime(r.lapTimeMs)),
        Array.from({length: sectors}, (_, i) => h('td', {class: 'num mono muted'}, f.lapTime(r.sectorTimesMs[i]))),
        h('td', {class: `num mono ${r.deltaToBestMs < 0 ? 'delta-neg' : r.deltaToBestMs > 0 ? 'delta-pos' : ''}`}, f.delta(r.deltaToBestMs)),
        h('td', {}, r.valid === null ? '–' : h('span', {class: `pill ${r.valid ? 'ok' : 'bad'}`}, r.valid ? 'valid' : 'invalid')),
        h('td', {class: 'mono'}, r.isBest ? '★ best' : r.best ? `lap ${r.best.lap} · ${f.lapTime(r.best.timeMs)}` : '–'),
        h('td', {class: 'mono muted'}, f.clock(f.parseTime(r.time))))))));
    drawChart(rows.slice().reverse());
  }

  function drawChart(oldestFirst) {
    // x is the lap number while laps count up on the board (uPlot needs ascending x), else the board position
    const ascending = oldestFirst.every((r, i) => i === 0 || r.lap > oldestFirst[i - 1].lap);
    const data = [oldestFirst.map((r, i) => (ascending ? r.lap : i + 1)), oldestFirst.map(r => r.lapTimeMs / 1000),
      oldestFirst.map(r => (r.best ? r.best.timeMs / 1000 : null))];
    if (plot) { plot.setData(data); return; }
    plot = new uPlot({
      width: Math.max(300, chart.clientWidth - 16), height: 180,
      scales: {x: {time: false}},
      series: [{label: ascending ? 'lap' : '#'}, {label: 'lap time', stroke: '#2b6cb0', width: 1.5, points: {size: 6},
        value: (u, v) => (v === null || v === undefined ? '–' : f.lapTime(v * 1000))},
      {label: 'best', stroke: '#6b46c1', dash: [6, 4], width: 1, value: (u, v) => (v === null || v === undefined ? '–' : f.lapTime(v * 1000))}],
      axes: [{values: (u, ticks) => ticks.map(t => (Number.isInteger(t) ? t : ''))},
        {size: 70, values: (u, ticks) => ticks.map(t => f.lapTime(t * 1000))}],
    }, data, chart);
  }

  function readSaved(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }

  function card(label, value, sub, id) {
    return h('div', {class: 'card', id: id || null}, h('div', {class: 'label'}, label), h('div', {class: 'value'}, value),
      h('div', {class: 'sub'}, sub || ''));
  }

  return () => {
    closed = true;
    stop();
    clearInterval(timer);
    if (plot) plot.destroy();
  };
}
