import 'reflect-metadata';
import { loadConfig, runApp, startDistributedService } from '@liangxin/platform';
import { FormationServiceModule } from '@liangxin/formation-service';

/** The formation service alone (distributed mode): NATS JetStream, KurrentDB, MongoDB. */
runApp('formation', () => startDistributedService({ name: 'formation', module: FormationServiceModule, consumes: ['registry', 'formation'], config: loadConfig() }));
