import { allProjections, coverageProjection, type Projection, type RebuildProgress, type RebuildResult } from '@liangxin/read-models';
import type { GatewaySettings } from '../gateway-settings';

/** The coverage projection configured with the operator's target (time travel replays it). */
export const coverageProjectionOf = (settings: Pick<GatewaySettings, 'coverageTarget'>): Projection => coverageProjection({ target: settings.coverageTarget });

export const projectionsFor = (settings: Pick<GatewaySettings, 'coverageTarget'>): Projection[] => allProjections({ coverage: { target: settings.coverageTarget } });

/** Rebuilds every projection beside the live ones and swaps them in, reporting progress. */
export type ProjectionRebuilder = (onProgress: (progress: RebuildProgress) => void) => Promise<RebuildResult>;
