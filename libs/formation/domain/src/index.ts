export * from './policy';
export * from './events';
export * from './org';
export * from './placement';
export * from './process-manager';
export * from './work-coverage';
export * from './placement-cycle';
export * from './enterprise-placement';
