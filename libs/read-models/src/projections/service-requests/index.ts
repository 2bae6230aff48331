export * from './service-requests';
