// Runs a bench server without bench/run.js (for profilers and valgrind): `node standalone.js
// poor.js` listens on PORT; SIGINT exits normally (so --cpu-prof writes its profile).
import http from 'node:http';
import { pathToFileURL } from 'node:url';

process.send ??= () => true;
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (_port, ...rest) {
  return listen.call(this, Number(process.env.PORT), ...rest);
};
process.on('SIGINT', () => process.exit(0));
await import(pathToFileURL(process.argv[2]).href);
