// Preloaded with `node -r` in front of kinesis-local, which listens on all interfaces and has no host option:
// every server.listen(...) is forced onto 127.0.0.1 so test peers are never reachable from the network.
'use strict';
const net = require('net');
const LOOPBACK = '127.0.0.1';
const original = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args.length > 0 && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    args[0] = Object.assign({}, args[0], { host: LOOPBACK });
  } else if (args.length > 0 && (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0])))) {
    if (args.length === 1 || typeof args[1] !== 'string') {
      args.splice(1, 0, LOOPBACK);
    } else {
      args[1] = LOOPBACK;
    }
  }
  return original.apply(this, args);
};
