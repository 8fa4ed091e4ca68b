// A sparkline on a small canvas: the line of the last points of one tag, scaled to its own min..max. Drawn by hand
// because a stream can have hundreds of tags; the detail chart of the selected tag uses uPlot.

export function drawSparkline(canvas, points) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 160;
  const height = canvas.clientHeight || 28;
  if (canvas.width !== width * ratio) { canvas.width = width * ratio; canvas.height = height * ratio; }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const values = points.filter(p => p[1] !== null && Number.isFinite(p[1]));
  if (values.length < 2) return;
  let lo = Infinity, hi = -Infinity;
  for (const [, v] of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const t0 = values[0][0], t1 = values[values.length - 1][0];
  const x = t => t1 === t0 ? width - 2 : 1 + (t - t0) / (t1 - t0) * (width - 3);
  const y = v => hi === lo ? height / 2 : height - 3 - (v - lo) / (hi - lo) * (height - 6);
  g.strokeStyle = '#2b6cb0';
  g.lineWidth = 1.25;
  g.beginPath();
  values.forEach(([t, v], i) => (i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v))));
  g.stroke();
  const [lt, lv] = values[values.length - 1];
  g.fillStyle = '#2b6cb0';
  g.beginPath();
  g.arc(x(lt), y(lv), 2, 0, Math.PI * 2);
  g.fill();
}
