export * from './columns';
export * from './register-file';
export * from './run-import';
export * from './report-workbook';
export * from './generate-register';
