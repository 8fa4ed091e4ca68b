// The console's router: #/ overview, #/stream/NAME, #/laps[/STREAM], #/dead-letters[/STREAM]. Each view mounts
// into <main> and returns a function that stops its polls and tails when the operator navigates away.
import {every, status} from './api.js';
import {pill} from './dom.js';
import {mountOverview} from './overview.js';
import {mountStream} from './stream.js';
import {mountLaps} from './laps.js';
import {mountDeadLetters} from './deadletters.js';

const views = {
  '': mountOverview,
  stream: mountStream,
  laps: mountLaps,
  'dead-letters': mountDeadLetters,
};

let unmount = null;

function route() {
  const [name = '', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : null;
  const mount = views[name] || mountOverview;
  if (unmount) unmount();
  const main = document.getElementById('view');
  main.replaceChildren();
  for (const a of document.querySelectorAll('header nav a')) {
    a.classList.toggle('active', a.dataset.view === (views[name] ? (name || 'overview') : 'overview'));
  }
  unmount = mount(main, arg);
}

window.addEventListener('hashchange', route);
route();

// The header shows the gateway's state and health whatever the view; it turns red when the gateway is gone.
function showState(text) {
  const badge = pill(text);
  badge.id = 'gateway-state';
  document.getElementById('gateway-state').replaceWith(badge);
}

every(2000, async () => {
  try {
    const s = await status();
    const health = s.health && s.health.status;
    showState(`${s.state}${health ? ' · ' + health : ''}`);
  } catch (e) {
    showState(`unreachable: ${e.message}`);
  }
});
