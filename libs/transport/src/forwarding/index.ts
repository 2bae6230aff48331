export * from './source-log';
export * from './store-forwarder';
