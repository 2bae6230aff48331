import 'reflect-metadata';
import { loadConfig, runApp, startDistributedService } from '@liangxin/platform';
import { FundingServiceModule } from '@liangxin/funding-service';

/** The funding service alone (distributed mode): NATS JetStream, KurrentDB, MongoDB. */
runApp('funding', () => startDistributedService({ name: 'funding', module: FundingServiceModule, consumes: ['formation', 'evaluation'], config: loadConfig() }));
