// The lap board's model (no DOM): lap records of the simmem connector (connectors/simmem/README.md, "Lap records"),
// a structure {lap, lapTimeMs, valid, sectorTimesMs, deltaToBestMs, bestLap, bestLapTimeMs, car, track} per
// completed lap. Records from older gateways without the best fields get them computed here from what was seen.

/** Whether a sample (the file destination's JSON form) is a lap record. */
export function isLapRecord(sample) {
  const v = sample && sample.value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Number.isFinite(v.lap) && Number.isFinite(v.lapTimeMs);
}

export class LapBoard {
  constructor(limit = 500) {
    this.limit = limit;
    this.records = []; // oldest first: {seq, receivedMs, ...lap fields}
    this.lastSeq = -1;
  }

  /** Adds a sample; false when it is not a lap record or was seen already (a tail replays after reconnecting). */
  add(sample) {
    if (sample.seq <= this.lastSeq || !isLapRecord(sample)) return false;
    this.lastSeq = sample.seq;
    const v = sample.value;
    const previous = this.records[this.records.length - 1];
    const newSession = previous && (v.lap <= previous.lap || (v.car ?? null) !== previous.car || (v.track ?? null) !== previous.track);
    const before = newSession ? null : previous && previous.best;
    const record = {
      seq: sample.seq,
      time: sample.source_time,
      lap: v.lap,
      lapTimeMs: v.lapTimeMs,
      valid: v.valid === undefined ? null : Boolean(v.valid),
      sectorTimesMs: Array.isArray(v.sectorTimesMs) ? v.sectorTimesMs : [],
      car: v.car ?? null,
      track: v.track ?? null,
    };
    record.deltaToBestMs = v.deltaToBestMs ?? (before ? v.lapTimeMs - before.timeMs : null);
    if (Number.isFinite(v.bestLapTimeMs)) {
      record.best = {lap: v.bestLap, timeMs: v.bestLapTimeMs};
    } else if (record.valid !== false && v.lapTimeMs > 0 && (!before || v.lapTimeMs < before.timeMs)) {
      record.best = {lap: v.lap, timeMs: v.lapTimeMs};
    } else {
      record.best = before || null;
    }
    this.records.push(record);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
    return true;
  }

  /** The board as plain data, to keep it across page changes (the store deletes laps once they are exported). */
  toJSON() {
    return {records: this.records, lastSeq: this.lastSeq};
  }

  /** A board restored from {@link toJSON}'s data; an empty board when the data is unusable. */
  static from(data, limit = 500) {
    const board = new LapBoard(limit);
    if (data && Array.isArray(data.records) && Number.isFinite(data.lastSeq)) {
      board.records = data.records.slice(-limit);
      board.lastSeq = data.lastSeq;
    }
    return board;
  }

  /** The newest record, or null. */
  latest() {
    return this.records.length ? this.records[this.records.length - 1] : null;
  }

  /** Rows newest first, each marked `isBest` when it is the current best lap of its session. */
  rows() {
    const latest = this.latest();
    const best = latest && latest.best;
    return this.records.slice().reverse().map(r => ({
      ...r,
      isBest: Boolean(best && r.lap === best.lap && r.lapTimeMs === best.timeMs && r.seq >= this.sessionStart()),
    }));
  }

  /** The sequence of the first record of the current session (laps counting up without a change of car/track). */
  sessionStart() {
    let i = this.records.length - 1;
    while (i > 0) {
      const r = this.records[i], p = this.records[i - 1];
      if (r.lap <= p.lap || r.car !== p.car || r.track !== p.track) break;
      i--;
    }
    return i >= 0 ? this.records[i].seq : 0;
  }

  /** How many sector columns the board needs (at least 3). */
  sectorColumns() {
    return Math.max(3, ...this.records.map(r => r.sectorTimesMs.length));
  }
}
