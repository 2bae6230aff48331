// Test-only helpers, kept out of the runtime index: import from '@liangxin/event-sourcing/testing'.
export * from './specification';
