import 'reflect-metadata';
import { loadConfig, runApp } from '@liangxin/platform';
import { InProcessClient } from '@liangxin/transport';
import { firstValueFrom } from 'rxjs';
import { DEMO_DISTRICT, seedDemoDistrict } from './demo';
import { startEmbeddedSystem } from './embedded-system';

/** `npm start`: the whole system in one process (SQLite, or PostgreSQL with DATABASE_URL; in-process transport), gateway on PORT. */
runApp('Liangxin', async () => {
  const config = loadConfig();
  if (config.mode !== 'embedded') {
    throw new Error('NATS_URL, KURRENTDB_URL or MONGODB_URL is set: run each app alone (npm run start:registry, …), or unset them for the all-in-one process (on SQLite, or on PostgreSQL with DATABASE_URL alone)');
  }
  // Route-mapping chatter hidden; warnings and errors still show.
  const system = await startEmbeddedSystem(config, { logger: ['error', 'warn'] });
  if (process.argv.includes('--demo')) {
    const client = new InProcessClient(system.bus);
    const seeded = await seedDemoDistrict(system.eventStore, (pattern, envelope) => firstValueFrom(client.send(pattern, envelope)));
    if (seeded) {
      await system.settled(120_000);
      console.log(`  Demo: district ${DEMO_DISTRICT.district} seeded through the register import: ${seeded.counts.registered} enterprises, ${DEMO_DISTRICT.withMembers} with party members.`);
    } else console.log('  Demo: the data folder already holds events; nothing seeded.');
  }
  console.log(`\n  两新 Liangxin is running (embedded mode, data in ${system.storage})`);
  console.log(`  Dashboard and API: ${system.url}    OpenAPI: ${system.url}/api/docs`);
  if (!config.adminToken) console.log(`  Admin token (set ADMIN_TOKEN to choose your own): ${system.adminToken}`);
  console.log('');
  return system;
});
