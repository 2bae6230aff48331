import 'reflect-metadata';
import { startGatewayApp } from '@liangxin/gateway-api';
import { loadConfig, openDistributedInfrastructure, redactedUrl, requireOperatorSecrets, runApp, waitFor } from '@liangxin/platform';
import { MongoReadModelStore, PostgresReadModelStore } from '@liangxin/read-models';
import { JetStreamClient, JetStreamConsumerProgress, JetStreamDeadLetters } from '@liangxin/transport';

/** The gateway alone (distributed mode): projections from the event store into MongoDB or PostgreSQL, commands over NATS. */
runApp('gateway', async () => {
  const config = loadConfig();
  requireOperatorSecrets(config);
  const infra = await openDistributedInfrastructure(config, 'gateway');
  const readModels = config.mongoDbUrl
    ? await waitFor(`the read models (MongoDB at ${redactedUrl(config.mongoDbUrl)})`, () => MongoReadModelStore.connect(config.mongoDbUrl as string))
    : await waitFor(`the read models (PostgreSQL at ${redactedUrl(config.databaseUrl)})`, () => PostgresReadModelStore.connect(config.databaseUrl as string));
  const commands = new JetStreamClient({ servers: config.natsServers ?? (config.natsUrl as string), name: 'liangxin-gateway' });
  await waitFor(`NATS at ${redactedUrl(config.natsUrl)} for commands`, () => commands.connect());
  const gateway = await startGatewayApp({
    config,
    eventStore: infra.eventStore,
    readModels,
    commands,
    deadLetters: new JetStreamDeadLetters(infra.nats),
    consumerProgress: new JetStreamConsumerProgress(infra.nats),
    transportHealth: { name: 'transport', check: async () => ({ nats: infra.nats.isClosed() ? 'closed' : 'connected', server: infra.nats.getServer() }) },
  });
  return {
    async close() {
      await gateway.close();
      await commands.close();
      await readModels.close();
      await infra.close();
    },
  };
});
