// Runs the TypeScript sources directly: SWC compiles on load (decorator metadata on,
// as Nest's dependency injection needs) and tsconfig path aliases resolve to libs/.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
