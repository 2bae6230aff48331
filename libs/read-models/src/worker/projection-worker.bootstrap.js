// Entry point of a projection worker thread: plain JavaScript, because neither jest's transform nor a
// `node -r tools/register.js` preload reaches inside a worker thread. It loads the TypeScript sources with
// tools/worker-typescript.js (the projections import the workspace's `@liangxin/*` libraries).
// A failure to load is posted as the first message, so the thread that started the worker reports it.
const { existsSync } = require('node:fs');
const path = require('node:path');
const { parentPort } = require('node:worker_threads');

try {
  // a build that compiled the library to JavaScript ships projection-worker.js beside this file
  if (existsSync(path.join(__dirname, 'projection-worker.js'))) require('./projection-worker.js').runProjectionWorker();
  else {
    const { compileTypeScriptOnLoad, resolveWorkspaceAliases } = require('../../../../tools/worker-typescript.js');
    resolveWorkspaceAliases();
    compileTypeScriptOnLoad();
    require('reflect-metadata');
    require('./projection-worker.ts').runProjectionWorker();
  }
} catch (error) {
  parentPort.postMessage({
    type: 'failed',
    error: { name: (error && error.name) || 'Error', message: `projection worker failed to load: ${error && error.message ? error.message : String(error)}`, stack: error && error.stack },
  });
}
