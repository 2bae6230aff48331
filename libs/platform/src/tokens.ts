/** Nest injection tokens for what the platform provides to every service module. */
export const LIANGXIN_CONFIG = 'LIANGXIN_CONFIG';
export const EVENT_STORE = 'LIANGXIN_EVENT_STORE';
