import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@liangxin/platform';
import { startEmbeddedSystem } from './embedded-system';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.mode !== 'embedded') {
    throw new Error('NATS_URL, KURRENTDB_URL and MONGODB_URL are set: run each app alone (npm run start:registry, …) or unset them for the embedded default');
  }
  // Route-mapping chatter hidden; warnings and errors still show.
  const system = await startEmbeddedSystem(config, { logger: ['error', 'warn'] });
  const logger = new Logger('Liangxin');
  console.log(`\n  两新 Liangxin is running (embedded mode, data in ${config.dataDir})`);
  console.log(`  Dashboard and API: ${system.url}    OpenAPI: ${system.url}/api/docs`);
  if (!config.adminToken) console.log(`  Admin token (set ADMIN_TOKEN to choose your own): ${system.adminToken}`);
  console.log('');
  const stop = async (signal: string) => {
    logger.log(`${signal}: stopping`);
    await system.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
