import 'reflect-metadata';
import { startGatewayApp } from '@liangxin/gateway-api';
import { loadConfig, openDistributedInfrastructure, runApp } from '@liangxin/platform';
import { MongoReadModelStore } from '@liangxin/read-models';
import { JetStreamClient, JetStreamConsumerProgress, JetStreamDeadLetters } from '@liangxin/transport';

/** The gateway alone (distributed mode): projections from KurrentDB into MongoDB, commands over NATS. */
runApp('gateway', async () => {
  const config = loadConfig();
  const infra = await openDistributedInfrastructure(config, 'gateway');
  const readModels = await MongoReadModelStore.connect(config.mongoDbUrl);
  const commands = new JetStreamClient({ servers: config.natsUrl as string, name: 'liangxin-gateway' });
  await commands.connect();
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
