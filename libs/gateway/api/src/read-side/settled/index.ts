export * from './settled-position';
export * from './settled-read-headers';
