// Loading TypeScript inside a worker thread, where neither jest's transform nor a `node -r tools/register.js`
// preload reaches. Used by the workers' plain-JavaScript bootstraps (the event store's commit worker, the
// projection workers).
//
// It compiles with @swc/core directly rather than through @swc-node/register: that one loads the whole
// TypeScript compiler to read tsconfig, which made every worker start take ~250 ms here against ~50 ms.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

/** Compiles each `.ts` file as it is required (decorators in Nest's legacy form, with metadata). */
function compileTypeScriptOnLoad() {
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
}

/** Resolves the workspace's `@liangxin/*` imports to the libraries' sources, as tsconfig.base.json maps them. */
function resolveWorkspaceAliases() {
  const root = path.join(__dirname, '..');
  const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
  const aliases = new Map(Object.entries(compilerOptions.paths || {}).map(([alias, [target]]) => [alias, path.join(root, target)]));
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const target = aliases.get(request);
    return resolveFilename.call(this, target === undefined ? request : target, ...rest);
  };
}

module.exports = { compileTypeScriptOnLoad, resolveWorkspaceAliases };
