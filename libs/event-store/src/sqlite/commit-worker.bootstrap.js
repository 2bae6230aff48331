// Entry point of the SQLite store's commit worker. Plain JavaScript because neither jest's transform nor a
// `node -r tools/register.js` preload reaches inside a worker thread.
//
// It compiles the worker's TypeScript with @swc/core directly rather than through @swc-node/register (as
// tools/register.js does): that one loads the whole TypeScript compiler to read tsconfig, which made every
// store's open() take ~250 ms here against ~50 ms this way. The worker's modules need nothing from tsconfig
// (no path aliases at run time, no decorators); if one ever does, open() fails loudly with the missing module.
// A failure to load is reported through the handshake, so SqliteEventStore.open() throws it instead of waiting.
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { workerData } = require('node:worker_threads');

const compileTypeScriptOnLoad = () => {
  const { transformSync } = require('@swc/core');
  process.setSourceMapsEnabled(true);
  require.extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(readFileSync(filename, 'utf8'), {
      filename,
      sourceMaps: 'inline',
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
};

try {
  // a build that compiled the library to JavaScript ships commit-worker.js beside this file
  if (existsSync(path.join(__dirname, 'commit-worker.js'))) require('./commit-worker.js').runCommitWorker();
  else {
    compileTypeScriptOnLoad();
    require('./commit-worker.ts').runCommitWorker();
  }
} catch (error) {
  const { handshake } = workerData;
  handshake.port.postMessage({
    ok: false,
    error: {
      kind: 'error',
      name: error && error.name ? error.name : 'Error',
      message: `commit worker failed to load: ${error && error.message ? error.message : String(error)}`,
      stack: error && error.stack,
    },
  });
  handshake.port.close();
  Atomics.store(handshake.state, 0, 1);
  Atomics.notify(handshake.state, 0);
}
