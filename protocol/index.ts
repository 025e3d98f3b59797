export * from './errors.js';
export * from './app.js';
export * from './settings.js';
export * from './desktop.js';
export * from './host-api.js';
export * from './ipc-channels.js';
export * from './hlc.js';
export * from './sync.js';
