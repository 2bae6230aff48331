export * from './requests.controller';
