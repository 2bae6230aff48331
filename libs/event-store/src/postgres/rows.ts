import type { CustomTypesConfig, types as PgTypes } from 'pg';
import type { RecordedEvent } from '@liangxin/contracts';
import type { EventRow } from './schema';

export const toRecordedEvent = (row: EventRow): RecordedEvent =>
  ({
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: row.global_position,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
  }) as RecordedEvent;

const INT8 = 20;
const parseInt8 = (value: string) => Number(value);

/**
 * bigint columns (positions) as JS numbers, exact up to 2^53: pg's default is a string. Set per client rather
 * than on pg's global parsers, so other users of pg in the process keep theirs.
 */
export const positionsAsNumbers = (types: typeof PgTypes): CustomTypesConfig => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? parseInt8 : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
});
