export * from './policy';
export * from './calendar';
export * from './budget';
export * from './reactions';
export * from './organisation';
