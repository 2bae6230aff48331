import mongoose from 'mongoose';
import { onlyNewerVersionsCollided } from './mongo-read-model-store';

/** A result as the driver attaches it to a MongoBulkWriteError, with or without a write-concern error. */
const result = (writeConcernError?: unknown) => ({ getWriteConcernError: () => writeConcernError }) as unknown as mongoose.mongo.BulkWriteResult;

describe('MongoReadModelStore: which failed bulk writes are stale duplicates (the driver error classes, no server)', () => {
  it('takes duplicate-key collisions of the conditional upsert, and only those, for newer versions already stored', () => {
    const duplicates = new mongoose.mongo.MongoBulkWriteError({ message: 'E11000', code: 11000, writeErrors: [{ code: 11000 }, { code: 11000 }] } as never, result());
    expect(onlyNewerVersionsCollided(duplicates)).toBe(true);
    const other = new mongoose.mongo.MongoBulkWriteError({ message: 'x', code: 11000, writeErrors: [{ code: 11000 }, { code: 121 }] } as never, result());
    expect(onlyNewerVersionsCollided(other)).toBe(false);
  });

  it('raises a write-concern error: as the driver throws it (no write errors) and beside duplicate collisions', () => {
    const concernOnly = new mongoose.mongo.MongoBulkWriteError({ message: 'waiting for replication timed out', code: 64 } as never, result({ code: 64 }));
    expect(concernOnly.writeErrors).toEqual([]);
    expect(onlyNewerVersionsCollided(concernOnly)).toBe(false);
    const both = new mongoose.mongo.MongoBulkWriteError({ message: 'E11000', code: 11000, writeErrors: [{ code: 11000 }] } as never, result({ code: 64 }));
    expect(onlyNewerVersionsCollided(both)).toBe(false);
  });

  it('raises anything that is not a bulk write error', () => {
    expect(onlyNewerVersionsCollided(Object.assign(new Error('E11000'), { writeErrors: [{ code: 11000 }] }))).toBe(false);
  });
});
