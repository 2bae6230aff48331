import { nestsDeeperThan, unsafeJsonDetails, WriteRateLimiter } from './request-limits';

const deeperThan = (text: string, limit: number) => nestsDeeperThan((i) => text.charCodeAt(i), text.length, limit);

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(deeperThan('{"a":[[1]]}', 3)).toBe(false);
    expect(deeperThan('{"a":[[[1]]]}', 3)).toBe(true);
    expect(deeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(deeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(deeperThan(`${'['.repeat(20_000)}${']'.repeat(20_000)}`, 32)).toBe(true);
  });
});

describe('unsafeJsonDetails', () => {
  it('names prototype keys and inexact numbers at any depth, and nothing in ordinary JSON', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"x":1},"list":[{"constructor":1}]},"prototype":2,"n":9007199254740993,"m":-1e300,"ok":[1,2.5,"3"]}');
    expect(unsafeJsonDetails(parsed)).toEqual([
      { field: 'a.__proto__', reason: 'property __proto__ should not exist' },
      { field: 'a.list.0.constructor', reason: 'property constructor should not exist' },
      { field: 'prototype', reason: 'property prototype should not exist' },
      { field: 'n', reason: expect.stringMatching(/between/) },
      { field: 'm', reason: expect.stringMatching(/between/) },
    ]);
    expect(unsafeJsonDetails({ name: '王', counts: [0, Number.MAX_SAFE_INTEGER], nested: { flag: true, none: null } })).toEqual([]);
  });
});

describe('WriteRateLimiter', () => {
  it('lets a burst through, then one write per refill, each caller in its own bucket', () => {
    let now = 0;
    const limiter = new WriteRateLimiter(2, 3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([0, 0, 0, 1]);
    expect(limiter.take('b')).toBe(0);
    now += 500; // one write refilled at 2 per second
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    now += 10_000; // never more than the burst
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([0, 0, 0, 1]);
  });
});
