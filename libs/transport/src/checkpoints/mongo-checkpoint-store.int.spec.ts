import mongoose from 'mongoose';
import { checkpointStoreContract } from './checkpoint-store.contract';
import { MongoCheckpointStore } from './mongo-checkpoint-store';

const MONGODB_URL = process.env['MONGODB_URL'];

if (!MONGODB_URL) {
  console.warn('MongoCheckpointStore tests skipped: MONGODB_URL is not set (no MongoDB server runs on this machine)');
}

(MONGODB_URL ? describe : describe.skip)('MongoCheckpointStore (needs MONGODB_URL, skipped without it)', () => {
  let connection: mongoose.Connection;
  beforeAll(async () => {
    connection = await mongoose.createConnection(MONGODB_URL as string, { dbName: `liangxin-test-${process.pid}` }).asPromise();
  });
  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  checkpointStoreContract(async () => new MongoCheckpointStore(connection));
});
