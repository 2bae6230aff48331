import { join } from 'node:path';

/**
 * The officers' dashboard is plain static files (no build step); the gateway serves
 * this folder as is, and ECharts from the installed package so nothing is fetched
 * from outside the machine.
 */
export const dashboardAssetsDir: string = join(__dirname, 'public');

export const dashboardIndexFile: string = join(dashboardAssetsDir, 'index.html');

/** Served at `/vendor/echarts.min.js`, the URL index.html loads it from. */
export const echartsDistFile: string = require.resolve('echarts/dist/echarts.min.js');

export const ECHARTS_URL_PATH = '/vendor/echarts.min.js';
