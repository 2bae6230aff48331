import { StatisticsController } from './statistics.controller';

export const STATISTICS_CONTROLLERS = [StatisticsController];
