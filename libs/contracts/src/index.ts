export * from './event';
export * from './upcasting';
export * from './command';
export * from './registry';
export * from './formation';
export * from './funding';
export * from './evaluation';
export * from './sources';
