import 'reflect-metadata';
import { loadConfig, runApp, startDistributedService } from '@liangxin/platform';
import { RegistryServiceModule } from '@liangxin/registry-service';

/** The registry service alone (distributed mode): NATS JetStream, KurrentDB, MongoDB. */
runApp('registry', () => startDistributedService({ name: 'registry', module: RegistryServiceModule, consumes: [], config: loadConfig() }));
