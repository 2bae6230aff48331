import 'reflect-metadata';
import { loadConfig, runApp } from '@liangxin/platform';
import { startEmbeddedSystem } from './embedded-system';

/** `npm start`: the whole system in one process (SQLite, in-process transport), gateway on PORT. */
runApp('Liangxin', async () => {
  const config = loadConfig();
  if (config.mode !== 'embedded') {
    throw new Error('NATS_URL, KURRENTDB_URL and MONGODB_URL are set: run each app alone (npm run start:registry, …) or unset them for the embedded default');
  }
  // Route-mapping chatter hidden; warnings and errors still show.
  const system = await startEmbeddedSystem(config, { logger: ['error', 'warn'] });
  console.log(`\n  两新 Liangxin is running (embedded mode, data in ${config.dataDir})`);
  console.log(`  Dashboard and API: ${system.url}    OpenAPI: ${system.url}/api/docs`);
  if (!config.adminToken) console.log(`  Admin token (set ADMIN_TOKEN to choose your own): ${system.adminToken}`);
  console.log('');
  return system;
});
