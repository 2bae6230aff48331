import { Schema, type Connection, type Model } from 'mongoose';
import type { CheckpointStore } from './checkpoint-store';

interface CheckpointDocument {
  _id: string;
  value: unknown;
  updatedAt: Date;
}

const checkpointSchema = new Schema<CheckpointDocument>(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'checkpoints', versionKey: false, minimize: false },
);

/**
 * Checkpoints in the `checkpoints` collection for distributed mode. Saves wait for a journaled
 * majority write, so a checkpoint never claims progress a failover could forget.
 */
export class MongoCheckpointStore implements CheckpointStore {
  private readonly model: Model<CheckpointDocument>;

  constructor(connection: Connection) {
    this.model =
      (connection.models['Checkpoint'] as Model<CheckpointDocument> | undefined) ??
      connection.model<CheckpointDocument>('Checkpoint', checkpointSchema);
  }

  async load<T>(name: string): Promise<T | undefined> {
    // majority: never resume from a checkpoint a failover could still roll back
    const doc = await this.model.findById(name).setOptions({ readConcern: { level: 'majority' } }).lean<CheckpointDocument>().exec();
    return doc ? (doc.value as T) : undefined;
  }

  async save<T>(name: string, value: T): Promise<void> {
    await this.model
      .updateOne(
        { _id: name },
        { $set: { value, updatedAt: new Date() } },
        { upsert: true, writeConcern: { w: 'majority', j: true } },
      )
      .exec();
  }
}
