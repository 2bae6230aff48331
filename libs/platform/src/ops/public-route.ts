import { SetMetadata } from '@nestjs/common';

/** Marks a route that answers without a token (health, metrics, the dashboard's shell). */
export const PUBLIC_ROUTE = 'liangxin:public';
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
