// Number, time and value formatting shared by the views (pure functions).

export function count(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US');
}

export function rate(perSecond) {
  if (perSecond === null || perSecond === undefined) return '–';
  return perSecond >= 100 ? `${count(perSecond)}/s` : `${Number(perSecond).toFixed(1)}/s`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** 950 ms, 12 s, 3 min 20 s, 2 h 5 min, 3 d 4 h. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/**
 * The drain ETA of a stream's backlog: "drained" at 0 and a duration while it shrinks. When the server says it does
 * not shrink (its 10 s rates): "not draining" when nothing leaves; "keeping up" when the drain matches the inflow or
 * only the last few seconds wait (a steady backlog of about one batch interval); else "falling behind".
 */
export function eta(backlog, etaSeconds, drainPerSecond = 0, appendPerSecond = 0, oldestAgeMillis = Infinity) {
  if (!backlog) return 'drained';
  if (etaSeconds !== null && etaSeconds !== undefined) return duration(etaSeconds * 1000);
  if (!(drainPerSecond > 0)) return 'not draining';
  if (drainPerSecond >= 0.95 * appendPerSecond || oldestAgeMillis < 5000) return 'keeping up';
  return 'falling behind';
}

/** A lap or sector time: 1:31.234, or 27.370 under a minute. */
export function lapTime(ms) {
  if (ms === null || ms === undefined) return '–';
  const total = Math.round(Number(ms));
  const minutes = Math.floor(total / 60000);
  const rest = ((total % 60000) / 1000).toFixed(3);
  return minutes > 0 ? `${minutes}:${rest.padStart(6, '0')}` : rest;
}

/** A delta to the best: +0.137, -0.126 (seconds, to the millisecond), ±0.000 when equal. */
export function delta(ms) {
  if (ms === null || ms === undefined) return '–';
  const v = Number(ms);
  if (v === 0) return '±0.000';
  return `${v > 0 ? '+' : '-'}${(Math.abs(v) / 1000).toFixed(3)}`;
}

/** Milliseconds since the epoch of an ISO time with up to nanoseconds ("...T05:40:00.123456789Z"). */
export function parseTime(iso) {
  if (!iso) return NaN;
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
}

export function clock(ms) {
  if (!Number.isFinite(ms)) return '–';
  const d = new Date(ms);
  return d.toLocaleTimeString('en-GB', {hour12: false}) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

/** A sample's value as text: numbers to 4 significant decimals, arrays and structures as compact JSON. */
export function value(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(7)));
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  const text = JSON.stringify(v);
  return text.length > 120 ? text.slice(0, 117) + '…' : text;
}

/** The number a sparkline draws for a sample, or null when the value is not a number (strings, structures). */
export function numeric(sample) {
  const v = sample.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return null;
  return null;
}
