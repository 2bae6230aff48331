export * from './stage-timings';
