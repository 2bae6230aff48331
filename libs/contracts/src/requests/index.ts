export * from './events';
export * from './streams';
export * from './patterns';
export * from './dtos';
