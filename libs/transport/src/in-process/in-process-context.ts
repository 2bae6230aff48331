import { BaseRpcContext } from '@nestjs/microservices';

type InProcessContextArgs = [pattern: string, consumer: string | undefined, attempt: number];

/** The context handlers receive (`@Ctx()`) over the in-process transport. */
export class InProcessContext extends BaseRpcContext<InProcessContextArgs> {
  getPattern(): string {
    return this.args[0];
  }

  /** the event consumer delivering this event; undefined for a request */
  getConsumer(): string | undefined {
    return this.args[1];
  }

  /** 1 on the first delivery of an event, more on retries and redeliveries within this run */
  getAttempt(): number {
    return this.args[2];
  }
}
