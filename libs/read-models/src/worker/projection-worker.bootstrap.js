// Entry point of a projection worker thread. Plain JavaScript because neither jest's transform nor a
// `node -r tools/register.js` preload reaches inside a worker thread.
//
// It compiles TypeScript with @swc/core directly (as the event store's commit worker does) and resolves the
// workspace's `@liangxin/*` aliases from tsconfig.base.json, which the projections' imports need.
// A failure to load is posted as the first message, so the thread that started the worker reports it.
const { existsSync, readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { parentPort } = require('node:worker_threads');

const findWorkspaceRoot = (from) => {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'tsconfig.base.json'))) return dir;
  }
  throw new Error(`no tsconfig.base.json above ${from}`);
};

const resolveWorkspaceAliases = () => {
  const root = findWorkspaceRoot(__dirname);
  const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
  const aliases = new Map(Object.entries(compilerOptions.paths || {}).map(([alias, [target]]) => [alias, path.join(root, target)]));
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const target = aliases.get(request);
    return resolveFilename.call(this, target === undefined ? request : target, ...rest);
  };
};

const compileTypeScriptOnLoad = () => {
  const { transformSync } = require('@swc/core');
  process.setSourceMapsEnabled(true);
  require.extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(readFileSync(filename, 'utf8'), {
      filename,
      sourceMaps: 'inline',
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
};

try {
  if (existsSync(path.join(__dirname, 'projection-worker.js'))) require('./projection-worker.js').runProjectionWorker();
  else {
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
