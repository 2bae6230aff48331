import 'reflect-metadata';
import { loadConfig, runApp, startDistributedService } from '@liangxin/platform';
import { EvaluationServiceModule } from '@liangxin/evaluation-service';

/** The evaluation service alone (distributed mode): NATS JetStream, KurrentDB, MongoDB. */
runApp('evaluation', () => startDistributedService({ name: 'evaluation', module: EvaluationServiceModule, consumes: [], config: loadConfig() }));
