// Maps the tsconfig path aliases (@liangxin/*) for jest, so there is one list of aliases.
const path = require('path');
const base = require('../tsconfig.base.json');

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

exports.pathsToModuleNameMapper = () => {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(base.compilerOptions.paths)) {
    mapper[`^${escape(alias)}$`] = path.join(__dirname, '..', target);
  }
  return mapper;
};
