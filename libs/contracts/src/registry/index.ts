export * from './credit-code';
export * from './events';
export * from './commands';
export * from './streams';
