import { BaseRpcContext } from '@nestjs/microservices';

type JetStreamContextArgs = [subject: string, source: string | undefined, sequence: number | undefined];

/** What a handler can ask about the message it is handling (`@Ctx() ctx: JetStreamContext`). */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  getSubject(): string {
    return this.args[0];
  }

  /** the service whose store recorded the event (undefined for commands) */
  getSource(): string | undefined {
    return this.args[1];
  }

  /** the event's gap-free sequence in its source's log (undefined for commands) */
  getSequence(): number | undefined {
    return this.args[2];
  }
}
