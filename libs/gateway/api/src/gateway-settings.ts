/** What the gateway needs to know of the configuration. */
export interface GatewaySettings {
  coverageTarget: number;
  mode: 'embedded' | 'distributed';
}

export const GATEWAY_SETTINGS = 'LIANGXIN_GATEWAY_SETTINGS';
