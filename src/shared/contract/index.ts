export * from './define';
export * from './operations';
export * from './events';
