import { timeOrderedUuid } from './time-ordered-id';

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID with the RFC variant', () => {
    expect(timeOrderedUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by the millisecond it was made in, and is unique within one', () => {
    const earlier = timeOrderedUuid(1_700_000_000_000);
    const later = timeOrderedUuid(1_700_000_000_001);
    expect(earlier < later).toBe(true);
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(1_700_000_000_000)));
    expect(sameMillisecond.size).toBe(1000);
  });
});
