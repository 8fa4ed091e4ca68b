// Unit tests of the web console's pure modules (node's test runner; run by ConsoleModulesTest).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {LapBoard, isLapRecord} from './js/lapboard.js';
import * as f from './js/format.js';

const lap = (seq, value, time = '2026-12-07T00:14:01.530301854Z') =>
  ({stream: 'laps', seq, tag: 'lap', type: 'struct', value, quality: 'GOOD', source_time: time});

test('lap records are structures with a lap number and a lap time', () => {
  assert.equal(isLapRecord(lap(0, {lap: 1, lapTimeMs: 91234})), true);
  assert.equal(isLapRecord({seq: 1, tag: 'graphics.completedLaps', value: 3}), false);
  assert.equal(isLapRecord({seq: 1, tag: 'x', value: [1, 2]}), false);
  assert.equal(isLapRecord({seq: 1, tag: 'x', value: {lap: 'one'}}), false);
});

test('the board takes best lap and delta from the records and skips replayed ones', () => {
  const b = new LapBoard();
  assert.equal(b.add(lap(0, {lap: 1, lapTimeMs: 1937, valid: true, bestLap: 1, bestLapTimeMs: 1937})), true);
  assert.equal(b.add(lap(1, {lap: 2, lapTimeMs: 2074, valid: true, sectorTimesMs: [622, 725, 727],
    deltaToBestMs: 137, bestLap: 1, bestLapTimeMs: 1937})), true);
  assert.equal(b.add(lap(1, {lap: 2, lapTimeMs: 2074})), false, 'a replay after reconnecting');
  assert.equal(b.add({seq: 2, tag: 'other', value: 5}), false);
  const rows = b.rows();
  assert.deepEqual(rows.map(r => r.lap), [2, 1], 'newest first');
  assert.equal(rows[0].deltaToBestMs, 137);
  assert.deepEqual(rows[0].sectorTimesMs, [622, 725, 727]);
  assert.deepEqual(rows.map(r => r.isBest), [false, true]);
  assert.deepEqual(b.latest().best, {lap: 1, timeMs: 1937});
  assert.equal(b.sectorColumns(), 3);
});

test('records without best fields (older gateways) get them from the laps seen, invalid laps never best', () => {
  const b = new LapBoard();
  b.add(lap(10, {lap: 4, lapTimeMs: 100000, valid: true}));
  b.add(lap(11, {lap: 5, lapTimeMs: 95000, valid: false}));
  b.add(lap(12, {lap: 6, lapTimeMs: 99000, valid: true}));
  const [six, five, four] = b.rows();
  assert.equal(four.deltaToBestMs, null);
  assert.equal(five.deltaToBestMs, -5000);
  assert.deepEqual(five.best, {lap: 4, timeMs: 100000});
  assert.equal(six.deltaToBestMs, -1000);
  assert.deepEqual(six.best, {lap: 6, timeMs: 99000});
  assert.equal(six.isBest, true);
});

test('a new session (lap numbers start again) starts a new best', () => {
  const b = new LapBoard();
  b.add(lap(0, {lap: 7, lapTimeMs: 90000, valid: true}));
  b.add(lap(1, {lap: 1, lapTimeMs: 120000, valid: true}));
  assert.deepEqual(b.latest().best, {lap: 1, timeMs: 120000});
  assert.equal(b.latest().deltaToBestMs, null);
  assert.equal(b.sessionStart(), 1);
  assert.deepEqual(b.rows().map(r => r.isBest), [true, false], 'the old session best is not starred');
});

test('the board survives a round trip through sessionStorage and keeps skipping what it had', () => {
  const b = new LapBoard();
  b.add(lap(3, {lap: 1, lapTimeMs: 3000, valid: true, bestLap: 1, bestLapTimeMs: 3000}));
  const restored = LapBoard.from(JSON.parse(JSON.stringify(b)));
  assert.deepEqual(restored.rows(), b.rows());
  assert.equal(restored.add(lap(3, {lap: 1, lapTimeMs: 3000})), false);
  assert.equal(restored.add(lap(4, {lap: 2, lapTimeMs: 3100, valid: true})), true);
  assert.equal(LapBoard.from(null).rows().length, 0);
  assert.equal(LapBoard.from({records: 'x'}).rows().length, 0);
});

test('the board keeps at most its limit of laps', () => {
  const b = new LapBoard(3);
  for (let i = 1; i <= 5; i++) b.add(lap(i, {lap: i, lapTimeMs: 3000 + i}));
  assert.deepEqual(b.rows().map(r => r.lap), [5, 4, 3]);
});

test('lap, sector and delta times read as a timing screen shows them', () => {
  assert.equal(f.lapTime(91234), '1:31.234');
  assert.equal(f.lapTime(27370), '27.370');
  assert.equal(f.lapTime(60000), '1:00.000');
  assert.equal(f.lapTime(undefined), '–');
  assert.equal(f.delta(137), '+0.137');
  assert.equal(f.delta(-1126), '-1.126');
  assert.equal(f.delta(0), '±0.000');
  assert.equal(f.delta(null), '–');
});

test('drain ETA, durations, sizes and times', () => {
  assert.equal(f.eta(0, 0), 'drained');
  assert.equal(f.eta(500, null), 'not draining');
  assert.equal(f.eta(500, 15), '15 s');
  assert.equal(f.eta(500, 200), '3 min 20 s');
  assert.equal(f.eta(1500, null, 6011, 6020, 30000), 'keeping up', 'the drain matches the inflow');
  assert.equal(f.eta(1123, null, 1043, 1121, 999), 'keeping up', 'only the last second waits (one batch interval)');
  assert.equal(f.eta(90000, null, 100, 6020, 60000), 'falling behind');
  assert.equal(f.eta(1500, null, 0, 0, 999), 'not draining', 'nothing leaves: a stuck destination');
  assert.equal(f.duration(950), '950 ms');
  assert.equal(f.duration(2 * 3600e3 + 5 * 60e3), '2 h 5 min');
  assert.equal(f.bytes(1536), '1.5 KB');
  assert.equal(f.bytes(0), '0 B');
  assert.equal(f.parseTime('2026-12-07T00:14:01.530301854Z'), Date.UTC(2026, 11, 7, 0, 14, 1, 530));
  assert.equal(f.parseTime('2026-12-07T00:14:01Z'), Date.UTC(2026, 11, 7, 0, 14, 1));
});

test('sparkline numbers: booleans as 0/1, text and structures not drawn', () => {
  assert.equal(f.numeric({value: 2.5}), 2.5);
  assert.equal(f.numeric({value: true}), 1);
  assert.equal(f.numeric({value: 'production'}), null);
  assert.equal(f.numeric({value: 'NaN'}), null);
  assert.equal(f.numeric({value: {lap: 1}}), null);
  assert.equal(f.value(1234567), '1,234,567');
  assert.equal(f.value(0.123456789), '0.1234568');
  assert.equal(f.value([1, 2]), '[1,2]');
});
