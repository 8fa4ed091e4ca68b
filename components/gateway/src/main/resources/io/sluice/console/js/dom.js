// A tiny DOM builder: text always goes through textContent, so nothing the gateway reports is parsed as HTML.

/** h('td', {class: 'num'}, '42') — attributes starting with "on" are listeners; null/false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A table with a header row; `columns` are [label, className] pairs, `rows` are <tr> elements. */
export function table(id, columns, rows, emptyText) {
  const head = h('tr', {}, columns.map(([label, cls]) => h('th', {class: cls || null}, label)));
  const body = h('tbody', {}, rows);
  if (rows.length === 0 && emptyText) body.append(h('tr', {}, h('td', {class: 'empty', colspan: columns.length}, emptyText)));
  return h('table', {id}, h('thead', {}, head), body);
}

/** A state pill: green for healthy states, amber for degraded ones, red for failures. */
export function pill(state) {
  const s = String(state ?? 'UNKNOWN');
  const cls = /^(OK|RUNNING|CONNECTED|HEALTHY|UP|READY|GOOD)$/i.test(s) ? 'ok'
    : /(FAIL|ERROR|BROKEN|FULL|BAD|DOWN|REJECT)/i.test(s) ? 'bad'
    : /(LOW|RECOVER|RETRY|BACKOFF|DEGRADED|STARTING|CONNECTING|UNCERTAIN|STOPP|THROTTL|WAIT)/i.test(s) ? 'warn' : '';
  return h('span', {class: `pill ${cls}`}, s);
}
