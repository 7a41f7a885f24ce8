// Message schemas shared by the services.
export * from './event-envelope.js';
export * from './services.js';
