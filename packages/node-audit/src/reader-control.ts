// Slots of the Int32Array (over a SharedArrayBuffer) that AuditReader shares with its worker (reader-worker.ts).
/** 1 asks the worker to stop. */
export const CONTROL_STOP = 0;
/** Batches the worker posted. */
export const CONTROL_POSTED = 1;
/** Batches the main thread handled. */
export const CONTROL_HANDLED = 2;
/** Times the worker stopped receiving because too many batches waited for the main thread. */
export const CONTROL_PAUSES = 3;
export const CONTROL_SLOTS = 4;
