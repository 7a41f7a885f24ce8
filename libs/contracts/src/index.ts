// Message schemas shared by the services.
export * from './event-envelope.js';
export * from './services.js';
export * from './logical-network.js';
export * from './desired-state.js';
export * from './host-messages.js';
export * from './host-report.schema.js';
export * from './host-status.schema.js';
export * from './compute-switch.js';
export * from './report-fold.js';
export * from './opaque-data.js';
export * from './raw-json.js';
export * from './module-data.js';
export * from './module-data.schema.js';
