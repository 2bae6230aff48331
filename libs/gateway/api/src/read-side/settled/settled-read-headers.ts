import type { ApiHeaderOptions } from '@nestjs/swagger';

export const CONSISTENCY_HEADER = 'x-consistency';
export const SETTLED = 'settled';
/** How long a settled read waits for the reactions to settle, rounds and read models together. */
export const SETTLED_WAIT_MS = 10_000;

/** `@ApiHeader(SETTLED_READ_HEADER)` beside X-Min-Position on every controller whose reads honour it. */
export const SETTLED_READ_HEADER: ApiHeaderOptions = {
  name: 'X-Consistency',
  required: false,
  enum: [SETTLED],
  description:
    'on a GET, with X-Min-Position: `settled` waits (up to 10 s, else 503) until the read models also include every reaction ' +
    'the events up to that position caused, in cascade: the branch formation forms, the subsidy funding pays for it, ...',
};
