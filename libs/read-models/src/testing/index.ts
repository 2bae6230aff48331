// Test-only helpers, kept out of the runtime index: import from '@liangxin/read-models/testing'.
export * from './read-model-store.contract';
export * from './generate-events';
export * from './append-load';
export * from './recorded';
