/** Injection tokens of the gateway's read side (the stores themselves are opened by the app, by mode). */
export const READ_MODEL_STORE = 'LIANGXIN_READ_MODEL_STORE';
export const PROJECTION_RUNNER = 'LIANGXIN_PROJECTION_RUNNER';
/** rebuilds every projection beside the live ones (in this thread, or in worker threads on SQLite) */
export const PROJECTION_REBUILDER = 'LIANGXIN_PROJECTION_REBUILDER';
export const TIME_TRAVEL = 'LIANGXIN_TIME_TRAVEL';
export const AUDIT_TRAIL = 'LIANGXIN_AUDIT_TRAIL';
/** waits until what a position caused, in cascade, is in the read models (X-Consistency: settled) */
export const SETTLED_POSITIONS = 'LIANGXIN_SETTLED_POSITIONS';
