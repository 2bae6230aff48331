export * from './event';
export * from './upcasting';
