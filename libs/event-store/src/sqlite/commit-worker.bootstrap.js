// Entry point of the SQLite store's commit worker. Plain JavaScript because neither jest's transform nor a
// `node -r tools/register.js` preload reaches inside a worker thread.
//
// It loads the TypeScript sources with tools/worker-typescript.js; the worker's modules need no workspace
// aliases. A failure to load is reported through the handshake, so SqliteEventStore.open() throws it instead of waiting.
const { existsSync } = require('node:fs');
const path = require('node:path');
const { workerData } = require('node:worker_threads');

try {
  // a build that compiled the library to JavaScript ships commit-worker.js beside this file
  if (existsSync(path.join(__dirname, 'commit-worker.js'))) require('./commit-worker.js').runCommitWorker();
  else {
    require('../../../../tools/worker-typescript.js').compileTypeScriptOnLoad();
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
