export * from './nats-server';
export * from './in-memory-event-store';
