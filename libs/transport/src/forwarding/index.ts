export * from './checkpoint-store';
export * from './source-log';
export * from './store-forwarder';
