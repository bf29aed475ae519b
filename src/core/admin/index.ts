export { createAdminApi, toAdminAccount, type AdminApi, type AdminApiDeps } from './admin-api';
export { createAdminRoutes, type AdminRoutes, type AdminRoutesOptions } from './routes';
export { dashboardHtml, findDashboardDir, newNonce, DASHBOARD_SCRIPT, DASHBOARD_STYLES, type DashboardTransport } from './dashboard-page';
export * from './types';
export * from './protocol';
