import fc from 'fast-check';
import { KeyFilter } from './key-filter';

describe('KeyFilter', () => {
  it('always finds a key it was given', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 300 }), (keys) => {
        const filter = new KeyFilter(keys.length);
        for (const key of keys) filter.add('items', key);
        return keys.every((key) => filter.mayContain('items', key));
      }),
    );
  });

  it('rarely claims a key it was never given (so most first reads are spared)', () => {
    const filter = new KeyFilter(20_000);
    for (let i = 0; i < 20_000; i++) filter.add('enterprise-status', `91430100MA${i}`);
    let falsePositives = 0;
    for (let i = 0; i < 20_000; i++) if (filter.mayContain('audit.events', `${i}-never-added`)) falsePositives += 1;
    expect(falsePositives / 20_000).toBeLessThan(0.05);
  });
});
