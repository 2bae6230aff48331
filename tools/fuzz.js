#!/usr/bin/env node
// npm run test:fuzz -- [--runs N] [--seed S]: the OpenAPI fuzz suite with more inputs, or other ones, than CI's.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const env = { ...process.env };
if (option('runs')) env.FUZZ_RUNS = option('runs');
if (option('seed')) env.FUZZ_SEED = option('seed');
for (const [name, value] of [['FUZZ_RUNS', env.FUZZ_RUNS], ['FUZZ_SEED', env.FUZZ_SEED]]) {
  if (value !== undefined && !/^\d+$/.test(value)) {
    console.error(`${name} must be a whole number, got "${value}"`);
    process.exit(2);
  }
}
console.log(`fuzz: ${env.FUZZ_RUNS ?? 3000} inputs, seed ${env.FUZZ_SEED ?? 'default (20261204)'}`);
const root = join(__dirname, '..');
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest', { paths: [root] }), 'apps/embedded/src/fuzz.e2e.spec.ts'], { cwd: root, env, stdio: 'inherit' });
process.exit(jest.status ?? 1);
