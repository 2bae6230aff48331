import 'reflect-metadata';
import { loadConfig, runApp, startDistributedService } from '@liangxin/platform';
import { RequestsServiceModule } from '@liangxin/requests-service';

/** The service-requests service alone (distributed mode): NATS JetStream, KurrentDB, MongoDB. */
runApp('requests', () => startDistributedService({ name: 'requests', module: RequestsServiceModule, consumes: [], config: loadConfig() }));
