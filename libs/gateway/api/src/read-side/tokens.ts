/** Injection tokens of the gateway's read side (the stores themselves are opened by the app, by mode). */
export const READ_MODEL_STORE = 'LIANGXIN_READ_MODEL_STORE';
export const PROJECTION_RUNNER = 'LIANGXIN_PROJECTION_RUNNER';
export const TIME_TRAVEL = 'LIANGXIN_TIME_TRAVEL';
export const AUDIT_TRAIL = 'LIANGXIN_AUDIT_TRAIL';
